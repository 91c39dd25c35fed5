"""Match profiles: each person record normalised for matching, encrypted.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 05:19:43.388867
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_profile",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("address_id", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("profile", sa.LargeBinary(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["address_id"], ["address.id"], name=op.f("fk_match_profile_address_id_address")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_match_profile_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_profile")),
    )
    with op.batch_alter_table("match_profile", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_profile_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("match_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_profile_person_id"))

    op.drop_table("match_profile")
