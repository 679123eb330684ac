"""accounts: users.must_change_password (a password set by an admin must be changed at the
first sign-in)

Revision ID: 0016_accounts_audit
Revises: 0015_review_justification
Create Date: 2026-12-02 10:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_accounts_audit"
down_revision = "0015_review_justification"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("must_change_password")
