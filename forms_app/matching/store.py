"""The SQL stores behind dedupe: candidates by blind-index token, fetched and decrypted.

One statement finds the records sharing a token (skipping tokens shared by more than
``max_bucket`` records, which say little and would cost a lot to decrypt) and returns their
encrypted columns with their home addresses; only those rows are decrypted.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session

from dedupe.addresses import Address as NormalAddress
from dedupe.addresses import normalise_address
from dedupe.blocking import token_kind
from dedupe.profile import PROFILE_VERSION, load_profile
from dedupe.records import PersonRecord
from dedupe.store import (
    AddressRecord,
    CandidateAddress,
    CandidateRecord,
    InMemoryAddressStore,
    InMemoryStore,
)
from forms_app.crypto import FieldContext, crypto
from forms_app.models import Address, AddressIndex, Person, PersonAddress, PersonIndex

from .models import MatchProfile

MAX_BUCKET = 50
PERSON_FIELDS = (
    "first_name", "last_name", "date_of_birth", "gender", "email", "phone", "identity_number",
)  # fmt: skip
ADDRESS_FIELDS = ("line_1", "line_2", "town", "postcode")
HOME = "home"


def tokeniser() -> Callable[[str, str], bytes]:
    """The keyed function dedupe turns blocking keys into tokens with (full-length HMAC)."""
    indexer = crypto().indexer
    return indexer.full


def _decrypt(table: str, column: str, row_id: str, blob: bytes | None) -> str | None:
    if blob is None:
        return None
    return crypto().keyring.decrypt(blob, FieldContext(table, column, row_id)).decode()


def _matching_ids(
    index: type[PersonIndex] | type[AddressIndex],
    owner: InstrumentedAttribute[str],
    tokens: Sequence[bytes],
    max_bucket: int,
) -> sa.Subquery:
    pairs = [(token_kind(t), t) for t in dict.fromkeys(tokens)]
    counted = (
        sa.select(
            owner.label("owner_id"),
            sa.func.count().over(partition_by=(index.kind, index.token)).label("bucket"),
        )
        .where(sa.tuple_(index.kind, index.token).in_(pairs))
        .subquery()
    )
    return sa.select(counted.c.owner_id).where(counted.c.bucket <= max_bucket).distinct().subquery()


# On PostgreSQL the tokens travel as two arrays, so the statement text never changes and the
# server keeps one prepared plan for it instead of planning every lookup afresh.
_PG_HITS = """
WITH wanted AS (
    SELECT DISTINCT kind, token
    FROM unnest(CAST(:kinds AS varchar[]), CAST(:tokens AS bytea[])) AS q(kind, token)
), hits AS (
    SELECT i.{owner} AS owner_id, count(*) OVER (PARTITION BY i.kind, i.token) AS bucket
    FROM {table} AS i JOIN wanted AS w ON i.kind = w.kind AND i.token = w.token
), ids AS (
    SELECT DISTINCT owner_id FROM hits WHERE bucket <= :max_bucket
)
"""
_PG_PROFILES = sa.text(
    _PG_HITS.format(owner="person_id", table="person_index")
    + """
SELECT p.id, p.merged_into_id, mp.id, mp.version, mp.profile
FROM ids
JOIN person AS p ON p.id = ids.owner_id
LEFT JOIN match_profile AS mp ON mp.person_id = p.id
"""
)
_PG_ADDRESSES = sa.text(
    _PG_HITS.format(owner="address_id", table="address_index")
    + """
SELECT a.id, a.line_1, a.line_2, a.town, a.postcode
FROM ids JOIN address AS a ON a.id = ids.owner_id
"""
)


_PG_HIT_ROWS = """
WITH wanted AS (
    SELECT DISTINCT kind, token
    FROM unnest(CAST(:kinds AS varchar[]), CAST(:tokens AS bytea[])) AS q(kind, token)
), hits AS (
    SELECT i.{owner} AS owner_id, i.token, count(*) OVER (PARTITION BY i.kind, i.token) AS bucket
    FROM {table} AS i JOIN wanted AS w ON i.kind = w.kind AND i.token = w.token
)
SELECT owner_id, token FROM hits WHERE bucket <= :max_bucket
"""
# SQLite allows a limited number of parameters in one statement.
SQLITE_CHUNK = 400


def _token_hits(
    session: Session,
    index: type[PersonIndex] | type[AddressIndex],
    owner: InstrumentedAttribute[str],
    owner_column: str,
    tokens: Sequence[bytes],
    max_bucket: int,
) -> list[tuple[str, bytes]]:
    """Return (owner id, token) for every index row that shares a token, crowded ones left out."""
    unique = list(dict.fromkeys(tokens))
    if _postgresql(session):
        table = index.__tablename__
        statement = sa.text(_PG_HIT_ROWS.format(owner=owner_column, table=table))
        rows = session.execute(statement, {**_arrays(unique), "max_bucket": max_bucket}).all()
        return [(str(r[0]), bytes(r[1])) for r in rows]
    hits: list[tuple[str, bytes]] = []
    for start in range(0, len(unique), SQLITE_CHUNK):
        chunk = unique[start : start + SQLITE_CHUNK]
        counted = (
            sa.select(
                owner.label("owner_id"),
                index.token,
                sa.func.count().over(partition_by=(index.kind, index.token)).label("bucket"),
            )
            .where(sa.tuple_(index.kind, index.token).in_([(token_kind(t), t) for t in chunk]))
            .subquery()
        )
        query = sa.select(counted.c.owner_id, counted.c.token).where(counted.c.bucket <= max_bucket)
        hits.extend((str(r[0]), bytes(r[1])) for r in session.execute(query).all())
    return hits


def _profiles_query() -> sa.Select[str, str | None, str, int, bytes]:
    return sa.select(
        Person.id,
        Person.merged_into_id,
        MatchProfile.id,
        MatchProfile.version,
        MatchProfile.profile_enc,
    ).outerjoin(MatchProfile, MatchProfile.person_id == Person.id)


def _one_of(
    session: Session, column: InstrumentedAttribute[str], values: list[str]
) -> sa.ColumnElement[bool]:
    # On PostgreSQL one array parameter, so the statement is the same for every batch.
    if _postgresql(session):
        return column == sa.func.any(sa.cast(sa.literal(values), ARRAY(sa.String())))
    return column.in_(values)


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _arrays(tokens: Sequence[bytes]) -> dict[str, list[Any]]:
    unique = list(dict.fromkeys(tokens))
    return {"kinds": [token_kind(t) for t in unique], "tokens": unique}


class SqlPersonStore:
    """Person candidates from person_index, with each person's home addresses.

    A person who was merged into another is returned under the other's id (the person they
    now belong to), so that every record ever held about someone counts as evidence.
    """

    def __init__(self, session: Session, *, max_bucket: int = MAX_BUCKET) -> None:
        self.session = session
        self.max_bucket = max_bucket

    def candidates(self, tokens: Sequence[bytes]) -> list[CandidateRecord]:
        """Return the decrypted records that share at least one token."""
        if not tokens:
            return []
        if _postgresql(self.session):
            rows = self.session.execute(
                _PG_PROFILES, {**_arrays(tokens), "max_bucket": self.max_bucket}
            ).all()
            return self._from_profiles(rows)
        ids = _matching_ids(PersonIndex, PersonIndex.person_id, tokens, self.max_bucket)
        return self._from_profiles(
            self.session.execute(_profiles_query().join(ids, ids.c.owner_id == Person.id)).all()
        )

    def fetch(self, person_ids: Sequence[str]) -> list[CandidateRecord]:
        """Return the decrypted records of the given people."""
        out: list[CandidateRecord] = []
        ids = list(person_ids)
        for start in range(0, len(ids), SQLITE_CHUNK):
            query = _profiles_query().where(Person.id.in_(ids[start : start + SQLITE_CHUNK]))
            out.extend(self._from_profiles(self.session.execute(query).all()))
        return out

    def fetch_fields(self, person_ids: Sequence[str]) -> list[CandidateRecord]:
        """Return the records of the given people read from their fields (not profiles)."""
        out: list[CandidateRecord] = []
        ids = list(person_ids)
        for start in range(0, len(ids), SQLITE_CHUNK):
            out.extend(self._records(None, ids[start : start + SQLITE_CHUNK]))
        return out

    def _from_profiles(self, rows: Sequence[Any]) -> list[CandidateRecord]:
        roots = self.roots({row[0]: row[1] for row in rows})
        out: list[CandidateRecord] = []
        without: list[str] = []
        for person_id, _, profile_id, version, blob in rows:
            if profile_id is None or version != PROFILE_VERSION:
                without.append(person_id)
                continue
            plain = crypto().keyring.decrypt(
                blob, FieldContext("match_profile", "profile", profile_id)
            )
            out.append(CandidateRecord(roots[person_id], profile_id, load_profile(plain)))
        # Records written before profiles existed, or by an older dedupe: read the fields.
        return out + self.fetch_fields(list(dict.fromkeys(without)))

    def snapshot(self, tokens: Sequence[bytes]) -> InMemoryStore:
        """Load every record sharing any of many tokens at once, for a batch of lookups.

        The result answers ``candidates`` exactly as this store would, as long as nothing is
        written in between: two statements for a whole batch instead of one per record.
        """
        hits = _token_hits(
            self.session, PersonIndex, PersonIndex.person_id, "person_id", tokens, self.max_bucket
        )
        tokens_of: dict[str, list[bytes]] = {}
        for owner, token in hits:
            tokens_of.setdefault(owner, []).append(token)
        memory = InMemoryStore()
        owners = list(tokens_of)
        for start in range(0, len(owners), SQLITE_CHUNK):
            chunk = owners[start : start + SQLITE_CHUNK]
            query = _profiles_query().where(_one_of(self.session, Person.id, chunk))
            rows: Sequence[Any] = self.session.execute(query).all()
            found = self._from_profiles(rows)
            row_of = {str(r[2]): str(r[0]) for r in rows if r[2] is not None}
            for candidate in found:
                key = str(candidate.record_id)
                row_id = row_of.get(key) or key.split("/", 1)[0]
                memory.add(candidate, tokens_of[row_id])
        return memory

    def _records(
        self, ids: sa.Subquery | None, person_ids: list[str] | None = None
    ) -> list[CandidateRecord]:
        query = sa.select(
            Person.id,
            Person.merged_into_id,
            *(getattr(Person, f"{f}_enc") for f in PERSON_FIELDS),
            Address.id,
            *(getattr(Address, f"{f}_enc") for f in ADDRESS_FIELDS),
        )
        if ids is not None:
            query = query.join(ids, ids.c.owner_id == Person.id)
        else:
            query = query.where(Person.id.in_(person_ids or []))
        query = query.outerjoin(
            PersonAddress,
            sa.and_(PersonAddress.person_id == Person.id, PersonAddress.kind == HOME),
        ).outerjoin(Address, Address.id == PersonAddress.address_id)
        rows: Sequence[Any] = self.session.execute(query).all()
        return self._candidates(rows)

    def _candidates(self, rows: Sequence[Any]) -> list[CandidateRecord]:
        roots = self.roots({row[0]: row[1] for row in rows})
        return [self._candidate(row, roots) for row in rows]

    def roots(self, parents: dict[str, str | None]) -> dict[str, str]:
        """Follow merges up to the person each record now belongs to."""
        known = dict(parents)
        missing = {p for p in known.values() if p is not None and p not in known}
        while missing:
            fetched = self.session.execute(
                sa.select(Person.id, Person.merged_into_id).where(Person.id.in_(missing))
            ).all()
            known.update({row[0]: row[1] for row in fetched})
            missing = {p for p in known.values() if p is not None and p not in known}
        roots: dict[str, str] = {}
        for start in parents:
            current, seen = start, {start}
            while (parent := known.get(current)) is not None and parent not in seen:
                seen.add(parent)
                current = parent
            roots[start] = current
        return roots

    @staticmethod
    def _candidate(row: Any, roots: dict[str, str]) -> CandidateRecord:
        person_id = str(row[0])
        values = [
            _decrypt("person", field, person_id, row[2 + i])
            for i, field in enumerate(PERSON_FIELDS)
        ]
        address_id = row[2 + len(PERSON_FIELDS)]
        address: list[str | None] = [None] * len(ADDRESS_FIELDS)
        if address_id is not None:
            offset = 3 + len(PERSON_FIELDS)
            address = [
                _decrypt("address", field, str(address_id), row[offset + i])
                for i, field in enumerate(ADDRESS_FIELDS)
            ]
        first, last, dob, gender, email, phone, identity_number = values
        record = PersonRecord(
            first_name=first,
            last_name=last,
            date_of_birth=date.fromisoformat(dob) if dob else None,
            gender=gender,
            email=email,
            phone=phone,
            address_line_1=address[0],
            address_line_2=address[1],
            town=address[2],
            postcode=address[3],
            identity_number=identity_number,
        )
        record_id = f"{person_id}/{address_id}" if address_id else person_id
        return CandidateRecord(roots[person_id], record_id, record)


class SqlAddressStore:
    """Address candidates from address_index."""

    def __init__(self, session: Session, *, max_bucket: int = MAX_BUCKET) -> None:
        self.session = session
        self.max_bucket = max_bucket

    def snapshot(self, tokens: Sequence[bytes]) -> InMemoryAddressStore:
        """Load every address sharing any of many tokens at once, for a batch of lookups."""
        hits = _token_hits(
            self.session,
            AddressIndex,
            AddressIndex.address_id,
            "address_id",
            tokens,
            self.max_bucket,
        )
        tokens_of: dict[str, list[bytes]] = {}
        for owner, token in hits:
            tokens_of.setdefault(owner, []).append(token)
        memory = InMemoryAddressStore()
        ids = list(tokens_of)
        for start in range(0, len(ids), SQLITE_CHUNK):
            chunk = ids[start : start + SQLITE_CHUNK]
            query = sa.select(
                Address.id, *(getattr(Address, f"{f}_enc") for f in ADDRESS_FIELDS)
            ).where(_one_of(self.session, Address.id, chunk))
            for row in self.session.execute(query).all():
                found = self._candidate(row)
                # Normalised once here rather than once for every row of the batch it meets.
                normalised = CandidateAddress(found.address_id, _normalise_address(found.address))
                memory.add(normalised, tokens_of[str(row[0])])
        return memory

    def candidates(self, tokens: Sequence[bytes]) -> list[CandidateAddress]:
        """Return the decrypted addresses that share at least one token."""
        if not tokens:
            return []
        if _postgresql(self.session):
            rows = self.session.execute(
                _PG_ADDRESSES, {**_arrays(tokens), "max_bucket": self.max_bucket}
            ).all()
            return [self._candidate(row) for row in rows]
        ids = _matching_ids(AddressIndex, AddressIndex.address_id, tokens, self.max_bucket)
        query = sa.select(Address.id, *(getattr(Address, f"{f}_enc") for f in ADDRESS_FIELDS)).join(
            ids, ids.c.owner_id == Address.id
        )
        return [self._candidate(row) for row in self.session.execute(query).all()]

    @staticmethod
    def _candidate(row: Any) -> CandidateAddress:
        address_id = str(row[0])
        line_1, line_2, town, postcode = (
            _decrypt("address", field, address_id, row[1 + i])
            for i, field in enumerate(ADDRESS_FIELDS)
        )
        return CandidateAddress(address_id, AddressRecord(line_1, line_2, town, postcode))


def _normalise_address(address: AddressRecord | NormalAddress) -> NormalAddress:
    if isinstance(address, NormalAddress):
        return address
    return normalise_address(
        [address.address_line_1, address.address_line_2], address.town, address.postcode
    )


def index_rows(owner_id: str, tokens: Iterable[bytes]) -> list[dict[str, object]]:
    """Rows for an index table: one per token, with its kind named."""
    return [
        {"id": row_id(), "owner_id": owner_id, "kind": token_kind(t), "token": t}
        for t in dict.fromkeys(tokens)
    ]


_ids = random.Random(int.from_bytes(os.urandom(16), "big"))


def row_id() -> str:
    """A time-ordered UUID for rows nobody looks up by id (index rows, profiles, links).

    The same layout as forms_app.models.new_id, drawn from a seeded generator instead of the
    operating system: an import writes twenty of these a row, and they protect nothing.
    """
    millis = time.time_ns() // 1_000_000
    value = (millis & ((1 << 48) - 1)) << 80 | _ids.getrandbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return str(uuid.UUID(int=value))
