"""catalogue review: the day a version's DPIA (DSFA) was completed, and the reviewer's recorded
justification for approving personal data without a completed DPIA

Revision ID: 0015_review_justification
Revises: 0014_signatories
Create Date: 2026-12-02 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_review_justification"
down_revision = "0014_signatories"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("catalogue_versions") as batch_op:
        batch_op.add_column(sa.Column("dpia_completed_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("approval_justification", sa.Text(), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("catalogue_versions") as batch_op:
        batch_op.drop_column("approval_justification")
        batch_op.drop_column("dpia_completed_on")
