"""Encrypt the reasons of risk assessments (submission.risk_reasons, case_assessment.reasons).

A professional-judgement reason is a practitioner's free text and may name people, so the
reasons join the other personal data under field encryption. Existing rows are encrypted in
place (and decrypted again on downgrade) with the running service's data keys.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 13:30:00.000000
"""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# (table, column, nullable)
COLUMNS = [("submission", "risk_reasons", True), ("case_assessment", "reasons", False)]
BATCH = 500


def upgrade() -> None:
    for table, column, nullable in COLUMNS:
        _convert(table, column, nullable, sa.JSON(), sa.LargeBinary(), _encrypter(table, column))


def downgrade() -> None:
    for table, column, nullable in COLUMNS:
        _convert(table, column, nullable, sa.LargeBinary(), sa.JSON(), _decrypter(table, column))


def _keyring():  # type: ignore[no-untyped-def]
    # Only asked for when there are rows to convert: an empty database needs no keys.
    from forms_app.crypto import crypto

    return crypto().keyring


def _encrypter(table: str, column: str) -> Callable[[str, object], object]:
    from forms_app.crypto import FieldContext

    def encrypt(row_id: str, value: object) -> object:
        if value is None:  # a JSON null
            return None
        plaintext = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
        return _keyring().encrypt(plaintext, FieldContext(table, column, row_id))

    return encrypt


def _decrypter(table: str, column: str) -> Callable[[str, object], object]:
    from forms_app.crypto import FieldContext

    def decrypt(row_id: str, value: object) -> object:
        assert isinstance(value, bytes)
        return json.loads(_keyring().decrypt(value, FieldContext(table, column, row_id)))

    return decrypt


def _convert(
    table: str,
    column: str,
    nullable: bool,
    old_type: sa.types.TypeEngine[object],
    new_type: sa.types.TypeEngine[object],
    change: Callable[[str, object], object],
) -> None:
    """Copy `column` through `change` into a column of the new type, then take its place."""
    staging = f"{column}_converted"
    with op.batch_alter_table(table) as batch_op:
        batch_op.add_column(sa.Column(staging, new_type, nullable=True))
    rows = sa.table(
        table,
        sa.column("id", sa.String()),
        sa.column(column, old_type),
        sa.column(staging, new_type),
    )
    connection = op.get_bind()
    last_id = ""
    while True:
        page = connection.execute(
            sa.select(rows.c.id, rows.c[column])
            .where(rows.c.id > last_id, rows.c[column].is_not(None))
            .order_by(rows.c.id)
            .limit(BATCH)
        ).all()
        if not page:
            break
        for row_id, value in page:
            connection.execute(
                sa.update(rows).where(rows.c.id == row_id).values({staging: change(row_id, value)})
            )
        last_id = page[-1][0]
    with op.batch_alter_table(table) as batch_op:
        batch_op.drop_column(column)
        batch_op.alter_column(
            staging, new_column_name=column, existing_type=new_type, nullable=nullable
        )
