"""Who may read which case or person: the one access policy every staff read goes through.

No grant, no access. A live (unrevoked) AccessGrant to the user, or to a team the user belongs
to, opens a case or a person; nothing else does: not the owning team, not a role. The list
filters are built from the same clause, so a listing can never show what a read would refuse.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select

from forms_app.extensions import db
from forms_app.models import AccessGrant, Case, Membership, Person, User


def _granted_to(user: User) -> ColumnElement[bool]:
    teams = select(Membership.team_id).where(Membership.user_id == user.id)
    return and_(
        AccessGrant.revoked_at.is_(None),
        or_(AccessGrant.user_id == user.id, AccessGrant.team_id.in_(teams)),
    )


def _usable(user: User | None) -> bool:
    return user is not None and bool(user.is_active)


def _id(obj: Any) -> str | None:
    if obj is None:
        return None
    return obj if isinstance(obj, str) else obj.id


def can_read_case(user: User | None, case: Case | str | None) -> bool:
    """True when `user` holds a live grant, directly or through a team, to `case` (or its id)."""
    case_id = _id(case)
    if not _usable(user) or case_id is None:
        return False
    assert user is not None
    query = select(exists().where(AccessGrant.case_id == case_id, _granted_to(user)))
    return bool(db.session.scalar(query))


def can_read_person(user: User | None, person: Person | str | None) -> bool:
    """True when `user` holds a live grant, directly or through a team, to `person` (or its id)."""
    person_id = _id(person)
    if not _usable(user) or person_id is None:
        return False
    assert user is not None
    query = select(exists().where(AccessGrant.person_id == person_id, _granted_to(user)))
    return bool(db.session.scalar(query))


def readable_case_ids(user: User) -> Select[str | None]:
    """A subquery of the ids of the cases `user` may read, for filtering lists."""
    if not _usable(user):
        return select(AccessGrant.case_id).where(false())
    return select(AccessGrant.case_id).where(AccessGrant.case_id.is_not(None), _granted_to(user))


def readable_person_ids(user: User) -> Select[str | None]:
    """A subquery of the ids of the people `user` may read, for filtering lists."""
    if not _usable(user):
        return select(AccessGrant.person_id).where(false())
    return select(AccessGrant.person_id).where(
        AccessGrant.person_id.is_not(None), _granted_to(user)
    )


__all__ = ["can_read_case", "can_read_person", "readable_case_ids", "readable_person_ids"]
