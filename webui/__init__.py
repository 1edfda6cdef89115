"""The OAuth Profile Manager: an HDP-compatible Management API and admin UI."""
from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any, Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webui import admin, api, auth, cli, config, errors, oauthflow, ops
from webui.application import Application
from webui.api.auth import attempted_sign_in as api_sign_in
from webui.api.converters import IdConverter
from webui.api.sessionless import SessionlessApi
from webui.auth.views import attempted_sign_in as login_form_sign_in
from webui.domain import credentials, passwords
from webui.extensions import csrf, db, login_manager, migrate
from webui.infra import cipher, logs, metrics, prepared, readiness, security_headers, throttle
from webui.infra.database import configure_engine
from webui.infra.json_provider import OrjsonProvider

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
log = logging.getLogger(__name__)


def create_app(test_config: Mapping[str, Any] | None = None,
               instance_path: str | Path | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then the environment (or, in tests,
    the given mapping instead of the last two). instance_path replaces ROOT/instance (tests
    point it at a temporary folder). Raises SystemExit naming a malformed environment
    variable."""
    # instance_relative_config: "config.py" below is instance/config.py, not webui/config.py.
    app = Application(__name__, instance_path=str(instance_path or ROOT / "instance"),
                instance_relative_config=True,
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.config.from_object(config.Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        try:
            app.config.update(config.from_env())
        except config.SettingError as exc:
            raise SystemExit(f"Refusing to start: {exc}") from None
        # A served process (not a test's app) writes its log lines in the configured format.
        logs.install(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    else:
        app.config.update(test_config)
    fill_defaults(app)
    app.url_map.converters["id"] = IdConverter
    app.session_interface = SessionlessApi()
    app.json = OrjsonProvider(app)
    register_extensions(app)
    logs.register(app)
    metrics.register(app)
    register_blueprints(app)
    errors.register(app)
    throttle.register(app, (api_sign_in, login_form_sign_in))
    security_headers.register(app)
    cli.register(app)
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def fill_defaults(app: Flask) -> None:
    """Settings whose default lives in the instance folder, never in code."""
    instance = Path(app.instance_path)
    cfg = app.config
    if not cfg.get("SQLALCHEMY_DATABASE_URI"):
        instance.mkdir(parents=True, exist_ok=True)
        cfg["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'webui.sqlite3'}"
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = config.secret_file(instance, "secret_key",
                                               lambda: secrets.token_hex(32))
    if not cfg.get("TOKEN_ENCRYPTION_KEYS"):
        cfg["TOKEN_ENCRYPTION_KEYS"] = [config.secret_file(instance, "token_keys", cipher.new_key)]
    uri = cfg["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://") or uri.startswith("postgresql://"):
        # Plain URLs name the psycopg 3 driver we ship.
        cfg["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.split("://", 1)[1]
    options = dict(cfg.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("hide_parameters", True)  # bound values (tokens) never reach logs
    if not uri.startswith("sqlite"):
        options.setdefault("pool_pre_ping", True)
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = options
    cfg["SESSION_COOKIE_SECURE"] = bool(cfg["SESSION_COOKIE_SECURE"])
    cfg["REMEMBER_COOKIE_SECURE"] = cfg["SESSION_COOKIE_SECURE"]


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    login_manager.init_app(app)
    app.extensions[cipher.EXTENSION] = cipher.build_cipher(app.config["TOKEN_ENCRYPTION_KEYS"])
    app.extensions[passwords.EXTENSION] = passwords.build_hasher(app.config)
    app.extensions[credentials.EXTENSION] = credentials.new_cache(app.config)
    readiness.register(app, MIGRATIONS)
    prepared.register(app)
    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(api.bp)
    # The API authenticates from the Authorization header only, never from the session
    # cookie, so cross-site requests cannot ride on a browser's UI login, and Flask-WTF's
    # CSRF tokens do not apply; a browser's cached Basic credentials are refused cross-site
    # by the API blueprint itself (Sec-Fetch-Site).
    csrf.exempt(api.bp)
    # The web UI: browser sessions through Flask-Login and domain.sessions.
    auth.init_login(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(oauthflow.bp)  # /oauth2callback, authorize, test connection
    # Probes and the metrics scrape: no caller, no form, nothing to forge.
    app.register_blueprint(ops.bp)
    csrf.exempt(ops.bp)
