"""prepared downloads: large exports built by a job, kept in the file store for their owner

Revision ID: 0021_prepared
Revises: 0020_queue
Create Date: 2026-12-02 14:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021_prepared"
down_revision = "0020_queue"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "prepared_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("store_key", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("mimetype", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_prepared_files_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prepared_files")),
    )
    with op.batch_alter_table("prepared_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prepared_files_owner_id"), ["owner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_prepared_files_expires_at"), ["expires_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("prepared_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prepared_files_expires_at"))
        batch_op.drop_index(batch_op.f("ix_prepared_files_owner_id"))
    op.drop_table("prepared_files")
