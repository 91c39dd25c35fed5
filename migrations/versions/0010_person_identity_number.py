"""An identity number on a person (NHS, National Insurance or other), encrypted, for matching.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 11:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch_op:
        batch_op.add_column(sa.Column("identity_number", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch_op:
        batch_op.drop_column("identity_number")
