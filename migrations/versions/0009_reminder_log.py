"""reminder log: when a reminder last went to a recipient, so daily runs do not repeat it daily

Revision ID: 0009_reminder_log
Revises: 0008_person_erasure
Create Date: 2026-11-25 01:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_reminder_log"
down_revision = "0008_person_erasure"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reminder_log",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("key", "recipient", name=op.f("pk_reminder_log")),
    )


def downgrade():
    op.drop_table("reminder_log")
