"""Export and import: a round trip into an empty installation keeps every object and secret
(compared after decryption), a second import changes nothing, a dry run writes nothing, a
wrong passphrase or a conflict writes nothing, and HDP's own JSON imports."""
from __future__ import annotations

import json
import shutil
import stat

import pytest
from cryptography.fernet import Fernet
from flask.cli import FlaskGroup
from sqlalchemy import func, select, type_coerce, update
from sqlalchemy.types import Text

from tests.conftest import (APP_BODY, PASSWORD, _truncate_and_seed, base_config, basic,
                            scratch_postgres)
from webui import create_app
from webui.domain import bootstrap, roles, users
from webui.extensions import db
from webui.models import AuditEvent, OAuthApplication, OAuthProfile
from webui.transfer import snapshot

PASSPHRASE = "a transfer passphrase 42"
TARGET_KEYS = [Fernet.generate_key().decode()]


@pytest.fixture(scope="module")
def postgres_target():
    """A second PostgreSQL database, for the installation imported into."""
    yield from scratch_postgres("webui_target", base_config("", TOKEN_ENCRYPTION_KEYS=TARGET_KEYS))


@pytest.fixture
def target(app, backend, tmp_path, request):
    """An empty installation (migrated and seeded, no user) with keys of its own."""
    if backend == "sqlite":
        path = tmp_path / "target.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        uri = f"sqlite:///{path}"
    else:
        uri = request.getfixturevalue("postgres_target")
    made = create_app(base_config(uri, TOKEN_ENCRYPTION_KEYS=TARGET_KEYS))
    if backend == "postgresql":
        _truncate_and_seed(made)
    yield made
    with made.app_context():
        db.session.remove()
        db.engine.dispose()


def run(app, *args, passphrase=PASSPHRASE):
    """As `flask --app app ...` runs it (FlaskGroup pushes the app context)."""
    group = FlaskGroup(create_app=lambda: app, add_default_commands=False,
                       load_dotenv=False, set_debug_flag=False)
    return app.test_cli_runner().invoke(
        group, list(args), env={"TRANSFER_PASSPHRASE": passphrase} if passphrase else {})


def everything(app) -> dict:
    with app.app_context():
        return snapshot.take(lambda kind, count: None)


@pytest.fixture
def source(app, client, admin, alice, google_app):
    """Roles, users, an application and profiles with every kind of secret."""
    made = client.post("/api/admin/roles", headers=admin.basic, json={
        "name": "Auditors", "description": "read", "permissions": [1], "users": [alice.id]})
    assert made.status_code == 201, made.json
    for name, who in (("Mine", ""), ("Hers", "?user=alice")):
        response = client.post(f"/api/mgmt/oauthprofiles{who}", headers=admin.basic, json={
            "name": name, "oauthAppId": google_app, "accessToken": f"at-{name}-1",
            "refreshToken": f"rt-{name}-1"})
        assert response.status_code == 201, response.json
    with app.app_context():
        db.session.execute(update(OAuthProfile).where(OAuthProfile.name == "Hers")
                           .values(needs_reauthorization=True))
        db.session.commit()
    return app


def test_export_then_import_into_an_empty_installation_round_trips(source, target,
                                                                   tmp_path):
    file = tmp_path / "moved.export"
    exported = run(source, "export", str(file))
    assert exported.exit_code == 0, exported.output + exported.stderr
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    raw = file.read_bytes()
    assert b"rt-Mine-1" not in raw and APP_BODY["clientSecret"].encode() not in raw
    assert b"argon2" not in raw  # hashes are inside the ciphertext too
    assert "profiles: 2" in exported.stderr
    imported = run(target, "import", str(file))
    assert imported.exit_code == 0, imported.output + imported.stderr
    assert everything(target) == everything(source)
    with target.app_context():  # encrypted at rest under the target's own key
        stored = db.session.scalars(select(type_coerce(OAuthProfile.refresh_token, Text))).all()
        assert stored and all(s and not s.startswith("rt-") for s in stored)
        assert Fernet(TARGET_KEYS[0]).decrypt(stored[0].encode()).decode().startswith("rt-")
    # The moved users sign in with their own passwords.
    answer = target.test_client().get("/api/mgmt/oauthprofiles", headers=basic("alice", PASSWORD))
    assert [p["name"] for p in answer.json["profiles"]] == ["Hers"]
    with target.app_context():  # each object created is in the audit trail, once
        trail = db.session.execute(select(AuditEvent.actor, AuditEvent.action,
                                          AuditEvent.object_type)).all()
    assert trail.count(("(system)", "create", "oauthprofile")) == 2
    assert trail.count(("(system)", "create", "user")) == 2
    again = run(target, "import", str(file))
    assert again.exit_code == 0
    assert "Created 0, updated 0, skipped" in again.stderr
    assert everything(target) == everything(source)
    with target.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == len(trail)


def test_a_dry_run_lists_the_changes_and_writes_nothing(source, target, tmp_path):
    file = tmp_path / "moved.export"
    assert run(source, "export", str(file)).exit_code == 0
    dry = run(target, "import", "--dry-run", str(file))
    assert dry.exit_code == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert "create user alice" in lines and "create application GA_app" in lines
    assert "create profile alice/Hers" in lines
    assert "dry run: nothing written" in dry.stderr
    assert everything(target)["users"] == []
    with source.app_context():  # the source changes: the import updates only that
        db.session.execute(update(OAuthApplication).values(description="changed"))
        db.session.commit()
    assert run(target, "import", str(file)).exit_code == 0
    assert run(source, "export", str(file)).exit_code == 0
    changed = run(target, "import", "--dry-run", str(file))
    assert "update application GA_app" in changed.stdout.splitlines()
    assert "skip user alice" in changed.stdout.splitlines()


def test_a_wrong_passphrase_fails_and_writes_nothing(source, target, tmp_path):
    file = tmp_path / "moved.export"
    assert run(source, "export", str(file)).exit_code == 0
    refused = run(target, "import", str(file), passphrase="not the right passphrase")
    assert refused.exit_code == 1
    assert "Wrong passphrase" in refused.stderr
    assert "not the right passphrase" not in refused.stderr + refused.output
    assert everything(target)["users"] == []


def test_a_short_passphrase_is_refused_at_export(source, tmp_path):
    refused = run(source, "export", str(tmp_path / "x"), passphrase="short")
    assert refused.exit_code == 1 and "at least 12" in refused.stderr
    assert not (tmp_path / "x").exists()


HDP_APPS = {"applications": [{
    "id": 17, "name": "Google_OAuth", "dataStore": 54, "tenantId": 303,
    "description": "from HDP", "clientId": "hdp-client-id", "clientSecret": "hdp-secret-1912",
    "authorizeURI": "https://accounts.google.com/o/oauth2/v2/auth",
    "tokenURI": "https://www.googleapis.com/oauth2/v3/token", "scope": "openid"}]}
HDP_PROFILES = {"profiles": [{
    "id": 33, "name": "User_1", "oauthAppId": 17, "description": "OAuth profile 1",
    "accessToken": "111c334445e55", "refreshToken": "222d88899966fa"}]}


def test_hdp_json_imports(target, tmp_path):
    with target.app_context():
        users.create_user(bootstrap.SYSTEM, {
            "userName": "mover", "statusInfo": {"status": 1},
            "passwordInfo": {"password": PASSWORD},
            "permissions": {"roles": [roles.role_id_by_name("User")], "permissions": []}})
        db.session.remove()
    (tmp_path / "apps.json").write_text(json.dumps(HDP_APPS))
    (tmp_path / "profiles.json").write_text(json.dumps(HDP_PROFILES))
    files = [str(tmp_path / "apps.json"), str(tmp_path / "profiles.json")]
    done = run(target, "import", "--from-hdp", "--owner", "mover", *files, passphrase=None)
    assert done.exit_code == 0, done.stderr
    moved = everything(target)
    assert [(a["name"], a["clientSecret"]) for a in moved["applications"]] == [
        ("Google_OAuth", "hdp-secret-1912")]
    assert [(p["owner"], p["name"], p["application"], p["accessToken"], p["refreshToken"])
            for p in moved["profiles"]] == [
        ("mover", "User_1", "Google_OAuth", "111c334445e55", "222d88899966fa")]
    again = run(target, "import", "--from-hdp", "--owner", "mover", *files, passphrase=None)
    assert "Created 0, updated 0, skipped 2" in again.stderr


def test_a_conflict_is_named_and_nothing_is_half_imported(target, tmp_path):
    (tmp_path / "hdp.json").write_text(json.dumps({**HDP_APPS, **HDP_PROFILES}))
    refused = run(target, "import", "--from-hdp", "--owner", "nobody",
                  str(tmp_path / "hdp.json"), passphrase=None)
    assert refused.exit_code == 1
    assert "profile 'nobody/User_1': no user 'nobody'" in refused.stderr
    assert everything(target)["applications"] == []  # the valid application was not kept
