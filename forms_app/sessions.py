"""Flask's signed-cookie session, with its signing serializer made once rather than per request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask.sessions import SecureCookieSessionInterface

if TYPE_CHECKING:
    from flask import Flask
    from itsdangerous import URLSafeTimedSerializer


class KeptSerializerSessionInterface(SecureCookieSessionInterface):
    """The same cookies as Flask's own session, signed and checked the same way.

    Flask builds a new signing serializer for every request, and building one costs as much as
    using it (about a twentieth of a page view). It depends only on the secret key and its
    fallbacks, so one is kept for each set of keys; a key rotated in the configuration gets a
    new one.
    """

    def __init__(self) -> None:
        self._kept: dict[tuple[object, ...], URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        try:
            return self._kept[keys]
        except KeyError:
            serializer = super().get_signing_serializer(app)
            self._kept[keys] = serializer
            return serializer
