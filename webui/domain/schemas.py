"""Request schemas: the field rules of rules.py, assembled per use case.

Pydantic carries them so that one definition both validates a request and describes it in the
OpenAPI document (``model_json_schema``). Every field is validated by a function of rules.py
(PlainValidator), never by a second, pydantic-side restatement of the rule; the JSON schema
beside it (WithJsonSchema) only describes it.
"""
from __future__ import annotations

from typing import Annotated, Any, Callable

from pydantic import (BaseModel, ConfigDict, PlainValidator, ValidationError,
                      ValidationInfo, WithJsonSchema)
from pydantic_core import PydanticCustomError

from webui.domain import events, rules
from webui.domain.datastores import CATALOGUE as DATA_STORES, check_data_store
from webui.domain.errors import Invalid
from webui.domain.passwords import check_password

MASK = "********"  # what reads show instead of a secret; sending it back keeps the secret


def _rule(check: Callable[..., Any], schema: dict) -> Any:
    """A field validated by check(value, field) and documented by schema."""
    def validate(value: Any, info: ValidationInfo) -> Any:
        try:
            return check(value, info.field_name)
        except Invalid as exc:
            raise PydanticCustomError("rule", exc.message) from None
    return Annotated[Any, PlainValidator(validate), WithJsonSchema(schema)]


def _endpoint(value: Any, field: str) -> str:
    # The context-free part; the http-on-loopback setting is applied by the use case.
    return rules.check_text(value, field, rules.URI_MAX, required=True, single_line=True)


def _id_list(value: Any, field: str) -> list[int]:
    if not isinstance(value, list):
        raise Invalid(f"{field} must be an array of integer ids.", field)
    if len(value) > 1000:
        raise Invalid(f"{field} may list at most 1000 ids.", field)
    return sorted({rules.check_id(v, field) for v in value})


def _status(value: Any, field: str) -> int:
    if isinstance(value, bool) or value not in (0, 1):
        raise Invalid("status must be 0 (inactive) or 1 (active).", field)
    return value


def _boolean(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"{field} must be true or false.", field)
    return value


def _text(max_len: int) -> dict:
    return {"type": "string", "maxLength": max_len}


ID = {"type": "integer", "minimum": 1, "maximum": rules.ID_MAX}
Name = _rule(rules.check_name, {"type": "string", "minLength": 1, "maxLength": rules.NAME_MAX,
                               "pattern": rules.NAME_JSON_PATTERN})
Description = _rule(rules.check_description, _text(rules.DESCRIPTION_MAX))
Token = _rule(rules.check_token, _text(rules.TOKEN_MAX))
RequiredToken = _rule(lambda v, f: rules.check_token(v, f, required=True),
                      {"type": "string", "minLength": 1, "maxLength": rules.TOKEN_MAX})
AppId = _rule(rules.check_id, ID)
DataStoreId = _rule(check_data_store, {"type": "integer", "enum": sorted(DATA_STORES)})
TenantId = _rule(rules.check_id, ID)
ClientId = _rule(rules.check_client_id,
                 {"type": "string", "minLength": 1, "maxLength": rules.CLIENT_ID_MAX})
ClientSecret = _rule(rules.check_client_secret,
                     {"type": "string", "minLength": 1, "maxLength": rules.TOKEN_MAX})
Endpoint = _rule(_endpoint, {"type": "string", "format": "uri", "maxLength": rules.URI_MAX,
                             "description": "absolute https URL"})
Scope = _rule(rules.check_scope, _text(rules.SCOPE_MAX))
UserName = _rule(rules.check_user_name, {"type": "string", "minLength": 1,
                                         "maxLength": rules.USER_NAME_MAX})
RoleName = _rule(rules.check_role_name, {"type": "string", "minLength": 1,
                                         "maxLength": rules.NAME_MAX})
Password = _rule(check_password, {"type": "string", "minLength": rules.PASSWORD_MIN,
                                  "maxLength": rules.PASSWORD_MAX, "writeOnly": True})
Events = _rule(events.check_events, {"type": "array", "minItems": 1, "items": {
    "type": "string", "enum": list(events.EVENT_TYPES)}})
IdList = _rule(_id_list, {"type": "array", "items": ID, "maxItems": 1000})
Status = _rule(_status, {"type": "integer", "enum": [0, 1]})
Flag = _rule(_boolean, {"type": "boolean"})
ClearableToken = _rule(lambda v, f: None if v is None else rules.check_token(v, f),
                       {"anyOf": [_text(rules.TOKEN_MAX), {"type": "null"}],
                        "description": "null clears it; omitting it or sending the mask keeps it"})


def _drop_null_defaults(schema: dict, _model: type) -> None:
    # An optional field's None means "not sent" (the value is kept), never "null is assumed";
    # documented as "default": null it misleads, and beside a non-null type it makes the
    # OpenAPI document invalid.
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]


class Schema(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra=_drop_null_defaults)


class ProfileCreate(Schema):
    name: Name
    oauthAppId: AppId
    description: Description = ""
    accessToken: Token = None
    refreshToken: RequiredToken


class ProfileUpdate(Schema):
    name: Name = None
    oauthAppId: AppId = None
    description: Description = None
    accessToken: ClearableToken = None
    refreshToken: RequiredToken = None


class AppCreate(Schema):
    name: Name
    dataStore: DataStoreId
    tenantId: TenantId = None
    description: Description = ""
    clientId: ClientId
    clientSecret: ClientSecret
    authorizeURI: Endpoint
    tokenURI: Endpoint
    scope: Scope = ""


class AppUpdate(Schema):
    name: Name = None
    dataStore: DataStoreId = None
    description: Description = None
    clientId: ClientId = None
    clientSecret: ClientSecret = None
    authorizeURI: Endpoint = None
    tokenURI: Endpoint = None
    scope: Scope = None


class StatusInfo(Schema):
    status: Status
    accountLocked: Flag = False


class PasswordInfo(Schema):
    password: Password


class UserPermissions(Schema):
    roles: IdList
    permissions: IdList = []


class UserCreate(Schema):
    userName: UserName
    tenantId: TenantId = None
    statusInfo: StatusInfo
    passwordInfo: PasswordInfo
    permissions: UserPermissions


class UserUpdate(Schema):
    userName: UserName = None
    statusInfo: StatusInfo = None
    permissions: UserPermissions = None


class PasswordReset(Schema):
    newPassword: Password


class RoleCreate(Schema):
    name: RoleName
    tenantId: TenantId = None
    description: Description = ""
    permissions: IdList
    users: IdList


class RoleUpdate(Schema):
    name: RoleName = None
    description: Description = None
    permissions: IdList = None
    users: IdList = None


class WebhookCreate(Schema):
    url: Endpoint
    events: Events
    description: Description = ""
    active: Flag = True


class WebhookUpdate(Schema):
    url: Endpoint = None
    events: Events = None
    description: Description = None
    active: Flag = None


_TYPE_MESSAGES = {
    "missing": "{label} is required.",
    "model_type": "{label} must be a JSON object.",
    "model_attributes_type": "{label} must be a JSON object.",
    "dict_type": "{label} must be a JSON object.",
}


def parse(schema: type[Schema], data: Any) -> Schema:
    """Validate data against schema. Raises Invalid naming the first offending field."""
    if not isinstance(data, dict):
        raise Invalid("The request body must be a JSON object.")
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        loc = [str(p) for p in first["loc"]]
        field = loc[0] if loc else None
        path = ".".join(loc) or "body"
        template = _TYPE_MESSAGES.get(first["type"])
        message = template.format(label=path) if template else first["msg"]
        raise Invalid(message, field) from None


def given(model: Schema) -> dict[str, Any]:
    """The fields the caller actually sent, with values; a sent MASK counts as not sent.

    Raises Invalid when that leaves a required field out (the mask of a secret on a create:
    there is nothing to keep).
    """
    values = {}
    for key in model.model_fields_set:
        value = getattr(model, key)
        if value != MASK:
            values[key] = value
        elif type(model).model_fields[key].is_required():
            raise Invalid(_TYPE_MESSAGES["missing"].format(label=key), key)
    return values
