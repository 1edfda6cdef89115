"""Verified Basic-auth passwords, remembered for a short TTL.

The figure: argon2id costs ~100 ms per verification by design, and a Basic-auth client sends
its password with every request; without this cache every API call would pay it. After one
successful verification the pair is remembered for CREDENTIAL_CACHE_SECONDS, keyed by user
name plus an HMAC of the password under a per-process random key (the password itself is never
kept). An entry is only honoured while the user's ``credential_version`` and password hash in
the database still equal the ones it was made under (the caller reads that row on every
request), so a change made by any worker or host takes effect at once everywhere. Failures are
never cached.

A client that keeps calling would still wait for argon2 once per TTL, and when the workers had
filled their caches together all of them at once: every connection stalled ~150 ms (list
requests on both workers at the same moment in the server log, matching 125-148 ms p99
outliers in bench/). So a hit on an entry past RENEW_AFTER of its TTL verifies the password
again in a background thread and, if it still matches the stored hash, starts the entry
afresh: no entry lives longer than the TTL past its last verification, and no request waits.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

RENEW_AFTER = 0.75  # share of the TTL after which a hit renews its entry in the background
RENEWAL_NICENESS = 19
T = TypeVar("T")


@dataclass(frozen=True)
class _Entry(Generic[T]):
    digest: bytes
    value: T
    version: int
    expires: float


class CredentialCache(Generic[T]):
    """Per-process; bounded; safe across workers because entries are version-checked.

    ``value`` is whatever the caller wants back on a hit (the signed-in principal)."""

    def __init__(self, ttl: float, max_entries: int = 10_000):
        self.ttl = ttl
        self.max_entries = max_entries
        self._key = os.urandom(32)
        self._entries: dict[str, _Entry[T]] = {}
        self._renewing: set[str] = set()
        self._lock = threading.Lock()

    def digest(self, user_name: str, password: str, stored_hash: str) -> bytes:
        # The stored hash binds the entry to this very account: a freed user name taken by a
        # new account (same password, same id on SQLite, version 1 again) gets a new salt.
        return hmac.new(self._key, f"{user_name}\0{password}\0{stored_hash}".encode(),
                        hashlib.sha256).digest()

    def get(self, user_name: str, password: str, stored_hash: str, version: int) -> T | None:
        entry = self._entries.get(user_name)
        if (entry is None or entry.expires < time.monotonic() or entry.version != version
                or not hmac.compare_digest(entry.digest,
                                           self.digest(user_name, password, stored_hash))):
            return None
        return entry.value

    def renew_if_due(self, user_name: str, password: str, stored_hash: str, version: int,
                     value: T, verifier: Callable[[], Callable[[str, str], bool]]) -> None:
        """After a hit (get returned value): when the entry is past RENEW_AFTER of its TTL,
        check the password with verifier() in a background thread and renew the entry if it
        still holds. One renewal per user at a time."""
        entry = self._entries.get(user_name)
        if entry is None or entry.expires - time.monotonic() > self.ttl * (1 - RENEW_AFTER):
            return
        with self._lock:
            if user_name in self._renewing:
                return
            self._renewing.add(user_name)
        verify = verifier()  # bound here, in the request, to this app's hasher

        def renew() -> None:
            # Lowest CPU priority (per thread on Linux; argon2's lane threads inherit it):
            # the requests this worker and its siblings serve meanwhile go first.
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), RENEWAL_NICENESS)
            try:
                if verify(stored_hash, password):
                    self.put(user_name, password, stored_hash, version, value)
            finally:
                with self._lock:
                    self._renewing.discard(user_name)

        threading.Thread(target=renew, name="credential-renewal", daemon=True).start()

    def put(self, user_name: str, password: str, stored_hash: str, version: int,
            value: T) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.pop(next(iter(self._entries)))
            self._entries[user_name] = _Entry(self.digest(user_name, password, stored_hash),
                                              value, version, time.monotonic() + self.ttl)
