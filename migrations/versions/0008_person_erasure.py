"""person erasure: people.erased_at, set when a person's data is erased (Art. 17 GDPR)

Revision ID: 0008_person_erasure
Revises: 0007_perf2
Create Date: 2026-11-24 23:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_person_erasure"
down_revision = "0007_perf2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
