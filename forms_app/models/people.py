"""People and addresses, encrypted field by field, with blind-index rows for matching."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forms_app.crypto import Encrypted

from .base import ID, Base, IdMixin, TimestampMixin, UTCDateTime


class Person(IdMixin, TimestampMixin, Base):
    __tablename__ = "person"

    first_name_enc: Mapped[bytes | None] = mapped_column("first_name", LargeBinary)
    last_name_enc: Mapped[bytes | None] = mapped_column("last_name", LargeBinary)
    date_of_birth_enc: Mapped[bytes | None] = mapped_column("date_of_birth", LargeBinary)
    gender_enc: Mapped[bytes | None] = mapped_column("gender", LargeBinary)
    email_enc: Mapped[bytes | None] = mapped_column("email", LargeBinary)
    phone_enc: Mapped[bytes | None] = mapped_column("phone", LargeBinary)
    # An NHS, National Insurance or other number that names one person, as an old system held it.
    identity_number_enc: Mapped[bytes | None] = mapped_column("identity_number", LargeBinary)
    description_enc: Mapped[bytes | None] = mapped_column("description", LargeBinary)

    first_name = Encrypted[str]()
    last_name = Encrypted[str]()
    date_of_birth = Encrypted[date]("date")
    gender = Encrypted[str]()
    email = Encrypted[str]()
    phone = Encrypted[str]()
    identity_number = Encrypted[str]()
    description = Encrypted[str]()

    # Where the record came from on import (the old system's id), for idempotent re-imports.
    source_system: Mapped[str | None] = mapped_column(String(80))
    source_id: Mapped[str | None] = mapped_column(String(120))
    # Set when this record was merged into another; merges are reversible.
    merged_into_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    index_rows: Mapped[list[PersonIndex]] = relationship(
        primaryjoin="Person.id == foreign(PersonIndex.person_id)",
        back_populates="person",
        cascade="all, delete-orphan",
    )

    __table_args__ = (UniqueConstraint("source_system", "source_id"),)


class PersonIndex(Base):
    """A blind-index token of one person: the kind's code byte, then the truncated keyed hash.

    Keyed by (token, person) with no id of its own: a lookup reads the primary key alone, and
    writing a row costs two B-tree entries instead of three. Derived data, rebuilt by
    `saferforms dedupe reindex`, so it has no foreign key: checking one for each of the dozen
    rows a person gets cost an import more server time than inserting them. The relationship
    deletes a person's rows with the person; a lookup joins to the person, so a row left behind
    by a delete that bypassed it finds nobody.
    """

    __tablename__ = "person_index"

    token: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    person_id: Mapped[str] = mapped_column(ID, primary_key=True, index=True)

    person: Mapped[Person] = relationship(
        primaryjoin="foreign(PersonIndex.person_id) == Person.id", back_populates="index_rows"
    )


class Address(IdMixin, TimestampMixin, Base):
    __tablename__ = "address"

    line_1_enc: Mapped[bytes | None] = mapped_column("line_1", LargeBinary)
    line_2_enc: Mapped[bytes | None] = mapped_column("line_2", LargeBinary)
    town_enc: Mapped[bytes | None] = mapped_column("town", LargeBinary)
    postcode_enc: Mapped[bytes | None] = mapped_column("postcode", LargeBinary)
    description_enc: Mapped[bytes | None] = mapped_column("description", LargeBinary)

    line_1 = Encrypted[str]()
    line_2 = Encrypted[str]()
    town = Encrypted[str]()
    postcode = Encrypted[str]()
    # A free description of a place ("the alley behind the shops"), for locations.
    description = Encrypted[str]()

    index_rows: Mapped[list[AddressIndex]] = relationship(
        primaryjoin="Address.id == foreign(AddressIndex.address_id)",
        back_populates="address",
        cascade="all, delete-orphan",
    )


class AddressIndex(Base):
    """A blind-index token of one address, keyed like PersonIndex (and, like it, no foreign key)."""

    __tablename__ = "address_index"

    token: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    address_id: Mapped[str] = mapped_column(ID, primary_key=True, index=True)

    address: Mapped[Address] = relationship(
        primaryjoin="foreign(AddressIndex.address_id) == Address.id", back_populates="index_rows"
    )


class PersonAddress(IdMixin, TimestampMixin, Base):
    __tablename__ = "person_address"
    __table_args__ = (UniqueConstraint("person_id", "address_id", "kind"),)

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), nullable=False, index=True)
    address_id: Mapped[str] = mapped_column(ForeignKey("address.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="home")

    person: Mapped[Person] = relationship()
    address: Mapped[Address] = relationship()


class PersonLink(IdMixin, TimestampMixin, Base):
    """Two people known to be connected: associates, or victim and person responsible."""

    __tablename__ = "person_link"
    __table_args__ = (UniqueConstraint("person_a_id", "person_b_id", "relationship"),)

    person_a_id: Mapped[str] = mapped_column(ForeignKey("person.id"), nullable=False, index=True)
    person_b_id: Mapped[str] = mapped_column(ForeignKey("person.id"), nullable=False, index=True)
    relationship: Mapped[str] = mapped_column(String(40), nullable=False)
    source_case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"))


__all__ = ["ID", "Address", "AddressIndex", "Person", "PersonAddress", "PersonIndex", "PersonLink"]
