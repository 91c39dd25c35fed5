"""Signed-in checks attached to whole blueprints, so that no staff route can forget one."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from . import sessions

ENDED_MESSAGES = {
    "idle": "You were signed out because you had not done anything for a while. "
    "Sign in again to continue.",
    "absolute": "You were signed out because you had been signed in for too long. "
    "Sign in again to continue.",
}


def require_signed_in() -> Response | None:
    """A before_request hook: let signed-in staff through, send everyone else to sign in."""
    if sessions.current_user() is not None:
        return None
    reason = g.get("staff_session_ended")
    if reason in ENDED_MESSAGES:
        flash(ENDED_MESSAGES[reason], "information")
    if request.method == "GET":
        # Only the path: query strings may one day carry search terms.
        session["staff_next"] = request.path
    response = redirect(url_for("auth.sign_in"), 303)
    # A pending session (password checked, code to come) keeps its cookie; an ended one does not.
    if reason is not None:
        sessions.clear_cookie(response)
    return response


def protect(blueprint: Blueprint) -> Blueprint:
    """Require a signed-in member of staff on every route of `blueprint` and its children."""
    blueprint.before_request(require_signed_in)
    return blueprint


def next_url(default: str) -> str:
    """Where to go after signing in: the staff page that sent the user here, if safe."""
    target = session.pop("staff_next", None)
    if (
        isinstance(target, str)
        and target.startswith("/staff/")
        and "//" not in target
        and "\\" not in target
    ):
        return target
    return default
