"""Blind indexes: keyed HMAC-SHA256 of normalised values, under a key of their own.

`BlindIndexer.full` gives the whole hash and each caller decides how much of it to keep.
Matching cuts its tokens to a few bits per key kind (dedupe/blocking.py, KEY_KINDS; the bits and
false-positive rates are in docs/matching.md); sign-in throttling and the audit trail keep 128
bits. See docs/security.md.
"""

from __future__ import annotations

import hashlib
import hmac

from .errors import KeyConfigurationError


class BlindIndexer:
    """Compute blind indexes: HMAC-SHA256(index key, kind NUL value)."""

    def __init__(self, index_key: bytes) -> None:
        if len(index_key) < 32:
            raise KeyConfigurationError("the blind-index key must be at least 32 bytes")
        self._key = index_key

    def full(self, kind: str, value: str) -> bytes:
        """The full 32-byte HMAC; each caller keeps as much of it as it needs."""
        message = kind.encode() + b"\x00" + value.encode()
        return hmac.digest(self._key, message, hashlib.sha256)
