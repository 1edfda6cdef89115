"""User, role, on-behalf and credential use cases called directly (no HTTP)."""
import pytest

from tests.conftest import PASSWORD
from webui.domain import bootstrap, credentials, roles, users
from webui.domain.acting import resolve
from webui.domain.caller import Caller
from webui.domain.error_codes import Code
from webui.domain.errors import (Conflict, Forbidden, Invalid, NotAuthenticated, NotFound,
                                 RuleViolation)
from webui.domain.permissions import Permission
from webui.domain.principal import Principal
from webui.extensions import db

SYSTEM = bootstrap.SYSTEM


def user_body(name, roles_=(2,), permissions=(), status=1, password=PASSWORD):
    return {"userName": name, "statusInfo": {"status": status},
            "passwordInfo": {"password": password},
            "permissions": {"roles": list(roles_), "permissions": list(permissions)}}


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


def principal(name):
    return Principal.of(users.user_by_name(name))


def me(name):
    """name, calling the use cases for themself."""
    return Caller.own(principal(name))


def test_effective_permissions_are_roles_plus_explicit(ctx):
    users.create_user(SYSTEM, user_body("u", permissions=(21, 28)))
    assert principal("u").permissions == frozenset(range(1, 12)) | {21, 28}
    users.create_user(SYSTEM, user_body("t", roles_=(2, 3)))
    assert principal("t").permissions == frozenset(range(1, 22)) - {12}


def test_password_is_hashed_with_argon2id(ctx):
    user = users.create_user(SYSTEM, user_body("u"))
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_authenticate(ctx):
    users.create_user(SYSTEM, user_body("u"))
    users.create_user(SYSTEM, user_body("sleeper", status=0))
    assert credentials.authenticate("u", PASSWORD).user_name == "u"
    for name, password in (("u", "wrong-password-x"), ("sleeper", PASSWORD),
                           ("ghost", PASSWORD)):
        with pytest.raises(NotAuthenticated):
            credentials.authenticate(name, password)


def test_every_credential_change_invalidates_the_cache(ctx):
    users.create_user(SYSTEM, user_body("root", roles_=(1,)))
    target = users.create_user(SYSTEM, user_body("u"))
    root = me("root")
    assert credentials.authenticate("u", PASSWORD).permissions == frozenset(range(1, 12))
    users.update_user(root, target.id, {"permissions": {"roles": [2], "permissions": [28]}})
    assert 28 in credentials.authenticate("u", PASSWORD).permissions
    users.reset_password(root, target.id, {"newPassword": "completely-new-99"})
    with pytest.raises(NotAuthenticated):
        credentials.authenticate("u", PASSWORD)
    assert credentials.authenticate("u", "completely-new-99")
    users.update_user(root, target.id, {"statusInfo": {"status": 0}})
    with pytest.raises(NotAuthenticated):
        credentials.authenticate("u", "completely-new-99")


def test_role_permission_change_reaches_members_at_once(ctx):
    users.create_user(SYSTEM, user_body("root", roles_=(1,)))
    role = roles.create_role(SYSTEM, {"name": "viewers", "permissions": [11, 14],
                                      "users": []})
    target = users.create_user(SYSTEM, user_body("u", roles_=(role.id,)))
    assert 14 in credentials.authenticate("u", PASSWORD).permissions
    roles.update_role(me("root"), role.id, {"permissions": [11]})
    assert 14 not in credentials.authenticate("u", PASSWORD).permissions
    assert target.id == credentials.authenticate("u", PASSWORD).id


def test_last_active_administrator_is_kept(ctx):
    root = users.create_user(SYSTEM, user_body("root", roles_=(1,)))
    with pytest.raises(RuleViolation) as raised:
        users.delete_user(SYSTEM, root.id)
    assert raised.value.code == Code.RULE_VIOLATION and raised.value.status == 409
    with pytest.raises(RuleViolation):
        users.update_user(SYSTEM, root.id, {"statusInfo": {"status": 0}})
    with pytest.raises(RuleViolation):
        users.update_user(SYSTEM, root.id, {"permissions": {"roles": [2]}})
    with pytest.raises(RuleViolation):
        roles.update_role(SYSTEM, 1, {"users": []})
    assert users.get_user(SYSTEM, root.id).active
    other = users.create_user(SYSTEM, user_body("other", roles_=(1,)))
    users.delete_user(me("other"), root.id)
    with pytest.raises(NotFound):
        users.get_user(SYSTEM, root.id)
    with pytest.raises(RuleViolation):
        users.delete_user(me("other"), other.id)  # own account


def test_own_roles_cannot_change(ctx):
    users.create_user(SYSTEM, user_body("root", roles_=(1,)))
    users.create_user(SYSTEM, user_body("root2", roles_=(1,)))
    root = me("root")
    with pytest.raises(Forbidden):
        users.update_user(root, root.actor.id, {"permissions": {"roles": [1, 3]}})
    with pytest.raises(Forbidden):
        roles.update_role(root, 3, {"users": [root.actor.id]})
    with pytest.raises(Forbidden):
        roles.create_role(root, {"name": "mine", "permissions": [], "users": [root.actor.id]})
    # Their own name and status are theirs to change.
    assert users.update_user(root, root.actor.id, {"userName": "root_renamed"}).user_name == \
        "root_renamed"


def test_non_admin_grants_and_targets(ctx):
    root = users.create_user(SYSTEM, user_body("root", roles_=(1,)))
    users.create_user(SYSTEM, user_body("tadmin", roles_=(3,)))
    tadmin = me("tadmin")
    with pytest.raises(Forbidden):
        users.create_user(tadmin, user_body("x", roles_=(1,)))
    with pytest.raises(Forbidden):
        users.create_user(tadmin, user_body("x", permissions=(28,)))
    plain = users.create_user(tadmin, user_body("x", permissions=(21,)))
    users.reset_password(tadmin, plain.id, {"newPassword": "reset-by-tadmin-1"})
    for call in (lambda: users.reset_password(tadmin, root.id,
                                              {"newPassword": "reset-by-tadmin-1"}),
                 lambda: users.update_user(tadmin, root.id, {"statusInfo": {"status": 0}}),
                 lambda: users.delete_user(tadmin, root.id)):
        with pytest.raises(Forbidden):
            call()
    with pytest.raises(Forbidden):
        roles.update_role(tadmin, 1, {"users": [root.id, plain.id]})


def test_user_name_is_unique(ctx):
    users.create_user(SYSTEM, user_body("u"))
    with pytest.raises(Conflict) as raised:
        users.create_user(SYSTEM, user_body("u"))
    assert raised.value.field == "userName"


def test_role_rules(ctx):
    users.create_user(SYSTEM, user_body("root", roles_=(1,)))
    root = me("root")
    for role_id in (1, 2, 3):
        with pytest.raises(RuleViolation):
            roles.delete_role(root, role_id)
        with pytest.raises(Invalid):
            roles.update_role(root, role_id, {"permissions": [1]})
    role = roles.create_role(root, {"name": "custom", "permissions": [7], "users": []})
    with pytest.raises(Conflict):
        roles.create_role(root, {"name": "custom", "permissions": [], "users": []})
    member = users.create_user(SYSTEM, user_body("m", roles_=(role.id,)))
    with pytest.raises(RuleViolation):
        roles.delete_role(root, role.id)
    roles.update_role(root, role.id, {"users": []})
    roles.delete_role(root, role.id)
    with pytest.raises(NotFound) as raised:
        roles.get_role(root, role.id)
    assert raised.value.code == Code.ROLE_NOT_FOUND
    assert users.get_user(root, member.id).roles == []


def test_acting_for(ctx):
    users.create_user(SYSTEM, user_body("root", roles_=(1,)))
    users.create_user(SYSTEM, user_body("alice"))
    users.create_user(SYSTEM, user_body("delegate", permissions=(21,)))
    root, alice, delegate = principal("root"), principal("alice"), principal("delegate")
    assert resolve(root, "alice").subject.id == alice.id
    assert resolve(alice, None).subject is alice and not resolve(alice, None).on_behalf
    assert resolve(alice, "alice").subject is alice
    assert resolve(alice, None).require(Permission.VIEW_DATA_SOURCE) is alice
    on_behalf = resolve(delegate, "alice")
    assert on_behalf.require(Permission.VIEW_DATA_SOURCE).id == alice.id
    with pytest.raises(Forbidden):
        on_behalf.require(Permission.CREATE_USERS)
    with pytest.raises(Forbidden):
        resolve(alice, "delegate")  # alice may not act for anyone
    with pytest.raises(NotFound) as raised:
        resolve(root, "ghost")
    assert raised.value.code == Code.USER_NOT_FOUND
    # A door's demands take part in the on-behalf rule too (the Management API: MgmtAPI).
    plain_delegate = resolve(delegate, "alice")
    assert plain_delegate.require() == alice
    with pytest.raises(Forbidden):
        resolve(delegate, "alice", demands=(Permission.TENANT_API,))
