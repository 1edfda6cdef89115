"""Fuzzing the API with schemathesis, in-process (WSGI), from /api/openapi.json.

Bounded for CI: FUZZ_EXAMPLES (default 150) generated requests per mode (schema-valid and
schema-violating) and backend, derandomized so a run is repeatable. A longer run: README.
The caller is an Administrator with Basic auth; schema-valid requests are mostly steered at
seeded users, roles, applications and profiles (ids in paths and bodies, ?user=) so that they
reach past 404.
The one operation that calls a third party (POST .../refresh: the provider's token endpoint;
its documented answer when the provider is unreachable is 502) is left to the OAuth flow tests,
which run a provider of their own; and for safety the fuzz run cannot resolve any host but
this one, so nothing it registers can make the server call out.
Checks: no 5xx; status codes, content types, headers and bodies as documented; every error
in HDP's envelope; schema-violating data rejected with a 4xx.
"""
from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               negative_data_rejection,
                                               response_headers_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)

from tests.conftest import APP_BODY, basic, form_fields

CONFIG = schemathesis.Config.from_path(Path(__file__).resolve().parent.parent
                                      / "schemathesis.toml")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
# Repeatable by default (CI); FUZZ_RANDOM=1 explores new inputs on every run.
DERANDOMIZE = os.environ.get("FUZZ_RANDOM", "") != "1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
CODE = re.compile(r"[0-9]{9}")


@pytest.fixture
def seeded(client, make_user, admin):
    """Objects for the fuzzer to hit: a second administrator's worth of ids of each kind."""
    alice = make_user("alice")
    make_user("bob", ("User", "Tenant Administrator"))
    apps = [client.post("/api/mgmt/oauthapps", headers=admin.basic,
                        json={**APP_BODY, "name": f"app_{n}"}).json["id"] for n in range(2)]
    profiles = [client.post("/api/mgmt/oauthprofiles", headers=admin.basic, json={
        "name": f"profile_{n}", "oauthAppId": apps[0], "refreshToken": "r",
        "accessToken": "a"}).json["id"] for n in range(3)]
    role = client.post("/api/admin/roles", headers=admin.basic, json={
        "name": "Fuzz role", "permissions": [2, 11], "users": [alice.id]}).json["id"]
    users = [u["id"] for u in client.get("/api/admin/users", headers=admin.basic)
             .json["users"] if u["id"] != admin.id]
    tenant = client.post("/api/admin/tenants", headers=admin.basic, json={
        "name": "Fuzz tenant", "parentTenant": 1, "importedRoles": [2]}).json["id"]
    sources = [client.post("/api/mgmt/datasources", headers=admin.basic, json={
        "name": f"source-{n}", "dataStore": 54,
        "options": {"OAuthProfileId": str(profiles[0])}}).json["id"] for n in range(2)]
    return {"profileId": profiles, "appId": apps, "userId": users, "roleId": [1, 2, 3, role],
            "permissionId": [1, 11, 12, 21, 28], "tenantId": [1, tenant],
            "dataSourceId": sources}


def steer(case, data, seeded) -> None:
    """Point a schema-valid request at things that exist, most of the time: seeded ids in the
    path and in the body, a known ?user=, endpoints that pass the https rule. It stays valid."""
    def often() -> bool:
        return data.draw(st.integers(0, 9)) < 7
    for name in list(case.path_parameters or {}):
        if name in seeded and often():
            case.path_parameters[name] = data.draw(st.sampled_from(seeded[name]))
    if case.query and "user" in case.query and often():
        case.query["user"] = data.draw(st.sampled_from(["alice", "bob", "admin"]))
    body = case.body if isinstance(case.body, dict) else {}
    if "oauthAppId" in body and often():
        body["oauthAppId"] = data.draw(st.sampled_from(seeded["appId"]))
    for key in ("authorizeURI", "tokenURI"):
        if key in body and often():
            body[key] = f"https://provider.example/{key}"
    if isinstance(body.get("users"), list) and often():
        body["users"] = data.draw(st.lists(st.sampled_from(seeded["userId"]), unique=True))
    if isinstance(body.get("permissions"), list) and often():
        body["permissions"] = data.draw(st.lists(st.sampled_from(seeded["permissionId"]),
                                                 unique=True))
    if isinstance(body.get("permissions"), dict) and often():
        body["permissions"] = {"roles": [data.draw(st.sampled_from([2, 3]))], "permissions": []}


def assert_envelope(response) -> None:
    if response.status_code < 400:
        return
    body = response.json() if callable(response.json) else response.json  # schemathesis/Flask
    assert set(body) == {"error"}, body
    error = body["error"]
    assert CODE.fullmatch(error["code"]), error
    assert error["message"]["lang"] == "en-US" and isinstance(error["message"]["value"], str)


@pytest.fixture
def loopback_only(monkeypatch):
    """Refuse to resolve anything but loopback addresses while fuzzing."""
    resolve = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host not in {"localhost", None}:
            try:
                if not ipaddress.ip_address(host).is_loopback:
                    raise OSError(f"fuzzing stays on this machine: {host}")
            except ValueError:
                raise OSError(f"fuzzing stays on this machine: {host}") from None
        return resolve(host, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzz_the_api(app, admin, seeded, loopback_only, mode):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=CONFIG).exclude(
        path_regex="/refresh$")
    strategy = schema.as_strategy(mode, headers=admin.basic)
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])
    statuses: Counter[int] = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy, data=st.data())
    def fuzz(case, data):
        if mode.is_positive:
            steer(case, data, seeded)
        if case.path_parameters and case.path_parameters.get("userId") == admin.id:
            return  # the caller locking itself out teaches nothing
        response = case.call(headers=admin.basic)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=checks, headers=admin.basic)
        assert_envelope(response)

    fuzz()
    # Shown with -s: the figures of a run.
    print(f"\nfuzz {mode.value}: {sum(statuses.values())} requests, statuses "
          f"{dict(sorted(statuses.items()))}")


# Found by fuzzing: a NUL in a looked-up name reached PostgreSQL, which refuses it in text
# with an error (500). A name no account can have now simply matches nothing.
@pytest.mark.parametrize("url,status", [
    ("/api/mgmt/oauthprofiles?user=%00", 404), ("/api/mgmt/oauthapps?user=a%00b", 404),
    ("/api/mgmt/permissions?user=%00", 404), ("/api/mgmt/oauthprofiles?name=%00", 400),
    ("/api/admin/users?name=a%00", 400), ("/api/admin/audit?action=%00", 400),
    ("/api/admin/audit?objectType=%00", 400), ("/api/admin/audit?user=%00", 400)])
def test_control_characters_in_names_are_refused_not_crashed_on(client, admin, url, status):
    response = client.get(url, headers=admin.basic)
    assert response.status_code == status
    assert_envelope(response)


def test_control_characters_in_a_sign_in_name_are_a_plain_failure(client, admin):
    response = client.get("/api/mgmt/user", headers=basic("ad\x00min", admin.password))
    assert response.status_code == 401
    assert_envelope(response)
    action, data = form_fields(client.get("/login").text, "#login-form")
    response = client.post(action or "/login", data={**data, "username": "ad\x00min\x1b",
                                                     "password": admin.password})
    assert response.status_code == 401
    events = client.get("/api/admin/audit?action=login_failed",
                        headers=admin.basic).json["events"]
    assert [e["actor"] for e in events] == ["(unknown account)"] * 2  # the form, the API
