"""bodies: public_calendar (a feed of the body's public meetings without a token)

Revision ID: 0018_calendar_feeds
Revises: 0017_exports
Create Date: 2026-12-02 11:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018_calendar_feeds"
down_revision = "0017_exports"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("bodies") as batch_op:
        batch_op.add_column(
            sa.Column("public_calendar", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("bodies") as batch_op:
        batch_op.drop_column("public_calendar")
