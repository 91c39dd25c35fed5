"""The review queue for possible duplicates: merge (reversible, audited) or mark as different.

A merge never moves or deletes anything: the merged record points at the person it now belongs
to (``merged_into_id``) and keeps its own fields, cases, addresses and links, so an unmerge is
just clearing that pointer. "Different" is remembered on the review, and the pair is never
proposed again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from forms_app.audit import record as audit
from forms_app.models import MatchReview, Person, utcnow

if TYPE_CHECKING:
    from forms_app.models import User

PENDING = "pending"
MERGED = "merged"
DIFFERENT = "different"
UNMERGED = "unmerged"


class ReviewError(Exception):
    """A review action that cannot be done; the message says why, without personal data."""


def root_of(session: Session, person_id: str) -> str:
    """Return the person a record now belongs to, following merges."""
    return _roots(session, {person_id})[person_id]


def members_of(session: Session, root_id: str) -> list[str]:
    """Return every record merged (directly or not) into a person, the person first."""
    return list(_members(session, {root_id}))


def marked_different(session: Session, a: str, b: str) -> bool:
    """Tell whether a person decided that two people (or any of their records) differ."""
    roots = _roots(session, {a, b})
    return frozenset((roots[a], roots[b])) in _decided_different(session, set(roots.values()))


def different_from(session: Session, person_id: str) -> set[str]:
    """Return the people marked as different from this one (as they are now, after merges)."""
    members = members_of(session, root_of(session, person_id))
    rows = session.execute(
        sa.select(MatchReview.person_id, MatchReview.candidate_id).where(
            MatchReview.status == DIFFERENT,
            sa.or_(MatchReview.person_id.in_(members), MatchReview.candidate_id.in_(members)),
        )
    ).all()
    others = {b if a in members else a for a, b in rows}
    return {root_of(session, other) for other in others}


def propose(
    session: Session, person_id: str, candidate_id: str, score: float, explanation: dict[str, Any]
) -> MatchReview | None:
    """Queue a possible duplicate for a person to decide, unless already queued or decided.

    ``explanation`` holds field names, levels and weights only (dedupe's Explanation.to_dict).
    """
    queued = propose_many(session, [(person_id, candidate_id, score, explanation)])
    return queued[0] if queued else None


Proposal = tuple[str, str, float, dict[str, Any]]  # person, candidate, score, explanation


def propose_many(session: Session, proposals: Iterable[Proposal]) -> list[MatchReview]:
    """Queue the possible duplicates not already queued or decided, in a few queries.

    A pair is skipped when it is one record twice, when it (either way round) already has a
    review of any status, or when a person decided that the two people differ (any record of
    either, following merges). A pair proposed twice in `proposals` is queued once.
    """
    wanted = [proposal for proposal in proposals if proposal[0] != proposal[1]]
    if not wanted:
        return []
    with session.no_autoflush:
        ids = {record_id for proposal in wanted for record_id in proposal[:2]}
        roots = _roots(session, ids)
        different = _decided_different(session, set(roots.values()))
        seen = {
            frozenset(pair)
            for pair in session.execute(
                sa.select(MatchReview.person_id, MatchReview.candidate_id).where(
                    MatchReview.person_id.in_(ids), MatchReview.candidate_id.in_(ids)
                )
            )
        }
    queued = []
    for person_id, candidate_id, score, explanation in wanted:
        pair = frozenset((person_id, candidate_id))
        if pair in seen or frozenset((roots[person_id], roots[candidate_id])) in different:
            continue
        seen.add(pair)
        review = MatchReview(
            person_id=person_id,
            candidate_id=candidate_id,
            score=score,
            explanation=explanation,
            status=PENDING,
        )
        session.add(review)
        queued.append(review)
    return queued


def _decided_different(session: Session, roots: set[str]) -> set[frozenset[str]]:
    """The pairs of these people (as roots) that a person decided differ, by any records."""
    root_of_member = _members(session, roots)
    members = list(root_of_member)
    return {
        frozenset((root_of_member[a], root_of_member[b]))
        for a, b in session.execute(
            sa.select(MatchReview.person_id, MatchReview.candidate_id).where(
                MatchReview.status == DIFFERENT,
                MatchReview.person_id.in_(members),
                MatchReview.candidate_id.in_(members),
            )
        )
    }


def _members(session: Session, roots: set[str]) -> dict[str, str]:
    """Map every record merged (directly or not) into each of `roots`, and each root, to its root."""
    root_of_member = {root: root for root in roots}
    frontier = set(roots)
    while frontier:
        children = session.execute(
            sa.select(Person.id, Person.merged_into_id).where(Person.merged_into_id.in_(frontier))
        ).all()
        frontier = set()
        for child, parent in children:
            if child not in root_of_member:
                root_of_member[child] = root_of_member[parent]
                frontier.add(child)
    return root_of_member


def _roots(session: Session, person_ids: set[str]) -> dict[str, str]:
    """Return the person each record now belongs to, following merges, a query per level."""
    from .store import SqlPersonStore

    parents = dict(
        session.execute(
            sa.select(Person.id, Person.merged_into_id).where(Person.id.in_(person_ids))
        ).all()
    )
    return SqlPersonStore(session).roots(
        {record_id: parents.get(record_id) for record_id in person_ids}
    )


def pending(session: Session, limit: int = 50) -> list[MatchReview]:
    """Return the reviews waiting for a decision, highest score first."""
    query = (
        sa.select(MatchReview)
        .where(MatchReview.status == PENDING)
        .order_by(MatchReview.score.desc(), MatchReview.created_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def _decide(review: MatchReview, status: str, actor: User | None) -> None:
    if review.status != PENDING:
        raise ReviewError("This possible duplicate has already been decided.")
    review.status = status
    review.decided_by_id = actor.id if actor is not None else None
    review.decided_at = utcnow()


def merge(session: Session, review: MatchReview, actor: User | None) -> str:
    """Merge the review's person into its candidate; return the id of the person kept."""
    source, target = root_of(session, review.person_id), root_of(session, review.candidate_id)
    if source == target:
        raise ReviewError("These records already belong to the same person.")
    _decide(review, MERGED, actor)
    person = session.get(Person, source)
    assert person is not None
    person.merged_into_id = target
    person.merged_at = utcnow()
    audit(
        "person.merged",
        actor=actor,
        object_type="person",
        object_id=source,
        fields=["merged_into_id"],
        session=session,
    )
    session.flush()
    return target


def unmerge(session: Session, person_id: str, actor: User | None) -> None:
    """Undo a merge: the record (with everything merged into it) is a person on its own again."""
    person = session.get(Person, person_id)
    if person is None or person.merged_into_id is None:
        raise ReviewError("This record is not merged into anyone.")
    previous = person.merged_into_id
    person.merged_into_id = None
    person.merged_at = None
    members = set(members_of(session, person_id))
    others = set(members_of(session, root_of(session, previous)))
    for review in session.scalars(
        sa.select(MatchReview).where(
            MatchReview.status == MERGED,
            sa.or_(
                sa.and_(MatchReview.person_id.in_(members), MatchReview.candidate_id.in_(others)),
                sa.and_(MatchReview.person_id.in_(others), MatchReview.candidate_id.in_(members)),
            ),
        )
    ):
        review.status = UNMERGED
        review.decided_by_id = actor.id if actor is not None else None
        review.decided_at = utcnow()
    audit(
        "person.unmerged",
        actor=actor,
        object_type="person",
        object_id=person_id,
        fields=["merged_into_id"],
        session=session,
    )
    session.flush()


def mark_different(session: Session, review: MatchReview, actor: User | None) -> None:
    """Record that the two people are different; they will not be proposed again."""
    _decide(review, DIFFERENT, actor)
    audit(
        "match_review.marked_different",
        actor=actor,
        object_type="match_review",
        object_id=review.id,
        session=session,
    )
    session.flush()


def merge_people(
    session: Session, source_id: str, target_id: str, actor: User | None, *, score: float = 1.0
) -> str:
    """Merge two people directly (a reviewer who found them without the queue)."""
    review = propose(session, source_id, target_id, score, {"manual": True})
    if review is None:
        review = session.scalar(
            sa.select(MatchReview).where(
                MatchReview.person_id == source_id,
                MatchReview.candidate_id == target_id,
                MatchReview.status == PENDING,
            )
        )
    if review is None:
        raise ReviewError("These people were marked as different, or are already merged.")
    session.flush()
    return merge(session, review, actor)


def open_reviews_for(session: Session, person_ids: Iterable[str]) -> list[MatchReview]:
    """Return pending reviews that involve any of these records."""
    ids = list(person_ids)
    return list(
        session.scalars(
            sa.select(MatchReview).where(
                MatchReview.status == PENDING,
                sa.or_(MatchReview.person_id.in_(ids), MatchReview.candidate_id.in_(ids)),
            )
        )
    )
