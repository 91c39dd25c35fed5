"""AES-256-GCM field encryption with key ids and row/column binding.

A stored value is laid out as::

    version (1 byte, 0x01) | key id length (1 byte) | key id (ASCII) | nonce (12 bytes) | ciphertext+tag

The associated data binds the value to its table, column, row id and key id, so a value copied
into another row or column, or relabelled with another key id, fails to decrypt.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import DecryptionError, KeyConfigurationError, UnknownKeyError

FORMAT_VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32


@dataclass(frozen=True)
class FieldContext:
    """Where a value lives: table, column and row id, bound in as associated data."""

    table: str
    column: str
    row_id: str

    def associated_data(self, key_id: str) -> bytes:
        return b"\x1f".join(
            part.encode()
            for part in ("saferforms-field-v1", self.table, self.column, self.row_id, key_id)
        )


class Keyring:
    """Data keys by id; the primary one encrypts, any of them decrypts."""

    def __init__(self, keys: Mapping[str, bytes], primary_id: str) -> None:
        if primary_id not in keys:
            raise KeyConfigurationError(f"the primary key id {primary_id!r} is not in the keyring")
        for key_id, key in keys.items():
            if len(key) != KEY_BYTES:
                raise KeyConfigurationError(f"data key {key_id!r} must be {KEY_BYTES} bytes")
            if not key_id or len(key_id) > 64 or not key_id.isascii():
                raise KeyConfigurationError("key ids are 1 to 64 ASCII characters")
        self._aeads = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self.primary_id = primary_id

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._aeads)

    def encrypt(self, plaintext: bytes, context: FieldContext) -> bytes:
        key_id = self.primary_id
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aeads[key_id].encrypt(nonce, plaintext, context.associated_data(key_id))
        encoded_id = key_id.encode()
        return bytes((FORMAT_VERSION, len(encoded_id))) + encoded_id + nonce + sealed

    def decrypt(self, blob: bytes, context: FieldContext) -> bytes:
        key_id, nonce, sealed = split_blob(blob)
        aead = self._aeads.get(key_id)
        if aead is None:
            raise UnknownKeyError(f"no data key with id {key_id!r} (column {context.column})")
        try:
            return aead.decrypt(nonce, sealed, context.associated_data(key_id))
        except InvalidTag:
            raise DecryptionError(
                f"a value in {context.table}.{context.column} failed to decrypt"
            ) from None


def split_blob(blob: bytes) -> tuple[str, bytes, bytes]:
    """Return (key id, nonce, ciphertext) of a stored value, or raise DecryptionError."""
    if len(blob) < 2 or blob[0] != FORMAT_VERSION:
        raise DecryptionError("not an encrypted value of a known format")
    id_length = blob[1]
    start = 2 + id_length
    if len(blob) < start + NONCE_BYTES + 16:
        raise DecryptionError("encrypted value is truncated")
    try:
        key_id = blob[2:start].decode("ascii")
    except UnicodeDecodeError:
        raise DecryptionError("encrypted value has a malformed key id") from None
    return key_id, blob[start : start + NONCE_BYTES], blob[start + NONCE_BYTES :]


def key_id_of(blob: bytes) -> str:
    return split_blob(blob)[0]
