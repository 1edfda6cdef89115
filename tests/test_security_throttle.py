"""Brute-force throttling (webui/throttle.py): failed sign-ins only, per address and per
account, 429 + Retry-After, in memory and in the real Redis (TEST_REDIS_URL)."""
from __future__ import annotations

import logging
import os
import time
import uuid

import pytest
import redis

from tests.conftest import basic, form_fields, unavailable
from webui.infra import throttle

ADDRESS_LIMIT, ACCOUNT_LIMIT = 3, 5
ME = {"REMOTE_ADDR": "127.0.0.2"}


def at(address: str) -> dict:
    return {"REMOTE_ADDR": address}


@pytest.fixture(params=["memory", "redis"])
def storage(request):
    """Settings for the counters' storage; Redis keys get a prefix of their own, removed after."""
    if request.param == "memory":
        yield {"RATELIMIT_STORAGE_URI": "memory://"}
        return
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        unavailable("TEST_REDIS_URL is not set: the Redis throttle tests need a server")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at TEST_REDIS_URL unreachable: {type(exc).__name__}")
    prefix = f"webui-test-{uuid.uuid4().hex}"
    yield {"RATELIMIT_STORAGE_URI": url, "RATELIMIT_KEY_PREFIX": prefix, "redis": client,
           "prefix": prefix}
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def app_config(app_config, storage):
    return {**app_config, **{k: v for k, v in storage.items() if k.isupper()},
            "LOGIN_FAILURE_LIMIT": f"{ADDRESS_LIMIT} per minute",
            "ACCOUNT_FAILURE_LIMIT": f"{ACCOUNT_LIMIT} per minute"}


def me_call(client, headers, address="127.0.0.2"):
    return client.get("/api/mgmt/user", headers=headers, environ_base=at(address))


def assert_throttled(response):
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 60
    return wait


def test_failures_are_throttled_with_retry_after_in_the_envelope(client, alice):
    wrong = basic("alice", "wrong-password-000")
    for _ in range(ADDRESS_LIMIT):
        assert me_call(client, wrong).status_code == 401
    response = me_call(client, wrong)
    assert_throttled(response)
    assert response.json["error"]["code"] == "222209008"
    assert response.json["error"]["message"]["lang"] == "en-US"
    # While throttled the right password is refused too: otherwise the 429/200 difference
    # would tell the attacker which guess was right.
    assert me_call(client, alice.basic).status_code == 429


def test_successes_never_count(client, alice):
    for _ in range(3 * ACCOUNT_LIMIT):
        assert me_call(client, alice.basic).status_code == 200
    wrong = basic("alice", "wrong-password-000")
    for _ in range(ADDRESS_LIMIT):
        assert me_call(client, wrong).status_code == 401
    assert me_call(client, wrong).status_code == 429


def test_requests_without_credentials_are_challenges_not_guesses(client, alice):
    for _ in range(3 * ADDRESS_LIMIT):
        response = client.get("/api/mgmt/user", environ_base=ME)
        assert response.status_code == 401
        assert "WWW-Authenticate" in response.headers
    assert me_call(client, alice.basic).status_code == 200


def test_per_address_counts_failures_on_any_account(client, alice, admin):
    for name in ("alice", "admin", "nobody-at-all"):
        assert me_call(client, basic(name, "wrong-password-000")).status_code == 401
    assert me_call(client, admin.basic).status_code == 429
    assert me_call(client, admin.basic, "127.0.0.3").status_code == 200


def test_per_account_counts_failures_from_every_address(client, alice, admin):
    wrong = basic("alice", "wrong-password-000")
    for n in range(ACCOUNT_LIMIT):
        assert me_call(client, wrong, f"127.0.1.{n + 1}").status_code == 401
    assert_throttled(me_call(client, alice.basic, "127.0.2.1"))
    # Other accounts from fresh addresses are untouched.
    assert me_call(client, admin.basic, "127.0.2.2").status_code == 200


def test_a_distributed_attack_cannot_lock_out_a_known_client(client, admin):
    assert me_call(client, admin.basic, "127.0.3.1").status_code == 200  # admin's own client
    wrong = basic("admin", "wrong-password-000")
    for n in range(ACCOUNT_LIMIT + 3):
        me_call(client, wrong, f"127.0.4.{n + 1}")
    assert_throttled(me_call(client, admin.basic, "127.0.5.1"))  # a stranger: throttled
    assert me_call(client, admin.basic, "127.0.3.1").status_code == 200
    # Known is per account: the same address guessing at it fails as before.
    assert me_call(client, wrong, "127.0.3.1").status_code == 401


def test_only_verified_credentials_make_a_client_known(client, admin):
    # A wrong password sent where nothing checks it (an unknown path answers 404, a request
    # refused as cross-site answers 403) must not make the attacker's address known.
    wrong = basic("admin", "wrong-password-000")
    assert client.get("/api/nope", headers=wrong, environ_base=at("127.0.6.1")).status_code \
        == 404
    assert me_call(client, {**wrong, "Sec-Fetch-Site": "cross-site"}, "127.0.6.1"
                   ).status_code == 403
    for n in range(ACCOUNT_LIMIT):
        me_call(client, wrong, f"127.0.7.{n + 1}")
    assert_throttled(me_call(client, admin.basic, "127.0.6.1"))


def test_one_address_alone_cannot_lock_an_account_out(client, alice):
    wrong = basic("alice", "wrong-password-000")
    for _ in range(ADDRESS_LIMIT + 5):
        me_call(client, wrong, "127.0.0.66")  # the attacker is throttled after 3
    assert me_call(client, alice.basic, "127.0.0.77").status_code == 200


def test_case_variants_of_a_name_share_the_account_counter(client, alice):
    for n, name in enumerate(["alice", "ALICE", "Alice", "aLiCe", "alicE"]):
        me_call(client, basic(name, "wrong-password-000"), f"127.0.3.{n + 1}")
    assert me_call(client, alice.basic, "127.0.3.99").status_code == 429


def test_forged_forwarded_for_does_not_escape_the_throttle(client, alice):
    wrong = basic("alice", "wrong-password-000")
    for n in range(ADDRESS_LIMIT + 2):
        response = client.get("/api/mgmt/user", headers={**wrong,
                              "X-Forwarded-For": f"127.0.9.{n}"}, environ_base=ME)
    assert response.status_code == 429


@pytest.fixture
def webui_user(make_user):
    return make_user("carol", ("User",))


def login_post(client, user_name, password, address="127.0.0.2"):
    page = client.get("/login", environ_base=at(address))
    action, data = form_fields(page.get_data(as_text=True))
    data.update(username=user_name, password=password)
    return client.post(action or "/login", data=data, environ_base=at(address))


def test_login_form_failures_are_throttled_with_the_error_page(client, webui_user):
    for _ in range(ADDRESS_LIMIT):
        assert login_post(client, "carol", "wrong-password-000").status_code == 401
    response = login_post(client, "carol", "wrong-password-000")
    assert_throttled(response)
    assert response.mimetype == "text/html"
    assert "Too many failed attempts" in response.get_data(as_text=True)
    assert login_post(client, "carol", webui_user.password).status_code == 429


def test_login_form_successes_never_count(app, webui_user):
    for _ in range(ADDRESS_LIMIT + 3):
        client = app.test_client()
        assert login_post(client, "carol", webui_user.password).status_code == 302


def test_form_and_api_share_the_counters(client, webui_user):
    assert login_post(client, "carol", "wrong-password-000").status_code == 401
    assert me_call(client, basic("carol", "wrong-password-000")).status_code == 401
    assert login_post(client, "carol", "wrong-password-000").status_code == 401
    assert me_call(client, webui_user.basic).status_code == 429


def test_the_window_passes(app_config, app, alice, storage):
    app.config["LOGIN_FAILURE_LIMIT"] = "2 per 1 second"
    client = app.test_client()
    wrong = basic("alice", "wrong-password-000")
    assert [me_call(client, wrong).status_code for _ in range(3)] == [401, 401, 429]
    time.sleep(1.1)
    assert me_call(client, alice.basic).status_code == 200


def test_keys_and_logs_never_hold_what_was_typed_as_user_name(client, alice, storage, caplog):
    typed = "Passw0rd-typed-into-the-user-field"
    caplog.set_level(logging.DEBUG)
    for _ in range(ADDRESS_LIMIT + 1):
        me_call(client, basic(typed, "x"))
    assert typed not in caplog.text and typed.casefold() not in caplog.text
    if "redis" in storage:
        keys = [k.decode() for k in storage["redis"].scan_iter(f"*{storage['prefix']}*")]
        assert keys and not any(typed.casefold() in k.casefold() for k in keys)


@pytest.mark.parametrize("address,key", [
    ("127.0.0.5", "address:127.0.0.5"),
    ("::ffff:127.0.0.5", "address:127.0.0.5"),
    ("2001:db8:1:2:3:4:5:6", "address:2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff::1", "address:2001:db8:1:2::/64"),
])
def test_ipv6_clients_are_grouped_by_their_64(app, address, key):
    with app.test_request_context("/api/mgmt/user", environ_base=at(address)):
        assert throttle.client_key() == key


def test_unreachable_redis_falls_back_to_memory(app_config, backend, alice, caplog):
    from webui import create_app
    app = create_app({**app_config, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})
    client = app.test_client()
    wrong = basic("alice", "wrong-password-000")
    codes = [me_call(client, wrong).status_code for _ in range(ADDRESS_LIMIT + 1)]
    assert codes == [401] * ADDRESS_LIMIT + [429]
    assert "falling back to in-memory storage" in caplog.text


def test_several_workers_on_memory_storage_are_warned_about():
    warning = throttle.storage_warning({"RATELIMIT_STORAGE_URI": "memory://"}, 4)
    assert "4 workers" in warning and "redis://" in warning
    assert throttle.storage_warning({"RATELIMIT_STORAGE_URI": "memory://"}, 1) is None
    assert throttle.storage_warning({"RATELIMIT_STORAGE_URI": "redis://h:6379/0"}, 8) is None
