"""The response shapes of the OpenAPI document (openapi.py), as JSON schema: HDP's shapes as
webui/api/serialize.py writes them. Request shapes are not here: they come from
webui.domain.schemas."""
from __future__ import annotations

from webui.domain.error_codes import Code
from webui.domain.profile_view import STATUSES

STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
INT = {"type": "integer"}
TIME = {"type": ["string", "null"], "format": "date-time"}
IDS = {"type": "array", "items": INT}


def obj(props: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": props,
            "required": list(props) if required is None else required}


_APP_ITEM = {"id": INT, "name": STR, "dataStore": INT, "tenantId": INT,
             "description": STR, "authorizeURI": STR, "tokenURI": STR, "scope": STR,
             "createdAt": TIME, "updatedAt": TIME}
_STATUS = {"type": "string", "enum": list(STATUSES)}
_RECORD = {"status": _STATUS, "tokenExpiresAt": TIME, "lastRefreshedAt": TIME,
           "lastUsedAt": TIME, "lastRefreshError": NSTR}
_TENANT = {"id": INT, "name": STR, "description": STR,
           "parentTenant": {"type": ["integer", "null"]}, "status": INT}
_DATA_SOURCE_ITEM = {"id": INT, "name": STR, "dataStore": INT, "description": STR}
_PASSWORD_INFO = obj({"passwordStatus": INT, "passwordExpiration": NSTR})
_WEBHOOK = {"id": INT, "url": STR, "events": {"type": "array", "items": STR},
            "description": STR, "active": {"type": "boolean"}, "createdAt": TIME,
            "updatedAt": TIME}
_DELIVERY = {"id": INT, "webhookId": INT, "messageId": STR, "eventType": STR,
             "status": {"type": "string", "enum": ["pending", "delivered", "failed"]},
             "attempts": INT, "nextAttemptAt": TIME, "lastError": NSTR,
             "lastStatusCode": {"type": ["integer", "null"]}, "createdAt": TIME,
             "deliveredAt": TIME}
RESPONSES = {
    "Webhook": obj(_WEBHOOK),
    "WebhookCreated": obj({**_WEBHOOK, "secret": {
        "type": "string", "description": "the signing secret (whsec_...), shown only here"}}),
    "WebhookList": obj({"webhooks": {"type": "array", "items": obj(_WEBHOOK)}}),
    "WebhookDelivery": obj(_DELIVERY),
    "WebhookDeliveryList": obj({"deliveries": {"type": "array", "items": obj(_DELIVERY)}}),
    "Error": obj({"error": obj({
        "code": {"type": "string", "pattern": "^[0-9]{9}$", "enum": [c.value for c in Code]},
        "message": obj({"lang": {"const": "en-US"}, "value": STR}),
        # Every problem of invalid input (400), the first being "message".
        "errors": {"type": "array", "items": obj({"field": NSTR, "message": STR})}},
        required=["code", "message"])}),
    "ProfileCreated": obj({"id": INT, "name": STR, "oauthAppId": INT,
                            "description": STR, "accessToken": NSTR,
                            "refreshToken": STR}),
    "Profile": obj({"id": INT, "name": STR, "oauthAppId": INT, "description": STR,
                     "accessToken": NSTR, "refreshToken": NSTR,
                     "hasAccessToken": {"type": "boolean"},
                     "hasRefreshToken": {"type": "boolean"}, **_RECORD,
                     "createdAt": TIME, "updatedAt": TIME}),
    "ProfileList": obj({"profiles": {"type": "array", "items": obj({
        "id": INT, "name": STR, "oauthAppId": INT, "description": STR,
        "authorizeURI": STR, "tokenURI": STR, "scope": STR, **_RECORD,
        "createdAt": TIME, "updatedAt": TIME})}}),
    "Token": obj({"accessToken": STR, "tokenType": {"const": "Bearer"},
                  "expiresAt": TIME, "scope": NSTR}),
    "Application": obj({**_APP_ITEM, "clientId": STR, "clientSecret": NSTR,
                         "hasClientSecret": {"type": "boolean"}},
                        required=list(_APP_ITEM) + ["clientId"]),
    "ApplicationList": obj({"applications": {"type": "array", "items": obj(_APP_ITEM)}}),
    "User": obj({"id": INT, "userName": STR, "tenantId": INT,
                  "statusInfo": obj({"status": INT, "accountLocked": {"type": "boolean"}}),
                  "passwordInfo": obj({"passwordStatus": INT, "passwordExpiration": NSTR}),
                  "permissions": obj({"roles": IDS, "permissions": IDS}),
                  "authenticationInfo": obj({"authUsers": {"type": "array"}})}),
    "UserList": obj({"users": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}}),
    "Role": obj({"id": INT, "name": STR, "tenantId": INT, "description": STR,
                  "permissions": IDS, "users": IDS}),
    "RoleList": obj({"roles": {"type": "array", "items": obj(
        {"id": INT, "name": STR, "tenantId": INT, "description": STR})}}),
    "Permission": obj({"id": INT, "name": STR, "description": STR}),
    "PermissionList": obj({"permissions": {"type": "array",
                                            "items": {"$ref": "#/components/schemas/Permission"}}}),
    "OwnPermissions": obj({"userId": INT, "permissions": IDS}),
    "OwnAccount": obj({"userId": INT, "userName": STR, "tenantId": INT,
                        "passwordExpiration": NSTR, "permissions": IDS}),
    "Tenant": obj(_TENANT),
    "TenantCreated": obj({**_TENANT, "roles": IDS}),
    "TenantList": obj({"tenants": {"type": "array", "items": obj({"id": INT,
                                                                    "name": STR})}}),
    "Admins": obj({"admins": IDS}),
    "DataSource": obj({**_DATA_SOURCE_ITEM, "options": {
        "type": "object", "additionalProperties": STR}, "createdAt": TIME,
        "updatedAt": TIME}),
    "DataSourceList": obj({"dataSources": {"type": "array",
                                            "items": obj(_DATA_SOURCE_ITEM)}}),
    "ProfileStats": obj({"dataSourcesLinked": INT, "dataStoreId": INT,
                          "dataSources": {"type": "array", "items": obj(_DATA_SOURCE_ITEM)}}),
    "UserStatusInfo": obj({"status": INT, "accountLocked": {"type": "boolean"}}),
    "UserPasswordInfo": _PASSWORD_INFO,
    "UserGrants": obj({"roles": IDS, "permissions": IDS}),
    "UserTenantsAdministered": obj({"tenantsAdministered": IDS}),
    "AuditList": obj({"events": {"type": "array", "items": obj({
        "id": INT, "at": TIME, "actor": NSTR, "onBehalfOf": NSTR, "action": STR,
        "objectType": STR, "objectId": {"type": ["integer", "null"]}, "fields": {
            "type": "array", "items": STR}, "clientAddress": NSTR, "detail": NSTR,
        "count": INT})}}),
}
