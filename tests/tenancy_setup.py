"""Two child tenants, each with a tenant administrator and a user, made through the API."""
from __future__ import annotations

from dataclasses import dataclass

from tests.conftest import PASSWORD, Account

TENANTS = "/api/admin/tenants"
USERS = "/api/admin/users"


@dataclass(frozen=True)
class Org:
    id: int
    user_role: int
    admin_role: int
    admin: Account
    user: Account


def make_tenant(client, admin, name: str, **extra) -> dict:
    response = client.post(TENANTS, headers=admin.basic, json={
        "name": name, "parentTenant": 1, "importedRoles": [2, 3], **extra})
    assert response.status_code == 201, response.json
    return response.json


def make_member(client, admin, tenant_id: int, name: str, roles: list[int],
                permissions: tuple[int, ...] = ()) -> Account:
    response = client.post(USERS, headers=admin.basic, json={
        "userName": name, "tenantId": tenant_id, "statusInfo": {"status": 1},
        "passwordInfo": {"password": PASSWORD},
        "permissions": {"roles": roles, "permissions": list(permissions)}})
    assert response.status_code == 201, response.json
    return Account(response.json["id"], name, PASSWORD)


def make_org(client, admin, name: str) -> Org:
    """A child tenant with copies of User and Tenant Administrator, a tenant administrator
    listed among its admins (holding OAuth (28) too) and a plain user."""
    tenant = make_tenant(client, admin, name)
    user_role, admin_role = tenant["roles"]
    boss = make_member(client, admin, tenant["id"], f"{name}_admin", [admin_role], (28,))
    assert client.put(f"{TENANTS}/{tenant['id']}/admins", headers=admin.basic,
                      json={"admins": [boss.id]}).status_code == 200
    user = make_member(client, admin, tenant["id"], f"{name}_user", [user_role])
    return Org(tenant["id"], user_role, admin_role, boss, user)
