"""Checking a user name and password: the one sign-in rule of both doors.

Verified passwords are remembered for a short TTL by webui/infra/credential_cache.py (argon2id
costs ~100 ms by design; its docstring has the figures), keyed to the account's
``credential_version`` and password hash, which are read here on every request.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import bindparam, select, update

from webui.domain import passwords
from webui.domain.errors import ConcurrentChange, NotAuthenticated
from webui.domain.principal import ACCOUNT_WITH_TENANT, MAY_SIGN_IN, Principal, account_by_id
from webui.domain.rules import USER_NAME_MAX, storable
from webui.domain.transaction import unit_of_work
from webui.infra.credential_cache import CredentialCache
from webui.infra.prepared import PreparedRead
from webui.models import User

EXTENSION = "credential_cache"


# The one query of a cached sign-in, built once, on the table's columns, run through the
# driver (webui/infra/prepared.py has the figures).
_U = User.__table__.c
_CREDENTIALS = PreparedRead(select(_U.id, MAY_SIGN_IN, _U.credential_version, _U.password_hash)
                            .select_from(ACCOUNT_WITH_TENANT)
                            .where(_U.user_name == bindparam("user_name")))


def new_cache(config) -> CredentialCache[Principal]:
    return CredentialCache(config["CREDENTIAL_CACHE_SECONDS"])


def _cache() -> CredentialCache[Principal]:
    return current_app.extensions[EXTENSION]


def authenticate(user_name: str, password: str) -> Principal:
    """The active user with these credentials. Raises NotAuthenticated, identically (and in
    the same time) for an unknown user, a wrong password and an inactive account (or one of
    an inactive tenant)."""
    row = _CREDENTIALS.one_or_none({"user_name": user_name}) \
        if storable(user_name, USER_NAME_MAX) else None
    if row is not None and row.active:
        cache = _cache()
        cached = cache.get(user_name, password, row.password_hash, row.credential_version)
        if cached is not None:
            cache.renew_if_due(user_name, password, row.password_hash, row.credential_version,
                               cached, passwords.verifier)
            return cached
    if row is None or not row.active:
        passwords.verify(passwords.dummy_hash(), password)
        raise NotAuthenticated()
    if not passwords.verify(row.password_hash, password):
        raise NotAuthenticated()
    stored_hash = row.password_hash
    if passwords.needs_rehash(stored_hash):
        stored_hash = _rehash(row.id, password)
    account = account_by_id(row.id)
    if account is None or not account.active:  # deleted or deactivated meanwhile
        raise NotAuthenticated()
    principal = account.principal
    _cache().put(user_name, password, stored_hash, principal.credential_version, principal)
    return principal


def _rehash(user_id: int, password: str) -> str:
    """Same password, new parameters: credential_version stays, nobody is logged out.
    Returns the new hash."""
    new_hash = passwords.hash_password(password)
    with unit_of_work(ConcurrentChange()) as session:
        session.execute(update(User).where(User.id == user_id).values(password_hash=new_hash))
    return new_hash
