"""Case reports (the history index) and case risk assessments.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 09:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_report",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("victim_id", sa.String(length=36), nullable=True),
        sa.Column("reporter_id", sa.String(length=36), nullable=True),
        sa.Column("home_address_id", sa.String(length=36), nullable=True),
        sa.Column("location_id", sa.String(length=36), nullable=True),
        sa.Column("problem", sa.String(length=120), nullable=True),
        sa.Column("hate", sa.Boolean(), nullable=False),
        sa.Column("incident_date", sa.Date(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_report_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["home_address_id"], ["address.id"], name=op.f("fk_case_report_home_address_id_address")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["address.id"], name=op.f("fk_case_report_location_id_address")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["person.id"], name=op.f("fk_case_report_reporter_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_case_report_submission_id_submission"),
        ),
        sa.ForeignKeyConstraint(
            ["victim_id"], ["person.id"], name=op.f("fk_case_report_victim_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_report")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_case_report_submission_id")),
    )
    with op.batch_alter_table("case_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_report_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_report_home_address_id"), ["home_address_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_report_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_case_report_victim_id"), ["victim_id"], unique=False)

    op.create_table(
        "case_assessment",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("instrument", sa.String(length=120), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("history_size", sa.Integer(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_assessment_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_case_assessment_submission_id_submission"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_assessment")),
    )
    with op.batch_alter_table("case_assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_assessment_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_assessment_case_id"))
    op.drop_table("case_assessment")
    with op.batch_alter_table("case_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_report_victim_id"))
        batch_op.drop_index(batch_op.f("ix_case_report_location_id"))
        batch_op.drop_index(batch_op.f("ix_case_report_home_address_id"))
        batch_op.drop_index(batch_op.f("ix_case_report_case_id"))
    op.drop_table("case_report")
