"""Password policy and argon2id hashing."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Callable

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from webui.domain.errors import Invalid
from webui.domain.rules import PASSWORD_MAX, PASSWORD_MIN, check_text

EXTENSION = "password_hasher"


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    text = resources.files("webui.domain").joinpath("common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def check_password(value: object, field: str = "password", user_name: str | None = None) -> str:
    """12-128 characters, no composition rules, not a notoriously common password."""
    text = check_text(value, field, PASSWORD_MAX, required=True)
    if len(text) < PASSWORD_MIN:
        raise Invalid(f"Passwords must be at least {PASSWORD_MIN} characters.", field)
    if text.lower() in _common() or (user_name and text.lower() == user_name.lower()):
        raise Invalid("This password is too common; choose another.", field)
    return text


def build_hasher(config) -> PasswordHasher:
    return PasswordHasher(time_cost=config["ARGON2_TIME_COST"],
                          memory_cost=config["ARGON2_MEMORY_COST"],
                          parallelism=config["ARGON2_PARALLELISM"], type=Type.ID)


def hasher() -> PasswordHasher:
    return current_app.extensions[EXTENSION]


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify(password_hash: str, password: str) -> bool:
    return verifier()(password_hash, password)


def verifier() -> Callable[[str, str], bool]:
    """verify, bound to this app's hasher: callable outside the app context (a thread)."""
    bound = hasher()

    def check(password_hash: str, password: str) -> bool:
        try:
            return bound.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    return check


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


def dummy_hash() -> str:
    """A hash with the current parameters, so an unknown user costs as much as a known one."""
    ext = current_app.extensions
    if "password_dummy_hash" not in ext:
        ext["password_dummy_hash"] = hasher().hash("dummy password for timing equality")
    return ext["password_dummy_hash"]
