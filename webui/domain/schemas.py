"""Request schemas: the field types of fields.py (each a rule of rules.py), assembled per use
case.

Pydantic carries them so that one definition both validates a request and describes it in the
OpenAPI document (``model_json_schema``). Every field is validated by a function of rules.py
(PlainValidator), never by a second, pydantic-side restatement of the rule; the JSON schema
beside it (WithJsonSchema) only describes it.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from webui.domain import rules
from webui.domain.errors import Invalid
from webui.domain.fields import (OUTBOUND_POLICY, AppId, ClearableToken,  # noqa: F401
                                 ClientId, ClientSecret, CurrentPassword, DataSourceName,
                                 DataStoreId, Description, Endpoint, Flag, IdList, Name,
                                 NoExpiry, Options, ParentTenant, Password, PasswordStatus,
                                 RequiredToken, RoleIds, RoleName, Scope, Status, TenantId,
                                 TenantName, Token, UserName, Events)

MASK = "********"  # what reads show instead of a secret; sending it back keeps the secret


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
    roles: RoleIds
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


class PasswordStatusInfo(Schema):
    """passwordinfo: never the password itself (resetpassword sets that)."""
    passwordStatus: PasswordStatus
    passwordExpiration: NoExpiry = None


class TenantsAdministered(Schema):
    tenantsAdministered: IdList


class PasswordChange(Schema):
    currentPassword: CurrentPassword
    newPassword: Password


class TenantCreate(Schema):
    name: TenantName
    description: Description = ""
    parentTenant: ParentTenant
    status: Status = 1
    importedRoles: IdList = []
    admins: IdList = []


class TenantUpdate(Schema):
    name: TenantName
    description: Description = None
    parentTenant: ParentTenant = None
    status: Status


class TenantAdmins(Schema):
    admins: IdList


class DataSourceCreate(Schema):
    name: DataSourceName
    dataStore: DataStoreId
    description: Description = ""
    options: Options = {}


class DataSourceUpdate(Schema):
    name: DataSourceName = None
    dataStore: DataStoreId = None
    description: Description = None
    options: Options = None


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
# A missing choice reads as the instruction a person needs (the pages' select boxes).
_MISSING = {"oauthAppId": "Choose an OAuth application.", "dataStore": "Choose a data store."}


def missing(field: str) -> str:
    """The message for a required field that was not given."""
    return _MISSING.get(field) or _TYPE_MESSAGES["missing"].format(label=rules.label(field))


def _problem(error: dict) -> tuple[str | None, str]:
    loc = [str(p) for p in error["loc"] if not isinstance(p, int)]
    field = loc[0] if loc else None
    if error["type"] == "missing" and len(loc) == 1:
        return field, missing(loc[0])
    template = _TYPE_MESSAGES.get(error["type"])
    if template is None:
        return field, error["msg"]
    return field, template.format(label=rules.label(loc[-1]) if loc else "The request body")


def parse(schema: type[Schema], data: Any, context: dict | None = None) -> Schema:
    """Validate data against schema (context: what a rule needs from the deployment, e.g.
    OUTBOUND_POLICY). Raises one Invalid listing every offending field, in the schema's
    order, one message each (Invalid.errors); its message and field are the first's."""
    if not isinstance(data, dict):
        raise Invalid("The request body must be a JSON object.")
    try:
        return schema.model_validate(data, context=context)
    except ValidationError as exc:
        problems: dict[str | None, str] = {}
        for error in exc.errors(include_url=False):
            field, message = _problem(error)
            problems.setdefault(field, message)
        raise Invalid.of(list(problems.items())) from None


def required(schema: type[Schema]) -> list[str]:
    """The fields a request to schema must give (the forms mark them)."""
    return [name for name, info in schema.model_fields.items() if info.is_required()]


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
            raise Invalid(missing(key), key)
    return values
