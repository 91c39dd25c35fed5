"""Staff sign-in and sign-out: /staff/sign-in, its second-factor steps, and /staff/sign-out."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from . import service, sessions, throttle, totp
from .forms import CODE_FIELD_PARAMS, WRONG_CODE, CodeForm, SignInForm, error_list, sign_in_refused
from .guard import next_url

bp = Blueprint("auth", __name__)

# The only /staff endpoints open to a visitor who is not signed in; the second-factor steps
# below open only to a visitor whose password has just been checked (a pending session).
OPEN_ENDPOINTS = frozenset({"auth.sign_in", "auth.sign_out"})
PENDING_ENDPOINTS = frozenset({"auth.code", "auth.set_up_code"})
_CANDIDATE_KEY = "staff_totp_candidate"


def _page(template: str, form: Any, status: int = 200, **context: Any) -> tuple[str, int]:
    errors = error_list(form)
    return render_template(
        template,
        form=form,
        errors=errors,
        page_has_errors=bool(errors),
        service_url=url_for("staff.home"),
        home_url=url_for("staff.home"),
        **context,
    ), status


def _signed_in(outcome: service.Outcome) -> Response:
    """Send the browser on with its new session cookie, and a new CSRF token with it."""
    assert outcome.token is not None
    destination = next_url(url_for("staff.home"))
    session.clear()
    if outcome.step is service.Step.CODE:
        session["staff_next"] = destination
        destination = url_for("auth.code")
    elif outcome.step is service.Step.SET_UP_CODE:
        session["staff_next"] = destination
        destination = url_for("auth.set_up_code")
    return sessions.set_cookie(redirect(destination, 303), outcome.token)


def _start_again(message: str | None = None) -> Response:
    session.pop(_CANDIDATE_KEY, None)
    if message:
        flash(message, "information")
    return sessions.clear_cookie(redirect(url_for("auth.sign_in"), 303))


def _locked_message() -> str:
    minutes = int(throttle.lockout_duration().total_seconds() // 60)
    return f"You entered the wrong code too many times. Wait {minutes} minutes, then sign in again."


@bp.route("/sign-in", methods=["GET", "POST"])
@throttle.limit_sign_in
def sign_in() -> Any:
    if sessions.current_user() is not None:
        return redirect(url_for("staff.home"), 303)
    form = SignInForm()
    if form.validate_on_submit():
        outcome = service.sign_in_with_password(form.email.data, form.password.data)
        if outcome.ok:
            return _signed_in(outcome)
        throttle.mark_failed()
        minutes = int(throttle.lockout_duration().total_seconds() // 60)
        form.email.errors = [sign_in_refused(minutes)]
    # Never send a typed password back to the browser.
    form.password.data = None
    return _page("auth/sign_in.html", form)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@throttle.limit_sign_in
def code() -> Any:
    pending = sessions.pending_session()
    if pending is None:
        return _start_again()
    if pending.user.totp_secret is None:
        return redirect(url_for("auth.set_up_code"), 303)
    form = CodeForm()
    if form.validate_on_submit():
        outcome = service.sign_in_with_code(pending, form.code.data)
        if outcome.ok:
            return _signed_in(outcome)
        throttle.mark_failed()
        if outcome.locked:
            return _start_again(_locked_message())
        form.code.errors = [WRONG_CODE]
    return _page("auth/code.html", form, code_params=CODE_FIELD_PARAMS)


@bp.route("/sign-in/set-up-code", methods=["GET", "POST"])
@throttle.limit_sign_in
def set_up_code() -> Any:
    pending = sessions.pending_session()
    if pending is None:
        return _start_again()
    if pending.user.totp_secret is not None:
        return redirect(url_for("auth.code"), 303)
    secret = service.open_candidate_secret(session.get(_CANDIDATE_KEY), pending)
    if secret is None:
        secret = totp.new_secret()
        session[_CANDIDATE_KEY] = service.seal_candidate_secret(secret, pending)
    form = CodeForm()
    if form.validate_on_submit():
        outcome = service.sign_in_with_new_code(pending, secret, form.code.data)
        if outcome.ok:
            return _signed_in(outcome)
        throttle.mark_failed()
        if outcome.locked:
            return _start_again(_locked_message())
        form.code.errors = [WRONG_CODE]
    return _page(
        "auth/set_up_code.html",
        form,
        code_params=CODE_FIELD_PARAMS,
        secret=totp.grouped(secret),
        uri=totp.provisioning_uri(
            secret, pending.user.email, current_app.config["PARTNERSHIP_NAME"]
        ),
    )


@bp.post("/sign-out")
def sign_out() -> Response:
    service.sign_out()
    session.clear()
    flash("You have signed out.", "success")
    return sessions.clear_cookie(redirect(url_for("auth.sign_in"), 303))


__all__ = ["OPEN_ENDPOINTS", "PENDING_ENDPOINTS", "bp"]
