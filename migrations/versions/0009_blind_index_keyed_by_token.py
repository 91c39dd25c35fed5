"""Blind-index rows keyed by (token, owner), for the blocking keys of this release.

The index tables lose their UUID id and their kind column (the token's first byte names the
kind) and are keyed by (token, owner): two B-tree entries a row instead of three. They lose
their foreign key too: checking it for each of the dozen rows a person gets cost an import
more server time than inserting them, and the rows are derived data. The rows are
derived data and the blocking keys changed with this release (new kinds, more bits for some),
so the old rows are dropped rather than carried over: run `saferforms dedupe reindex` after
upgrading a database that holds people, or they will not be found by matching.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 11:30:00.000000
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
OWNERS = (("person_index", "person_id", "person"), ("address_index", "address_id", "address"))


def upgrade() -> None:
    for table, owner, _target in OWNERS:
        op.drop_table(table)
        op.create_table(
            table,
            sa.Column("token", sa.LargeBinary(), nullable=False),
            sa.Column(owner, sa.String(length=36), nullable=False),
            sa.PrimaryKeyConstraint("token", owner, name=op.f(f"pk_{table}")),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_{owner}"), [owner], unique=False)
    if op.get_bind().execute(sa.text("SELECT 1 FROM person LIMIT 1")).first() is not None:
        log.warning(
            "The blind-index rows were rebuilt empty: run `saferforms dedupe reindex` so that "
            "the people held are found by matching again."
        )


def downgrade() -> None:
    for table, owner, target in OWNERS:
        op.drop_table(table)
        op.create_table(
            table,
            sa.Column(owner, sa.String(length=36), nullable=False),
            sa.Column("kind", sa.String(length=32), nullable=False),
            sa.Column("token", sa.LargeBinary(), nullable=False),
            sa.Column("id", sa.String(length=36), nullable=False),
            sa.ForeignKeyConstraint(
                [owner], [f"{target}.id"], name=op.f(f"fk_{table}_{owner}_{target}")
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f"ix_{table}_kind_token", ["kind", "token"], unique=False)
            batch_op.create_index(batch_op.f(f"ix_{table}_{owner}"), [owner], unique=False)
