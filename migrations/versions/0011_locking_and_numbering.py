"""optimistic locking and collision-free numbering: a lock_version counter on agreement
versions, catalogue entries, meetings and agenda items (core.locking), and the number_counters
table that generated numbers are drawn from (core.numbering)

Revision ID: 0011_locking_and_numbering
Revises: 0010_session_generation
Create Date: 2026-12-02 07:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_locking_and_numbering"
down_revision = "0010_session_generation"
branch_labels = None
depends_on = None

LOCKED_TABLES = ("agreement_versions", "catalogue_entries", "meetings", "agenda_items")


def upgrade():
    for table in LOCKED_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("lock_version", sa.Integer(), nullable=False, server_default="0")
            )
    op.create_table(
        "number_counters",
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_number_counters")),
    )


def downgrade():
    op.drop_table("number_counters")
    for table in reversed(LOCKED_TABLES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("lock_version")
