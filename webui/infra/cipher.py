"""Encryption of secrets at rest (client secrets, access and refresh tokens).

Keys are Fernet keys, newest first: from TOKEN_ENCRYPTION_KEYS or, as the embedded default, from
instance/token_keys (created at first start, mode 0600). Never from the database. Values are
encrypted with the newest key and decrypted with any of them, so a new key can be put in front
and ``flask rotate-keys`` re-encrypts the rows at leisure.

Not a speed-up but a standing rule (secrets never lie in the database in plaintext), and one
found defect: SQLAlchemy's engine logger at DEBUG logs every fetched row with repr(), which
printed decrypted tokens; ``Decrypted`` masks its repr (tests/test_security_logs.py).
"""
from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy.types import Text, TypeDecorator

EXTENSION = "token_cipher"


class UndecryptableSecret(RuntimeError):
    """Stored secrets cannot be decrypted with the configured keys."""


def build_cipher(keys: list[str]) -> MultiFernet:
    """Raises ValueError when a key is not a valid Fernet key (32 url-safe base64 bytes)."""
    if not keys:
        raise ValueError("No token encryption key configured.")
    try:
        return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])
    except (ValueError, TypeError) as exc:
        raise ValueError("TOKEN_ENCRYPTION_KEYS holds a malformed Fernet key.") from exc


def new_key() -> str:
    return Fernet.generate_key().decode()


def cipher() -> MultiFernet:
    return current_app.extensions[EXTENSION]


def encrypt(plain: str) -> str:
    return cipher().encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    """Raises UndecryptableSecret; never returns the stored ciphertext as if it were clear."""
    try:
        return cipher().decrypt(stored.encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableSecret(
            "A stored secret cannot be decrypted with the configured TOKEN_ENCRYPTION_KEYS "
            "(or instance/token_keys). Restore the key that encrypted it.") from exc


def rotate(stored: str) -> str:
    """Re-encrypt a stored value under the newest key."""
    try:
        return cipher().rotate(stored.encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableSecret("A stored secret cannot be decrypted for rotation.") from exc


class Decrypted(str):
    """A decrypted secret: an ordinary string, except that its repr is masked. SQLAlchemy logs
    every fetched row with repr() when its engine logger is at DEBUG (hide_parameters covers
    only bound parameters), and tracebacks, debuggers and %r do the same."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'********'"


class EncryptedText(TypeDecorator):
    """A text column whose values are stored Fernet-encrypted; None stays NULL."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else Decrypted(decrypt(value))
