"""Where key material comes from: the instance folder (embedded default) or the environment.

Key material is four things: the data keys (by id, one primary) for field encryption, the
blind-index key, and the intake key pair for sealed submissions, of which a web process needs
only the public half.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from .errors import KeyConfigurationError
from .keyring import KEY_BYTES


@dataclass
class KeyMaterial:
    data_keys: dict[str, bytes]  # in order: the first is the primary
    index_key: bytes
    intake_public: X25519PublicKey
    intake_private: X25519PrivateKey | None = field(default=None, repr=False)

    @property
    def primary_id(self) -> str:
        return next(iter(self.data_keys))


class KeyProvider(Protocol):
    def load(self) -> KeyMaterial: ...

    def add_data_key(self) -> str:
        """Create a new primary data key and return its id."""
        ...

    def remove_data_key(self, key_id: str) -> None: ...


def new_key_id() -> str:
    return datetime.now(UTC).strftime("k%Y%m%d%H%M%S") + secrets.token_hex(2)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigurationError(f"{what} is not valid base64") from None


def _public_raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _private_raw(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _write_private(path: Path, text: str) -> None:
    """Write a file readable by its owner only, created with those rights from the start."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


class LocalKeyProvider:
    """Keys generated once into <instance>/keys/ with 0600 rights: the embedded default."""

    def __init__(self, instance_dir: Path) -> None:
        self.folder = Path(instance_dir) / "keys"
        self.keys_file = self.folder / "keys.json"
        self.intake_private_file = self.folder / "intake-private.key"

    def exists(self) -> bool:
        return self.keys_file.exists()

    def ensure(self) -> bool:
        """Create key material if absent; return True when it was created."""
        if self.exists():
            return False
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        intake = X25519PrivateKey.generate()
        document = {
            "data_keys": [{"id": new_key_id(), "key": _b64(secrets.token_bytes(KEY_BYTES))}],
            "index_key": _b64(secrets.token_bytes(32)),
            "intake_public": _b64(_public_raw(intake.public_key())),
        }
        _write_private(self.intake_private_file, _b64(_private_raw(intake)) + "\n")
        _write_private(self.keys_file, json.dumps(document, indent=2) + "\n")
        return True

    def _document(self) -> dict[str, object]:
        if not self.exists():
            raise KeyConfigurationError(
                f"no keys in {self.folder}: run `saferforms init` to create them"
            )
        try:
            loaded = json.loads(self.keys_file.read_text())
        except (OSError, ValueError) as error:
            raise KeyConfigurationError(f"{self.keys_file} cannot be read: {error}") from None
        if not isinstance(loaded, dict):
            raise KeyConfigurationError(f"{self.keys_file} is not a key document")
        return loaded

    def load(self) -> KeyMaterial:
        document = self._document()
        try:
            entries = document["data_keys"]
            assert isinstance(entries, list) and entries
            data_keys = {
                str(entry["id"]): _unb64(entry["key"], f"{self.keys_file} data key")
                for entry in entries
            }
            index_key = _unb64(str(document["index_key"]), f"{self.keys_file} index_key")
            public = X25519PublicKey.from_public_bytes(
                _unb64(str(document["intake_public"]), f"{self.keys_file} intake_public")
            )
        except (KeyError, TypeError, AssertionError, ValueError) as error:
            raise KeyConfigurationError(f"{self.keys_file} is malformed ({error})") from None
        private = None
        if self.intake_private_file.exists():
            private = X25519PrivateKey.from_private_bytes(
                _unb64(self.intake_private_file.read_text(), str(self.intake_private_file))
            )
        return KeyMaterial(data_keys, index_key, public, private)

    def add_data_key(self) -> str:
        document = self._document()
        key_id = new_key_id()
        entries = list(document["data_keys"])  # type: ignore[call-overload]
        document["data_keys"] = [
            {"id": key_id, "key": _b64(secrets.token_bytes(KEY_BYTES))},
            *entries,
        ]
        _write_private(self.keys_file, json.dumps(document, indent=2) + "\n")
        return key_id

    def remove_data_key(self, key_id: str) -> None:
        document = self._document()
        entries = [e for e in document["data_keys"] if e["id"] != key_id]  # type: ignore[attr-defined]
        if not entries:
            raise KeyConfigurationError("the last data key cannot be removed")
        if entries[0]["id"] != document["data_keys"][0]["id"]:  # type: ignore[index]
            raise KeyConfigurationError("the primary data key cannot be removed")
        document["data_keys"] = entries
        _write_private(self.keys_file, json.dumps(document, indent=2) + "\n")


class EnvKeyProvider:
    """Keys from the environment, for production.

    SAFERFORMS_DATA_KEYS          comma-separated `id:base64key`; the first is the primary
    SAFERFORMS_INDEX_KEY          base64, 32 bytes or more
    SAFERFORMS_INTAKE_PUBLIC_KEY  base64 raw X25519 public key
    SAFERFORMS_INTAKE_PRIVATE_KEY base64 raw X25519 private key: set it for workers only
    """

    REQUIRED = ("SAFERFORMS_DATA_KEYS", "SAFERFORMS_INDEX_KEY", "SAFERFORMS_INTAKE_PUBLIC_KEY")

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    @classmethod
    def missing_variables(cls, env: Mapping[str, str]) -> list[str]:
        return [name for name in cls.REQUIRED if not env.get(name)]

    def load(self) -> KeyMaterial:
        missing = self.missing_variables(self.env)
        if missing:
            raise KeyConfigurationError("missing key material: set " + ", ".join(missing))
        data_keys: dict[str, bytes] = {}
        for item in self.env["SAFERFORMS_DATA_KEYS"].split(","):
            key_id, sep, value = item.strip().partition(":")
            if not sep or not key_id:
                raise KeyConfigurationError("SAFERFORMS_DATA_KEYS must be `id:base64key,…`")
            data_keys[key_id] = _unb64(value, f"SAFERFORMS_DATA_KEYS key {key_id!r}")
        index_key = _unb64(self.env["SAFERFORMS_INDEX_KEY"], "SAFERFORMS_INDEX_KEY")
        try:
            public = X25519PublicKey.from_public_bytes(
                _unb64(self.env["SAFERFORMS_INTAKE_PUBLIC_KEY"], "SAFERFORMS_INTAKE_PUBLIC_KEY")
            )
            private_text = self.env.get("SAFERFORMS_INTAKE_PRIVATE_KEY")
            private = (
                X25519PrivateKey.from_private_bytes(
                    _unb64(private_text, "SAFERFORMS_INTAKE_PRIVATE_KEY")
                )
                if private_text
                else None
            )
        except ValueError:
            raise KeyConfigurationError(
                "SAFERFORMS_INTAKE_PUBLIC_KEY / SAFERFORMS_INTAKE_PRIVATE_KEY must be 32-byte X25519 keys"
            ) from None
        return KeyMaterial(data_keys, index_key, public, private)

    def add_data_key(self) -> str:
        raise KeyConfigurationError(
            "keys come from the environment: generate one with `saferforms keys generate`, put it "
            "first in SAFERFORMS_DATA_KEYS on every process, then run `saferforms keys rotate`"
        )

    def remove_data_key(self, key_id: str) -> None:
        raise KeyConfigurationError(
            f"keys come from the environment: remove {key_id!r} from SAFERFORMS_DATA_KEYS"
        )


def generate_env_keys() -> dict[str, str]:
    """New key material for the environment provider, as variable name -> value."""
    intake = X25519PrivateKey.generate()
    return {
        "SAFERFORMS_DATA_KEYS": f"{new_key_id()}:{_b64(secrets.token_bytes(KEY_BYTES))}",
        "SAFERFORMS_INDEX_KEY": _b64(secrets.token_bytes(32)),
        "SAFERFORMS_INTAKE_PUBLIC_KEY": _b64(_public_raw(intake.public_key())),
        "SAFERFORMS_INTAKE_PRIVATE_KEY": _b64(_private_raw(intake)),
    }
