"""The audit trail: every create, update and delete of applications, profiles, users and roles,
on-behalf actions with their subject, sign-ins and their failures; field names, never values;
the client address; read by administrators only, newest first, paginated and filterable."""
from __future__ import annotations

from tests.conftest import APP_BODY, basic, form_fields
from tests.pages import login, submit

SECRET, ACCESS, REFRESH = "audit-secret-0a1b2c", "audit-access-3d4e5f", "audit-refresh-6a7b8c"
PASSWORD = "audit user passphrase 99"


def events(client, admin, **filters) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in {"limit": 1000, **filters}.items())
    response = client.get(f"/api/admin/audit?{query}", headers=admin.basic)
    assert response.status_code == 200
    return response.json["events"]


def test_every_write_is_recorded_with_field_names_never_values(client, admin, alice):
    at = {"REMOTE_ADDR": "127.0.4.4"}
    app_id = client.post("/api/mgmt/oauthapps", headers=admin.basic, environ_base=at,
                         json={**APP_BODY, "clientSecret": SECRET}).json["id"]
    client.put(f"/api/mgmt/oauthapps/{app_id}", headers=admin.basic, environ_base=at,
               json={"clientSecret": SECRET + "x", "scope": "s"})
    pid = client.post("/api/mgmt/oauthprofiles", headers=admin.basic, environ_base=at, json={
        "name": "Audited", "oauthAppId": app_id, "accessToken": ACCESS,
        "refreshToken": REFRESH}).json["id"]
    client.put(f"/api/mgmt/oauthprofiles/{pid}", headers=admin.basic, environ_base=at,
               json={"accessToken": ACCESS + "x", "description": "d"})
    client.delete(f"/api/mgmt/oauthprofiles/{pid}", headers=admin.basic, environ_base=at)
    uid = client.post("/api/admin/users", headers=admin.basic, environ_base=at, json={
        "userName": "audited", "statusInfo": {"status": 1}, "passwordInfo": {"password": PASSWORD},
        "permissions": {"roles": [2], "permissions": []}}).json["id"]
    client.put(f"/api/admin/users/{uid}", headers=admin.basic, environ_base=at,
               json={"statusInfo": {"status": 0}})
    client.put(f"/api/admin/users/{uid}/resetpassword", headers=admin.basic, environ_base=at,
               json={"newPassword": PASSWORD + "!"})
    rid = client.post("/api/admin/roles", headers=admin.basic, environ_base=at, json={
        "name": "Auditors", "permissions": [2], "users": []}).json["id"]
    client.put(f"/api/admin/roles/{rid}", headers=admin.basic, environ_base=at,
               json={"description": "reads"})
    client.delete(f"/api/admin/roles/{rid}", headers=admin.basic, environ_base=at)
    client.delete(f"/api/admin/users/{uid}", headers=admin.basic, environ_base=at)
    client.delete(f"/api/mgmt/oauthapps/{app_id}", headers=admin.basic, environ_base=at)

    got = [(e["action"], e["objectType"], e["objectId"], e["fields"])
           for e in reversed(events(client, admin, user="admin"))]
    assert got == [
        ("create", "oauthapp", app_id, ["authorizeURI", "clientId", "clientSecret", "dataStore",
                                        "description", "name", "scope", "tokenURI"]),
        ("update", "oauthapp", app_id, ["clientSecret", "scope"]),
        ("create", "oauthprofile", pid, ["accessToken", "name", "oauthAppId", "refreshToken"]),
        ("update", "oauthprofile", pid, ["accessToken", "description"]),
        ("delete", "oauthprofile", pid, []),
        ("create", "user", uid, ["passwordInfo", "permissions", "statusInfo", "userName"]),
        ("update", "user", uid, ["statusInfo"]),
        ("update", "user", uid, ["passwordInfo"]),
        ("create", "role", rid, ["description", "name", "permissions", "users"]),
        ("update", "role", rid, ["description"]),
        ("delete", "role", rid, []),
        ("delete", "user", uid, []),
        ("delete", "oauthapp", app_id, []),
    ]
    trail = client.get("/api/admin/audit?limit=1000", headers=admin.basic).get_data(as_text=True)
    for value in (SECRET, ACCESS, REFRESH, PASSWORD, "reads"):
        assert value not in trail
    for event in events(client, admin, user="admin"):
        assert event["actor"] == "admin" and event["onBehalfOf"] is None
        assert event["clientAddress"] == "127.0.4.4"
        assert event["at"].endswith("Z")


def test_on_behalf_actions_record_the_subject(client, admin, alice, google_app):
    created = client.post("/api/mgmt/oauthprofiles?user=alice", headers=admin.basic, json={
        "name": "ForAlice", "oauthAppId": google_app, "refreshToken": REFRESH})
    assert created.status_code == 201
    client.delete(f"/api/mgmt/oauthprofiles/{created.json['id']}?user=alice",
                  headers=admin.basic)
    mine = client.post("/api/mgmt/oauthprofiles", headers=alice.basic, json={
        "name": "Own", "oauthAppId": google_app, "refreshToken": REFRESH})
    assert mine.status_code == 201
    trail = events(client, admin, objectType="oauthprofile")
    assert [(e["action"], e["actor"], e["onBehalfOf"]) for e in reversed(trail)] == [
        ("create", "admin", "alice"), ("delete", "admin", "alice"), ("create", "alice", None)]
    assert [e["action"] for e in events(client, admin, user="alice")] == [
        "create", "delete", "create"]


def test_sign_ins_and_failures_are_recorded(client, admin, make_user):
    carol = make_user("carol")
    at = {"REMOTE_ADDR": "127.0.4.5"}
    page = client.get("/login", environ_base=at)
    action, data = form_fields(page.text, "#login-form")
    for name, password in (("carol", "not the password!"), ("nobody_here", "whatever pass")):
        client.post(action or "/login", data={**data, "username": name, "password": password},
                    environ_base=at)
    client.post(action or "/login", data={**data, "username": "carol",
                                          "password": carol.password}, environ_base=at)
    trail = [e for e in reversed(events(client, admin)) if e["action"].startswith("log")]
    assert [(e["action"], e["actor"], e["clientAddress"]) for e in trail] == [
        ("login_failed", "carol", "127.0.4.5"),
        ("login_failed", "(unknown account)", "127.0.4.5"), ("login", "carol", "127.0.4.5")]
    assert [e["objectId"] for e in trail] == [carol.id, None, carol.id]
    text = client.get("/api/admin/audit", headers=admin.basic).get_data(as_text=True)
    assert "not the password!" not in text and carol.password not in text
    assert "nobody_here" not in text


def test_a_password_typed_as_the_user_name_is_not_recorded(client, admin, make_user):
    carol = make_user("carol")
    action, data = form_fields(client.get("/login").text, "#login-form")
    client.post(action or "/login", data={**data, "username": carol.password,
                                          "password": "anything at all"})
    text = client.get("/api/admin/audit", headers=admin.basic).get_data(as_text=True)
    assert carol.password not in text and "(unknown account)" in text


def test_writes_through_the_pages_are_recorded_alike(client, admin, google_app):
    login(client, admin)
    response = submit(client, "/oauthprofiles/new", name="FromPage", oauthAppId=str(google_app),
                      refreshToken=REFRESH)
    assert response.status_code == 302
    [event] = events(client, admin, objectType="oauthprofile")
    assert (event["action"], event["actor"]) == ("create", "admin")
    assert "refreshToken" in event["fields"] and REFRESH not in str(event)


def test_the_trail_is_paginated_filtered_and_for_administrators_only(client, admin, alice):
    for n in range(5):
        client.post("/api/admin/roles", headers=admin.basic,
                    json={"name": f"Role {n}", "permissions": [], "users": []})
    first = client.get("/api/admin/audit?limit=2&objectType=role", headers=admin.basic)
    assert len(first.json["events"]) == 2
    ids = [e["id"] for e in first.json["events"]]
    assert ids == sorted(ids, reverse=True)
    following = first.headers["Link"].split(">")[0].lstrip("<")
    second = client.get(following, headers=admin.basic).json["events"]
    assert len(second) == 2 and max(e["id"] for e in second) < min(ids)
    assert events(client, admin, action="delete") == []
    assert client.get("/api/admin/audit", headers=alice.basic).status_code == 403
    assert client.get("/api/admin/audit").status_code == 401


def test_administrators_read_and_filter_the_trail_in_the_ui(client, admin, alice, google_app):
    from bs4 import BeautifulSoup
    client.post("/api/mgmt/oauthprofiles", headers=admin.basic, json={
        "name": "Audited", "oauthAppId": google_app, "refreshToken": "r-secret-value"})
    client.post("/api/mgmt/oauthprofiles?user=alice", headers=admin.basic, json={
        "name": "ForAlice", "oauthAppId": google_app, "refreshToken": "r-secret-value"})
    login(client, admin)

    def rows(url):
        page = client.get(url)
        assert page.status_code == 200
        assert "r-secret-value" not in page.text
        table = BeautifulSoup(page.text, "html.parser").select("tbody tr")
        return [[td.text for td in tr.select("td")] for tr in table]

    assert rows("/audit")[0][1:4] == ["admin", "", "Signed in"]
    newest = rows("/audit?action=create")[0]
    assert newest[1:4] == ["admin", "alice", "Created"]
    assert newest[4] == "OAuth profile ForAlice"
    profiles_only = rows("/audit?objectType=oauthprofile")
    assert {r[4].split(" ")[:2] == ["OAuth", "profile"] for r in profiles_only} == {True}
    assert len(profiles_only) == 2
    for_alice = rows("/audit?user=alice&action=create")
    assert [(r[1], r[2], r[3]) for r in for_alice] == [("admin", "alice", "Created")]
    assert "refreshToken" in for_alice[0][5]
    assert rows("/audit?action=delete") == []


def test_reads_on_behalf_and_failed_api_sign_ins_are_recorded(client, admin, alice,
                                                              google_app):
    pid = client.post("/api/mgmt/oauthprofiles?user=alice", headers=admin.basic, json={
        "name": "Hers", "oauthAppId": google_app, "refreshToken": "r-secret"}).json["id"]
    assert client.get("/api/mgmt/oauthprofiles?user=alice", headers=admin.basic).status_code \
        == 200
    assert client.get(f"/api/mgmt/oauthprofiles/{pid}?user=alice",
                      headers=admin.basic).status_code == 200
    assert client.get("/api/mgmt/oauthprofiles", headers=admin.basic).status_code == 200
    reads = events(client, admin, action="read")
    assert [(e["actor"], e["onBehalfOf"], e["objectId"]) for e in reads] == [
        ("admin", "alice", pid), ("admin", "alice", None)]  # newest first; own reads: none
    client.get("/api/mgmt/user", headers={**admin.basic, **basic("alice", "not-her-password")})
    client.get("/api/mgmt/user", headers=basic("no-such-user", "whatever-password"))
    failed = events(client, admin, action="login_failed")
    assert [e["actor"] for e in failed] == ["(unknown account)", "alice"]
    assert "not-her-password" not in str(failed)
