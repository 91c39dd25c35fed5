"""Sealed boxes for submissions: only the holder of the intake private key can open them.

A fresh AES-256-GCM data key per submission, wrapped with X25519 (an ephemeral key pair and
HKDF-SHA256 over the shared secret), with the submission id bound as associated data. The web
process holds only the public key.

Layout: version (1) | ephemeral public key (32) | wrap nonce (12) | wrapped data key (48)
        | data nonce (12) | ciphertext+tag
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .errors import DecryptionError

SEAL_VERSION = 1
_HEADER = 1 + 32 + 12 + 48 + 12


def _wrapping_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral_public + recipient_public,
        info=b"saferforms-seal-v1",
    ).derive(shared)


def _raw(public_key: X25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def seal(public_key: X25519PublicKey, plaintext: bytes, associated_data: bytes) -> bytes:
    data_key = AESGCM.generate_key(bit_length=256)
    data_nonce = os.urandom(12)
    body = AESGCM(data_key).encrypt(data_nonce, plaintext, associated_data)

    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _raw(ephemeral.public_key())
    wrap_key = _wrapping_key(ephemeral.exchange(public_key), ephemeral_public, _raw(public_key))
    wrap_nonce = os.urandom(12)
    wrapped = AESGCM(wrap_key).encrypt(wrap_nonce, data_key, associated_data)
    return bytes((SEAL_VERSION,)) + ephemeral_public + wrap_nonce + wrapped + data_nonce + body


def unseal(private_key: X25519PrivateKey, sealed: bytes, associated_data: bytes) -> bytes:
    if len(sealed) < _HEADER + 16 or sealed[0] != SEAL_VERSION:
        raise DecryptionError("not a sealed submission of a known format")
    ephemeral_public = sealed[1:33]
    wrap_nonce = sealed[33:45]
    wrapped = sealed[45:93]
    data_nonce = sealed[93:105]
    body = sealed[105:]
    try:
        shared = private_key.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        wrap_key = _wrapping_key(shared, ephemeral_public, _raw(private_key.public_key()))
        data_key = AESGCM(wrap_key).decrypt(wrap_nonce, wrapped, associated_data)
        return AESGCM(data_key).decrypt(data_nonce, body, associated_data)
    except (InvalidTag, ValueError):
        raise DecryptionError("the sealed submission could not be opened") from None
