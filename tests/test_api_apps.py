"""/api/mgmt/oauthapps through the test client."""
import pytest

from tests.cases import BAD_NAMES, DEVELOPMENT, ENDPOINTS, STRICT
from tests.conftest import APP_BODY
from webui.domain.schemas import MASK

URL = "/api/mgmt/oauthapps"
LIST_KEYS = ["id", "name", "dataStore", "tenantId", "description", "authorizeURI", "tokenURI",
             "scope", "createdAt", "updatedAt"]


@pytest.fixture
def manager(make_user):
    """MgmtAPI (from the User role) + OAuth (28): may manage applications."""
    return make_user("manager", permissions=(28,))


def test_create_is_201_with_the_full_object_and_a_masked_secret(client, admin):
    response = client.post(URL, headers=admin.basic, json=APP_BODY)
    assert response.status_code == 201
    body = response.json
    assert isinstance(body["id"], int) and body["tenantId"] == 1
    for key in ("name", "dataStore", "description", "clientId", "authorizeURI", "tokenURI",
                "scope"):
        assert body[key] == APP_BODY[key]
    assert body["clientSecret"] == MASK
    assert APP_BODY["clientSecret"] not in response.get_data(as_text=True)


def test_list_never_has_client_id_or_secret(client, admin, alice, google_app):
    for account in (admin, alice):
        response = client.get(URL, headers=account.basic)
        assert response.status_code == 200
        (item,) = response.json["applications"]
        assert list(item) == LIST_KEYS
        text = response.get_data(as_text=True)
        assert APP_BODY["clientId"] not in text and APP_BODY["clientSecret"] not in text


def test_get_one_shows_the_secret_masked_to_managers_only(client, admin, alice, manager,
                                                          google_app):
    for account in (admin, manager):
        body = client.get(f"{URL}/{google_app}", headers=account.basic).json
        assert body["clientId"] == APP_BODY["clientId"]
        assert body["clientSecret"] == MASK and body["hasClientSecret"] is True
    body = client.get(f"{URL}/{google_app}", headers=alice.basic).json
    assert body["clientId"] == APP_BODY["clientId"]
    assert "clientSecret" not in body and "hasClientSecret" not in body


def test_the_secret_in_clear_only_when_the_deployment_says_so(app, client, admin, alice,
                                                              google_app):
    app.config["EXPOSE_SECRETS_ON_READ"] = True
    assert client.get(f"{URL}/{google_app}", headers=admin.basic).json[
        "clientSecret"] == APP_BODY["clientSecret"]
    assert "clientSecret" not in client.get(f"{URL}/{google_app}", headers=alice.basic).json


@pytest.mark.parametrize("verb", ["post", "put", "delete"])
def test_changes_need_administrator_or_mgmt_api_plus_oauth(client, make_user, admin, alice,
                                                           google_app, verb):
    oauth_only = make_user("oauth_only", roles_=("Tenant Administrator",),
                           permissions=(28,))  # has MgmtAPI via the role
    url = URL if verb == "post" else f"{URL}/{google_app}"
    kwargs = {"json": {**APP_BODY, "name": "other"}} if verb != "delete" else {}
    for account in (alice,):
        response = getattr(client, verb)(url, headers=account.basic, **kwargs)
        assert response.status_code == 403
        assert response.json["error"]["code"] == "222208103"
    expected = {"post": 201, "put": 200, "delete": 204}[verb]
    assert getattr(client, verb)(url, headers=oauth_only.basic, **kwargs).status_code == expected


def test_oauth_permission_without_mgmt_api_is_not_enough(client, admin, make_user, google_app):
    role = client.post("/api/admin/roles", headers=admin.basic, json={
        "name": "oauth_no_api", "permissions": [28], "users": []}).json
    user = make_user("noapi", roles_=(role["name"],))
    for response in (client.get(URL, headers=user.basic),
                     client.post(URL, headers=user.basic, json={**APP_BODY, "name": "x"})):
        assert response.status_code == 403


@pytest.mark.parametrize("value,well_formed,strict,development", ENDPOINTS)
def test_endpoints_follow_the_outbound_policy(app, client, admin, value, well_formed, strict,
                                              development):
    for settings, accepted in ((STRICT, strict), (DEVELOPMENT, development)):
        app.config.update(settings)
        response = client.post(URL, headers=admin.basic, json={
            **APP_BODY, "name": f"a_{settings is DEVELOPMENT}", "tokenURI": value})
        assert response.status_code == (201 if accepted else 400), response.json
        if not accepted:
            assert response.json["error"]["code"] == "222209000"


def test_unknown_data_store_is_refused(client, admin):
    response = client.post(URL, headers=admin.basic, json={**APP_BODY, "dataStore": 999})
    assert response.status_code == 400
    assert "999" in response.json["error"]["message"]["value"]


@pytest.mark.parametrize("name,message", BAD_NAMES)
def test_bad_names_are_refused_with_the_domain_message(client, admin, name, message):
    response = client.post(URL, headers=admin.basic, json={**APP_BODY, "name": name})
    assert response.status_code == 400
    assert response.json["error"]["message"]["value"] == message


def test_name_taken_is_409_on_create_and_update(client, admin, google_app):
    assert client.post(URL, headers=admin.basic, json=APP_BODY).status_code == 409
    other = client.post(URL, headers=admin.basic, json={**APP_BODY, "name": "other"}).json["id"]
    response = client.put(f"{URL}/{other}", headers=admin.basic, json={"name": APP_BODY["name"]})
    assert response.status_code == 409 and response.json["error"]["code"] == "222209002"


def test_unknown_id_is_404_with_hdp_code(client, admin):
    for response in (client.get(f"{URL}/223344", headers=admin.basic),
                     client.put(f"{URL}/223344", headers=admin.basic, json={"scope": "x"}),
                     client.delete(f"{URL}/223344", headers=admin.basic)):
        assert response.status_code == 404
        assert response.json["error"] == {"code": "222207711", "message": {
            "lang": "en-US", "value": "Invalid OAuthApplicationId: 223344"}}


def test_delete_is_204_and_takes_the_profiles_with_it(client, admin, alice, google_app):
    body = {"name": "p", "oauthAppId": google_app, "refreshToken": "r", "accessToken": "a"}
    pid = client.post("/api/mgmt/oauthprofiles", headers=alice.basic, json=body).json["id"]
    response = client.delete(f"{URL}/{google_app}", headers=admin.basic)
    assert response.status_code == 204 and response.data == b""
    assert client.get(f"/api/mgmt/oauthprofiles/{pid}", headers=alice.basic).status_code == 404
    assert client.get("/api/mgmt/oauthprofiles", headers=alice.basic).json["profiles"] == []


def test_changing_the_registration_marks_profiles(client, admin, alice, google_app):
    body = {"name": "p", "oauthAppId": google_app, "refreshToken": "r", "accessToken": "a"}
    pid = client.post("/api/mgmt/oauthprofiles", headers=alice.basic, json=body).json["id"]
    url = f"/api/mgmt/oauthprofiles/{pid}"
    assert client.get(url, headers=alice.basic).json["status"] == "active"
    client.put(f"{URL}/{google_app}", headers=admin.basic, json={"description": "only words"})
    assert client.get(url, headers=alice.basic).json["status"] == "active"
    assert client.put(f"{URL}/{google_app}", headers=admin.basic,
                      json={"scope": "openid"}).status_code == 200
    assert client.get(url, headers=alice.basic).json["status"] == "needsReauthorization"
    # New tokens clear the mark.
    client.put(url, headers=alice.basic, json={"refreshToken": "fresh"})
    assert client.get(url, headers=alice.basic).json["status"] == "active"


def test_update_is_partial(client, admin, google_app):
    response = client.put(f"{URL}/{google_app}", headers=admin.basic,
                          json={"description": "changed", "clientSecret": MASK})
    assert response.status_code == 200
    assert response.json["description"] == "changed"
    assert response.json["tokenURI"] == APP_BODY["tokenURI"]


def test_on_behalf_create_and_read(client, admin, alice, make_user):
    helper = make_user("helper", roles_=("Tenant Administrator",), permissions=(28,))
    response = client.post(f"{URL}?user=alice", headers=helper.basic, json=APP_BODY)
    assert response.status_code == 201 and response.json["tenantId"] == 1
    assert client.get(f"{URL}?user=alice", headers=helper.basic).json["applications"]
    response = client.get(f"{URL}?user=ghost", headers=helper.basic)
    assert response.status_code == 404 and response.json["error"]["code"] == "222207916"
    # MgmtAPI + OAuth without OnBehalfOf (21) may manage, but not for someone else.
    solo = make_user("solo", permissions=(28,))
    response = client.post(f"{URL}?user=alice", headers=solo.basic,
                           json={**APP_BODY, "name": "x"})
    assert response.status_code == 403


def test_the_mask_is_not_a_client_secret_on_create(client, admin):
    response = client.post(URL, headers=admin.basic, json={**APP_BODY, "clientSecret": MASK})
    assert response.status_code == 400
    assert response.json["error"]["message"]["value"] == "Client secret is required."
    assert client.get(URL, headers=admin.basic).json["applications"] == []


def test_every_problem_is_listed_after_hdps_first_message(client, admin):
    body = {**APP_BODY, "name": "bad name", "clientId": "", "tokenURI": "ftp://x"}
    del body["clientSecret"]
    error = client.post(URL, headers=admin.basic, json=body).json["error"]
    assert error["message"]["value"] == "Names may use only letters, digits and underscores."
    assert [e["field"] for e in error["errors"]] == ["name", "clientId", "clientSecret",
                                                     "tokenURI"]
    assert error["errors"][0]["message"] == error["message"]["value"]
    assert error["errors"][2]["message"] == "Client secret is required."
