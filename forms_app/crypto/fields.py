"""Encrypted model attributes: models declare them plainly, code reads and writes plaintext.

    class Person(Model):
        first_name_enc: Mapped[bytes | None] = mapped_column("first_name", LargeBinary)
        first_name = Encrypted()

The value is encrypted on assignment with the row's table, column and id bound in, so the
row id is assigned first (ids are generated in Python, never by the database).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any, Generic, TypeVar, overload

from .keyring import FieldContext

T = TypeVar("T")

# Every encrypted attribute, as (model class, attribute name), for key rotation.
REGISTRY: list[tuple[type, str]] = []


def _encode_str(value: str) -> bytes:
    return value.encode()


def _decode_str(data: bytes) -> str:
    return data.decode()


def _encode_date(value: date) -> bytes:
    return value.isoformat().encode()


def _decode_date(data: bytes) -> date:
    return date.fromisoformat(data.decode())


def _encode_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode()


def _decode_json(data: bytes) -> Any:
    return json.loads(data)


CODECS: dict[str, tuple[Callable[[Any], bytes], Callable[[bytes], Any]]] = {
    "str": (_encode_str, _decode_str),
    "date": (_encode_date, _decode_date),
    "json": (_encode_json, _decode_json),
}


class Encrypted(Generic[T]):
    """A descriptor that stores its value encrypted in the `<name>_enc` mapped column."""

    def __init__(self, codec: str = "str") -> None:
        self.encode, self.decode = CODECS[codec]
        self.name = ""
        self.storage = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.storage = f"{name}_enc"
        REGISTRY.append((owner, name))

    def context(self, obj: Any) -> FieldContext:
        return FieldContext(obj.__tablename__, self.name, str(obj.id))

    @overload
    def __get__(self, obj: None, owner: type) -> Encrypted[T]: ...
    @overload
    def __get__(self, obj: object, owner: type) -> T | None: ...

    def __get__(self, obj: object | None, owner: type) -> Encrypted[T] | T | None:
        if obj is None:
            return self
        blob = getattr(obj, self.storage)
        if blob is None:
            return None
        cache = obj.__dict__.setdefault("_plaintext_cache", {})
        cached = cache.get(self.name)
        if cached is not None and cached[0] is blob:
            return cached[1]  # type: ignore[no-any-return]
        from . import crypto

        value = self.decode(crypto().keyring.decrypt(blob, self.context(obj)))
        cache[self.name] = (blob, value)
        return value  # type: ignore[no-any-return]

    def for_row(self, table: str, row_id: str, value: T | None) -> bytes | None:
        """What `__set__` would store for `value` in row `row_id` of `table`, for a Core insert."""
        if value is None:
            return None
        from . import crypto

        return crypto().keyring.encrypt(self.encode(value), FieldContext(table, self.name, row_id))

    def __set__(self, obj: Any, value: T | None) -> None:
        cache = obj.__dict__.setdefault("_plaintext_cache", {})
        cache.pop(self.name, None)
        if value is None:
            setattr(obj, self.storage, None)
            return
        if getattr(obj, "id", None) is None:
            from forms_app.models.base import new_id

            obj.id = new_id()
        from . import crypto

        blob = crypto().keyring.encrypt(self.encode(value), self.context(obj))
        setattr(obj, self.storage, blob)
        cache[self.name] = (blob, value)
