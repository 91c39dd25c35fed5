"""What an imported row said, as a keyed hash, so that a changed row is noticed on re-import
and a copy of a file imported before is recognised.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 01:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_decision") as batch_op:
        batch_op.add_column(sa.Column("row_digest", sa.LargeBinary(), nullable=True))
        batch_op.create_index("ix_import_decision_row_digest", ["row_digest"])


def downgrade() -> None:
    with op.batch_alter_table("import_decision") as batch_op:
        batch_op.drop_index("ix_import_decision_row_digest")
        batch_op.drop_column("row_digest")
