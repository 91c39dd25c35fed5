"""Sealed submissions: only the intake private key opens them."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from forms_app.crypto import DecryptionError, seal, unseal


def test_a_sealed_submission_opens_with_the_private_key() -> None:
    private = X25519PrivateKey.generate()
    sealed = seal(private.public_key(), b'{"name": "Bill"}', b"submission-1")
    assert unseal(private, sealed, b"submission-1") == b'{"name": "Bill"}'
    assert b"Bill" not in sealed


def test_another_private_key_cannot_open_it() -> None:
    sealed = seal(X25519PrivateKey.generate().public_key(), b"x", b"submission-1")
    with pytest.raises(DecryptionError):
        unseal(X25519PrivateKey.generate(), sealed, b"submission-1")


def test_a_seal_moved_to_another_submission_fails() -> None:
    private = X25519PrivateKey.generate()
    sealed = seal(private.public_key(), b"x", b"submission-1")
    with pytest.raises(DecryptionError):
        unseal(private, sealed, b"submission-2")


def test_a_tampered_seal_fails() -> None:
    private = X25519PrivateKey.generate()
    sealed = bytearray(seal(private.public_key(), b"hello", b"s"))
    sealed[-3] ^= 0x40
    with pytest.raises(DecryptionError):
        unseal(private, bytes(sealed), b"s")


def test_a_truncated_seal_fails_cleanly() -> None:
    with pytest.raises(DecryptionError):
        unseal(X25519PrivateKey.generate(), b"\x01short", b"s")
