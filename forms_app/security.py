"""Security headers on every response, and error pages that show nothing they should not."""

from __future__ import annotations

import logging

from flask import Flask, Response, abort, render_template, request
from flask.globals import request_ctx
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import BadRequest, HTTPException

from .public.i18n import STRINGS, t, visitor_language

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Paths whose responses may be cached: static assets, which hold no personal data.
_CACHEABLE_PREFIXES = ("/assets/", "/static/")


def install_security(app: Flask) -> None:
    @app.after_request
    def add_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self)"
        if request.is_secure:
            headers["Strict-Transport-Security"] = (
                f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains"
            )
        if not request.path.startswith(_CACHEABLE_PREFIXES):
            # Pages may show personal data; never let a browser or proxy keep them.
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response

    # First of all the request hooks, so before the CSRF check reads the form.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_unnamed_fields)

    try:
        from gunicorn.http.errors import ParseException
    except ImportError:  # served some other way
        pass
    else:

        @app.errorhandler(ParseException)
        def unreadable_body(error: Exception) -> tuple[str, int]:
            # A malformed chunked body, met while the form is read: the client's fault.
            log.warning("unreadable request body on %s: %s", request.endpoint, type(error).__name__)
            return http_error(BadRequest())

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        template = {
            400: "errors/400.html",
            403: "errors/403.html",
            404: "errors/404.html",
            413: "errors/413.html",
            429: "errors/429.html",
        }.get(code, "errors/500.html")
        return _error_page(template, code)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_unavailable(error: Exception) -> tuple[str, int]:
        # The exception text can quote parameters: log its class only.
        log.error("database unavailable: %s", type(error).__name__)
        _rollback()
        return _error_page("errors/503.html", 503)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        if isinstance(error, HTTPException):
            return http_error(error)
        log.error("unhandled error on %s: %s", request.endpoint, type(error).__name__)
        _rollback()
        return _error_page("errors/500.html", 500)


# Staff pages are in English only, and so is the page saying a staff page is forbidden.
_STAFF_PATH = "/staff"
_ENGLISH_ONLY_TEMPLATES = frozenset({"errors/403.html"})


def _refuse_unnamed_fields() -> None:
    """A multipart part without a name is filed under None, which breaks whatever reads the
    form's field names (the CSRF check first): refuse the request instead."""
    if request.method in ("POST", "PUT", "PATCH") and (
        None in request.form or None in request.files
    ):
        abort(400)


# For a request no URL can be built for (a Host header that is not a host name): the usual
# pages link to the design system's assets by URL, so this one stands alone.
_PLAIN_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
    "<body><h1>{title}</h1></body></html>"
)


def _error_page(template: str, status: int) -> tuple[str, int]:
    """Render an error page in the visitor's language (as their form pages were), in words
    that hold nothing from the request."""
    if getattr(request_ctx, "url_adapter", None) is None:
        key = f"error_{status}_title"
        return _PLAIN_PAGE.format(
            title=t(key if key in STRINGS else "error_500_title", "en")
        ), status
    staff = request.path == _STAFF_PATH or request.path.startswith(_STAFF_PATH + "/")
    lang = "en" if staff or template in _ENGLISH_ONLY_TEMPLATES else visitor_language()
    html = render_template(
        template,
        status=status,
        html_lang=lang,
        skip_link_text=t("skip_link", lang),
        t=lambda key: t(key, lang),
    )
    return html, status


def _rollback() -> None:
    from .extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the database may be gone; the page must still render
        log.warning("rollback failed after an error")
