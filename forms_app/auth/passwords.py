"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

# Verified when an e-mail address matches no account, so that a wrong address takes as long
# as a wrong password and does not reveal which addresses have accounts.
_DUMMY_HASH = _hasher.hash("not a real password")


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Swap the hasher (the tests use a cheap one) and return the old one.

    The dummy hash is remade with it, so an unknown address still costs what a known one does.
    """
    global _hasher, _DUMMY_HASH
    previous = _hasher
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("not a real password")
    return previous


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
