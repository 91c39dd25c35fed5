"""Values a worker reads for every report but that change rarely, kept a short while per app.

A worker processing fifty reports a second would otherwise ask the database fifty times a
second for the same team id and the same matching parameters. Each value is kept for a fixed
time in the running app (`current_app.extensions`), so a new app (a new process, or a test)
starts empty, and a change made elsewhere is seen within that time. Only values that can be
a little out of date without harm belong here; see where `kept` is used.
"""

from __future__ import annotations

import threading
import time
from typing import Generic, TypeVar

from flask import current_app

V = TypeVar("V")
_EXTENSION = "saferforms.kept"
_lock = threading.Lock()


def _now() -> float:
    return time.monotonic()


class Kept(Generic[V]):
    """A small map of values, each forgotten `seconds` after it was put."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._values: dict[str, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._lock:
            held = self._values.get(key)
        if held is None or _now() - held[0] >= self.seconds:
            return None
        return held[1]

    def put(self, key: str, value: V) -> V:
        with self._lock:
            self._values[key] = (_now(), value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


def kept(name: str, seconds: float) -> Kept[V]:
    """The app's `Kept` of this name, made on first use."""
    extensions = current_app.extensions
    with _lock:
        stores: dict[str, Kept[V]] = extensions.setdefault(_EXTENSION, {})
        store = stores.get(name)
        if store is None:
            store = stores[name] = Kept(seconds)
    return store


def forget(name: str) -> None:
    """Forget every value of the app's `Kept` of this name, if it has one."""
    store = current_app.extensions.get(_EXTENSION, {}).get(name)
    if store is not None:
        store.clear()
