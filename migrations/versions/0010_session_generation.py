"""session generation: a per-user counter inside every session and remember cookie; bumping it
(sign-out, password change, deactivation, erasure) revokes every copy of those cookies

Revision ID: 0010_session_generation
Revises: 0009_reminder_log
Create Date: 2026-12-02 07:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_session_generation"
down_revision = "0009_reminder_log"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("session_generation")
