"""Flask's signed-cookie session, read without repeating work for a cookie already checked."""

from __future__ import annotations

import copy
import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

if TYPE_CHECKING:
    from flask import Flask, Request
    from itsdangerous import URLSafeTimedSerializer

# Cookies whose signature was checked, kept by each process: a visitor's session cookie stays
# the same from page to page. Some 2,048 cookies of a few hundred bytes each.
KEEP_CHECKED = 2048


def _now() -> int:
    return int(time.time())


class KeptSerializerSessionInterface(SecureCookieSessionInterface):
    """The same cookies as Flask's own session, signed and checked with the same keys.

    Flask builds a new signing serializer for every request, then checks the cookie's signature
    and decodes it; on a form page that was about a seventh of the time. Here the serializer is
    made once for each set of keys (a rotated key or fallback gets a new one), and a cookie whose
    signature has been checked is recognised by its exact text and keys, so it is not checked
    and decoded again. Its age is still checked on every request, as Flask does.
    """

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer | None] = {}
        self._checked: OrderedDict[tuple[Any, ...], tuple[dict[str, Any], int]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _keys(app: Flask) -> tuple[Any, ...]:
        return (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = self._keys(app)
        try:
            return self._serializers[keys]
        except KeyError:
            serializer = super().get_signing_serializer(app)
            self._serializers[keys] = serializer
            return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (self._keys(app), value)
        with self._lock:
            checked = self._checked.get(key)
            if checked is not None:
                self._checked.move_to_end(key)
        if checked is None:
            try:
                data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            checked = (data, int(signed_at.timestamp()))
            with self._lock:
                self._checked[key] = checked
                while len(self._checked) > KEEP_CHECKED:
                    self._checked.popitem(last=False)
        data, signed_at = checked
        if not 0 <= _now() - signed_at <= max_age:
            return self.session_class()
        # A copy, so that what one request changes is never seen by the next.
        return self.session_class(copy.deepcopy(data))
