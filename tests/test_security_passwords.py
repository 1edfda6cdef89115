"""Authentication hardening: the password policy, argon2id with rehash on sign-in when the
parameters change, and the same answer in the same time for an unknown user, a wrong
password and an inactive account."""
from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import select

from tests.conftest import basic, form_fields
from webui import create_app
from webui.extensions import db
from webui.models import User

GOOD = "correct horse battery"


def create_user(client, admin, name, password):
    return client.post("/api/admin/users", headers=admin.basic, json={
        "userName": name, "statusInfo": {"status": 1}, "passwordInfo": {"password": password},
        "permissions": {"roles": [2], "permissions": []}})


@pytest.mark.parametrize("password,message", [
    ("x" * 11, "Passwords must be at least 12 characters."),
    ("x" * 129, "at most 128 characters"),
    ("123456qwerty", "This password is too common; choose another."),
    ("1Q2W3E4R5T6Y", "This password is too common; choose another."),
    ("policy_tester", "This password is too common; choose another."),  # the user name
])
def test_weak_passwords_are_refused_on_create_and_reset(client, admin, password, message):
    response = create_user(client, admin, "policy_tester", password)
    assert response.status_code == 400
    assert message in response.json["error"]["message"]["value"]
    assert password not in response.json["error"]["message"]["value"]
    reset = client.put(f"/api/admin/users/{admin.id}/resetpassword", headers=admin.basic,
                       json={"newPassword": password.replace("policy_tester", "admin")})
    assert reset.status_code == 400


@pytest.mark.parametrize("password", ["x" * 12, "y" * 128, GOOD, "ÄÖÜ äöü ß 日本語テキスト",
                                      "alllowercaseletters"])
def test_no_composition_rules_between_12_and_128(client, admin, password):
    response = create_user(client, admin, "policy_tester", password)
    assert response.status_code == 201
    assert client.get("/api/mgmt/user", headers=basic("policy_tester", password)).status_code \
        == 200


def stored_hash(app, name):
    with app.app_context():
        value = db.session.scalar(select(User.password_hash).where(User.user_name == name))
        version = db.session.scalar(select(User.credential_version)
                                    .where(User.user_name == name))
        db.session.remove()
    return value, version


def test_passwords_are_argon2id_and_rehashed_when_the_parameters_change(app_config, app,
                                                                        make_user):
    carol = make_user("carol")
    old_hash, version = stored_hash(app, "carol")
    assert old_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    stronger = create_app({**app_config, "ARGON2_TIME_COST": 2, "ARGON2_MEMORY_COST": 2048})
    assert stronger.test_client().get("/api/mgmt/user", headers=carol.basic).status_code == 200
    new_hash, new_version = stored_hash(app, "carol")
    assert new_hash.startswith("$argon2id$v=19$m=2048,t=2,p=1$")
    assert new_version == version  # same password: nobody is signed out
    # Both the new hash and the sign-in through the form keep working.
    browser = stronger.test_client()
    action, data = form_fields(browser.get("/login").text, "#login-form")
    signed_in = browser.post(action or "/login",
                             data={**data, "username": "carol", "password": carol.password})
    assert signed_in.status_code == 302  # the User role holds WebUI (8)
    assert stored_hash(app, "carol")[0] == new_hash


def test_unknown_user_wrong_password_and_inactive_get_the_same_answer(client, make_user):
    make_user("carol")
    make_user("dormant", active=False)
    answers = [client.get("/api/mgmt/user", headers=basic(name, "wrong password 123"))
               for name in ("carol", "nobody_at_all", "dormant")]
    assert len({(r.status_code, r.get_data(), r.headers["WWW-Authenticate"])
                for r in answers}) == 1
    assert answers[0].status_code == 401
    pages = []
    for name in ("carol", "nobody_at_all", "dormant"):
        browser = client.application.test_client()
        action, data = form_fields(browser.get("/login").text, "#login-form")
        pages.append(browser.post(action or "/login", data={
            **data, "username": name, "password": "wrong password 123"}))
    assert {p.status_code for p in pages} == {401}
    messages = {p.text.split('class="flash')[1].split("</")[0] for p in pages}
    assert len(messages) == 1


def test_unknown_user_and_wrong_password_take_the_same_time(app_config, admin):
    # A hash cost that dominates a request (~10-60 ms), and the throttle out of the way.
    client = create_app({**app_config, "ARGON2_TIME_COST": 2, "ARGON2_MEMORY_COST": 16384,
                         "LOGIN_FAILURE_LIMIT": "1000 per minute",
                         "ACCOUNT_FAILURE_LIMIT": "1000 per minute"}).test_client()
    # Hashed at these parameters (a hash from before a cost change verifies at its old cost
    # until its owner next signs in).
    assert create_user(client, admin, "carol", GOOD).status_code == 201
    dormant = create_user(client, admin, "dormant", GOOD).json["id"]
    assert client.put(f"/api/admin/users/{dormant}", headers=admin.basic,
                      json={"statusInfo": {"status": 0}}).status_code == 200
    cases = {"wrong password": basic("carol", "wrong password 123"),
             "unknown user": basic("nobody_at_all", "wrong password 123"),
             "inactive": basic("dormant", "wrong password 123")}
    timings: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(2):  # warm up (the dummy hash is made on first use)
        for headers in cases.values():
            client.get("/api/mgmt/user", headers=headers)
    for _ in range(9):
        for name, headers in cases.items():
            start = time.perf_counter()
            assert client.get("/api/mgmt/user", headers=headers).status_code == 401
            timings[name].append(time.perf_counter() - start)
    medians = {k: statistics.median(v) for k, v in timings.items()}
    base = medians["wrong password"]
    for name, value in medians.items():
        assert 0.5 < value / base < 2.0, medians
