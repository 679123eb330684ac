"""the approval of minutes as a record of its own: by the chair or deputy chair (with the capacity,
the comment deadline and the reason for approving before it) or by a decision of a later meeting

Revision ID: 0012_minutes_approval
Revises: 0011_locking_and_numbering
Create Date: 2026-12-02 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_minutes_approval"
down_revision = "0011_locking_and_numbering"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "minutes_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=False),
        sa.Column("approver_name", sa.String(length=200), nullable=False),
        sa.Column("approver_role", sa.String(length=32), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("comment_period_end", sa.Date(), nullable=True),
        sa.Column("is_before_deadline", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["users.id"],
            name=op.f("fk_minutes_approvals_approved_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_minutes_approvals_decision_id_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_minutes_approvals_meeting_id_meetings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_approvals")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_minutes_approvals_meeting_id")),
    )
    with op.batch_alter_table("minutes_approvals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_minutes_approvals_approved_by_id"), ["approved_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_minutes_approvals_decision_id"), ["decision_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("minutes_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_approvals_decision_id"))
        batch_op.drop_index(batch_op.f("ix_minutes_approvals_approved_by_id"))
    op.drop_table("minutes_approvals")
