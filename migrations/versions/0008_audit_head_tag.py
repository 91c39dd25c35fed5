"""A keyed tag on the audit trail's head, so a rebuilt chain is noticed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_head") as batch_op:
        batch_op.add_column(sa.Column("tag", sa.String(length=64), nullable=True))
    heads = sa.table(
        "audit_head",
        sa.column("id", sa.Integer()),
        sa.column("last_id", sa.Integer()),
        sa.column("last_hash", sa.String()),
        sa.column("tag", sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(heads.c.id, heads.c.last_id, heads.c.last_hash)).all()
    if rows:
        # The trail as it stands is vouched for from here on: verify it before upgrading.
        from forms_app.audit.service import head_tag

        for head_id, last_id, last_hash in rows:
            connection.execute(
                sa.update(heads)
                .where(heads.c.id == head_id)
                .values(tag=head_tag(last_id, last_hash))
            )


def downgrade() -> None:
    with op.batch_alter_table("audit_head") as batch_op:
        batch_op.drop_column("tag")
