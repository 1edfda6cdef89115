"""Configuration: defaults, then instance/config.py, then the environment.

Every setting that the environment may override is listed in ENV_SETTINGS with its parser,
so the README's configuration table and the code agree on one list.
"""
from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Mapping

from webui.infra.outbound import networks


class Defaults:
    # Database: None means "SQLite file in the instance folder" (filled in by the factory).
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 30_000
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # The whole request body, forms included: the API's largest legal body is far below this.
    MAX_CONTENT_LENGTH = 64 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which has its own limits
    # The outbound policy (webui/infra/outbound.py). https to public addresses only; these
    # networks (comma-separated CIDRs) are opened besides, e.g. an on-premises provider.
    OAUTH_ALLOWED_NETWORKS = ""
    # http, to a loopback address only (development and tests).
    ALLOW_HTTP_LOOPBACK_OAUTH = False
    # Seconds to connect; seconds for a whole outbound call (connect and every read), kept
    # under gunicorn's worker timeout; the largest answer body accepted, sent or decoded.
    OAUTH_CONNECT_TIMEOUT = 5.0
    OUTBOUND_DEADLINE_SECONDS = 20.0
    OUTBOUND_MAX_BODY_BYTES = 64 * 1024
    # A CA bundle (PEM file) to verify providers with, instead of the system's.
    OAUTH_CA_BUNDLE: str | None = None
    # The token service: a token handed out is valid at least this long, or refreshed first.
    TOKEN_MIN_TTL_SECONDS = 60
    # Background refresh (webui/domain/due.py): refresh tokens expiring within this many
    # seconds; keep tokens without a known expiry alive every this many days; after a
    # transient failure wait REFRESH_RETRY_BASE_SECONDS * 2^(n-1) (with jitter, at most an
    # hour) and give up after REFRESH_MAX_ATTEMPTS; at most REFRESH_PER_HOST token requests
    # at once to one provider host.
    REFRESH_AHEAD_SECONDS = 600
    REFRESH_KEEPALIVE_DAYS = 7
    REFRESH_RETRY_BASE_SECONDS = 60
    REFRESH_MAX_ATTEMPTS = 5
    REFRESH_PER_HOST = 4
    # The Celery broker (Redis: "redis://host:6379/0") of the background refresh and webhook
    # deliveries (webui/tasks.py). None: no broker; `flask refresh-due` passes do the work.
    CELERY_BROKER_URL: str | None = None
    # How often Celery beat looks for what is due (webui/tasks.py find_due).
    REFRESH_BEAT_SECONDS = 30
    # Webhook deliveries (webui/domain/deliveries.py): attempts before a delivery is failed,
    # the first wait between attempts (doubling, with jitter, at most an hour).
    WEBHOOK_MAX_ATTEMPTS = 8
    WEBHOOK_RETRY_BASE_SECONDS = 30
    # How long a started authorization (its state) may wait for the provider's callback.
    OAUTH_STATE_LIFETIME = timedelta(minutes=10)
    # Refreshes of one profile within this many seconds of a successful one are coalesced.
    OAUTH_REFRESH_COALESCE_SECONDS = 5
    # Return client secrets and tokens in clear on GET, as HDP does (off: masked).
    EXPOSE_SECRETS_ON_READ = False
    # Argon2id cost. The defaults are argon2-cffi's RFC 9106 low-memory profile.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    # How long a verified Basic-auth credential is accepted without rehashing.
    CREDENTIAL_CACHE_SECONDS = 60
    # Where rate-limit counters live ("memory://" only with a single worker).
    RATELIMIT_STORAGE_URI = "memory://"
    # Failed sign-ins allowed per client address, and per account from all addresses together
    # (webui/throttle.py); the second is larger so one client alone cannot lock an account.
    LOGIN_FAILURE_LIMIT = "10 per minute"
    ACCOUNT_FAILURE_LIMIT = "30 per minute"
    # A client that signed in to an account within this many days is exempt from that
    # account's counter (the per-address counter still applies).
    KNOWN_CLIENT_DAYS = 30
    # Reverse proxy hops to trust for X-Forwarded-* (0: not behind a proxy).
    PROXY_FIX_HOPS = 0
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    TOKEN_ENCRYPTION_KEYS: list[str] | None = None
    ADMIN_PASSWORD: str | None = None


def _bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


def _keys(text: str) -> list[str]:
    return [k.strip() for k in text.split(",") if k.strip()]


def _networks(text: str) -> str:
    networks(text)  # raises ValueError naming a malformed entry
    return text


def _minutes(text: str) -> timedelta:
    return timedelta(minutes=float(text))


ENV_SETTINGS: dict[str, tuple[str, Callable[[str], Any]]] = {
    # env var: (config key, parser)
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "SECRET_KEY": ("SECRET_KEY", str),
    "TOKEN_ENCRYPTION_KEYS": ("TOKEN_ENCRYPTION_KEYS", _keys),
    "ADMIN_PASSWORD": ("ADMIN_PASSWORD", str),
    "PUBLIC_BASE_URL": ("PUBLIC_BASE_URL", str),
    "EXPOSE_SECRETS_ON_READ": ("EXPOSE_SECRETS_ON_READ", _bool),
    "ALLOW_HTTP_LOOPBACK_OAUTH": ("ALLOW_HTTP_LOOPBACK_OAUTH", _bool),
    "OAUTH_ALLOWED_NETWORKS": ("OAUTH_ALLOWED_NETWORKS", _networks),
    "OUTBOUND_DEADLINE_SECONDS": ("OUTBOUND_DEADLINE_SECONDS", float),
    "OUTBOUND_MAX_BODY_BYTES": ("OUTBOUND_MAX_BODY_BYTES", int),
    "OAUTH_CA_BUNDLE": ("OAUTH_CA_BUNDLE", str),
    "TOKEN_MIN_TTL_SECONDS": ("TOKEN_MIN_TTL_SECONDS", int),
    "REFRESH_AHEAD_SECONDS": ("REFRESH_AHEAD_SECONDS", int),
    "REFRESH_KEEPALIVE_DAYS": ("REFRESH_KEEPALIVE_DAYS", int),
    "REFRESH_MAX_ATTEMPTS": ("REFRESH_MAX_ATTEMPTS", int),
    "REFRESH_PER_HOST": ("REFRESH_PER_HOST", int),
    "CELERY_BROKER_URL": ("CELERY_BROKER_URL", str),
    "REFRESH_BEAT_SECONDS": ("REFRESH_BEAT_SECONDS", float),
    "WEBHOOK_MAX_ATTEMPTS": ("WEBHOOK_MAX_ATTEMPTS", int),
    "SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", _bool),
    "SESSION_IDLE_MINUTES": ("SESSION_IDLE_TIMEOUT", _minutes),
    "SESSION_LIFETIME_MINUTES": ("SESSION_ABSOLUTE_LIFETIME", _minutes),
    "RATELIMIT_STORAGE_URI": ("RATELIMIT_STORAGE_URI", str),
    "CREDENTIAL_CACHE_SECONDS": ("CREDENTIAL_CACHE_SECONDS", int),
    "PROXY_FIX_HOPS": ("PROXY_FIX_HOPS", int),
}


def from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Settings present in the environment, parsed. Raises ValueError on a malformed value."""
    environ = os.environ if environ is None else environ
    found = {}
    for var, (key, parse) in ENV_SETTINGS.items():
        if environ.get(var):
            found[key] = parse(environ[var])
    return found


def secret_file(instance_path: Path, name: str, make: Callable[[], str]) -> str:
    """Read instance/<name>, creating it with mode 0600 from make() the first time.

    O_EXCL makes the first writer win when several workers start at once; the others read.
    """
    path = instance_path / name
    instance_path.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # the winner may still be writing
            text = path.read_text().strip()
            if text:
                return text
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty; delete it so a new one is generated.")
    value = make()
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value
