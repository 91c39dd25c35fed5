"""Write people and addresses with their blind-index rows, in batches.

Rows are built here (fields encrypted with the row's table, column and id bound in, exactly as
the models' Encrypted attributes do) and inserted with one statement per table per batch, which
is what makes an import of thousands of rows a second possible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dedupe.profile import PROFILE_VERSION, dump_profile
from dedupe.records import NormalisedPerson, PersonRecord
from forms_app.crypto import FieldContext, crypto
from forms_app.crypto.keyring import Keyring
from forms_app.models import (
    Address,
    AddressIndex,
    Person,
    PersonAddress,
    PersonIndex,
    new_id,
    utcnow,
)

from .models import ImportDecision, MatchProfile
from .store import HOME, index_rows, row_id


def _encrypt(keyring: Keyring, table: str, column: str, row_id: str, value: object) -> bytes | None:
    if value is None or value == "":
        return None
    text = value.isoformat() if isinstance(value, date) else str(value)
    return keyring.encrypt(text.encode(), FieldContext(table, column, row_id))


def _iso_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@dataclass
class Batch:
    """Rows waiting to be inserted, table by table, in an order foreign keys accept."""

    persons: list[dict[str, object]] = field(default_factory=list)
    addresses: list[dict[str, object]] = field(default_factory=list)
    person_addresses: list[dict[str, object]] = field(default_factory=list)
    person_index: list[dict[str, object]] = field(default_factory=list)
    address_index: list[dict[str, object]] = field(default_factory=list)
    decisions: list[dict[str, object]] = field(default_factory=list)
    profiles: list[dict[str, object]] = field(default_factory=list)
    # Looked up once: finding the application's keyring costs more than an encryption.
    keyring: Keyring = field(default_factory=lambda: crypto().keyring, repr=False)

    def __len__(self) -> int:
        return len(self.persons)

    def add_address(
        self,
        record: PersonRecord,
        tokens: list[bytes],
        created_at: datetime,
        *,
        description: str | None = None,
    ) -> str:
        """Queue a new address (a place may have a free description) and return its id."""
        address_id = new_id()
        values: dict[str, object] = {
            "line_1": record.address_line_1,
            "line_2": record.address_line_2,
            "town": record.town,
            "postcode": record.postcode,
        }
        self.addresses.append(
            {
                "id": address_id,
                "created_at": created_at,
                **self._encrypted("address", address_id, values, description),
            }
        )
        self.address_index += index_rows("address_id", address_id, tokens)
        return address_id

    def _encrypted(
        self, table: str, row_id: str, values: dict[str, object], description: str | None
    ) -> dict[str, object]:
        """A row's encrypted columns: each value and the free description, bound to the row."""
        return {
            **{name: _encrypt(self.keyring, table, name, row_id, v) for name, v in values.items()},
            "description": _encrypt(self.keyring, table, "description", row_id, description),
        }

    def add_person(
        self,
        record: PersonRecord,
        tokens: list[bytes],
        *,
        created_at: datetime,
        address_id: str | None,
        merged_into_id: str | None = None,
        source_system: str | None = None,
        source_id: str | None = None,
        profile: NormalisedPerson | None = None,
        description: str | None = None,
    ) -> str:
        """Queue a new person record (linked to ``address_id`` as home) and return its id.

        ``profile`` is the record normalised; it is kept encrypted for matching. ``description``
        is what a reporter wrote about the person ("tall, grey hoodie").
        """
        person_id = new_id()
        values: dict[str, object] = {
            "first_name": record.first_name,
            "last_name": record.last_name,
            "date_of_birth": _iso_date(record.date_of_birth),
            "gender": record.gender,
            "email": record.email,
            "phone": record.phone,
            "identity_number": record.identity_number,
        }
        self.persons.append(
            {
                "id": person_id,
                "created_at": created_at,
                **self._encrypted("person", person_id, values, description),
                "source_system": source_system,
                "source_id": source_id,
                "merged_into_id": merged_into_id,
                "merged_at": utcnow() if merged_into_id else None,
            }
        )
        if address_id is not None:
            self.person_addresses.append(
                {
                    "id": row_id(),
                    "created_at": created_at,
                    "person_id": person_id,
                    "address_id": address_id,
                    "kind": HOME,
                }
            )
        self.person_index += index_rows("person_id", person_id, tokens)
        if profile is not None:
            profile_id = row_id()
            self.profiles.append(
                {
                    "id": profile_id,
                    "person_id": person_id,
                    "address_id": address_id,
                    "version": PROFILE_VERSION,
                    "profile": self.keyring.encrypt(
                        dump_profile(profile), FieldContext("match_profile", "profile", profile_id)
                    ),
                }
            )
        return person_id

    def add_decision(
        self, person_id: str, decision: str, score: float, row_digest: bytes | None = None
    ) -> None:
        """Remember what an import decided for a person record, and what its row said."""
        self.decisions.append(
            {
                "person_id": person_id,
                "decision": decision,
                "score": score,
                "imported_at": utcnow(),
                "row_digest": row_digest,
            }
        )

    def write(self, session: Session) -> None:
        """Insert everything queued, then empty the batch."""
        statements: list[tuple[sa.Table, list[dict[str, object]]]] = [
            (_table(Address), self.addresses),
            (_table(Person), self.persons),
            (_table(PersonAddress), self.person_addresses),
            (_table(PersonIndex), self.person_index),
            (_table(AddressIndex), self.address_index),
            (_table(ImportDecision), self.decisions),
            (_table(MatchProfile), self.profiles),
        ]
        copy = session.get_bind().dialect.name == "postgresql"
        for table, rows in statements:
            if rows and copy:
                _copy(session, table, rows)
            elif rows:
                session.execute(sa.insert(table), rows)
        self.persons, self.addresses, self.person_addresses = [], [], []
        self.person_index, self.address_index, self.decisions = [], [], []
        self.profiles = []


def _copy(session: Session, table: sa.Table, rows: list[dict[str, object]]) -> None:
    # COPY inside the session's own transaction: several times faster than INSERT for the
    # thousands of index rows an import writes.
    columns = list(rows[0])
    connection = session.connection().connection.driver_connection
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row([row[c] for c in columns])


def _table(model: type) -> sa.Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, sa.Table)
    return table
