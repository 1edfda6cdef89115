"""A live server (SQLite file, werkzeug in a thread) and a Playwright page driving Debian's
chromium. Playwright never downloads a browser here: the system one is passed in."""
from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD, base_config, unavailable
from tests.oauth_provider import CLIENT_ID, CLIENT_SECRET, LOCAL_PROVIDER, Server
from webui import create_app
from webui.domain import bootstrap, oauthapps, roles, users
from webui.extensions import db

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-extensions"]


def _account(name: str, role: str) -> None:
    users.create_user(bootstrap.SYSTEM, {
        "userName": name, "statusInfo": {"status": 1}, "passwordInfo": {"password": PASSWORD},
        "permissions": {"roles": [roles.role_id_by_name(role)], "permissions": []}})


@contextmanager
def provider_server(path: Path, sqlite_template, provider, account: str, role: str
                    ) -> Iterator[tuple[str, int]]:
    """The app on a live loopback server beside the local provider: one account (``role``,
    tests.conftest.PASSWORD) and an application "Local_provider" registered with it. Yields
    (base URL, application id). No coalescing window: a refresh right after another (a
    "Test connection" after authorizing) must reach the provider."""
    shutil.copy(sqlite_template, path)
    app = create_app(base_config(f"sqlite:///{path}", **LOCAL_PROVIDER,
                                 OAUTH_REFRESH_COALESCE_SECONDS=0))
    with Server(app) as server:
        app.config["PUBLIC_BASE_URL"] = server.url
        provider.register(CLIENT_ID, CLIENT_SECRET, server.url + "/oauth2callback")
        with app.app_context():
            _account(account, role)
            app_id = oauthapps.create_application(bootstrap.SYSTEM, {
                "name": "Local_provider", "dataStore": 63, "clientId": CLIENT_ID,
                "clientSecret": CLIENT_SECRET, "scope": "read write",
                "description": "The local test provider", **provider.endpoints()}).id
            db.session.remove()
        yield server.url, app_id
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(tmp_path, sqlite_template):
    """Base URL of the app served on 127.0.0.1 (an administrator "admin" and a user "alice",
    both with tests.conftest.PASSWORD)."""
    path = tmp_path / "live.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app(base_config(f"sqlite:///{path}"))
    with app.app_context():
        _account("admin", "Administrator")
        _account("alice", "User")
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def chromium():
    executable = shutil.which("chromium")
    if executable is None:
        unavailable("chromium is not installed (scripts/setup.sh installs it with apt-get)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1100, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def shot(page, name: str) -> Path:
    """Save a full-page screenshot as tests/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
