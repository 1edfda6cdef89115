"""/api/mgmt/oauthprofiles through the test client."""
import pytest

from tests.cases import BAD_APP_IDS, BAD_NAME_TYPES, BAD_NAMES, GOOD_NAMES
from webui.domain import schemas

SAMPLE = {"name": "User_1", "description": "OAuth profile 1",
          "accessToken": "111c334445e55", "refreshToken": "222d88899966fa"}


def create(client, account, app_id, **changes):
    body = {**SAMPLE, "oauthAppId": app_id, **changes}
    return client.post("/api/mgmt/oauthprofiles", json=body, headers=account.basic)


def test_create_returns_the_documented_201_body(client, admin, google_app):
    response = create(client, admin, google_app)
    assert response.status_code == 201
    body = response.json
    assert list(body) == ["id", "name", "oauthAppId", "description", "accessToken",
                          "refreshToken"]
    assert isinstance(body["id"], int)
    assert body == {"id": body["id"], "oauthAppId": google_app, **SAMPLE}
    assert "Set-Cookie" not in response.headers


def test_create_then_read_back(client, admin, google_app):
    created = create(client, admin, google_app).json
    one = client.get(f"/api/mgmt/oauthprofiles/{created['id']}", headers=admin.basic)
    assert one.status_code == 200
    assert one.json["name"] == "User_1" and one.json["oauthAppId"] == google_app
    assert one.json["hasAccessToken"] and one.json["hasRefreshToken"]
    assert SAMPLE["accessToken"] not in one.get_data(as_text=True)
    listed = client.get("/api/mgmt/oauthprofiles", headers=admin.basic).json["profiles"]
    assert [p["id"] for p in listed] == [created["id"]]
    assert "accessToken" not in listed[0] and "refreshToken" not in listed[0]
    assert listed[0]["tokenURI"] == "https://oauth2.googleapis.com/token"


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_good_names_are_accepted(client, admin, google_app, name):
    assert create(client, admin, google_app, name=name).status_code == 201


@pytest.mark.parametrize("name,message", BAD_NAMES)
def test_bad_names_are_refused_with_the_domain_message(client, admin, google_app, name, message):
    response = create(client, admin, google_app, name=name)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "222209000"
    assert response.json["error"]["message"] == {"lang": "en-US", "value": message}
    assert client.get("/api/mgmt/oauthprofiles", headers=admin.basic).json["profiles"] == []


@pytest.mark.parametrize("value", BAD_NAME_TYPES)
def test_name_of_the_wrong_type_is_refused(client, admin, google_app, value):
    assert create(client, admin, google_app, name=value).status_code == 400


@pytest.mark.parametrize("value", BAD_APP_IDS)
def test_oauth_app_id_must_be_a_positive_integer(client, admin, google_app, value):
    response = create(client, admin, google_app, oauthAppId=value)
    assert response.status_code == 400
    assert "OAuth application" in response.json["error"]["message"]["value"]


def test_unknown_application_is_refused_with_hdp_code(client, admin, google_app):
    response = create(client, admin, google_app, oauthAppId=google_app + 100)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "222207711"


@pytest.mark.parametrize("missing", ["name", "oauthAppId", "refreshToken"])
def test_required_fields(client, admin, google_app, missing):
    body = {**SAMPLE, "oauthAppId": google_app}
    del body[missing]
    response = client.post("/api/mgmt/oauthprofiles", json=body, headers=admin.basic)
    assert response.status_code == 400
    assert response.json["error"]["message"]["value"] == schemas.missing(missing)


@pytest.mark.parametrize("field,size", [("description", 1025), ("accessToken", 8193),
                                        ("refreshToken", 8193)])
def test_field_maxima(client, admin, google_app, field, size):
    assert create(client, admin, google_app, **{field: "a" * size}).status_code == 400
    assert create(client, admin, google_app, **{field: "a" * (size - 1)}).status_code == 201


@pytest.mark.parametrize("value", ["nul\x00byte", "lone\ud800surrogate"])
def test_unstorable_text_is_refused(client, admin, google_app, value):
    assert create(client, admin, google_app, description=value).status_code == 400


def test_duplicate_name_for_one_owner_is_409_but_other_owner_may_reuse(
        client, admin, alice, google_app):
    assert create(client, admin, google_app).status_code == 201
    again = create(client, admin, google_app, refreshToken="other")
    assert again.status_code == 409
    assert again.json["error"]["code"] == "222209002"
    assert create(client, alice, google_app).status_code == 201


def test_someone_elses_profile_is_404_for_every_verb(client, admin, alice, google_app):
    pid = create(client, admin, google_app).json["id"]
    url = f"/api/mgmt/oauthprofiles/{pid}"
    for response in (client.get(url, headers=alice.basic),
                     client.put(url, json={"description": "x"}, headers=alice.basic),
                     client.delete(url, headers=alice.basic)):
        assert response.status_code == 404
        assert response.json["error"] == {"code": "222207710", "message": {
            "lang": "en-US", "value": f"Invalid OAuthProfileId: {pid}"}}
    assert client.get(url, headers=admin.basic).json["description"] == SAMPLE["description"]


def test_partial_update_keeps_omitted_fields_and_masked_secrets(client, admin, google_app, app):
    pid = create(client, admin, google_app).json["id"]
    url = f"/api/mgmt/oauthprofiles/{pid}"
    response = client.put(url, json={"description": "changed", "refreshToken": "********"},
                          headers=admin.basic)
    assert response.status_code == 200
    assert response.json["name"] == "User_1" and response.json["description"] == "changed"
    app.config["EXPOSE_SECRETS_ON_READ"] = True
    clear = client.get(url, headers=admin.basic).json
    assert clear["accessToken"] == SAMPLE["accessToken"]
    assert clear["refreshToken"] == SAMPLE["refreshToken"]


def test_update_can_clear_the_access_token_but_not_the_refresh_token(client, admin, google_app):
    pid = create(client, admin, google_app).json["id"]
    url = f"/api/mgmt/oauthprofiles/{pid}"
    assert client.put(url, json={"accessToken": None}, headers=admin.basic).json[
        "hasAccessToken"] is False
    assert client.put(url, json={"refreshToken": None}, headers=admin.basic).status_code == 400
    assert client.put(url, json={"refreshToken": ""}, headers=admin.basic).status_code == 400


def test_update_to_a_taken_name_is_409_and_changes_nothing(client, admin, google_app):
    create(client, admin, google_app, name="first")
    second = create(client, admin, google_app, name="second").json["id"]
    url = f"/api/mgmt/oauthprofiles/{second}"
    response = client.put(url, json={"name": "first", "description": "lost?"},
                          headers=admin.basic)
    assert response.status_code == 409
    assert client.get(url, headers=admin.basic).json["description"] == SAMPLE["description"]


def test_delete_is_204_with_empty_body(client, admin, google_app):
    pid = create(client, admin, google_app).json["id"]
    response = client.delete(f"/api/mgmt/oauthprofiles/{pid}", headers=admin.basic)
    assert response.status_code == 204 and response.data == b""
    assert client.get(f"/api/mgmt/oauthprofiles/{pid}", headers=admin.basic).status_code == 404


@pytest.mark.parametrize("perm,verb", [(1, "post"), (2, "get"), (3, "put"), (4, "delete")])
def test_each_verb_needs_its_permission_and_mgmt_api(client, make_user, admin, google_app,
                                                     perm, verb):
    pid = create(client, admin, google_app).json["id"]
    others = [p for p in (1, 2, 3, 4) if p != perm]
    # A custom role holding everything but the permission under test.
    role = client.post("/api/admin/roles", headers=admin.basic, json={
        "name": f"without_{perm}", "permissions": [11, *others], "users": []}).json
    user = make_user("limited", roles_=(role["name"],))
    no_api = client.post("/api/admin/roles", headers=admin.basic, json={
        "name": "no_api", "permissions": [1, 2, 3, 4], "users": []}).json
    user_no_api = make_user("noapi", roles_=(no_api["name"],))
    url = "/api/mgmt/oauthprofiles" + ("" if verb == "post" else f"/{pid}")
    kwargs = {"json": {**SAMPLE, "oauthAppId": google_app}} if verb in {"post", "put"} else {}
    for account in (user, user_no_api):
        response = getattr(client, verb)(url, headers=account.basic, **kwargs)
        assert response.status_code == 403, (account.name, response.json)
        assert response.json["error"]["code"] == "222208103"


def test_moving_to_another_application_needs_reauthorization_unless_tokens_come_along(
        client, admin, google_app):
    other = client.post("/api/mgmt/oauthapps", headers=admin.basic, json={
        "name": "SF_app", "dataStore": 1, "clientId": "sf", "clientSecret": "sf-secret",
        "authorizeURI": "https://login.example.com/authorize",
        "tokenURI": "https://login.example.com/token"}).json["id"]
    pid = create(client, admin, google_app).json["id"]
    url = f"/api/mgmt/oauthprofiles/{pid}"
    moved = client.put(url, json={"oauthAppId": other}, headers=admin.basic).json
    assert (moved["oauthAppId"], moved["status"]) == (other, "needsReauthorization")
    back = client.put(url, json={"oauthAppId": google_app, "refreshToken": "fresh-one"},
                      headers=admin.basic).json
    assert (back["oauthAppId"], back["status"]) == (google_app, "active")
