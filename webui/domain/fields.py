"""Field types of the request schemas: each a rule of rules.py (PlainValidator) beside the
JSON schema that describes it (WithJsonSchema), never a pydantic-side restatement of the rule.
schemas.py assembles them per use case."""
from __future__ import annotations

from typing import Annotated, Any, Callable

from pydantic import PlainValidator, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from webui.domain import events, provider_calls, rules
from webui.domain.datastores import CATALOGUE as DATA_STORES, check_data_store
from webui.domain.errors import Invalid
from webui.domain.passwords import check_password


def rule(check: Callable[..., Any], schema: dict) -> Any:
    """A field validated by check(value, field) and documented by schema."""
    def validate(value: Any, info: ValidationInfo) -> Any:
        try:
            return check(value, info.field_name)
        except Invalid as exc:
            raise PydanticCustomError("rule", exc.message) from None
    return Annotated[Any, PlainValidator(validate), WithJsonSchema(schema)]


def _endpoint(value: Any, info: ValidationInfo) -> str:
    # The deployment's outbound policy comes from the use case, as validation context;
    # without it, the strict policy (https to public addresses only).
    try:
        return provider_calls.check_endpoint(value, info.field_name,
                                             (info.context or {}).get(OUTBOUND_POLICY))
    except Invalid as exc:
        raise PydanticCustomError("rule", exc.message) from None


OUTBOUND_POLICY = "outbound_policy"  # schemas.parse's context key for _endpoint


def _one_of(value: Any, field: str, allowed: tuple[int, ...]) -> int:
    if isinstance(value, bool) or value not in allowed:
        raise Invalid(f"{field} must be one of {', '.join(map(str, allowed))}.", field)
    return value


def _no_expiry(value: Any, field: str) -> None:
    # Passwords do not expire here: null ("never") is the only value there is to set.
    if value is not None:
        raise Invalid("Passwords do not expire on this server; passwordExpiration must be "
                      "null.", field)
    return None


def _text(max_len: int) -> dict:
    return {"type": "string", "maxLength": max_len}


ID = {"type": "integer", "minimum": 1, "maximum": rules.ID_MAX}
Name = rule(rules.check_name, {"type": "string", "minLength": 1, "maxLength": rules.NAME_MAX,
                               "pattern": rules.NAME_JSON_PATTERN})
Description = rule(rules.check_description, _text(rules.DESCRIPTION_MAX))
Token = rule(rules.check_token, _text(rules.TOKEN_MAX))
RequiredToken = rule(lambda v, f: rules.check_token(v, f, required=True),
                      {"type": "string", "minLength": 1, "maxLength": rules.TOKEN_MAX})
AppId = rule(rules.check_id, ID)
DataStoreId = rule(check_data_store, {"type": "integer", "enum": sorted(DATA_STORES)})
TenantId = rule(rules.check_id, ID)
ClientId = rule(rules.check_client_id,
                 {"type": "string", "minLength": 1, "maxLength": rules.CLIENT_ID_MAX})
ClientSecret = rule(rules.check_client_secret,
                     {"type": "string", "minLength": 1, "maxLength": rules.TOKEN_MAX})
Endpoint = Annotated[Any, PlainValidator(_endpoint), WithJsonSchema(
    {"type": "string", "format": "uri", "maxLength": rules.URI_MAX,
     "description": "absolute https URL"})]
Scope = rule(rules.check_scope, _text(rules.SCOPE_MAX))
UserName = rule(rules.check_user_name, {"type": "string", "minLength": 1,
                                         "maxLength": rules.USER_NAME_MAX})
RoleName = rule(rules.check_role_name, {"type": "string", "minLength": 1,
                                         "maxLength": rules.NAME_MAX})
Password = rule(check_password, {"type": "string", "minLength": rules.PASSWORD_MIN,
                                  "maxLength": rules.PASSWORD_MAX, "writeOnly": True})
TenantName = rule(rules.check_tenant_name, {"type": "string", "minLength": 1,
                                             "maxLength": rules.NAME_MAX})
ParentTenant = rule(rules.check_parent_tenant, {"type": "integer", "enum": [1]})
DataSourceName = rule(rules.check_data_source_name, {
    "type": "string", "minLength": 1, "maxLength": rules.NAME_MAX,
    "pattern": rules.DATA_SOURCE_NAME_JSON_PATTERN})
Options = rule(rules.check_options, {
    "type": "object", "maxProperties": rules.OPTIONS_MAX,
    "additionalProperties": {"type": "string", "maxLength": rules.OPTION_VALUE_MAX},
    "properties": {rules.PROFILE_OPTION: {"type": "string", "pattern": "^[0-9]{0,10}$"}},
    "description": "every option as a string; OAuthProfileId names the OAuth profile used"})
IdList = rule(rules.check_id_list, {"type": "array", "items": ID, "maxItems": 1000})
RoleIds = rule(rules.check_role_ids, {"type": "array", "items": ID, "minItems": 1,
                                      "maxItems": 1000})
Status = rule(rules.check_status, {"type": "integer", "enum": [0, 1]})
Flag = rule(rules.check_flag, {"type": "boolean"})
PasswordStatus = rule(lambda v, f: _one_of(v, f, (1, 2)), {"type": "integer", "enum": [1, 2]})
NoExpiry = rule(_no_expiry, {"type": "null"})
CurrentPassword = rule(lambda v, f: rules.check_text(v, f, rules.PASSWORD_MAX, required=True),
                       {"type": "string", "minLength": 1, "maxLength": rules.PASSWORD_MAX,
                        "writeOnly": True})
ClearableToken = rule(lambda v, f: None if v is None else rules.check_token(v, f),
                       {"anyOf": [_text(rules.TOKEN_MAX), {"type": "null"}],
                        "description": "null clears it; omitting it or sending the mask keeps it"})
Events = rule(events.check_events, {"type": "array", "minItems": 1, "items": {
    "type": "string", "enum": list(events.EVENT_TYPES)}})
