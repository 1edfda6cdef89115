"""tenancy.py without HTTP: administrative access is had by an Administrator, the creator, a
listed admin (= tenantsAdministered), and every system-tenant user on the system tenant; a
child tenant's user administers at most their own tenant."""
from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from webui.domain import bootstrap, tenancy, tenants, users
from webui.domain.caller import Caller
from webui.domain.errors import Invalid
from webui.domain.principal import Principal
from webui.extensions import db
from webui.models import Tenant
from webui.models.tenant import tenant_admin

PASSWORD = "test-password-1234"


def _user(name: str, tenant_id: int, roles: list[int], perms=()) -> Principal:
    user = users.create_user(bootstrap.SYSTEM, {
        "userName": name, "tenantId": tenant_id, "statusInfo": {"status": 1},
        "passwordInfo": {"password": PASSWORD},
        "permissions": {"roles": roles, "permissions": list(perms)}})
    return Principal.of(user)


def _list(tenant_id: int, user_id: int) -> None:
    db.session.execute(insert(tenant_admin).values(tenant_id=tenant_id, user_id=user_id))
    db.session.commit()


@pytest.fixture
def world(app):
    with app.app_context():
        creator = _user("creator", 1, [3], (25,))
        a, roles_a = tenants.create_tenant(Caller.own(creator),
                                           {"name": "A", "parentTenant": 1,
                                            "importedRoles": [2, 3]})
        b, roles_b = tenants.create_tenant(bootstrap.SYSTEM, {"name": "B", "parentTenant": 1,
                                                              "importedRoles": [3]})
        yield {"creator": creator, "a": a.id, "b": b.id, "roles_a": roles_a,
               "roles_b": roles_b}
        db.session.remove()


def test_the_ways_to_administrative_access(world):
    a, b = world["a"], world["b"]
    creator = world["creator"]
    assert tenancy.administers(creator, a) and not tenancy.administers(creator, b)
    assert tenancy.administers(creator, 1)  # system-tenant user, system tenant
    listed = _user("listed", 1, [3])
    assert not tenancy.administers(listed, b)
    _list(b, listed.id)
    assert tenancy.administers(listed, b)
    assert tenancy.administers(bootstrap.SYSTEM.actor, b)  # Administrator


def test_a_child_tenant_user_administers_only_their_own_tenant(world):
    a, b = world["a"], world["b"]
    member = _user("member", a, [world["roles_a"][1]])
    assert not tenancy.administers(member, a)  # not listed
    assert not tenancy.administers(member, 1)
    _list(a, member.id)
    _list(b, member.id)  # a row the use cases refuse to write; the rule ignores it anyway
    assert tenancy.administers(member, a) and not tenancy.administers(member, b)
    ids = set(db.session.scalars(select(Tenant.id).where(tenancy.administered(member,
                                                                               Tenant.id))))
    assert ids == {a}


def test_owning_tenant(world):
    a, b = world["a"], world["b"]
    creator = world["creator"]
    assert tenancy.owning_tenant(creator, None, 1) == 1
    assert tenancy.owning_tenant(creator, a, 1) == a
    for other in (b, 999):
        with pytest.raises(Invalid) as refused:
            tenancy.owning_tenant(creator, other, 1)
        assert refused.value.field == "tenantId"
