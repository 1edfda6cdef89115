"""Secrets at rest and on the wire: encrypted in the database (raw bytes / raw rows), masked
on reads, kept by updates that omit them or send the mask, and the keys that guard them."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask.cli import FlaskGroup
from sqlalchemy import Text, select, type_coerce
from sqlalchemy.engine import make_url

from tests.conftest import APP_BODY, form_fields
from tests.pages import login, submit
from webui import config, create_app
from webui.domain.schemas import MASK
from webui.extensions import db
from webui.infra.cipher import Keyring
from webui.models import OAuthApplication, OAuthProfile
from webui.startup import prepare

SECRET_1, SECRET_2 = "client-secret-FIRST-5f1c", "client-secret-SECOND-77aa"
ACCESS_1, ACCESS_2 = "access-token-FIRST-a81b", "access-token-SECOND-0c3d"
REFRESH_1, REFRESH_2 = "refresh-token-FIRST-9e2f", "refresh-token-SECOND-4d6e"
PASSWORD_1, PASSWORD_2 = "first user passphrase 7741", "second user passphrase 2290"
CLEAR = [SECRET_1, SECRET_2, ACCESS_1, ACCESS_2, REFRESH_1, REFRESH_2, PASSWORD_1,
         PASSWORD_2]


def store_everything(client, admin) -> dict[str, int]:
    """Every kind of secret written through the API, each also replaced once."""
    app = client.post("/api/mgmt/oauthapps", headers=admin.basic,
                      json={**APP_BODY, "clientSecret": SECRET_1})
    assert app.status_code == 201
    app_id = app.json["id"]
    assert client.put(f"/api/mgmt/oauthapps/{app_id}", headers=admin.basic,
                      json={"clientSecret": SECRET_2}).status_code == 200
    profile = client.post("/api/mgmt/oauthprofiles", headers=admin.basic, json={
        "name": "Vault", "oauthAppId": app_id, "accessToken": ACCESS_1,
        "refreshToken": REFRESH_1})
    assert profile.status_code == 201
    profile_id = profile.json["id"]
    assert client.put(f"/api/mgmt/oauthprofiles/{profile_id}", headers=admin.basic, json={
        "accessToken": ACCESS_2, "refreshToken": REFRESH_2}).status_code == 200
    user = client.post("/api/admin/users", headers=admin.basic, json={
        "userName": "keeper", "statusInfo": {"status": 1},
        "passwordInfo": {"password": PASSWORD_1},
        "permissions": {"roles": [2], "permissions": []}})
    assert user.status_code == 201
    assert client.put(f"/api/admin/users/{user.json['id']}/resetpassword", headers=admin.basic,
                      json={"newPassword": PASSWORD_2}).status_code == 204
    return {"app": app_id, "profile": profile_id, "user": user.json["id"]}


def stored_ciphertexts(app) -> list[str]:
    """The raw stored values of the encrypted columns (not decrypted)."""
    with app.app_context():
        values = [db.session.scalar(select(type_coerce(column, Text)))
                  for column in (OAuthApplication.client_secret, OAuthProfile.access_token,
                                 OAuthProfile.refresh_token)]
        db.session.remove()
    return values


def raw_database_text(app, database_uri: str) -> bytes:
    """Everything the database holds, as the bytes a thief would read."""
    if database_uri.startswith("sqlite"):
        path = Path(database_uri.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
                        if p.exists())
    url = make_url(database_uri).set(drivername="postgresql")
    chunks = []
    with psycopg.connect(url.render_as_string(hide_password=False)) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")]
        assert "oauth_profile" in tables
        for table in tables:
            chunks += [r[0] for r in conn.execute(f'SELECT t::text FROM "{table}" t')]
    return "\n".join(chunks).encode()


def test_the_raw_database_holds_no_secret_in_clear(app, client, admin, database_uri):
    store_everything(client, admin)
    ciphertexts = stored_ciphertexts(app)
    assert all(c and c.startswith("gAAAAA") for c in ciphertexts), ciphertexts  # Fernet
    raw = raw_database_text(app, database_uri)
    assert ciphertexts[0].encode() in raw  # we are reading the right bytes
    for value in CLEAR + app.config["TOKEN_ENCRYPTION_KEYS"]:
        assert value.encode() not in raw, value


def test_reads_mask_secrets_and_lists_omit_them(client, admin, alice):
    ids = store_everything(client, admin)
    app = client.get(f"/api/mgmt/oauthapps/{ids['app']}", headers=admin.basic).json
    assert app["clientSecret"] == MASK and app["hasClientSecret"] is True
    as_user = client.get(f"/api/mgmt/oauthapps/{ids['app']}", headers=alice.basic).json
    assert "clientSecret" not in as_user and "hasClientSecret" not in as_user
    profile = client.get(f"/api/mgmt/oauthprofiles/{ids['profile']}", headers=admin.basic).json
    assert profile["accessToken"] == MASK and profile["refreshToken"] == MASK
    assert profile["hasAccessToken"] and profile["hasRefreshToken"]
    for url in ("/api/mgmt/oauthapps", "/api/mgmt/oauthprofiles",
                f"/api/mgmt/oauthapps/{ids['app']}", f"/api/mgmt/oauthprofiles/{ids['profile']}",
                "/api/admin/users", f"/api/admin/users/{ids['user']}", "/api/admin/audit"):
        text = client.get(url, headers=admin.basic).get_data(as_text=True)
        assert not [v for v in CLEAR if v in text], url


def test_create_echoes_what_was_sent_and_updates_keep_what_they_omit(app, client, admin):
    created = client.post("/api/mgmt/oauthapps", headers=admin.basic,
                          json={**APP_BODY, "clientSecret": SECRET_1})
    assert created.json["clientSecret"] == MASK  # our own answer: nothing to echo
    app_id = created.json["id"]
    profile = client.post("/api/mgmt/oauthprofiles", headers=admin.basic, json={
        "name": "Echo", "oauthAppId": app_id, "accessToken": ACCESS_1,
        "refreshToken": REFRESH_1})
    assert (profile.json["accessToken"], profile.json["refreshToken"]) == (ACCESS_1, REFRESH_1)
    pid = profile.json["id"]
    for body in ({"description": "omitted"}, {"accessToken": MASK, "refreshToken": MASK}):
        assert client.put(f"/api/mgmt/oauthprofiles/{pid}", headers=admin.basic,
                          json=body).status_code == 200
    for body in ({"scope": "omitted"}, {"clientSecret": MASK}):
        assert client.put(f"/api/mgmt/oauthapps/{app_id}", headers=admin.basic,
                          json=body).status_code == 200
    with app.app_context():
        stored = db.session.get(OAuthProfile, pid)
        assert (stored.access_token, stored.refresh_token) == (ACCESS_1, REFRESH_1)
        assert db.session.get(OAuthApplication, app_id).client_secret == SECRET_1
        db.session.remove()


def test_expose_secrets_on_read_returns_them_in_clear(app_config, client, admin):
    ids = store_everything(client, admin)
    exposing = create_app({**app_config, "EXPOSE_SECRETS_ON_READ": True}).test_client()
    app = exposing.get(f"/api/mgmt/oauthapps/{ids['app']}", headers=admin.basic).json
    assert app["clientSecret"] == SECRET_2
    profile = exposing.get(f"/api/mgmt/oauthprofiles/{ids['profile']}",
                           headers=admin.basic).json
    assert (profile["accessToken"], profile["refreshToken"]) == (ACCESS_2, REFRESH_2)
    listed = exposing.get("/api/mgmt/oauthprofiles", headers=admin.basic).get_data(as_text=True)
    assert ACCESS_2 not in listed and REFRESH_2 not in listed


def test_pages_never_show_stored_secrets(client, admin):
    ids = store_everything(client, admin)
    login(client, admin)
    for url in (f"/oauthapps/{ids['app']}", f"/oauthapps/{ids['app']}/edit",
                f"/oauthprofiles/{ids['profile']}", f"/oauthprofiles/{ids['profile']}/edit",
                "/oauthprofiles", "/oauthapps", f"/users/{ids['user']}/edit"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert not [v for v in CLEAR if v in page.text], url


def test_rotation_re_encrypts_every_secret_under_the_new_key(app_config, app, client, admin,
                                                              database_uri):
    store_everything(client, admin)
    old_key = app.config["TOKEN_ENCRYPTION_KEYS"][0]
    before = stored_ciphertexts(app)
    new_key = Fernet.generate_key().decode()
    rotating = create_app({**app_config, "TOKEN_ENCRYPTION_KEYS": [new_key, old_key]})
    group = FlaskGroup(create_app=lambda: rotating, add_default_commands=False,
                       load_dotenv=False, set_debug_flag=False)  # as `flask --app app`
    result = rotating.test_cli_runner().invoke(group, ["rotate-keys"])
    assert result.exit_code == 0 and "Re-encrypted 3 secrets" in result.output
    after = stored_ciphertexts(app)
    assert set(before).isdisjoint(after)
    for value in after:
        Fernet(new_key).decrypt(value.encode())
        with pytest.raises(InvalidToken):
            Fernet(old_key).decrypt(value.encode())
    raw = raw_database_text(app, database_uri)
    for value in CLEAR + [old_key, new_key]:
        assert value.encode() not in raw, value
    # The new key alone now serves everything; the old key alone is refused at start.
    fresh = create_app({**app_config, "TOKEN_ENCRYPTION_KEYS": [new_key],
                        "EXPOSE_SECRETS_ON_READ": True})
    prepare(fresh)
    profiles = fresh.test_client().get("/api/mgmt/oauthprofiles?limit=1",
                                       headers=admin.basic).json["profiles"]
    one = fresh.test_client().get(f"/api/mgmt/oauthprofiles/{profiles[0]['id']}",
                                  headers=admin.basic).json
    assert one["refreshToken"] == REFRESH_2
    stale = create_app({**app_config, "TOKEN_ENCRYPTION_KEYS": [old_key]})
    with pytest.raises(SystemExit) as refused:
        prepare(stale)
    assert "Refusing to start" in str(refused.value)
    assert "TOKEN_ENCRYPTION_KEYS" in str(refused.value)


def test_a_wrong_key_never_yields_ciphertext_as_if_it_were_clear(app_config, app, client,
                                                                  admin):
    ids = store_everything(client, admin)
    wrong = create_app({**app_config, "TOKEN_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
                        "EXPOSE_SECRETS_ON_READ": True})
    with pytest.raises(SystemExit):
        prepare(wrong)
    wrong.testing = False  # answer as production would, not raise into the test
    response = wrong.test_client().get(f"/api/mgmt/oauthprofiles/{ids['profile']}",
                                       headers=admin.basic)
    assert response.status_code == 500
    assert response.json["error"]["code"] == "222209009"
    text = response.get_data(as_text=True)
    for value in stored_ciphertexts(app) + CLEAR:
        assert value not in text


def test_a_generated_key_file_is_private_to_its_owner(tmp_path):
    key = config.secret_file(tmp_path, "token_keys", lambda: Fernet.generate_key().decode())
    path = tmp_path / "token_keys"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert config.secret_file(tmp_path, "token_keys", lambda: "never used") == key


def test_error_answers_and_pages_never_echo_a_secret(client, admin, google_app):
    bad = "secret-ECHO-check\x01"  # refused: a control character
    answers = [
        client.post("/api/mgmt/oauthapps", headers=admin.basic,
                    json={**APP_BODY, "name": "echo", "clientSecret": bad}),
        client.post("/api/mgmt/oauthprofiles", headers=admin.basic,
                    json={"name": "echo", "oauthAppId": google_app, "refreshToken": bad}),
        client.post("/api/mgmt/oauthprofiles", headers=admin.basic,
                    json={"name": "echo", "oauthAppId": google_app, "refreshToken": "r",
                          "accessToken": "x" * 9000}),
        client.put(f"/api/admin/users/{admin.id}/resetpassword", headers=admin.basic,
                   json={"newPassword": "secret-ECHO"}),
    ]
    for response in answers:
        assert response.status_code == 400
        assert "secret-ECHO" not in response.get_data(as_text=True)
        assert "x" * 100 not in response.get_data(as_text=True)
    action, data = form_fields(client.get("/login").text, "#login-form")
    page = client.post(action or "/login", data={**data, "username": "admin",
                                                 "password": "secret-ECHO-typed"})
    assert page.status_code == 401 and "secret-ECHO" not in page.text


def test_a_refused_form_does_not_show_the_typed_secret_back(client, admin, google_app):
    login(client, admin)
    form = {**{k: str(v) for k, v in APP_BODY.items()}, "name": "bad name!",
            "clientSecret": "secret-FORM-typed-1"}
    page = submit(client, "/oauthapps/new", **form)
    assert page.status_code == 422 and "Names may use only" in page.text
    assert "secret-FORM-typed-1" not in page.text
    page = submit(client, "/oauthprofiles/new", name="bad name!", oauthAppId=str(google_app),
                  refreshToken="secret-FORM-typed-2", accessToken="secret-FORM-typed-3")
    assert "Names may use only" in page.text and "secret-FORM-typed" not in page.text


class CountingFernet(MultiFernet):
    """The real MultiFernet, counting its decryptions."""

    def __init__(self, keys):
        super().__init__(keys)
        self.decryptions = 0

    def decrypt(self, msg, ttl=None):
        self.decryptions += 1
        return super().decrypt(msg, ttl)


def test_the_keyring_remembers_what_it_decrypted_within_its_bound():
    fernet = CountingFernet([Fernet(Fernet.generate_key())])
    keyring = Keyring(fernet, memo_entries=2)
    first, second, third = (fernet.encrypt(v.encode()).decode() for v in ("a-1", "b-2", "c-3"))
    assert [keyring.decrypt(c) for c in (first, first, second, first)] == \
        ["a-1", "a-1", "b-2", "a-1"]
    assert fernet.decryptions == 2
    assert repr(keyring.decrypt(first)) == "'********'"  # a remembered value is masked too
    assert keyring.decrypt(third) == "c-3"  # past the bound: the oldest goes
    assert keyring.decrypt(first) == "a-1" and fernet.decryptions == 4
    # What does not decrypt is refused every time, never remembered.
    tampered = third[:-6] + ("AAAAAA" if not third.endswith("AAAAAA") else "BBBBBB")
    for _ in range(2):
        with pytest.raises(InvalidToken):
            keyring.decrypt(tampered)
    assert fernet.decryptions == 6


def test_another_keys_app_never_gets_a_value_this_one_remembered(app_config, app, client,
                                                                 admin):
    """Each app remembers its own decryptions: a process serving two apps (tests, a CLI
    beside a server) cannot hand one app's secret to an app without its key."""
    ids = store_everything(client, admin)
    token = client.get(f"/api/mgmt/oauthprofiles/{ids['profile']}/token", headers=admin.basic)
    assert token.status_code == 200 and token.json["accessToken"] == ACCESS_2
    wrong = create_app({**app_config, "TOKEN_ENCRYPTION_KEYS": [Fernet.generate_key().decode()]})
    wrong.testing = False
    response = wrong.test_client().get(f"/api/mgmt/oauthprofiles/{ids['profile']}/token",
                                       headers=admin.basic)
    assert response.status_code == 500
    assert ACCESS_2 not in response.get_data(as_text=True)
