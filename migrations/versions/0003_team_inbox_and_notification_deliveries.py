"""Team inbox items and a record of notifications sent.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 06:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_item",
        sa.Column("team_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("submission_id", sa.String(length=36), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("outbox_id", sa.String(length=36), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_inbox_item_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_inbox_item_submission_id_submission"),
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_inbox_item_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_item")),
        sa.UniqueConstraint("outbox_id", name=op.f("uq_inbox_item_outbox_id")),
    )
    with op.batch_alter_table("inbox_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbox_item_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_inbox_item_team_id_read_at", ["team_id", "read_at"], unique=False)

    op.create_table(
        "notification_delivery",
        sa.Column("outbox_id", sa.String(length=36), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("transport", sa.String(length=20), nullable=False),
        sa.Column("provider_reference", sa.String(length=200), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_delivery")),
        sa.UniqueConstraint("outbox_id", name=op.f("uq_notification_delivery_outbox_id")),
    )


def downgrade() -> None:
    op.drop_table("notification_delivery")
    with op.batch_alter_table("inbox_item", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_item_team_id_read_at")
        batch_op.drop_index(batch_op.f("ix_inbox_item_case_id"))
    op.drop_table("inbox_item")
