"""/api/openapi.json: the OpenAPI 3.1 document.

Request bodies come from the very pydantic schemas (webui.domain.schemas) that validate
requests, so the document cannot drift from the checks. Response shapes are declared in
openapi_shapes.py.
"""
from __future__ import annotations

from functools import lru_cache

from flask import jsonify

from webui.api.blueprint import bp
from webui.api.openapi_shapes import INT, RESPONSES, STR
from webui.domain import audit, schemas
from webui.domain.pagination import DEFAULT_LIMIT, MAX_LIMIT
from webui.domain.profile_view import STATUSES
from webui.domain.profiles import SORT_KEYS

REQUESTS = [schemas.ProfileCreate, schemas.ProfileUpdate, schemas.AppCreate,
            schemas.AppUpdate, schemas.UserCreate, schemas.UserUpdate, schemas.PasswordReset,
            schemas.RoleCreate, schemas.RoleUpdate, schemas.TenantCreate,
            schemas.TenantUpdate, schemas.TenantAdmins, schemas.DataSourceCreate,
            schemas.DataSourceUpdate, schemas.PasswordStatusInfo, schemas.TenantsAdministered,
            schemas.PasswordChange, schemas.WebhookCreate, schemas.WebhookUpdate]

_P = {
    "user": {"name": "user", "in": "query", "required": False, "schema": STR,
             "description": "Act on behalf of this user (HDP's on-behalf-of)."},
    "limit": {"name": "limit", "in": "query", "required": False,
              "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                         "default": DEFAULT_LIMIT},
              "description": "Page size. When more items remain, the response carries "
                             "`Link: <url>; rel=\"next\"`."},
    "cursor": {"name": "cursor", "in": "query", "required": False,
               "schema": {"type": "string", "pattern": "^[0-9]{1,10}$"},
               "description": "Opaque; copy it from the next link."},
}


def _filter(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string"}}


_TENANT_FILTERS = [
    {"name": "tenantId", "in": "query", "required": False, "schema": INT,
     "description": "only those of this tenant"},
    _filter("tenantName", "only those of the tenant of this name")]


def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _op(summary: str, ok: int, out: str | None, body: type | None = None,
        params: list | None = None, errors=(400, 401, 403, 404)) -> dict:
    responses = {str(ok): ({"description": "OK", "content": {"application/json": {
        "schema": _ref(out)}}} if out else {"description": "No content"})}
    for status in sorted({*errors, 401, 413, 415, 405} if body else {*errors, 401, 405}):
        responses[str(status)] = {"description": "HDP error envelope", "content": {
            "application/json": {"schema": _ref("Error")}}}
    op = {"summary": summary, "parameters": params or [], "responses": responses}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": _ref(body.__name__)}}}
    return op


def _crud(path: str, noun: str, id_name: str, create, update, one: str, many: str,
          extra_list: list | None = None, on_behalf: bool = False) -> dict:
    ob = [_P["user"]] if on_behalf else []
    return {
        path: {"get": _op(f"List {noun}s", 200, many, params=ob + [_P["limit"], _P["cursor"]]
                          + (extra_list or [])),
               "post": _op(f"Create {noun}", 201, one if noun != "profile" else "ProfileCreated",
                           create, ob, errors=(400, 401, 403, 404, 409))},
        f"{path}/{{{id_name}}}": {
            "get": _op(f"Get {noun}", 200, one, params=ob + [_id(id_name)]),
            "put": _op(f"Update {noun}", 200, one, update, ob + [_id(id_name)],
                       errors=(400, 401, 403, 404, 409)),
            "delete": _op(f"Delete {noun}", 204, None, params=ob + [_id(id_name)],
                          errors=(401, 403, 404, 409))},
    }


def _tenant_paths() -> dict:
    one, writes = [_id("tenantId")], (400, 401, 403, 404, 409)
    return {
        "/api/admin/tenants": {
            "get": _op("List the tenants the caller administers", 200, "TenantList"),
            "post": _op("Create a tenant (importedRoles copied with new ids)", 201,
                        "TenantCreated", schemas.TenantCreate, errors=writes)},
        "/api/admin/tenants/{tenantId}": {
            "get": _op("Get a tenant", 200, "Tenant", params=one),
            "put": _op("Update a tenant", 200, "Tenant", schemas.TenantUpdate, one,
                       errors=writes),
            "delete": _op("Delete a tenant (refused while it has users)", 204, None,
                          params=one, errors=(401, 403, 404, 409))},
        "/api/admin/tenants/{tenantId}/admins": {
            "get": _op("The tenant's listed administrators", 200, "Admins", params=one),
            "put": _op("Replace the tenant's listed administrators", 200, "Admins",
                       schemas.TenantAdmins, one, errors=writes)},
    }


def _user_paths() -> dict:
    one, writes = [_id("userId")], (400, 401, 403, 404, 409)
    parts = {"statusinfo": ("UserStatusInfo", schemas.StatusInfo),
             "passwordinfo": ("UserPasswordInfo", schemas.PasswordStatusInfo),
             "permissions": ("UserGrants", schemas.UserPermissions),
             "tenantsadministered": ("UserTenantsAdministered", schemas.TenantsAdministered)}
    return {f"/api/admin/users/{{userId}}/{part}": {
        "get": _op(f"The user's {part}", 200, out, params=one),
        "put": _op(f"Change the user's {part}", 200, out, body, one, errors=writes)}
        for part, (out, body) in parts.items()}


@lru_cache(maxsize=1)
def document() -> dict:
    components = dict(RESPONSES)
    for model in REQUESTS:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema
    paths = {}
    paths.update(_crud("/api/mgmt/oauthprofiles", "profile", "profileId", schemas.ProfileCreate,
                       schemas.ProfileUpdate, "Profile", "ProfileList", on_behalf=True,
                       extra_list=[{"name": "name", "in": "query", "schema": STR},
                                   {"name": "oauthAppId", "in": "query", "schema": INT},
                                   {"name": "status", "in": "query", "schema": {
                                       "type": "string", "enum": list(STATUSES)},
                                    "description": "only profiles in this status; "
                                    "repeat or comma-separate for several"},
                                   {"name": "sort", "in": "query", "schema": {
                                       "type": "string", "enum": list(SORT_KEYS)},
                                    "description": "order (\"-\" for descending); "
                                    "default: oldest first"}]))
    paths.update(_crud("/api/mgmt/oauthapps", "application", "appId", schemas.AppCreate,
                       schemas.AppUpdate, "Application", "ApplicationList", on_behalf=True))
    paths.update(_crud("/api/admin/users", "user", "userId", schemas.UserCreate,
                       schemas.UserUpdate, "User", "UserList",
                       extra_list=[_filter("name", "user names containing this text"),
                                   {"name": "tenantId", "in": "query", "required": False,
                                    "schema": INT, "description": "only this tenant's"}]))
    paths.update(_crud("/api/admin/roles", "role", "roleId", schemas.RoleCreate,
                       schemas.RoleUpdate, "Role", "RoleList", extra_list=_TENANT_FILTERS))
    paths.update(_crud("/api/admin/webhooks", "webhook", "webhookId", schemas.WebhookCreate,
                       schemas.WebhookUpdate, "Webhook", "WebhookList"))
    paths["/api/admin/webhooks"]["post"]["responses"]["201"]["content"][
        "application/json"]["schema"] = _ref("WebhookCreated")
    paths["/api/admin/webhooks/{webhookId}/deliveries"] = {"get": _op(
        "A webhook's deliveries, newest first", 200, "WebhookDeliveryList",
        params=[_id("webhookId"), _P["limit"], _P["cursor"]])}
    paths["/api/admin/webhooks/{webhookId}/test"] = {"post": _op(
        "Send a webhook.test event now", 201, "WebhookDelivery", params=[_id("webhookId")])}
    refresh = _op("Refresh the profile's tokens (test the connection)", 200, "Profile",
                  params=[_P["user"], _id("profileId")], errors=(400, 401, 403, 404, 409, 502))
    refresh["x-extension"] = True  # ours, not HDP's
    refresh["description"] = (
        "Extension (not part of HDP's API): exchanges the refresh token at the application's "
        "token URI and stores the new access token and expiry; a rotated refresh token "
        "replaces the old one. Concurrent calls for one profile make one token request. "
        "invalid_grant marks the profile needsReauthorization; provider failures answer 502 "
        "with code 222209010. Needs ModifyDataSource (3) and MgmtAPI (11).")
    paths["/api/mgmt/oauthprofiles/{profileId}/refresh"] = {"post": refresh}
    token = _op("A valid access token for the profile", 200, "Token",
                params=[_P["user"], _id("profileId")], errors=(401, 403, 404, 409, 502))
    token["x-extension"] = True
    token["description"] = (
        "Extension (not part of HDP's API): the access token in clear, valid for at least "
        "TOKEN_MIN_TTL_SECONDS (expiresAt null: the provider gave no expiry). A token that "
        "is missing or expires sooner is refreshed first; concurrent calls make one token "
        "request. 409 (222209012) when the profile needs re-authorization, 502 (222209010) "
        "when the provider fails. Needs ViewDataSource (2) and MgmtAPI (11); owner only.")
    paths["/api/mgmt/oauthprofiles/{profileId}/token"] = {"get": token}
    ds_token = _op("A valid access token for the data source's profile", 200, "Token",
                   params=[_P["user"], _id("dataSourceId")], errors=(401, 403, 404, 409, 502))
    ds_token["x-extension"] = True
    ds_token["description"] = ("Extension: the token of the OAuth profile the data source "
                               "uses (options.OAuthProfileId), by the rules of the profile's "
                               "/token; 409 when it uses none.")
    paths["/api/mgmt/datasources/{dataSourceId}/token"] = {"get": ds_token}
    paths["/api/admin/users/{userId}/resetpassword"] = {"put": _op(
        "Reset a user's password", 204, None, schemas.PasswordReset, [_id("userId")])}
    paths["/api/admin/permissions"] = {"get": _op("The permission catalogue", 200,
                                                  "PermissionList")}
    paths["/api/admin/permissions/{permissionId}"] = {"get": _op(
        "One permission", 200, "Permission", params=[_id("permissionId")])}
    paths["/api/admin/audit"] = {"get": _op(
        "The audit trail, newest first", 200, "AuditList", params=[
            _P["limit"], _P["cursor"],
            _filter("action", "exact action: " + ", ".join(audit.ACTIONS)),
            _filter("objectType", "exact object type: " + ", ".join(audit.OBJECT_TYPES)),
            _filter("user", "the actor or the on-behalf subject, exactly")])}
    paths.update(_tenant_paths())
    paths.update(_crud("/api/mgmt/datasources", "data source", "dataSourceId",
                       schemas.DataSourceCreate, schemas.DataSourceUpdate, "DataSource",
                       "DataSourceList", on_behalf=True))
    paths["/api/mgmt/oauthprofiles/{profileId}/stats"] = {"get": _op(
        "The data sources that use the profile", 200, "ProfileStats",
        params=[_P["user"], _id("profileId")])}
    paths.update(_user_paths())
    paths["/api/admin/userdetails/changePassword"] = {"put": _op(
        "Change one's own password (other browser sessions end)", 200, "UserPasswordInfo",
        schemas.PasswordChange)}
    paths["/api/mgmt/oauthapps"]["get"]["parameters"] += _TENANT_FILTERS
    paths["/api/mgmt/permissions"] = {"get": _op("The caller's effective permissions", 200,
                                                 "OwnPermissions", params=[_P["user"]])}
    paths["/api/mgmt/user"] = {"get": _op("The caller's account", 200, "OwnAccount")}
    return {
        "openapi": "3.1.0",
        "info": {"title": "OAuth Profile Manager (HDP-compatible Management API)",
                 "version": "1.0.0"},
        "components": {"schemas": components, "securitySchemes": {
            "basic": {"type": "http", "scheme": "basic"}}},
        "security": [{"basic": []}],
        "paths": paths,
    }


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(document())
