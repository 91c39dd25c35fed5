"""Duplicate checking for the application: match, record, train.

    matcher = person_matcher(session)
    decision = matcher.match(record)          # dedupe.matcher.Decision
    person_id = record_person(session, record, decision)

Matching reads only the candidates that share a blind-index token and decrypts only those.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import has_app_context
from sqlalchemy.orm import Session

from dedupe.blocking import Tokeniser
from dedupe.matcher import AddressMatcher, Decision, Matcher
from dedupe.model import Parameters
from dedupe.profile import dump_profile, load_profile
from dedupe.records import NormalisedPerson, PersonRecord
from dedupe.store import (
    AddressRecord,
    CandidateAddress,
    CandidateRecord,
    InMemoryAddressStore,
    InMemoryStore,
)
from dedupe.training import Training, blocked_pairs, train
from forms_app.kept import forget
from forms_app.models import Person, utcnow

from . import review
from .models import DedupeModel
from .store import SqlAddressStore, SqlPersonStore, tokeniser
from .writer import Batch


def load_parameters(session: Session) -> Parameters:
    """Return the newest trained parameters, or dedupe's defaults before any training."""
    latest = session.scalar(
        sa.select(DedupeModel.parameters).order_by(DedupeModel.created_at.desc()).limit(1)
    )
    return Parameters.from_json(latest) if latest else Parameters()


# The name under which a worker keeps the parameters in use (forms_app.kept).
PARAMETERS_KEPT = "matching.parameters"


def save_parameters(session: Session, training: Training, persons: int) -> DedupeModel:
    """Store trained parameters; from now on they are the ones in use (in this app at once,
    in running workers within `forms_app.intake.processor.KEPT_SECONDS`)."""
    row = DedupeModel(
        parameters=training.parameters.to_json(),
        persons=persons,
        candidate_pairs=training.parameters.trained_on.get("candidate_pairs", 0),
    )
    session.add(row)
    session.flush()
    if has_app_context():
        forget(PARAMETERS_KEPT)
    return row


class PendingPeople:
    """People written in this batch but not yet in the database, so later rows can match them."""

    def __init__(self) -> None:
        self.people = InMemoryStore()
        self.addresses = InMemoryAddressStore()


class _CombinedPeople:
    def __init__(self, sql: SqlPersonStore, pending: PendingPeople) -> None:
        self.sql, self.pending = sql, pending

    def candidates(self, tokens: Sequence[bytes]) -> list[CandidateRecord]:
        return [*self.sql.candidates(tokens), *self.pending.people.candidates(tokens)]


class _CombinedAddresses:
    def __init__(self, sql: SqlAddressStore, pending: PendingPeople) -> None:
        self.sql, self.pending = sql, pending

    def candidates(self, tokens: Sequence[bytes]) -> list[CandidateAddress]:
        return [*self.sql.candidates(tokens), *self.pending.addresses.candidates(tokens)]


class _Layered:
    """A snapshot of the database with the records written since laid over it."""

    def __init__(self, below: Any, above: Any) -> None:
        self.below, self.above = below, above

    def candidates(self, tokens: Sequence[bytes]) -> list[Any]:
        return [*self.below.candidates(tokens), *self.above.candidates(tokens)]


def person_matcher(
    session: Session,
    parameters: Parameters | None = None,
    *,
    pending: PendingPeople | None = None,
    use_household_rules: bool = True,
) -> Matcher:
    """A dedupe Matcher over the person store (plus people not yet written, if given)."""
    sql = SqlPersonStore(session)
    store = _CombinedPeople(sql, pending) if pending is not None else sql
    return Matcher(
        store,
        tokeniser(),
        parameters or load_parameters(session),
        use_household_rules=use_household_rules,
    )


def address_matcher(session: Session, *, pending: PendingPeople | None = None) -> AddressMatcher:
    """A dedupe AddressMatcher over the address store."""
    sql = SqlAddressStore(session)
    store = _CombinedAddresses(sql, pending) if pending is not None else sql
    return AddressMatcher(store, tokeniser())


class _RememberingTokeniser:
    """A tokeniser that remembers its answers until told to forget (at the end of a batch)."""

    def __init__(self, tokenise: Tokeniser) -> None:
        self.tokenise = tokenise
        self.known: dict[tuple[str, str], bytes] = {}

    def __call__(self, kind: str, value: str) -> bytes:
        key = (kind, value)
        token = self.known.get(key)
        if token is None:
            token = self.known[key] = self.tokenise(kind, value)
        return token

    def forget(self) -> None:
        self.known = {}


@dataclass(frozen=True)
class Prepared:
    """What matching a record needs that depends on nothing but the record.

    Worked out by ``prepare``, which may run in another process while the Recorder matches
    the batch before: the record normalised (as a dedupe profile, which pickles in a fraction
    of the time the objects take), and its lookup and stored tokens, person and address.
    """

    profile: bytes
    lookup: list[bytes]
    tokens: list[bytes]
    place_lookup: list[bytes]
    place_tokens: list[bytes]


def prepare(records: Sequence[PersonRecord], tokenise: Tokeniser) -> list[Prepared | None]:
    """Normalise records and make their tokens, each ``None`` that cannot be prepared.

    A record that fails here is left to the Recorder, which meets the same error where it
    would have met it without preparing, so a bad row is reported and skipped as before.
    """
    remembering = _RememberingTokeniser(tokenise)
    people = Matcher(InMemoryStore(), remembering)
    places = AddressMatcher(InMemoryAddressStore(), remembering)
    out: list[Prepared | None] = []
    for record in records:
        try:
            person = people.normalise(record)
            address = person.address
            out.append(
                Prepared(
                    dump_profile(person),
                    people.query_tokens(person),
                    people.index_tokens(person),
                    places.query_tokens(address) if address else [],
                    places.index_tokens(address) if address else [],
                )
            )
        except Exception:  # noqa: BLE001 - reported by the Recorder, which fails the same way
            out.append(None)
    return out


@dataclass(frozen=True)
class _Tokens:
    lookup: list[bytes]
    place_lookup: list[bytes]
    # Made while matching unless prepared.
    tokens: list[bytes] | None = None
    place_tokens: list[bytes] | None = None


@dataclass(frozen=True)
class Recorded:
    """What recording a person did: the record written and the person it belongs to."""

    record_id: str
    person_id: str
    decision: Decision
    address_id: str | None = None  # the record's home address, found or written


class Recorder:
    """Match people and write them, in batches; one Recorder per transaction.

    A "match" writes the record merged into the person found (so nothing it says is lost and
    the link can be undone); a "possible" writes it as a person of its own and queues a review;
    "new" writes a new person. Two existing people who both match are queued for review too.
    """

    def __init__(self, session: Session, parameters: Parameters | None = None) -> None:
        self.session = session
        # Addresses this recorder wrote (a home address no record held yet).
        self.written_addresses: set[str] = set()
        self.pending = PendingPeople()
        self.people = person_matcher(session, parameters, pending=self.pending)
        self.places = address_matcher(session, pending=self.pending)
        self.batch = Batch()
        # A row's stored tokens are among its lookup tokens: make each keyed hash once a batch.
        self._tokens = _RememberingTokeniser(tokeniser())
        self.people.tokeniser = self.places.tokeniser = self._tokens
        self._proposals: list[tuple[str, str, float, dict[str, object]]] = []
        # Tokens made by ``prefetch``, by the normalised person they belong to.
        self._lookups: dict[int, _Tokens] = {}

    def prefetch(
        self,
        records: Sequence[PersonRecord],
        prepared: Sequence[Prepared | None] | None = None,
    ) -> list[NormalisedPerson]:
        """Load the candidates of many records in two statements, before recording them.

        Until the next ``flush`` the matchers read from that snapshot (and from the records
        written since), not from the database, so a batch costs no query per row. Return the
        records normalised, to hand back to ``record``. ``prepared`` is what ``prepare`` made
        of the same records, if it was called.
        """
        people: list[NormalisedPerson] = []
        self._lookups = {}
        for record, ready in zip(records, prepared or [None] * len(records), strict=True):
            if ready is None:
                person = self.people.normalise(record)
                tokens = _Tokens(
                    self.people.query_tokens(person),
                    self.places.query_tokens(person.address) if person.address else [],
                )
            else:
                person = load_profile(ready.profile)
                tokens = _Tokens(ready.lookup, ready.place_lookup, ready.tokens, ready.place_tokens)
            people.append(person)
            self._lookups[id(person)] = tokens
        person_tokens = [t for found in self._lookups.values() for t in found.lookup]
        place_tokens = [t for found in self._lookups.values() for t in found.place_lookup]
        people_now = SqlPersonStore(self.session).snapshot(person_tokens)
        places_now = SqlAddressStore(self.session).snapshot(place_tokens)
        self.people.store = _Layered(people_now, self.pending.people)
        self.places.store = _Layered(places_now, self.pending.addresses)
        return people

    def record(
        self,
        record: PersonRecord,
        *,
        normalised: NormalisedPerson | None = None,
        created_at: datetime | None = None,
        source_system: str | None = None,
        source_id: str | None = None,
        keep_decision: bool = False,
        row_digest: bytes | None = None,
        description: str | None = None,
    ) -> Recorded:
        """Match one person and queue what to write; nothing is written until ``flush``."""
        created_at = created_at or utcnow()
        person = normalised or self.people.normalise(record)
        made = self._lookups.get(id(person))
        decision = self.people.match(person, tokens=made.lookup if made else None)
        address_id = self._address(record, person, created_at, made)
        merged_into = decision.id if decision.outcome == "match" else None
        tokens = made.tokens if made and made.tokens is not None else None
        if tokens is None:
            tokens = self.people.index_tokens(person)
        record_id = self.batch.add_person(
            record,
            tokens,
            created_at=created_at,
            address_id=address_id,
            merged_into_id=str(merged_into) if merged_into is not None else None,
            source_system=source_system,
            source_id=source_id,
            profile=person,
            description=description,
        )
        root = str(merged_into) if merged_into is not None else record_id
        self.pending.people.add(CandidateRecord(root, record_id, person), tokens)
        if keep_decision:
            self.batch.add_decision(
                record_id, decision.outcome, round(decision.score, 6), row_digest
            )
        if decision.outcome == "possible" and decision.id is not None:
            explanation = decision.explanation.to_dict() if decision.explanation else {}
            self._proposals.append((record_id, str(decision.id), decision.score, explanation))
        for other in decision.others:
            # Matched: another person who matches too may be the same person held twice.
            # Possible: each further possible person is a separate question for the reviewer.
            if other.outcome == decision.outcome:
                self._proposals.append(
                    (root, str(other.id), other.probability, other.explanation.to_dict())
                )
        return Recorded(record_id, root, decision, address_id)

    def _address(
        self,
        record: PersonRecord,
        person: NormalisedPerson,
        created_at: datetime,
        made: _Tokens | None,
    ) -> str | None:
        if not person.address:
            return None
        address = AddressRecord(
            record.address_line_1, record.address_line_2, record.town, record.postcode
        )
        found = self.places.match(person.address, tokens=made.place_lookup if made else None)
        if found.outcome == "match" and found.id is not None:
            return str(found.id)
        tokens = made.place_tokens if made and made.place_tokens is not None else None
        if tokens is None:
            tokens = self.places.index_tokens(person.address)
        address_id = self.batch.add_address(record, tokens, created_at)
        self.pending.addresses.add(CandidateAddress(address_id, address), tokens)
        self.written_addresses.add(address_id)
        return address_id

    def flush(self) -> None:
        """Write everything queued and the reviews proposed, inside the caller's transaction."""
        self.batch.write(self.session)
        review.propose_many(self.session, self._proposals)
        self._proposals = []
        self._lookups = {}
        self._tokens.forget()
        self.session.flush()
        self.pending = PendingPeople()
        self.people.store = _CombinedPeople(SqlPersonStore(self.session), self.pending)
        self.places.store = _CombinedAddresses(SqlAddressStore(self.session), self.pending)

    def discard(self) -> None:
        """Forget everything queued (after the caller rolled back)."""
        self.batch = Batch()
        self._proposals = []
        self._lookups = {}
        self._tokens.forget()
        self.pending = PendingPeople()
        self.people.store = _CombinedPeople(SqlPersonStore(self.session), self.pending)
        self.places.store = _CombinedAddresses(SqlAddressStore(self.session), self.pending)


def record_person(session: Session, record: PersonRecord, **kwargs: object) -> Recorded:
    """Match and write one person now (inside the caller's transaction)."""
    recorder = Recorder(session)
    recorded = recorder.record(record, **kwargs)  # type: ignore[arg-type]
    recorder.flush()
    return recorded


def person_records(session: Session, person_ids: Sequence[str]) -> list[CandidateRecord]:
    """Decrypt the records of some people (with their home addresses), for training."""
    store = SqlPersonStore(session)
    out: list[CandidateRecord] = []
    for start in range(0, len(person_ids), 500):
        chunk = list(person_ids[start : start + 500])
        out.extend(store.fetch(chunk))
    return out


class NotEnoughData(Exception):
    """Too few records to learn from; the model in use stays."""


# Below these, EM learns noise: better to keep the defaults (or the last good model).
MIN_TRAINING_RECORDS = 1_000
MIN_CANDIDATE_PAIRS = 200


def train_from_store(session: Session, *, sample: int = 20_000, seed: int = 0) -> Training:
    """Train on a random sample of the records held, store the parameters, and return them.

    Raise NotEnoughData (and store nothing) when there is too little to learn from.
    """
    ids = list(session.scalars(sa.select(Person.id)))
    if len(ids) < MIN_TRAINING_RECORDS:
        raise NotEnoughData(
            f"{len(ids):,} person records are held; at least {MIN_TRAINING_RECORDS:,} are needed"
        )
    random.Random(seed).shuffle(ids)
    chosen = ids[:sample]
    records = person_records(session, chosen)
    matcher = Matcher(InMemoryStore(), tokeniser())
    people = [matcher.normalise(c.person) for c in records]
    pairs = blocked_pairs(people, tokeniser())
    if len(pairs) < MIN_CANDIDATE_PAIRS:
        raise NotEnoughData(
            f"only {len(pairs):,} pairs of records look alike; at least "
            f"{MIN_CANDIDATE_PAIRS:,} are needed"
        )
    # The prior comes out as the chance that two records drawn at random are one person, which
    # a random sample of records estimates without bias for the whole store.
    training = train(people, pairs, start=load_parameters(session), seed=seed)
    save_parameters(session, training, len(people))
    return training


__all__ = [
    "PendingPeople",
    "Prepared",
    "Recorded",
    "Recorder",
    "Tokeniser",
    "address_matcher",
    "load_parameters",
    "person_matcher",
    "prepare",
    "record_person",
    "save_parameters",
    "train_from_store",
]


def reindex_person(session: Session, person_id: str) -> None:
    """Rewrite a person record's blind-index rows and match profiles from its fields.

    Call this after changing a person's fields or home addresses anywhere else in the
    application, or the person will be matched on what they used to say.
    """
    from dedupe.profile import PROFILE_VERSION, dump_profile
    from forms_app.crypto import FieldContext, crypto
    from forms_app.models import PersonIndex, new_id

    from .models import MatchProfile
    from .store import index_rows

    records = SqlPersonStore(session).fetch_fields([person_id])
    session.execute(sa.delete(PersonIndex).where(PersonIndex.person_id == person_id))
    session.execute(sa.delete(MatchProfile).where(MatchProfile.person_id == person_id))
    matcher = Matcher(InMemoryStore(), tokeniser())
    tokens: list[bytes] = []
    for candidate in records:
        person = matcher.normalise(candidate.person)
        tokens.extend(matcher.index_tokens(person))
        profile_id = new_id()
        address_id = str(candidate.record_id).partition("/")[2] or None
        session.execute(
            sa.insert(MatchProfile),
            {
                "id": profile_id,
                "person_id": person_id,
                "address_id": address_id,
                "version": PROFILE_VERSION,
                "profile_enc": crypto().keyring.encrypt(
                    dump_profile(person), FieldContext("match_profile", "profile", profile_id)
                ),
            },
        )
    rows = index_rows("person_id", person_id, tokens)
    if rows:
        session.execute(sa.insert(PersonIndex), rows)
    session.flush()


def reindex_all(session: Session, *, batch_size: int = 1_000) -> tuple[int, int]:
    """Rewrite every person's and address's blind-index rows and profiles; commit each batch.

    Needed after an upgrade that changes the blocking keys (migration 0009 drops the old
    rows). Return how many person records and addresses were indexed.
    """
    from forms_app.models import Address

    people = list(session.scalars(sa.select(Person.id).order_by(Person.id)))
    for start in range(0, len(people), batch_size):
        for person_id in people[start : start + batch_size]:
            reindex_person(session, person_id)
        session.commit()
    addresses = list(session.scalars(sa.select(Address.id).order_by(Address.id)))
    for start in range(0, len(addresses), batch_size):
        reindex_addresses(session, addresses[start : start + batch_size])
        session.commit()
    return len(people), len(addresses)


def reindex_addresses(session: Session, address_ids: Sequence[str]) -> None:
    """Rewrite the blind-index rows of some addresses from their fields."""
    from forms_app.models import Address, AddressIndex

    from .store import ADDRESS_FIELDS, SQLITE_CHUNK, SqlAddressStore, index_rows

    places = AddressMatcher(InMemoryAddressStore(), tokeniser())
    for start in range(0, len(address_ids), SQLITE_CHUNK):
        chunk = list(address_ids[start : start + SQLITE_CHUNK])
        query = sa.select(
            Address.id, *(getattr(Address, f"{f}_enc") for f in ADDRESS_FIELDS)
        ).where(Address.id.in_(chunk))
        rows: list[dict[str, object]] = []
        for row in session.execute(query).all():
            found = SqlAddressStore._candidate(row)
            rows += index_rows(
                "address_id", str(found.address_id), places.index_tokens(found.address)
            )
        session.execute(sa.delete(AddressIndex).where(AddressIndex.address_id.in_(chunk)))
        if rows:
            session.execute(sa.insert(AddressIndex), rows)
    session.flush()
