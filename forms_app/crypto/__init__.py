"""Encryption for Safer Forms: field encryption, blind indexes and sealed submissions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from .blind_index import BlindIndexer
from .errors import CryptoError, DecryptionError, KeyConfigurationError, UnknownKeyError
from .fields import Encrypted
from .keyring import FieldContext, Keyring
from .providers import EnvKeyProvider, KeyMaterial, KeyProvider, LocalKeyProvider
from .sealing import seal, unseal

__all__ = [
    "BlindIndexer",
    "Crypto",
    "CryptoError",
    "DecryptionError",
    "Encrypted",
    "FieldContext",
    "KeyConfigurationError",
    "Keyring",
    "UnknownKeyError",
    "crypto",
    "install",
    "provider_for",
]


@dataclass
class Crypto:
    """The key-holding services of one process."""

    keyring: Keyring
    indexer: BlindIndexer
    intake_public: X25519PublicKey
    intake_private: X25519PrivateKey | None

    @classmethod
    def from_material(cls, material: KeyMaterial) -> Crypto:
        return cls(
            Keyring(material.data_keys, material.primary_id),
            BlindIndexer(material.index_key),
            material.intake_public,
            material.intake_private,
        )

    def seal_submission(self, submission_id: str, plaintext: bytes) -> bytes:
        return seal(self.intake_public, plaintext, _submission_ad(submission_id))

    def unseal_submission(self, submission_id: str, sealed: bytes) -> bytes:
        if self.intake_private is None:
            raise KeyConfigurationError(
                "this process holds no intake private key: only the processor can open submissions"
            )
        return unseal(self.intake_private, sealed, _submission_ad(submission_id))

    def without_private_key(self) -> Crypto:
        return Crypto(self.keyring, self.indexer, self.intake_public, None)


def _submission_ad(submission_id: str) -> bytes:
    return b"saferforms-submission-v1\x1f" + submission_id.encode()


_active: Crypto | None = None


def install(service: Crypto) -> None:
    """Make `service` the process's crypto (create_app and the CLI call this)."""
    global _active
    _active = service


def crypto() -> Crypto:
    from flask import current_app, has_app_context

    if has_app_context():
        service = current_app.extensions.get("saferforms.crypto")
        if service is not None:
            return service  # type: ignore[no-any-return]
    if _active is None:
        raise KeyConfigurationError("encryption keys are not loaded in this process")
    return _active


def provider_for(kind: str, instance_dir: Path, env: dict[str, str] | None = None) -> KeyProvider:
    import os

    if kind == "local":
        return LocalKeyProvider(instance_dir)
    if kind == "env":
        return EnvKeyProvider(os.environ if env is None else env)
    raise KeyConfigurationError(
        f"SAFERFORMS_KEY_PROVIDER={kind!r} is not known: use 'local' or 'env'"
    )
