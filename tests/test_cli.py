"""flask init-db | create-user | rotate-keys, through the same FlaskGroup as `flask --app`."""
import pytest
from flask.cli import FlaskGroup
from cryptography.fernet import Fernet
from sqlalchemy import Text, func, select, type_coerce

from tests.conftest import APP_BODY, base_config
from webui import create_app
from webui.domain import bootstrap, oauthapps, profiles, users
from webui.domain.caller import Caller
from webui.domain.principal import Principal
from webui.extensions import db
from webui.models import OAuthApplication, OAuthProfile, PermissionDefinition, Role, Tenant, User
from webui.startup import prepare

STRONG = "a-strong-password-42"


def invoke(app, *args):
    """Run a command as `flask --app app ...` does (FlaskGroup pushes the app context)."""
    group = FlaskGroup(create_app=lambda: app, add_default_commands=False,
                       load_dotenv=False, set_debug_flag=False)
    return app.test_cli_runner().invoke(group, list(args))


def counts(app):
    with app.app_context():
        result = {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                  for model in (Tenant, PermissionDefinition, Role, User)}
        db.session.remove()
    return result


def test_init_db_on_a_fresh_database_is_idempotent(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
                                 ADMIN_PASSWORD=STRONG))
    for _ in range(2):
        result = invoke(app, "init-db")
        assert result.exit_code == 0, result.output
        assert "Database is up to date." in result.output
        assert counts(app) == {"Tenant": 1, "PermissionDefinition": 24, "Role": 3, "User": 1}
    assert STRONG not in result.output
    with app.app_context():
        db.engine.dispose()


def test_init_db_twice_on_an_existing_database(app):
    app.config["ADMIN_PASSWORD"] = STRONG
    for _ in range(2):
        assert invoke(app, "init-db").exit_code == 0
        assert counts(app) == {"Tenant": 1, "PermissionDefinition": 24, "Role": 3, "User": 1}
    with app.app_context():
        assert users.user_by_name("admin").granted() == frozenset(
            p.id for p in db.session.scalars(select(PermissionDefinition)))


def test_init_db_prints_a_generated_password_once(app):
    first = invoke(app, "init-db")
    assert first.exit_code == 0 and "Created the first Administrator" in first.output
    second = invoke(app, "init-db")
    assert "Created the first Administrator" not in second.output


def test_init_db_refuses_a_weak_admin_password_with_a_click_message(app):
    app.config["ADMIN_PASSWORD"] = "short"
    result = invoke(app, "init-db")
    assert result.exit_code == 1
    assert result.output.strip().endswith(
        "Error: ADMIN_PASSWORD: Passwords must be at least 12 characters.")
    assert counts(app)["User"] == 0


def test_create_user_with_hdp_role_names_and_permissions(app):
    result = invoke(app, "create-user", "carol", "--password", STRONG,
                    "--role", "Tenant Administrator", "--role", "User", "--permission", "28")
    assert result.exit_code == 0, result.output
    assert "Created user carol" in result.output
    with app.app_context():
        user = users.user_by_name("carol")
        assert sorted(r.name for r in user.roles) == ["Tenant Administrator", "User"]
        assert [p.id for p in user.permissions] == [28] and user.active
        assert user.password_hash.startswith("$argon2id$")


def test_create_user_defaults_to_the_user_role_and_can_be_inactive(app):
    assert invoke(app, "create-user", "dave", "--password", STRONG, "--inactive"
                  ).exit_code == 0
    with app.app_context():
        user = users.user_by_name("dave")
        assert [r.name for r in user.roles] == ["User"] and not user.active


@pytest.mark.parametrize("args,message", [
    (["--role", "Superuser"], "There is no role named 'Superuser'."),
    (["--permission", "99"], "There is no Permission with that id: 99"),
    (["--password", "short"], "Passwords must be at least 12 characters."),
])
def test_create_user_errors_are_click_messages(app, args, message):
    base = ["create-user", "erin", "--password", STRONG]
    if args[0] == "--password":
        base = base[:2]
    result = invoke(app, *base, *args)
    assert result.exit_code == 1 and result.exception.__class__ is SystemExit
    assert result.output.strip() == f"Error: {message}"
    assert "Traceback" not in result.output
    assert counts(app)["User"] == 0


def test_create_user_twice_is_a_click_message(app):
    invoke(app, "create-user", "erin", "--password", STRONG)
    result = invoke(app, "create-user", "erin", "--password", STRONG)
    assert result.exit_code == 1
    assert result.output.strip() == "Error: A user with this name already exists."


def store_secrets(app):
    """An application and a profile written under the app's keys; returns their ids."""
    with app.app_context():
        application = oauthapps.create_application(bootstrap.SYSTEM, APP_BODY)
        owner = users.create_user(bootstrap.SYSTEM, {
            "userName": "owner", "statusInfo": {"status": 1},
            "passwordInfo": {"password": STRONG}, "permissions": {"roles": [2]}})
        profile = profiles.create_profile(Caller.own(Principal.of(owner)), {
            "name": "p", "oauthAppId": application.id, "accessToken": "access-1",
            "refreshToken": "refresh-1"})
        ids = application.id, profile.id, owner.id
        db.session.remove()
    return ids


def read_secrets(app, ids):
    app_id, profile_id, owner_id = ids
    with app.app_context():
        owner = Caller.own(Principal.of(db.session.get(User, owner_id)))
        secret = oauthapps.get_application(bootstrap.SYSTEM, app_id,
                                           with_secret=True).client_secret
        profile = profiles.get_profile(owner, profile_id, with_tokens=True)
        found = secret, profile.access_token, profile.refresh_token
        db.session.remove()
    return found


def test_rotate_keys_leaves_rows_readable_with_only_the_new_key(app, app_config):
    ids = store_secrets(app)  # under the old key (the fixture's)
    new = Fernet.generate_key().decode()
    only_new = create_app({**app_config, "TOKEN_ENCRYPTION_KEYS": [new]})
    with pytest.raises(SystemExit):
        prepare(only_new)  # not rotated yet: the new key alone cannot read them
    old = app_config["TOKEN_ENCRYPTION_KEYS"]
    both = create_app({**app_config, "TOKEN_ENCRYPTION_KEYS": [new, *old]})
    result = invoke(both, "rotate-keys", "--batch", "1")
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 3 secrets" in result.output
    only_new = create_app({**app_config, "TOKEN_ENCRYPTION_KEYS": [new]})
    prepare(only_new)  # starts
    assert read_secrets(only_new, ids) == (APP_BODY["clientSecret"], "access-1", "refresh-1")
    with only_new.app_context():  # the stored text is ciphertext under the new key
        raw = db.session.scalar(select(type_coerce(OAuthProfile.refresh_token, Text)))
        assert "refresh-1" not in raw
        assert Fernet(new.encode()).decrypt(raw.encode()) == b"refresh-1"
        raw = db.session.scalar(select(type_coerce(OAuthApplication.client_secret, Text)))
        assert Fernet(new.encode()).decrypt(raw.encode()).decode() == APP_BODY["clientSecret"]
    for a in (only_new, both):
        with a.app_context():
            db.session.remove()
            db.engine.dispose()


def test_rotate_keys_without_the_old_key_fails_cleanly(app, app_config):
    ids = store_secrets(app)
    wrong = create_app({**app_config, "TOKEN_ENCRYPTION_KEYS": [Fernet.generate_key().decode()]})
    result = invoke(wrong, "rotate-keys")
    assert result.exit_code == 1 and result.output.startswith("Error: ")
    assert "Traceback" not in result.output
    assert read_secrets(app, ids) == (APP_BODY["clientSecret"], "access-1", "refresh-1")
    with wrong.app_context():
        db.engine.dispose()
