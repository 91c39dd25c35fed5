"""Trained duplicate-checking models, and what each import decided for the records it wrote.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 04:55:04.717149
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dedupe_model",
        sa.Column("parameters", sa.Text(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("candidate_pairs", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dedupe_model")),
    )
    op.create_table(
        "import_decision",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_import_decision_person_id_person")
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_import_decision")),
    )


def downgrade() -> None:
    op.drop_table("import_decision")
    op.drop_table("dedupe_model")
