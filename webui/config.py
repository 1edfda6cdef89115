"""Configuration: defaults, then instance/config.py, then the environment.

SETTINGS is the one table of what a deployment may set: each row names the environment
variable, the config key it fills, its default, its kind (parser and README rendering, in
webui/setting_types.py) and a one-line meaning. ``Defaults`` takes its values from the table;
``from_env`` parses the environment through it; the README's configuration table is rendered
from it (``scripts/config_table.py`` prints it; tests/test_readme.py keeps the copy equal).
Adding a setting is one row.

Defaults also holds a few framework constants that are not deployment choices (cookie flags,
the body size limit that the API's 413 promises); they have no environment variable.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Mapping

from webui import setting_types as kind
from webui.setting_types import Kind


@dataclass(frozen=True)
class Setting:
    env: str
    default: Any
    kind: Kind
    meaning: str
    key: str = ""        # the config key, when it differs from the variable's name
    shown: str = ""      # the README's default, when the value lives elsewhere (a file)

    @property
    def config_key(self) -> str:
        return self.key or self.env

    @property
    def shown_default(self) -> str:
        return self.shown or self.kind.show(self.default)


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", None, kind.DATABASE_URL,
            "SQLAlchemy URL; `postgresql+psycopg://user@host/db` for PostgreSQL (`postgresql://` "
            "also accepted)",
            key="SQLALCHEMY_DATABASE_URI",
            shown="SQLite file `instance/webui.sqlite3`"),
    Setting("SECRET_KEY", None, kind.SECRET,
            "signs session cookies and CSRF tokens",
            shown="generated once into `instance/secret_key` (mode 0600)"),
    Setting("TOKEN_ENCRYPTION_KEYS", None, kind.KEYS,
            "comma-separated Fernet keys, newest first; `flask --app app rotate-keys` re-encrypts "
            "under the first",
            shown="generated once into `instance/token_keys` (mode 0600)"),
    Setting("ADMIN_PASSWORD", None, kind.SECRET,
            "password of the first `admin`, created when no active Administrator exists",
            shown="generated and printed once"),
    Setting("PUBLIC_BASE_URL", "http://127.0.0.1:5000", kind.HTTP_URL,
            "public URL of this server; the OAuth redirect URI is this + `/oauth2callback`"),
    Setting("EXPOSE_SECRETS_ON_READ", False, kind.FLAG,
            "return secrets in clear on reads, as HDP does"),
    Setting("ALLOW_HTTP_LOOPBACK_OAUTH", False, kind.FLAG,
            "allow `http://` OAuth endpoints and webhooks on a loopback address (development, "
            "tests; the address must also be in `OAUTH_ALLOWED_NETWORKS`)"),
    Setting("OAUTH_ALLOWED_NETWORKS", [], kind.NETWORKS,
            "comma-separated CIDRs that outbound calls may reach besides public addresses (an "
            "on-premises identity provider; `127.0.0.0/8,::1/128` for a local one)"),
    Setting("OUTBOUND_DEADLINE_SECONDS", 20.0, kind.TIMEOUT,
            "total time of one outbound call (connect and every read); keep it under "
            "gunicorn's timeout"),
    Setting("OUTBOUND_MAX_BODY_BYTES", 64 * 1024, kind.POSITIVE,
            "largest answer accepted from a provider or webhook receiver, as received and as "
            "decoded"),
    Setting("OAUTH_CA_BUNDLE", None, kind.TEXT,
            "PEM file of the CAs that providers' certificates are verified with",
            shown="system CAs"),
    Setting("TOKEN_MIN_TTL_SECONDS", 60, kind.COUNT,
            "a token handed out by `GET .../token` stays valid at least this long, or is "
            "refreshed first"),
    Setting("REFRESH_AHEAD_SECONDS", 600, kind.COUNT,
            "background refresh: tokens expiring within this many seconds are refreshed"),
    Setting("REFRESH_KEEPALIVE_DAYS", 7, kind.POSITIVE,
            "background refresh: tokens without a known expiry are refreshed this often"),
    Setting("REFRESH_RETRY_BASE_SECONDS", 60, kind.POSITIVE,
            "background refresh: the first wait after a transient failure, doubled each time "
            "(with jitter, at most an hour)"),
    Setting("REFRESH_MAX_ATTEMPTS", 5, kind.POSITIVE,
            "background refresh: transient failures in a row before a profile is left "
            "`refreshFailing`"),
    Setting("REFRESH_PER_HOST", 4, kind.POSITIVE,
            "background refresh: token requests at once to one provider host"),
    Setting("CELERY_BROKER_URL", None, kind.BROKER_URL,
            "the Celery broker of background refresh and webhook deliveries "
            "(`redis://host:6379/1`); none: `flask refresh-due` passes do the work",
            shown="none"),
    Setting("REFRESH_BEAT_SECONDS", 30.0, kind.TIMEOUT,
            "how often Celery beat looks for profiles due a refresh and webhooks due a "
            "delivery"),
    Setting("WEBHOOK_MAX_ATTEMPTS", 8, kind.POSITIVE,
            "webhook deliveries: attempts before a delivery is marked failed"),
    Setting("WEBHOOK_RETRY_BASE_SECONDS", 30, kind.POSITIVE,
            "webhook deliveries: the first wait between attempts, doubled each time (with "
            "jitter, at most an hour)"),
    Setting("SESSION_COOKIE_SECURE", False, kind.FLAG,
            "send cookies over HTTPS only (turn on behind HTTPS)"),
    Setting("SESSION_IDLE_MINUTES", timedelta(minutes=30), kind.MINUTES,
            "browser session idle timeout",
            key="SESSION_IDLE_TIMEOUT"),
    Setting("SESSION_LIFETIME_MINUTES", timedelta(hours=12), kind.MINUTES,
            "browser session absolute lifetime",
            key="SESSION_ABSOLUTE_LIFETIME"),
    Setting("RATELIMIT_STORAGE_URI", "memory://", kind.STORAGE_URL,
            "where failed-login counters live; `redis://host:6379/0` whenever more than one worker"
            " runs"),
    Setting("LOGIN_FAILURE_LIMIT", "10 per minute", kind.RATE,
            "failed sign-ins allowed per client address"),
    Setting("ACCOUNT_FAILURE_LIMIT", "30 per minute", kind.RATE,
            "failed sign-ins allowed per account from all addresses (larger, so one client alone "
            "cannot spend it)"),
    Setting("KNOWN_CLIENT_DAYS", 30, kind.COUNT,
            "an address that signed in to an account within this many days is exempt from that "
            "account's counter"),
    Setting("CREDENTIAL_CACHE_SECONDS", 60, kind.COUNT,
            "how long a verified Basic-auth password is accepted without rehashing (0 turns it "
            "off); a client still calling after 3/4 of it is re-verified in the background"),
    Setting("ARGON2_TIME_COST", 3, kind.POSITIVE,
            "argon2id passes (default: argon2-cffi's RFC 9106 low-memory profile)"),
    Setting("ARGON2_MEMORY_COST", 65536, kind.POSITIVE, "argon2id memory in KiB"),
    Setting("ARGON2_PARALLELISM", 4, kind.POSITIVE, "argon2id lanes"),
    Setting("OAUTH_CONNECT_TIMEOUT", 5.0, kind.TIMEOUT,
            "seconds to connect to a provider or webhook receiver (within the deadline)"),
    Setting("OAUTH_STATE_MINUTES", timedelta(minutes=10), kind.MINUTES,
            "how long a started authorization may wait for the provider's callback",
            key="OAUTH_STATE_LIFETIME"),
    Setting("OAUTH_REFRESH_COALESCE_SECONDS", 5, kind.COUNT,
            "refreshes of one profile within this many seconds of a successful one make no second "
            "token request"),
    Setting("PROXY_FIX_HOPS", 0, kind.COUNT,
            "number of trusted reverse proxies setting `X-Forwarded-*`"),
    Setting("SQLITE_BUSY_TIMEOUT_MS", 30_000, kind.COUNT,
            "how long a SQLite connection waits for a lock, in milliseconds"),
    Setting("LOG_FORMAT", "text", kind.choice("text", "json"),
            "`json`: one JSON object per log line (gunicorn's access log too); `text`: plain "
            "lines"),
    Setting("LOG_LEVEL", "info", kind.choice("debug", "info", "warning", "error"),
            "lowest level logged"),
    Setting("METRICS_ALLOWED_NETWORKS", [], kind.NETWORKS,
            "comma-separated client networks allowed to read `/metrics` (e.g. `10.0.0.0/8,::1`)"),
    Setting("METRICS_BEARER_TOKEN", None, kind.SECRET,
            "a token that lets any client read `/metrics` (`Authorization: Bearer ...`); with "
            "neither setting `/metrics` is 404"),
)


class Defaults:
    """Framework constants; the settings of SETTINGS are added below, from the table."""
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # The whole request body, forms included: the API's largest legal body is far below this.
    MAX_CONTENT_LENGTH = 64 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which has its own limits


for _setting in SETTINGS:
    setattr(Defaults, _setting.config_key, _setting.default)


class SettingError(ValueError):
    """A malformed environment variable; the message names it, never its value."""


def from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Settings present (and non-empty) in the environment, parsed. Raises SettingError
    naming the first malformed variable."""
    environ = os.environ if environ is None else environ
    found = {}
    for setting in SETTINGS:
        text = environ.get(setting.env)
        if text and text.strip():
            try:
                found[setting.config_key] = setting.kind.parse(text)
            except ValueError as exc:
                raise SettingError(f"{setting.env}: {exc}") from None
    return found


def readme_table() -> str:
    """The README's configuration table, rendered from SETTINGS."""
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    rows += [f"| `{s.env}` | {s.shown_default} | {s.meaning} |" for s in SETTINGS]
    return "\n".join(rows)


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

