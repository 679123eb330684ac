"""agreement signatories: the authorised signatory of a party as a person, on each signature
the capacity it was given in (i. V. / i. A.) with the signer's name and function as they were,
and on each version the signed document (with its Unterzeichnungsvermerk) and its SHA-256

Revision ID: 0014_signatories
Revises: 0013_agreement_versions
Create Date: 2026-12-02 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_signatories"
down_revision = "0013_agreement_versions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agreement_versions") as batch_op:
        batch_op.add_column(sa.Column("signed_document_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("signed_document", sa.LargeBinary(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_agreement_versions_signed_document_sha256"),
            ["signed_document_sha256"],
            unique=False,
        )
    with op.batch_alter_table("agreement_parties") as batch_op:
        batch_op.add_column(sa.Column("signatory_person_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_agreement_parties_signatory_person_id"),
            ["signatory_person_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_agreement_parties_signatory_person_id_people"),
            "people",
            ["signatory_person_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("agreement_signatures") as batch_op:
        batch_op.add_column(
            sa.Column("capacity", sa.String(length=2), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("signer_name", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("signer_function", sa.String(length=200), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("agreement_signatures") as batch_op:
        batch_op.drop_column("signer_function")
        batch_op.drop_column("signer_name")
        batch_op.drop_column("capacity")
    with op.batch_alter_table("agreement_parties") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_agreement_parties_signatory_person_id_people"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_agreement_parties_signatory_person_id"))
        batch_op.drop_column("signatory_person_id")
    with op.batch_alter_table("agreement_versions") as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_versions_signed_document_sha256"))
        batch_op.drop_column("signed_document")
        batch_op.drop_column("signed_document_sha256")
