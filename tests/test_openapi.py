"""/api/openapi.json: valid OpenAPI 3.1, its request schemas are webui.domain.schemas'."""
import re

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from webui.api.openapi import REQUESTS
from webui.domain import schemas


@pytest.fixture
def document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.json


def test_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_the_validator_would_notice_a_broken_document(document):
    broken = {**document, "paths": {"/x": {"get": {"responses": {"200": {"$ref": 5}}}}}}
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


@pytest.mark.parametrize("model", REQUESTS, ids=lambda m: m.__name__)
def test_request_schemas_are_the_domain_schemas(document, model):
    expected = model.model_json_schema(ref_template="#/components/schemas/{model}")
    expected.pop("$defs", None)
    assert document["components"]["schemas"][model.__name__] == expected


def test_request_bodies_point_at_the_domain_schemas(document):
    def body_of(path, verb):
        return document["paths"][path][verb]["requestBody"]["content"]["application/json"][
            "schema"]["$ref"].rsplit("/", 1)[1]
    assert body_of("/api/mgmt/oauthprofiles", "post") == "ProfileCreate"
    assert body_of("/api/mgmt/oauthprofiles/{profileId}", "put") == "ProfileUpdate"
    assert body_of("/api/mgmt/oauthapps", "post") == "AppCreate"
    assert body_of("/api/admin/users", "post") == "UserCreate"
    assert body_of("/api/admin/roles/{roleId}", "put") == "RoleUpdate"


def test_documented_limits_are_those_enforced(document):
    profile = document["components"]["schemas"]["ProfileCreate"]
    assert set(profile["required"]) == {"name", "oauthAppId", "refreshToken"}
    props = profile["properties"]
    assert props["name"]["maxLength"] == 128 and props["name"]["pattern"] == "^[A-Za-z0-9_]+$"
    assert props["description"]["maxLength"] == 1024
    assert props["refreshToken"]["maxLength"] == 8192
    assert props["oauthAppId"]["type"] == "integer"
    app = document["components"]["schemas"]["AppCreate"]["properties"]
    assert sorted(app["dataStore"]["enum"]) == [1, 54, 62, 63]
    # The JSON-schema pattern says what the domain rule says, on a few names.
    pattern = re.compile(props["name"]["pattern"])
    for good in ("User_1", "x" * 128):
        assert pattern.search(good) and schemas.rules.check_name(good)
    for bad in ("with space", "ünï"):
        assert not pattern.search(bad)


def test_every_api_route_is_documented(app, document):
    documented = {(path, verb.upper()) for path, ops in document["paths"].items()
                  for verb in ops}
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.endpoint == "api.openapi_document":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + {
            "profile_id": "profileId", "app_id": "appId", "user_id": "userId",
            "role_id": "roleId", "perm_id": "permissionId", "tenant_id": "tenantId",
                "ds_id": "dataSourceId", "webhook_id": "webhookId"}.get(m[1], m[1]) + "}", rule.rule)
        served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served - documented == set()
