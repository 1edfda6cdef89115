"""Brute-force throttling of sign-in attempts: Basic-auth API calls and the login form POST.

Only FAILED attempts count (a 401 answer), per client address and per account, across both
doors together. Each request that carries credentials is first *tested* against both counters
and refused with 429 + Retry-After while either is exhausted; it is *charged* only when its
answer is a 401 (Flask-Limiter's ``deduct_when``). So a user who signs in correctly never
spends anything: it is a throttle, not a lock, and its windows pass by themselves.

Why two counters with different sizes: the per-address one (LOGIN_FAILURE_LIMIT) stops one
client guessing at many accounts; the per-account one (ACCOUNT_FAILURE_LIMIT) stops many
clients guessing at one account. The per-account limit is larger than the per-address one, so
no single client can exhaust it. A distributed attack can exhaust it, so it does not apply to
*known* clients: an address from which the account signed in successfully within
KNOWN_CLIENT_DAYS. The attacker cannot make their addresses known without the password, and
the account's owner keeps signing in from theirs: nobody can lock an administrator out.

Counters live in RATELIMIT_STORAGE_URI: ``memory://`` (per process) or ``redis://...`` (shared
by all workers and hosts). If Redis becomes unreachable the counters fall back to per-process
memory, with a warning, rather than failing every sign-in with a 500.

Keys never hold what the client typed: the account key is a hash of the user name (people
type passwords into user-name fields), and Flask-Limiter logs keys when a limit trips.
"""
from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time

from flask import Flask, current_app, g, request
from flask.wrappers import Response
from flask_limiter import ApplicationLimit, Limiter, RateLimitExceeded
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger(__name__)

EXTENSION = "login_throttle"
# The login form of webui/auth: the endpoint and the name of its user-name field.
LOGIN_ENDPOINT = "auth.login"
LOGIN_USER_FIELD = "username"
DEFAULT_STRATEGY = "moving-window"  # exact Retry-After, no double burst at window edges


def attempted_user() -> str | None:
    """The user name this request tries to sign in as; None when it is no sign-in attempt.

    Sign-in attempts are POSTs of the login form and /api/ requests with Basic credentials
    (a request without credentials is a challenge, not a guess, and is never counted).
    """
    if request.endpoint == LOGIN_ENDPOINT and request.method == "POST":
        try:
            return request.form.get(LOGIN_USER_FIELD, "")
        except Exception:  # noqa: BLE001 - an unreadable body is refused elsewhere
            return ""
    if request.path.startswith("/api/"):
        auth = request.authorization
        if auth is not None and auth.type == "basic" and auth.username:
            return auth.username
    return None


def client_key() -> str:
    """The client address (after ProxyFix, when configured). IPv6 clients are grouped by
    their /64, the block one subscriber usually holds."""
    address = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return f"address:{address[:64]}"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return f"address:{ip.ipv4_mapped}"
        return f"address:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return f"address:{ip}"


def account_key() -> str:
    """A hash of the attempted user name (case-folded, so case variants share a counter)."""
    name = attempted_user() or ""
    return "account:" + hashlib.sha256(name.casefold().encode()).hexdigest()[:32]


def _no_attempt() -> bool:
    return attempted_user() is None


def _known_key() -> str:
    return f"known-client:{account_key()}:{client_key()}"


def _known_client() -> bool:
    """Whether this account signed in successfully from this client lately (looked up once
    per request)."""
    if "throttle_known" not in g:
        try:
            g.throttle_known = bool(_storage().get(_known_key()))
        except Exception:  # noqa: BLE001 - storage down: Flask-Limiter falls back and warns
            g.throttle_known = False
    return g.throttle_known


def _storage():
    # The strategy's storage: Redis, or the in-memory fallback while Redis is unreachable.
    return current_app.extensions[EXTENSION].limiter.storage


def _exempt_from_account_limit() -> bool:
    return _no_attempt() or _known_client()


def _remember_success(response: Response) -> Response:
    """After a successful sign-in (any answer but 401/429 to an attempt), the client is known
    to the account: the per-account counter no longer applies to it."""
    if response.status_code not in (401, 429) and not _no_attempt() and not _known_client():
        try:
            _storage().incr(_known_key(), current_app.config["KNOWN_CLIENT_DAYS"] * 86400)
        except Exception:  # noqa: BLE001 - remembering is best effort; the sign-in stands
            log.warning("Could not remember a known client: throttle storage unavailable.")
    return response


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _limit(setting: str):
    return lambda: current_app.config[setting]


def retry_after(limiter: Limiter) -> int:
    """Seconds until the exhausted counter of this request admits another attempt."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.window.reset_time - time.time()))


def register(app: Flask) -> None:
    """Attach the throttle to app: a Flask-Limiter instance of its own (so every app, e.g.
    in tests, has its own counters) and the 429 answer with Retry-After."""
    app.config.setdefault("RATELIMIT_STRATEGY", DEFAULT_STRATEGY)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter = Limiter(client_key, application_limits=[
        ApplicationLimit(_limit("LOGIN_FAILURE_LIMIT"), key_function=client_key,
                         scope="sign-in-failures", exempt_when=_no_attempt,
                         deduct_when=_failed),
        ApplicationLimit(_limit("ACCOUNT_FAILURE_LIMIT"), key_function=account_key,
                         scope="sign-in-failures", exempt_when=_exempt_from_account_limit,
                         deduct_when=_failed),
    ])
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter
    app.after_request(_remember_success)

    @app.errorhandler(RateLimitExceeded)
    def throttled(exc: RateLimitExceeded):
        # Answer as any other 429 (envelope under /api/, the error page elsewhere), with the
        # wait added; errors.py keeps the Retry-After header of the exception.
        wait = retry_after(current_app.extensions[EXTENSION])
        return current_app.handle_http_exception(TooManyRequests(retry_after=wait))


def storage_warning(config, workers: int) -> str | None:
    """The warning to log when several worker processes would each keep their own counters."""
    uri = config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if workers > 1 and uri.startswith("memory://"):
        return (f"RATELIMIT_STORAGE_URI is {uri} with {workers} workers: each worker counts "
                f"failed sign-ins on its own, so the throttle admits up to {workers} times "
                "LOGIN_FAILURE_LIMIT. Set RATELIMIT_STORAGE_URI=redis://host:6379/0.")
    return None
