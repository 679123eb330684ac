"""catalogue import: uploaded files kept for the confirmation of likely duplicates

Revision ID: 0017_exports
Revises: 0016_accounts_audit
Create Date: 2026-12-02 11:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017_exports"
down_revision = "0016_accounts_audit"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "catalogue_staged_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_catalogue_staged_imports_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_staged_imports")),
        sa.UniqueConstraint("token", name=op.f("uq_catalogue_staged_imports_token")),
    )
    with op.batch_alter_table("catalogue_staged_imports") as batch_op:
        batch_op.create_index(batch_op.f("ix_catalogue_staged_imports_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_catalogue_staged_imports_created_at"), ["created_at"], unique=False
        )


def downgrade():
    op.drop_table("catalogue_staged_imports")
