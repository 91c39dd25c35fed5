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
from sqlalchemy.orm import InstrumentedAttribute, Session

from dedupe.addresses import Address as NormalAddress
from dedupe.addresses import normalise_address
from dedupe.blocking import KEY_KINDS, token_crowd
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


def _crowd_sql(max_bucket: str) -> str:
    """SQL for the most records a token may be held by before a lookup skips it.

    Weak key kinds (``KeyKind.crowd``) are skipped sooner than the store's ``max_bucket``; the
    kind is the token's first byte.
    """
    weak = sorted({k.code: k.crowd for k in KEY_KINDS.values() if k.crowd is not None}.items())
    cases = " ".join(f"WHEN {code} THEN LEAST({crowd}, {max_bucket})" for code, crowd in weak)
    return f"CASE get_byte(w.token, 0) {cases} ELSE {max_bucket} END"


# On PostgreSQL the tokens travel as one text parameter (hex, comma-separated): the statement
# text never changes, so the server keeps one prepared plan for it, and the client spends
# nothing on dumping a bytea array element by element.
_PG_HITS = """
WITH wanted AS (
    SELECT DISTINCT decode(t, 'hex') AS token
    FROM unnest(string_to_array(CAST(:tokens AS text), ',')) AS q(t)
), hits AS (
    SELECT i.{owner} AS owner_id, i.token,
           count(*) OVER (PARTITION BY i.token) AS bucket, {crowd} AS crowd
    FROM {table} AS i JOIN wanted AS w ON i.token = w.token
)
"""
_PG_IDS = """, ids AS (
    SELECT DISTINCT owner_id FROM hits WHERE bucket <= crowd
)
"""


def _pg_statement(owner: str, table: str, tail: str) -> sa.TextClause:
    # Only constants of this module are formatted in, never a value.
    hits = _PG_HITS.format(owner=owner, table=table, crowd=_crowd_sql(":max_bucket"))
    return sa.text(hits + tail)


_PG_PROFILES = _pg_statement(
    "person_id",
    "person_index",
    _PG_IDS
    + """SELECT p.id, p.merged_into_id, mp.id, mp.version, mp.profile
FROM ids
JOIN person AS p ON p.id = ids.owner_id
LEFT JOIN match_profile AS mp ON mp.person_id = p.id
""",
)
_PG_ADDRESSES = _pg_statement(
    "address_id",
    "address_index",
    _PG_IDS
    + """SELECT a.id, a.line_1, a.line_2, a.town, a.postcode
FROM ids JOIN address AS a ON a.id = ids.owner_id
""",
)
_PG_HIT_ROWS = {
    table: _pg_statement(owner, table, "SELECT owner_id, token FROM hits WHERE bucket <= crowd")
    for table, owner in (("person_index", "person_id"), ("address_index", "address_id"))
}
# SQLite allows a limited number of parameters in one statement.
SQLITE_CHUNK = 400


def _token_hits(
    session: Session,
    index: type[PersonIndex] | type[AddressIndex],
    owner: InstrumentedAttribute[str],
    tokens: Sequence[bytes],
    max_bucket: int,
) -> list[tuple[str, bytes]]:
    """Return (owner id, token) for every index row that shares a token, crowded ones left out."""
    unique = list(dict.fromkeys(tokens))
    if not unique:
        return []
    if _postgresql(session):
        statement = _PG_HIT_ROWS[index.__tablename__]
        rows = session.execute(statement, _params(unique, max_bucket)).all()
        return [(str(r[0]), bytes(r[1])) for r in rows]
    hits: list[tuple[str, bytes]] = []
    for start in range(0, len(unique), SQLITE_CHUNK):
        chunk = unique[start : start + SQLITE_CHUNK]
        counted = (
            sa.select(
                owner.label("owner_id"),
                index.token,
                sa.func.count().over(partition_by=index.token).label("bucket"),
            )
            .where(index.token.in_(chunk))
            .subquery()
        )
        query = sa.select(counted.c.owner_id, counted.c.token, counted.c.bucket)
        hits.extend(
            (str(owner_id), bytes(token))
            for owner_id, token, bucket in session.execute(query).all()
            if bucket <= token_crowd(bytes(token), max_bucket)
        )
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
    # On PostgreSQL one text parameter (ids have no commas), so the statement is the same for
    # every batch and the client dumps one string rather than an array element by element.
    if _postgresql(session):
        ids = sa.func.string_to_array(sa.cast(sa.literal(",".join(values)), sa.Text), ",")
        return column == sa.func.any(ids)
    return column.in_(values)


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _params(tokens: Sequence[bytes], max_bucket: int) -> dict[str, Any]:
    """The parameters of a PostgreSQL lookup: the tokens as one text, and the bucket limit."""
    return {"tokens": ",".join(t.hex() for t in dict.fromkeys(tokens)), "max_bucket": max_bucket}


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
            rows = self.session.execute(_PG_PROFILES, _params(tokens, self.max_bucket)).all()
            return self._from_profiles(rows)
        hits = _token_hits(
            self.session, PersonIndex, PersonIndex.person_id, tokens, self.max_bucket
        )
        return self.fetch(list(dict.fromkeys(owner for owner, _ in hits)))

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
        keyring = crypto().keyring
        for person_id, _, profile_id, version, blob in rows:
            if profile_id is None or version != PROFILE_VERSION:
                without.append(person_id)
                continue
            plain = keyring.decrypt(blob, FieldContext("match_profile", "profile", profile_id))
            out.append(CandidateRecord(roots[person_id], profile_id, load_profile(plain)))
        # Records written before profiles existed, or by an older dedupe: read the fields.
        return out + self.fetch_fields(list(dict.fromkeys(without)))

    def snapshot(self, tokens: Sequence[bytes]) -> InMemoryStore:
        """Load every record sharing any of many tokens at once, for a batch of lookups.

        The result answers ``candidates`` exactly as this store would, as long as nothing is
        written in between: two statements for a whole batch instead of one per record.
        """
        hits = _token_hits(
            self.session, PersonIndex, PersonIndex.person_id, tokens, self.max_bucket
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
            self.session, AddressIndex, AddressIndex.address_id, tokens, self.max_bucket
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
            rows = self.session.execute(_PG_ADDRESSES, _params(tokens, self.max_bucket)).all()
            return [self._candidate(row) for row in rows]
        hits = _token_hits(
            self.session, AddressIndex, AddressIndex.address_id, tokens, self.max_bucket
        )
        ids = list(dict.fromkeys(owner for owner, _ in hits))
        query = sa.select(Address.id, *(getattr(Address, f"{f}_enc") for f in ADDRESS_FIELDS))
        rows: list[Any] = []
        for start in range(0, len(ids), SQLITE_CHUNK):
            chunk = ids[start : start + SQLITE_CHUNK]
            rows.extend(self.session.execute(query.where(Address.id.in_(chunk))).all())
        return [self._candidate(row) for row in rows]

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


def index_rows(owner: str, owner_id: str, tokens: Iterable[bytes]) -> list[dict[str, object]]:
    """Rows for an index table: one per distinct token, under the owner column ``owner``."""
    return [{"token": t, owner: owner_id} for t in dict.fromkeys(tokens)]


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
