"""Checking a user name and password, cheaply on repeat.

argon2id costs ~100 ms by design. A Basic-auth client sends its password on every request,
so after one successful verification the pair is remembered for a short TTL, keyed by user
name plus an HMAC of the password under a per-process random key (the password itself is never
kept). An entry is only honoured while the user's ``credential_version`` and password hash in
the database still equal the ones it was made under; the version moves with every change of
password, status, roles or permissions, and the row is read on every request, so a change
made by any worker or host takes effect at once everywhere. Failures are never cached.

A client that keeps calling would still wait for argon2 once per TTL (and, when the workers
filled their caches together, all of them at once: a stall of every connection, ~150 ms).
So a hit on an entry past RENEW_AFTER of its TTL verifies the password again in a
background thread and, if it still matches the stored hash, starts the entry afresh: no
entry lives longer than the TTL past its last verification, and no request waits for one.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from dataclasses import dataclass, replace
from typing import Callable

from flask import current_app
from sqlalchemy import bindparam, select, update

from webui.domain import passwords
from webui.domain.errors import ConcurrentChange, NotAuthenticated
from webui.domain.principal import Principal
from webui.domain.transaction import unit_of_work
from webui.domain.rules import USER_NAME_MAX, storable
from webui.extensions import db
from webui.models import User

EXTENSION = "credential_cache"
RENEW_AFTER = 0.75  # share of the TTL after which a hit renews its entry in the background
RENEWAL_NICENESS = 19


@dataclass(frozen=True)
class _Entry:
    digest: bytes
    principal: Principal
    expires: float


class CredentialCache:
    """Per-process; bounded; safe across workers because entries are version-checked."""

    def __init__(self, ttl: float, max_entries: int = 10_000):
        self.ttl = ttl
        self.max_entries = max_entries
        self._key = os.urandom(32)
        self._entries: dict[str, _Entry] = {}
        self._renewing: set[str] = set()
        self._lock = threading.Lock()

    def digest(self, user_name: str, password: str, stored_hash: str) -> bytes:
        # The stored hash binds the entry to this very account: a freed user name taken by a
        # new account (same password, same id on SQLite, version 1 again) gets a new salt.
        return hmac.new(self._key, f"{user_name}\0{password}\0{stored_hash}".encode(),
                        hashlib.sha256).digest()

    def get(self, user_name: str, password: str, stored_hash: str, version: int
            ) -> Principal | None:
        entry = self._entries.get(user_name)
        if (entry is None or entry.expires < time.monotonic()
                or entry.principal.credential_version != version
                or not hmac.compare_digest(entry.digest,
                                           self.digest(user_name, password, stored_hash))):
            return None
        return entry.principal

    def renew_if_due(self, user_name: str, password: str, stored_hash: str,
                     principal: Principal,
                     verifier: Callable[[], Callable[[str, str], bool]]) -> None:
        """After a hit (get returned principal): when the entry is past RENEW_AFTER of its
        TTL, check the password with verifier() in a background thread and renew the entry if
        it still holds. One renewal per user at a time."""
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
                    self.put(user_name, password, stored_hash, principal)
            finally:
                with self._lock:
                    self._renewing.discard(user_name)

        threading.Thread(target=renew, name="credential-renewal", daemon=True).start()

    def put(self, user_name: str, password: str, stored_hash: str,
            principal: Principal) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.pop(next(iter(self._entries)))
            self._entries[user_name] = _Entry(self.digest(user_name, password, stored_hash),
                                              principal, time.monotonic() + self.ttl)


# The one query of a cached sign-in, built once (constructing a select and generating its
# cache key cost more than running it), on the table's columns: a Core select skips the
# ORM's result set-up (bench/).
_U = User.__table__.c
_CREDENTIALS = (select(_U.id, _U.active, _U.credential_version, _U.password_hash)
                .where(_U.user_name == bindparam("user_name")))


def _cache() -> CredentialCache:
    return current_app.extensions[EXTENSION]


def authenticate(user_name: str, password: str, address: str | None = None) -> Principal:
    """The active user with these credentials. Raises NotAuthenticated, identically (and in
    the same time) for an unknown user, a wrong password and an inactive account."""
    row = db.session.execute(_CREDENTIALS, {"user_name": user_name}).one_or_none() \
        if storable(user_name, USER_NAME_MAX) else None
    if row is not None and row.active:
        cache = _cache()
        cached = cache.get(user_name, password, row.password_hash, row.credential_version)
        if cached is not None:
            cache.renew_if_due(user_name, password, row.password_hash, cached,
                               passwords.verifier)
            return replace(cached, address=address)
    if row is None or not row.active:
        passwords.verify(passwords.dummy_hash(), password)
        raise NotAuthenticated()
    if not passwords.verify(row.password_hash, password):
        raise NotAuthenticated()
    if passwords.needs_rehash(row.password_hash):
        _rehash(row.id, password)
    user = db.session.get(User, row.id)
    principal = Principal.of(user, address=address)
    _cache().put(user_name, password, user.password_hash, principal)
    return principal


def _rehash(user_id: int, password: str) -> None:
    # Same password, new parameters: credential_version stays, nobody is logged out.
    with unit_of_work(ConcurrentChange()) as session:
        session.execute(update(User).where(User.id == user_id)
                        .values(password_hash=passwords.hash_password(password)))


def principal_for(user_id: int, version: int, address: str | None = None) -> Principal | None:
    """The active user with this id, if their credentials are still at this version
    (used by browser sessions)."""
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.credential_version != version:
        return None
    return Principal.of(user, address=address)
