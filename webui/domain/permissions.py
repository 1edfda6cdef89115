"""The permission vocabulary (HDP's numbers, stored and sent as integers) and the one check.

Use cases do not call these directly: they ask the request's Caller (caller.py), which
applies them with the on-behalf rule and the door's demands."""
from __future__ import annotations

from enum import IntEnum
from typing import Iterable, Protocol


class Permission(IntEnum):
    # Never renumber: these are HDP's ids, stored in the database and sent over the API.
    CREATE_DATA_SOURCE = 1
    VIEW_DATA_SOURCE = 2
    MODIFY_DATA_SOURCE = 3
    DELETE_DATA_SOURCE = 4
    USE_DATA_SOURCE_WITH_JDBC = 5
    USE_DATA_SOURCE_WITH_ODBC = 6
    USE_DATA_SOURCE_WITH_ODATA = 7
    WEB_UI = 8
    CHANGE_PASSWORD = 9
    SQL_EDITOR_WEB_UI = 10
    MGMT_API = 11
    ADMINISTRATOR = 12
    CREATE_USERS = 13
    VIEW_USERS = 14
    MODIFY_USERS = 15
    DELETE_USERS = 16
    CREATE_ROLE = 17
    VIEW_ROLE = 18
    MODIFY_ROLE = 19
    DELETE_ROLE = 20
    ON_BEHALF_OF = 21
    TENANT_API = 25
    LIMITS = 27
    OAUTH = 28


# id -> (HDP name, one-line description)
CATALOGUE: dict[Permission, tuple[str, str]] = {
    Permission.CREATE_DATA_SOURCE: ("CreateDataSource", "May create data sources and OAuth profiles."),
    Permission.VIEW_DATA_SOURCE: ("ViewDataSource", "May view own data sources and OAuth profiles."),
    Permission.MODIFY_DATA_SOURCE: ("ModifyDataSource", "May modify own data sources and OAuth profiles."),
    Permission.DELETE_DATA_SOURCE: ("DeleteDataSource", "May delete own data sources and OAuth profiles."),
    Permission.USE_DATA_SOURCE_WITH_JDBC: ("UseDataSourceWithJDBC", "May query own data sources via JDBC."),
    Permission.USE_DATA_SOURCE_WITH_ODBC: ("UseDataSourceWithODBC", "May query own data sources via ODBC."),
    Permission.USE_DATA_SOURCE_WITH_ODATA: ("UseDataSourceWithOData", "May send OData requests to own data sources."),
    Permission.WEB_UI: ("WebUI", "May use the web UI, within the other permissions."),
    Permission.CHANGE_PASSWORD: ("ChangePassword", "May change own password."),
    Permission.SQL_EDITOR_WEB_UI: ("SQLEditorWebUI", "May use the SQL editor in the web UI."),
    Permission.MGMT_API: ("MgmtAPI", "May use the Management API."),
    Permission.ADMINISTRATOR: ("Administrator", "Super user: may perform any operation."),
    Permission.CREATE_USERS: ("CreateUsers", "May create users in administered tenants."),
    Permission.VIEW_USERS: ("ViewUsers", "May list and view users in administered tenants."),
    Permission.MODIFY_USERS: ("ModifyUsers", "May modify users in administered tenants."),
    Permission.DELETE_USERS: ("DeleteUsers", "May delete users in administered tenants."),
    Permission.CREATE_ROLE: ("CreateRole", "May create roles in administered tenants."),
    Permission.VIEW_ROLE: ("ViewRole", "May list and view roles in administered tenants."),
    Permission.MODIFY_ROLE: ("ModifyRole", "May modify roles in administered tenants."),
    Permission.DELETE_ROLE: ("DeleteRole", "May delete roles in administered tenants."),
    Permission.ON_BEHALF_OF: ("OnBehalfOf", "May manage other users' resources with ?user=."),
    Permission.TENANT_API: ("TenantAPI", "May use the Tenant API."),
    Permission.LIMITS: ("Limits", "May view and set limits."),
    Permission.OAUTH: ("OAuth", "May create and manage OAuth applications (with MgmtAPI)."),
}

USER_PERMISSIONS = frozenset(Permission(i) for i in range(1, 12))
TENANT_PERMISSIONS = frozenset(Permission(i) for i in range(13, 22))

# The three predefined roles of the system tenant: id -> (name, description, permissions)
DEFAULT_ROLES: dict[int, tuple[str, str, frozenset[Permission]]] = {
    1: ("Administrator", "Has all permissions; cannot be modified or deleted.",
        frozenset(Permission)),
    2: ("User", "The default permissions a normal user is expected to have.", USER_PERMISSIONS),
    3: ("Tenant Administrator", "All the tenant administrator permissions.",
        USER_PERMISSIONS | TENANT_PERMISSIONS),
}


class HasGrants(Protocol):
    def granted(self) -> frozenset[int]: ...


def name_of(perm: int) -> str:
    return CATALOGUE[Permission(perm)][0]


def has_permission(user: HasGrants | None, perm: Permission) -> bool:
    """True when the user holds perm. Administrator (12) holds every permission."""
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    granted = user.granted()
    return perm in granted or Permission.ADMINISTRATOR in granted


def has_all(user: HasGrants | None, perms: Iterable[Permission]) -> bool:
    return all(has_permission(user, p) for p in perms)
