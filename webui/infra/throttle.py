"""Brute-force throttling of sign-in attempts: Basic-auth API calls and the login form POST.

Only FAILED attempts count (a 401 answer), per client address and per account, across both
doors together. Each request that carries credentials is first *tested* against both counters
and refused with 429 + Retry-After while either is exhausted; it is *charged* only when its
answer is a 401. So a user who signs in correctly never spends anything: it is a throttle,
not a lock, and its windows pass by themselves.

Why two counters with different sizes: the per-address one (LOGIN_FAILURE_LIMIT) stops one
client guessing at many accounts; the per-account one (ACCOUNT_FAILURE_LIMIT) stops many
clients guessing at one account. The per-account limit is larger than the per-address one, so
no single client can exhaust it. A distributed attack can exhaust it, so it does not apply to
*known* clients: an address from which the account signed in successfully within
KNOWN_CLIENT_DAYS. The attacker cannot make their addresses known without the password, and
the account's owner keeps signing in from theirs: nobody can lock an administrator out.

Counters are moving windows of the ``limits`` library (the engine under Flask-Limiter),
used directly: Flask-Limiter's generic per-request machinery took ~0.1 ms of every API
request, about an eighth of a cached GET (measured in-process). They live in RATELIMIT_STORAGE_URI:
``memory://`` (per process) or ``redis://...`` (shared by all workers and hosts). If Redis
becomes unreachable the counters fall back to per-process memory, with a warning, rather than
failing every sign-in with a 500; Redis is tried again after STORAGE_RETRY_SECONDS.

A client becomes *known* only when its credentials were verified (``signed_in``, called by
both doors), never merely because an answer was not a 401.

Keys never hold what the client typed: the account key is a hash of the user name (people
type passwords into user-name fields).
"""
from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

from flask import Flask, current_app, g, request
from flask.wrappers import Response
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import STRATEGIES, RateLimiter
from werkzeug.exceptions import TooManyRequests

from webui.infra import metrics

log = logging.getLogger(__name__)

EXTENSION = "login_throttle"
DEFAULT_STRATEGY = "moving-window"  # exact Retry-After, no double burst at window edges
SCOPE = "sign-in-failures"
STORAGE_RETRY_SECONDS = 30
# A client once known stays known for KNOWN_CLIENT_DAYS; each worker remembers the ones it
# has seen for this long, so that a known client's requests cost no storage round trip.
KNOWN_MEMO_SECONDS = 300
KNOWN_MEMO_ENTRIES = 10_000

# Reads the user name a request tries to sign in as, or None when it is no sign-in attempt.
# Each door hands the throttle its own (webui/__init__.py wires them): this module knows no
# door, no path and no form.
AttemptReader = Callable[[], "str | None"]


def client_key() -> str:
    """The client address (after ProxyFix, when configured). IPv6 clients are grouped by
    their /64, the block one subscriber usually holds."""
    return _address_key(request.remote_addr or "unknown")


@lru_cache(maxsize=4096)  # ipaddress parsing is slow, and clients come back
def _address_key(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return f"address:{address[:64]}"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return f"address:{ip.ipv4_mapped}"
        return f"address:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return f"address:{ip}"


def account_key(user_name: str) -> str:
    """A hash of the attempted user name (case-folded, so case variants share a counter)."""
    return "account:" + hashlib.sha256(user_name.casefold().encode()).hexdigest()[:32]


@lru_cache(maxsize=16)
def _item(limit: str) -> RateLimitItem:
    return parse(limit)


class Throttle:
    """The counters of one app, and the storage they live in (with its fallback)."""

    def __init__(self, config, readers: Sequence[AttemptReader] = ()):
        self.readers = tuple(readers)
        uri = config.get("RATELIMIT_STORAGE_URI") or "memory://"
        options = {"key_prefix": config["RATELIMIT_KEY_PREFIX"]} \
            if config.get("RATELIMIT_KEY_PREFIX") and not uri.startswith("memory://") else {}
        strategy = STRATEGIES[config.get("RATELIMIT_STRATEGY") or DEFAULT_STRATEGY]
        self.storage: Storage = storage_from_string(uri, **options)
        self._limiter: RateLimiter = strategy(self.storage)
        self._fallback_storage = MemoryStorage()
        self._fallback: RateLimiter = strategy(self._fallback_storage)
        self._down_until = 0.0
        self._known: dict[str, float] = {}
        self._lock = threading.Lock()

    def _run(self, action):
        """action(limiter, storage) on the configured storage, or on the in-memory fallback
        while that is unreachable."""
        if time.monotonic() >= self._down_until:
            try:
                return action(self._limiter, self.storage)
            except Exception:  # noqa: BLE001 - any storage failure: count in memory instead
                log.warning("Rate limit storage unreachable - falling back to in-memory "
                            "storage for %d s", STORAGE_RETRY_SECONDS)
                self._down_until = time.monotonic() + STORAGE_RETRY_SECONDS
        return action(self._fallback, self._fallback_storage)

    def wait(self, item: RateLimitItem, key: str) -> int:
        """0 while the counter admits another attempt, else the seconds until it does."""
        stats = self._run(lambda limiter, _: limiter.get_window_stats(item, SCOPE, key))
        if stats.remaining > 0:
            return 0
        return max(1, math.ceil(stats.reset_time - time.time()))

    def charge(self, item: RateLimitItem, key: str) -> None:
        self._run(lambda limiter, _: limiter.hit(item, SCOPE, key))

    def known(self, account: str, address: str) -> bool:
        """Whether this account signed in successfully from this client lately."""
        name = f"known-client:{account}:{address}"
        if self._known.get(name, 0.0) > time.monotonic():
            return True
        found = bool(self._run(lambda _, storage: storage.get(name)))
        if found:
            self._memo(name)
        return found

    def remember(self, account: str, address: str, days: int) -> None:
        name = f"known-client:{account}:{address}"
        self._run(lambda _, storage: storage.incr(name, days * 86400))
        self._memo(name)

    def _memo(self, name: str) -> None:
        with self._lock:
            if len(self._known) >= KNOWN_MEMO_ENTRIES:
                self._known.pop(next(iter(self._known)))
            self._known[name] = time.monotonic() + KNOWN_MEMO_SECONDS


@dataclass
class _Attempt:
    """This request's sign-in attempt, as check_attempt saw it."""
    account: str
    address: str
    known: bool
    charges: list[tuple[RateLimitItem, str]]  # the counters a failure is charged to


def _throttle() -> Throttle:
    return current_app.extensions[EXTENSION]


def check_attempt() -> None:
    """Before a sign-in attempt: refuse it (429 + Retry-After) while the client's address,
    or (unless the client is known to the account) the account, has no attempts left.
    What to charge, should it fail, is kept for charge_failure."""
    throttle, config = _throttle(), current_app.config
    for read in throttle.readers:
        user = read()
        if user is not None:
            break
    else:
        return
    address, account = client_key(), account_key(user)
    known = throttle.known(account, address)
    charges = [(_item(config["LOGIN_FAILURE_LIMIT"]), address)]
    if not known:
        charges.append((_item(config["ACCOUNT_FAILURE_LIMIT"]), account))
    g.sign_in_attempt = _Attempt(account, address, known, charges)
    wait = max(throttle.wait(item, key) for item, key in charges)
    if wait:
        metrics.sign_in_throttled()
        raise TooManyRequests(retry_after=wait)


def charge_failure(response: Response) -> Response:
    """After a sign-in attempt answered 401: one failure on each of its counters."""
    attempt: _Attempt | None = g.pop("sign_in_attempt", None)
    if attempt is not None and response.status_code == 401:
        metrics.failed_sign_in()
        throttle = _throttle()
        for item, key in attempt.charges:
            throttle.charge(item, key)
    return response


def signed_in() -> None:
    """Called by either door when this request's credentials were verified: the client is
    known to the account from now on, and the per-account counter no longer applies to it."""
    attempt: _Attempt | None = g.get("sign_in_attempt")
    if attempt is None or attempt.known:
        return
    _throttle().remember(attempt.account, attempt.address,
                         current_app.config["KNOWN_CLIENT_DAYS"])
    attempt.known = True


def register(app: Flask, readers: Sequence[AttemptReader]) -> None:
    """Attach the throttle to app, with counters of its own (so every app, e.g. in tests,
    has its own). readers: each door's AttemptReader."""
    app.extensions[EXTENSION] = Throttle(app.config, readers)
    app.before_request(check_attempt)
    app.after_request(charge_failure)


def storage_warning(config, workers: int) -> str | None:
    """The warning to log when several worker processes would each keep their own counters."""
    uri = config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if workers > 1 and uri.startswith("memory://"):
        return (f"RATELIMIT_STORAGE_URI is {uri} with {workers} workers: each worker counts "
                f"failed sign-ins on its own, so the throttle admits up to {workers} times "
                "LOGIN_FAILURE_LIMIT. Set RATELIMIT_STORAGE_URI=redis://host:6379/0.")
    return None
