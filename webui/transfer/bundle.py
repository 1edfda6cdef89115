"""The export file: a JSON snapshot encrypted under a passphrase.

Layout: one header line of JSON (format, KDF parameters, salt, nonce), then the AES-GCM
ciphertext of the snapshot's JSON, with the header line as associated data (so its
parameters cannot be altered either). The key is derived with scrypt (n=2**15, r=8, p=1:
~32 MiB and ~0.1 s per attempt, RFC 7914's interactive figure). Only ``cryptography``'s
primitives: nothing home-made.
"""
from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

FORMAT = "webui-export"
KDF = {"name": "scrypt", "n": 2**15, "r": 8, "p": 1}
PASSPHRASE_MIN = 12


class BundleError(ValueError):
    """The file is not an export, is damaged, or the passphrase is wrong."""


def _key(passphrase: str, salt: bytes, kdf: dict) -> bytes:
    if kdf.get("name") != "scrypt":
        raise BundleError("Unknown key derivation in the file.")
    return Scrypt(salt=salt, length=32, n=int(kdf["n"]), r=int(kdf["r"]),
                  p=int(kdf["p"])).derive(passphrase.encode())


def seal(snapshot: dict[str, Any], passphrase: str) -> bytes:
    """The file's bytes. Raises BundleError for a passphrase shorter than PASSPHRASE_MIN."""
    if len(passphrase) < PASSPHRASE_MIN:
        raise BundleError(f"The passphrase needs at least {PASSPHRASE_MIN} characters.")
    salt, nonce = os.urandom(16), os.urandom(12)
    header = json.dumps({"format": FORMAT, "version": 1, "kdf": KDF,
                         "salt": base64.b64encode(salt).decode(),
                         "nonce": base64.b64encode(nonce).decode()}).encode() + b"\n"
    plain = json.dumps(snapshot, separators=(",", ":")).encode()
    return header + AESGCM(_key(passphrase, salt, KDF)).encrypt(nonce, plain, header)


def is_bundle(data: bytes) -> bool:
    try:
        return json.loads(data.split(b"\n", 1)[0]).get("format") == FORMAT
    except (ValueError, AttributeError):
        return False


def open_bundle(data: bytes, passphrase: str) -> dict[str, Any]:
    """The snapshot. Raises BundleError (not an export, damaged, wrong passphrase)."""
    if not is_bundle(data):
        raise BundleError("This is not an export of this product.")
    header, ciphertext = data.split(b"\n", 1)
    head = json.loads(header)
    try:
        key = _key(passphrase, base64.b64decode(head["salt"]), head["kdf"])
        plain = AESGCM(key).decrypt(base64.b64decode(head["nonce"]), ciphertext,
                                    header + b"\n")
    except InvalidTag:
        raise BundleError("Wrong passphrase, or the file is damaged.") from None
    except (KeyError, TypeError, ValueError):
        raise BundleError("The file's header is damaged.") from None
    return json.loads(plain)
