"""The staff workspace. Every route here needs a signed-in member of staff: the check is
attached to the blueprint itself (and so to any blueprint registered under it)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for

from forms_app.auth import service, totp
from forms_app.auth.forms import CODE_FIELD_PARAMS, WRONG_CODE, CodeForm, error_list
from forms_app.auth.guard import protect
from forms_app.auth.sessions import current_session, current_user

bp = protect(Blueprint("staff", __name__))

_CANDIDATE_KEY = "staff_totp_candidate"


@bp.get("/")
def home() -> str:
    user = current_user()
    assert user is not None
    memberships = sorted(user.memberships, key=lambda m: (m.team.organisation.name, m.team.name))
    return render_template(
        "staff/home.html",
        user=user,
        memberships=memberships,
        has_second_factor=user.totp_secret_enc is not None,
        service_url=url_for("staff.home"),
        home_url=url_for("staff.home"),
    )


@bp.route("/account/two-factor", methods=["GET", "POST"])
def two_factor() -> Any:
    """Set up a second factor where it is not yet required (it is required in production)."""
    user, staff_session = current_user(), current_session()
    assert user is not None and staff_session is not None
    if user.totp_secret is not None:
        return render_template("staff/two_factor_done.html", home_url=url_for("staff.home"))
    secret = service.open_candidate_secret(session.get(_CANDIDATE_KEY), staff_session)
    if secret is None:
        secret = totp.new_secret()
        session[_CANDIDATE_KEY] = service.seal_candidate_secret(secret, staff_session)
    form = CodeForm()
    if form.validate_on_submit():
        if service.enrol_second_factor(user, secret, form.code.data):
            session.pop(_CANDIDATE_KEY, None)
            flash("Two-factor authentication is set up.", "success")
            return redirect(url_for("staff.home"), 303)
        form.code.errors = [WRONG_CODE]
    errors = error_list(form)
    return render_template(
        "staff/two_factor.html",
        form=form,
        errors=errors,
        page_has_errors=bool(errors),
        code_params=CODE_FIELD_PARAMS,
        secret=totp.grouped(secret),
        uri=totp.provisioning_uri(secret, user.email, current_app.config["PARTNERSHIP_NAME"]),
        service_url=url_for("staff.home"),
        home_url=url_for("staff.home"),
    )
