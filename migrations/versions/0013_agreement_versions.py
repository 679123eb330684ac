"""agreement versions: the text as sent out (DOCX and SHA-256 kept per version), when a version
was replaced by a later one, a preamble per version, and the standard text of agreement
templates (preamble, subject, objectives, clauses, duties by party role)

Revision ID: 0013_agreement_versions
Revises: 0012_minutes_approval
Create Date: 2026-12-02 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_agreement_versions"
down_revision = "0012_minutes_approval"
branch_labels = None
depends_on = None

TEMPLATE_TEXTS = ("standard_preamble", "standard_subject", "standard_objectives", "standard_clauses")


def upgrade():
    with op.batch_alter_table("agreement_versions") as batch_op:
        batch_op.add_column(sa.Column("preamble", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sent_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("sent_document", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("revised_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("agreement_templates") as batch_op:
        for name in TEMPLATE_TEXTS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("standard_duties", sa.JSON(), nullable=False, server_default="{}")
        )


def downgrade():
    with op.batch_alter_table("agreement_templates") as batch_op:
        batch_op.drop_column("standard_duties")
        for name in reversed(TEMPLATE_TEXTS):
            batch_op.drop_column(name)
    with op.batch_alter_table("agreement_versions") as batch_op:
        for name in ("revised_at", "sent_document", "sent_sha256", "sent_at", "preamble"):
            batch_op.drop_column(name)
