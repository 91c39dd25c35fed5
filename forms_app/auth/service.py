"""Staff sign-in, sign-out and account administration.

Every refused sign-in looks the same from outside, whether the account is unknown, disabled,
locked or the password wrong: the same message, and the same argon2 work (an unknown address is
checked against a dummy hash). Audit events never carry the e-mail address that was typed.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from forms_app import audit
from forms_app.crypto import DecryptionError, FieldContext, crypto
from forms_app.extensions import db
from forms_app.models import Membership, Role, StaffSession, Team, User, utcnow

from . import sessions, throttle, totp
from .passwords import hash_password, needs_rehash, verify_password

MIN_PASSWORD_LENGTH = 12


class Step(enum.StrEnum):
    """What the browser does next after a sign-in step."""

    DONE = "done"
    CODE = "code"
    SET_UP_CODE = "set_up_code"


@dataclass(frozen=True)
class Outcome:
    """The result of a sign-in step: a new session token on success, and the next step."""

    token: str | None = None
    step: Step | None = None
    # The account is now locked: the pending session has ended and the user starts again.
    locked: bool = False

    @property
    def ok(self) -> bool:
        return self.token is not None


REFUSED = Outcome()


def _user_event(
    action: str, user: User, *, actor: User | None = None, fields: Iterable[str] = ()
) -> None:
    audit.record(action, actor=actor, object_type="user", object_id=user.id, fields=fields)


def sign_in_with_password(email: str, password: str) -> Outcome:
    """Check an e-mail address and password; on success start a session (pending or complete)."""
    now = utcnow()
    address = throttle.normalise_email(email)
    user = db.session.scalar(select(User).where(User.email == address))
    password_ok = verify_password(user.password_hash if user is not None else None, password)
    # Whatever session the browser held ends here: a sign-in always gets a new session id.
    sessions.revoke_presented(now)

    if user is None:
        audit.record("sign_in.failed")
        db.session.commit()
        return REFUSED
    if not user.is_active:
        _user_event("sign_in.refused_disabled", user)
        db.session.commit()
        return REFUSED
    if throttle.is_locked(user, now):
        _user_event("sign_in.refused_locked", user)
        db.session.commit()
        return REFUSED
    if not password_ok:
        _user_event("sign_in.failed", user)
        if throttle.register_failure(user, now):
            _user_event("user.locked", user, fields=["locked_until"])
        db.session.commit()
        return REFUSED

    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.totp_secret is not None:
        step = Step.CODE
    elif current_app.config["REQUIRE_TOTP"]:
        step = Step.SET_UP_CODE
    else:
        return _complete(user, now)
    token = sessions.start_session(user, complete=False, now=now)
    _user_event("sign_in.password_accepted", user)
    db.session.commit()
    return Outcome(token=token, step=step)


def sign_in_with_code(pending: StaffSession, code: str) -> Outcome:
    """Check the second factor of a pending session; on success replace it with a complete one."""
    now = utcnow()
    user = pending.user
    if throttle.is_locked(user, now):
        sessions.revoke(pending, now)
        _user_event("sign_in.refused_locked", user)
        db.session.commit()
        return Outcome(locked=True)
    if totp.accept_code(user, code):
        sessions.revoke(pending, now)
        return _complete(user, now)
    return _code_refused(pending, now)


def sign_in_with_new_code(pending: StaffSession, secret: str, code: str) -> Outcome:
    """Enrol the pending session's user in TOTP with `secret`, proven by `code`, and sign in."""
    now = utcnow()
    user = pending.user
    if throttle.is_locked(user, now):
        sessions.revoke(pending, now)
        _user_event("sign_in.refused_locked", user)
        db.session.commit()
        return Outcome(locked=True)
    if not _enrol(user, secret, code):
        return _code_refused(pending, now)
    sessions.revoke(pending, now)
    return _complete(user, now)


def enrol_second_factor(user: User, secret: str, code: str) -> bool:
    """Set up TOTP for a signed-in user who has none yet (optional where it is not required)."""
    if not _enrol(user, secret, code):
        return False
    db.session.commit()
    return True


def _enrol(user: User, secret: str, code: str) -> bool:
    if user.totp_secret is not None:
        return False
    step = totp.matching_step(secret, code)
    if step is None:
        return False
    user.totp_secret = secret
    user.totp_last_step = step
    _user_event("user.second_factor_set_up", user, actor=user, fields=["totp_secret"])
    return True


def _code_refused(pending: StaffSession, now: datetime) -> Outcome:
    user = pending.user
    _user_event("sign_in.code_failed", user)
    locked = throttle.register_failure(user, now)
    if locked:
        _user_event("user.locked", user, fields=["locked_until"])
        sessions.revoke(pending, now)
    db.session.commit()
    return Outcome(locked=locked)


def _complete(user: User, now: datetime) -> Outcome:
    throttle.register_success(user, now)
    token = sessions.start_session(user, complete=True, now=now)
    _user_event("sign_in.succeeded", user, actor=user)
    db.session.commit()
    return Outcome(token=token, step=Step.DONE)


def sign_out() -> None:
    """End the session the request's cookie names."""
    row = sessions.revoke_presented()
    if row is not None and row.second_factor_done:
        _user_event("sign_out", row.user, actor=row.user)
    db.session.commit()


# The secret offered during enrolment is kept in the signed Flask session until it is proven,
# encrypted and bound to the staff session, so that it is never readable in the cookie and
# cannot be carried into another session.


def seal_candidate_secret(secret: str, binding: StaffSession) -> str:
    context = FieldContext("staff_session", "totp_candidate", binding.token_hash)
    return base64.urlsafe_b64encode(crypto().keyring.encrypt(secret.encode(), context)).decode()


def open_candidate_secret(sealed: str | None, binding: StaffSession) -> str | None:
    if not sealed:
        return None
    context = FieldContext("staff_session", "totp_candidate", binding.token_hash)
    try:
        return crypto().keyring.decrypt(base64.urlsafe_b64decode(sealed), context).decode()
    except (DecryptionError, ValueError):
        return None


# Account administration (the `saferforms users` commands).


class AccountError(Exception):
    """An account cannot be created or changed; the message says why, without personal data."""


def find_team(spec: str) -> Team:
    """A team by slug, or by ORGANISATION/TEAM when several organisations use the same slug."""
    from forms_app.models import Organisation

    query = select(Team)
    if "/" in spec:
        organisation_slug, team_slug = spec.split("/", 1)
        query = query.join(Organisation).where(
            Organisation.slug == organisation_slug, Team.slug == team_slug
        )
    else:
        query = query.where(Team.slug == spec)
    teams = db.session.scalars(query).all()
    if not teams:
        raise AccountError(f"there is no team {spec!r}")
    if len(teams) > 1:
        raise AccountError(
            f"several organisations have a team {spec!r}: give it as ORGANISATION/TEAM"
        )
    return teams[0]


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be {MIN_PASSWORD_LENGTH} characters or more")
    if len(password) > 1024:
        raise AccountError("the password must be 1024 characters or fewer")


def create_user(
    *,
    email: str,
    display_name: str,
    password: str,
    team: Team,
    role: Role,
    with_totp: bool = False,
) -> tuple[User, str | None]:
    """Create a staff account in `team` with `role`; returns it and its TOTP secret if asked."""
    address = throttle.normalise_email(email)
    if "@" not in address or len(address) > 320:
        raise AccountError("the email address is not in the correct format")
    if not display_name.strip():
        raise AccountError("give the person's name")
    check_password_policy(password)
    if db.session.scalar(select(User.id).where(User.email == address)) is not None:
        raise AccountError("an account with that email address already exists")
    user = User(
        email=address, display_name=display_name.strip(), password_hash=hash_password(password)
    )
    secret = None
    fields = ["email", "display_name", "password_hash"]
    if with_totp:
        secret = totp.new_secret()
        user.totp_secret = secret
        fields.append("totp_secret")
    membership = Membership(user=user, team=team, role=role)
    db.session.add_all([user, membership])
    _user_event("user.created", user, fields=fields)
    audit.record(
        "membership.created",
        object_type="membership",
        object_id=membership.id,
        fields=["user_id", "team_id", "role"],
    )
    db.session.commit()
    return user, secret


def set_password(email: str, password: str) -> int:
    """Give an account a new password and end all its sessions; returns how many were live."""
    check_password_policy(password)
    user = db.session.scalar(select(User).where(User.email == throttle.normalise_email(email)))
    if user is None:
        raise AccountError("there is no account with that email address")
    user.password_hash = hash_password(password)
    ended = sessions.revoke_all_for(user)
    _user_event("user.password_set", user, fields=["password_hash"])
    db.session.commit()
    return ended


def disable_user(email: str) -> int:
    """Disable an account and end all its sessions at once; returns how many were live."""
    user = db.session.scalar(select(User).where(User.email == throttle.normalise_email(email)))
    if user is None:
        raise AccountError("there is no account with that email address")
    user.is_active = False
    ended = sessions.revoke_all_for(user)
    _user_event("user.disabled", user, fields=["is_active"])
    db.session.commit()
    return ended
