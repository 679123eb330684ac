"""perf2: catalogue entries by status in identifier order (catalogue list, DCAT export pages);
meetings by body and status (dashboard)

Revision ID: 0007_perf2
Revises: 0006_perf_indexes
Create Date: 2026-11-24 22:30:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0007_perf2"
down_revision = "0006_perf_indexes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index("ix_meetings_body_status", ["body_id", "status"], unique=False)

    with op.batch_alter_table("catalogue_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_catalogue_entries_status_identifier", ["status", "identifier"], unique=False
        )


def downgrade():
    with op.batch_alter_table("catalogue_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_catalogue_entries_status_identifier")

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index("ix_meetings_body_status")
