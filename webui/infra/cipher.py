"""Encryption of secrets at rest (client secrets, access and refresh tokens).

Keys are Fernet keys, newest first: from TOKEN_ENCRYPTION_KEYS or, as the embedded default, from
instance/token_keys (created at first start, mode 0600). Never from the database. Values are
encrypted with the newest key and decrypted with any of them, so a new key can be put in front
and ``flask rotate-keys`` re-encrypts the rows at leisure.

Not a speed-up but a standing rule (secrets never lie in the database in plaintext), and one
found defect: SQLAlchemy's engine logger at DEBUG logs every fetched row with repr(), which
printed decrypted tokens; ``Decrypted`` masks its repr (tests/test_security_logs.py).

A Fernet decryption cost ~6% of a token hand-out's worker time (py-spy under bench/'s token
scenario: HMAC check, AES-CBC, and the objects cryptography builds for each), for a value that
hardly changes: a profile's access token is decrypted on every hand-out until its next refresh.
So each app's ``Keyring`` remembers the values it decrypted lately, by their stored ciphertext
(MEMO_ENTRIES of them, oldest out first). A hit is exactly as correct as a decryption: the
same ciphertext under the same keys always decrypts to the same value, a new value is a new
ciphertext (Fernet's random IV), and a value that does not decrypt is never remembered. It
holds nothing a reader of the process's memory could not get anyway: the process holds the
keys to every stored secret.
"""
from __future__ import annotations

import threading

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy.types import Text, TypeDecorator

EXTENSION = "token_cipher"
# Full, with its ciphertext keys: 3.7 MiB for 300-character tokens, 19.3 MiB for 2,000-character
# ones (tracemalloc), against a worker's ~100 MiB.
MEMO_ENTRIES = 4096


class UndecryptableSecret(RuntimeError):
    """Stored secrets cannot be decrypted with the configured keys."""


class Decrypted(str):
    """A decrypted secret: an ordinary string, except that its repr is masked. SQLAlchemy logs
    every fetched row with repr() when its engine logger is at DEBUG (hide_parameters covers
    only bound parameters), and tracebacks, debuggers and %r do the same."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'********'"


class Keyring:
    """An app's keys (newest first), and the values they decrypted lately (see the module
    docstring)."""

    def __init__(self, fernet: MultiFernet, memo_entries: int = MEMO_ENTRIES):
        self.fernet = fernet
        self._memo: dict[str, Decrypted] = {}
        self._memo_entries = memo_entries
        self._lock = threading.Lock()  # for the memo's writes; a lookup needs none

    def decrypt(self, stored: str) -> Decrypted:
        """Raises InvalidToken."""
        plain = self._memo.get(stored)
        if plain is None:
            plain = Decrypted(self.fernet.decrypt(stored.encode()).decode())
            with self._lock:
                if len(self._memo) >= self._memo_entries:
                    del self._memo[next(iter(self._memo))]
                self._memo[stored] = plain
        return plain


def build_cipher(keys: list[str]) -> Keyring:
    """Raises ValueError when a key is not a valid Fernet key (32 url-safe base64 bytes)."""
    if not keys:
        raise ValueError("No token encryption key configured.")
    try:
        return Keyring(MultiFernet([Fernet(k.encode() if isinstance(k, str) else k)
                                    for k in keys]))
    except (ValueError, TypeError) as exc:
        raise ValueError("TOKEN_ENCRYPTION_KEYS holds a malformed Fernet key.") from exc


def new_key() -> str:
    return Fernet.generate_key().decode()


def cipher() -> Keyring:
    return current_app.extensions[EXTENSION]


def encrypt(plain: str) -> str:
    return cipher().fernet.encrypt(plain.encode()).decode()


def decrypt(stored: str) -> Decrypted:
    """Raises UndecryptableSecret; never returns the stored ciphertext as if it were clear."""
    try:
        return cipher().decrypt(stored)
    except InvalidToken as exc:
        raise UndecryptableSecret(
            "A stored secret cannot be decrypted with the configured TOKEN_ENCRYPTION_KEYS "
            "(or instance/token_keys). Restore the key that encrypted it.") from exc


def rotate(stored: str) -> str:
    """Re-encrypt a stored value under the newest key."""
    try:
        return cipher().fernet.rotate(stored.encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableSecret("A stored secret cannot be decrypted for rotation.") from exc


class EncryptedText(TypeDecorator):
    """A text column whose values are stored Fernet-encrypted; None stays NULL."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)
