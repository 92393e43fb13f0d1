"""Password hashing for web UI accounts: argon2id through argon2-cffi, never hand-rolled.

argon2-cffi's defaults (RFC 9106's second recommendation: 64 MiB, 3 passes) cost about 50 ms
here, which is what makes a stolen hash expensive to guess; logins are rare enough to pay it.
Hashes carry their parameters, so raising them later re-hashes each account at its next login.
"""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from spyglass.exceptions import BadRequest

_hasher = PasswordHasher()
# Short passwords are guessable whatever the hash; long ones would make hashing a DoS lever.
MIN_PASSWORD = 8
MAX_PASSWORD = 1_000


def check_strength(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise BadRequest(f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_strength(password))


def verify_password(password_hash: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def random_password() -> str:
    """A password for generated accounts: 128 bits, easy to copy (no ambiguous symbols)."""
    return secrets.token_urlsafe(16)


@functools.cache
def dummy_hash() -> str:
    """A hash to verify against when the email is unknown, so a login for a missing account
    takes as long as one with a wrong password and does not reveal which it was."""
    return _hasher.hash(secrets.token_urlsafe(16))
