"""Blind indexes: keyed HMAC-SHA256 of normalised values, under a key of their own.

`BlindIndexer.full` gives the whole hash and each caller decides how much of it to keep.
Matching cuts its tokens to a few bits per key kind (dedupe/blocking.py, KEY_KINDS; the bits and
false-positive rates are in docs/matching.md); sign-in throttling and the audit trail keep 128
bits. `token` and its TRUNCATION_BITS table are not called by the service (only by their tests
and benchmarks/crypto.py), and their bits would hide little; see docs/security.md.
"""

from __future__ import annotations

import hashlib
import hmac

from .errors import KeyConfigurationError

# Bits kept per index kind. A kind not listed keeps DEFAULT_BITS.
TRUNCATION_BITS: dict[str, int] = {
    "dob": 16,  # ~36,500 distinct dates of birth: truncation adds deliberate collisions
    "postcode": 32,
    "postcode_district": 16,
    "email": 64,
    "phone": 64,
    "name": 32,
    "name_dob": 48,
}
DEFAULT_BITS = 64
MAX_BITS = 256


class BlindIndexer:
    """Compute blind-index tokens: HMAC-SHA256(index key, kind NUL value), truncated by kind."""

    def __init__(self, index_key: bytes) -> None:
        if len(index_key) < 32:
            raise KeyConfigurationError("the blind-index key must be at least 32 bytes")
        self._key = index_key

    def full(self, kind: str, value: str) -> bytes:
        """The full 32-byte HMAC; callers that truncate by their own table use this."""
        message = kind.encode() + b"\x00" + value.encode()
        return hmac.digest(self._key, message, hashlib.sha256)

    def token(self, kind: str, value: str, bits: int | None = None) -> bytes:
        bits = bits if bits is not None else TRUNCATION_BITS.get(kind, DEFAULT_BITS)
        if bits % 8 or not 8 <= bits <= MAX_BITS:
            raise ValueError(
                "blind-index truncation must be a whole number of bytes, 8 to 256 bits"
            )
        return self.full(kind, value)[: bits // 8]
