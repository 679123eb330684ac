"""Agreement templates, agreements, their versions, parties, duties, comments and signatures.

An agreement is a parent row; its text lives in versions. A version is frozen from its first
signature on: the DOCX rendered at that moment is stored with its SHA-256, and every signature
records that digest, so the record shows exactly which bytes each party signed.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..auth.models import User
from ..core.locking import Versioned
from ..core.models import Audited, TimestampMixin, UTCDateTime, enum_type
from ..directory.models import Organisation, Person
from ..extensions import Model, db

if TYPE_CHECKING:
    from ..bodies.models import Body
    from ..catalogue.models import CatalogueEntry


class AgreementKind(enum.Enum):
    COOPERATION = "cooperation"
    TARGET = "target"
    DATA_SHARING = "data_sharing"
    RULES_OF_PROCEDURE = "rules_of_procedure"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])

    @property
    def prefix(self) -> str:
        return {"cooperation": "KV", "target": "ZV", "data_sharing": "DV"}.get(
            self.value, "GO" if self is AgreementKind.RULES_OF_PROCEDURE else "SV"
        )


KIND_LABELS = {
    AgreementKind.COOPERATION: _l("Cooperation agreement"),
    AgreementKind.TARGET: _l("Target agreement"),
    AgreementKind.DATA_SHARING: _l("Data-sharing agreement"),
    AgreementKind.RULES_OF_PROCEDURE: _l("Rules of procedure"),
    AgreementKind.OTHER: _l("Other agreement"),
}


class AgreementStatus(enum.Enum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    AWAITING_SIGNATURES = "awaiting_signatures"
    SIGNED = "signed"
    IN_FORCE = "in_force"
    EXPIRED = "expired"
    TERMINATED = "terminated"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    AgreementStatus.DRAFT: _l("Draft"),
    AgreementStatus.IN_REVIEW: _l("In consultation"),
    AgreementStatus.AWAITING_SIGNATURES: _l("Awaiting signatures"),
    AgreementStatus.SIGNED: _l("Signed, term not yet started"),
    AgreementStatus.IN_FORCE: _l("In force"),
    AgreementStatus.EXPIRED: _l("Expired"),
    AgreementStatus.TERMINATED: _l("Terminated"),
}


class VersionStatus(enum.Enum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    AWAITING_SIGNATURES = "awaiting_signatures"
    SIGNED = "signed"
    SUPERSEDED = "superseded"
    # Replaced by a later version before it was signed by all (agreements.versions): its text,
    # DOCX, comments and any signatures given stay on record; it never enters into force.
    REVISED = "revised"

    @property
    def label(self) -> str:
        return str(VERSION_STATUS_LABELS[self])


VERSION_STATUS_LABELS = {
    VersionStatus.DRAFT: _l("Draft"),
    VersionStatus.IN_REVIEW: _l("In consultation"),
    VersionStatus.AWAITING_SIGNATURES: _l("Awaiting signatures"),
    VersionStatus.SIGNED: _l("Signed by all parties"),
    VersionStatus.SUPERSEDED: _l("Superseded"),
    VersionStatus.REVISED: _l("Revised (replaced by a later version)"),
}
EDITABLE_VERSION_STATUSES = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)
# The statuses of a text that went out (for consultation or for signature): frozen, an edit
# starts the next version (agreements.versions).
SENT_VERSION_STATUSES = (VersionStatus.IN_REVIEW, VersionStatus.AWAITING_SIGNATURES)


class PartyRole(enum.Enum):
    LAND = "land"
    MUNICIPALITY = "municipality"
    AGENCY = "agency"
    MEMBER = "member"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(PARTY_ROLE_LABELS[self])


PARTY_ROLE_LABELS = {
    PartyRole.LAND: _l("State (Land)"),
    PartyRole.MUNICIPALITY: _l("Model municipality"),
    PartyRole.AGENCY: _l("Support agency"),
    PartyRole.MEMBER: _l("Committee member"),
    PartyRole.OTHER: _l("Other party"),
}


class Renewal(enum.Enum):
    NONE = "none"
    YEARLY = "yearly"
    BY_AGREEMENT = "by_agreement"

    @property
    def label(self) -> str:
        return str(RENEWAL_LABELS[self])


RENEWAL_LABELS = {
    Renewal.NONE: _l("Ends with the term"),
    Renewal.YEARLY: _l("Renews by one year unless terminated"),
    Renewal.BY_AGREEMENT: _l("Can be extended by an amendment"),
}


class AgreementTemplate(Audited, TimestampMixin, Model):
    """One version of a DOCX template; new uploads of the same template get the next version."""

    __tablename__ = "agreement_templates"
    __audit_exclude__ = ("created_at", "updated_at", "content")
    __table_args__ = (sa.UniqueConstraint("code", "version", name="uq_agreement_templates_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(60), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[AgreementKind] = mapped_column(enum_type(AgreementKind), index=True)
    version: Mapped[int] = mapped_column(default=1)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    filename: Mapped[str] = mapped_column(sa.String(200))
    content: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int] = mapped_column(default=0)
    variables: Mapped[list] = mapped_column(sa.JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=True, index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # The standard text a new draft starts from (agreements.standard_text); kept with each
    # template version and carried over to the next upload. Duties by party role (PartyRole
    # value -> list of duties, in order).
    standard_preamble: Mapped[str] = mapped_column(sa.Text, default="")
    standard_subject: Mapped[str] = mapped_column(sa.Text, default="")
    standard_objectives: Mapped[str] = mapped_column(sa.Text, default="")
    standard_clauses: Mapped[str] = mapped_column(sa.Text, default="")
    standard_duties: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    uploaded_by: Mapped[User | None] = relationship()

    @property
    def audit_label(self) -> str:
        return f"{self.name} v{self.version}"

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class Agreement(Audited, TimestampMixin, Model):
    """A cooperation or target agreement; its wording and parties live in its versions."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300), index=True)
    kind: Mapped[AgreementKind] = mapped_column(enum_type(AgreementKind), index=True)
    status: Mapped[AgreementStatus] = mapped_column(
        enum_type(AgreementStatus), default=AgreementStatus.DRAFT, index=True
    )
    owner_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    terminated_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    termination_reason: Mapped[str] = mapped_column(sa.Text, default="")

    owner_organisation: Mapped[Organisation | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    versions: Mapped[list[AgreementVersion]] = relationship(
        back_populates="agreement", order_by="AgreementVersion.number", cascade="all, delete-orphan"
    )

    @property
    def latest_version(self) -> AgreementVersion:
        return self.versions[-1]

    @property
    def version_in_force(self) -> AgreementVersion | None:
        signed = [v for v in self.versions if v.status is VersionStatus.SIGNED]
        return signed[-1] if signed else None

    @property
    def audit_label(self) -> str:
        return self.number


version_entries = sa.Table(
    "agreement_version_entries",
    db.metadata,
    sa.Column(
        "version_id",
        sa.ForeignKey("agreement_versions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "entry_id",
        sa.ForeignKey("catalogue_entries.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


# The text fields of a version a drafter edits (form, compare page, the next version's copy).
VERSION_FIELDS = (
    "title",
    "preamble",
    "subject",
    "objectives",
    "start_date",
    "end_date",
    "notice_period_months",
    "renewal",
    "place",
    "extra_clauses",
    "change_note",
)


class AgreementVersion(Versioned, Audited, TimestampMixin, Model):
    """One wording of an agreement (version 1, then one per amendment)."""

    __tablename__ = "agreement_versions"
    __audit_exclude__ = ("created_at", "updated_at", "document", "signed_document", "sent_document")
    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "number", name="uq_agreement_versions_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(default=1)
    status: Mapped[VersionStatus] = mapped_column(
        enum_type(VersionStatus), default=VersionStatus.DRAFT, index=True
    )
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement_templates.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    preamble: Mapped[str] = mapped_column(sa.Text, default="")
    subject: Mapped[str] = mapped_column(sa.Text, default="")
    objectives: Mapped[str] = mapped_column(sa.Text, default="")
    start_date: Mapped[dt.date | None] = mapped_column(sa.Date, index=True)
    end_date: Mapped[dt.date | None] = mapped_column(sa.Date, index=True)
    notice_period_months: Mapped[int] = mapped_column(default=3)
    renewal: Mapped[Renewal] = mapped_column(enum_type(Renewal), default=Renewal.NONE)
    place: Mapped[str] = mapped_column(sa.String(100), default="")
    extra_clauses: Mapped[str] = mapped_column(sa.Text, default="")
    # The body (Gremium) this agreement sets up, e.g. the Begleitgremium.
    body_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bodies.id", ondelete="SET NULL"), index=True
    )
    change_note: Mapped[str] = mapped_column(sa.Text, default="")
    signatures_requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    frozen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    document_sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    document: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    # The signed document (the signed text with the signatures and the Unterzeichnungsvermerk),
    # built once when the last party signs and kept, like the signed text: see agreements.signing.
    signed_document_sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    signed_document: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    # The text as first sent out (for consultation or signature): its DOCX and SHA-256, kept
    # byte for byte; an edit after that starts the next version (agreements.versions).
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    sent_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    sent_document: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    # When a later version replaced this one before all parties signed it (status REVISED).
    revised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    agreement: Mapped[Agreement] = relationship(back_populates="versions")
    template: Mapped[AgreementTemplate] = relationship()
    body: Mapped[Body | None] = relationship()
    # The data exchanges (catalogue entries) this version covers.
    catalogue_entries: Mapped[list[CatalogueEntry]] = relationship(
        secondary="agreement_version_entries", order_by="CatalogueEntry.identifier"
    )
    parties: Mapped[list[AgreementParty]] = relationship(
        back_populates="version", order_by="AgreementParty.position", cascade="all, delete-orphan"
    )
    comments: Mapped[list[AgreementComment]] = relationship(
        back_populates="version",
        order_by="AgreementComment.created_at",
        cascade="all, delete-orphan",
    )
    signatures: Mapped[list[AgreementSignature]] = relationship(
        back_populates="version",
        order_by="AgreementSignature.signed_at",
        cascade="all, delete-orphan",
    )

    @property
    def active_signatures(self) -> list[AgreementSignature]:
        return [s for s in self.signatures if s.withdrawn_at is None]

    @property
    def is_frozen(self) -> bool:
        return bool(self.active_signatures) or self.status in (
            VersionStatus.SIGNED,
            VersionStatus.SUPERSEDED,
        )

    @property
    def is_editable(self) -> bool:
        """Editable until the first signature (also while awaiting signatures)."""
        return (
            self.status in (*EDITABLE_VERSION_STATUSES, VersionStatus.AWAITING_SIGNATURES)
            and not self.is_frozen
        )

    @property
    def all_signed(self) -> bool:
        signed = {s.party_id for s in self.active_signatures}
        return bool(self.parties) and all(p.id in signed for p in self.parties)

    def signature_for(self, party: AgreementParty) -> AgreementSignature | None:
        for signature in self.active_signatures:
            if signature.party_id == party.id:
                return signature
        return None

    @property
    def audit_label(self) -> str:
        return f"{self.agreement.number if self.agreement else '?'} v{self.number}"


class AgreementParty(Audited, Model):
    """An organisation taking part in one version, its role, contact person and signatory."""

    __tablename__ = "agreement_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    role: Mapped[PartyRole] = mapped_column(enum_type(PartyRole), default=PartyRole.OTHER)
    contact_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"), index=True)
    signatory_name: Mapped[str] = mapped_column(sa.String(200), default="")
    signatory_function: Mapped[str] = mapped_column(sa.String(200), default="")
    # The authorised signatory as a person of the directory: whoever else signs for the party
    # says in which capacity (i. V. / i. A.), see agreements.signing.
    signatory_person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("people.id", ondelete="SET NULL"), index=True
    )

    version: Mapped[AgreementVersion] = relationship(back_populates="parties")
    organisation: Mapped[Organisation] = relationship()
    contact_person: Mapped[Person | None] = relationship(foreign_keys=[contact_person_id])
    signatory_person: Mapped[Person | None] = relationship(foreign_keys=[signatory_person_id])
    duties: Mapped[list[PartyDuty]] = relationship(
        back_populates="party", order_by="PartyDuty.position", cascade="all, delete-orphan"
    )

    @property
    def audit_label(self) -> str:
        return self.organisation.short_name if self.organisation else str(self.organisation_id)


class PartyDuty(Audited, Model):
    """One duty of one party, in the order it appears in the agreement."""

    __tablename__ = "agreement_duties"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement_parties.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.Text)

    party: Mapped[AgreementParty] = relationship(back_populates="duties")

    @property
    def audit_label(self) -> str:
        return self.text[:60]


class AgreementComment(Audited, TimestampMixin, Model):
    """A party's comment on one version during drafting and review."""

    __tablename__ = "agreement_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement_versions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    text: Mapped[str] = mapped_column(sa.Text)

    version: Mapped[AgreementVersion] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def audit_label(self) -> str:
        return self.text[:60]


class SignatureCapacity(enum.Enum):
    """In which capacity someone signs: as the party's authorised signatory (no mark), in
    their place as deputy (in Vertretung) or by their order (im Auftrag)."""

    AUTHORISED = ""
    DEPUTY = "iv"
    BY_ORDER = "ia"

    @property
    def mark(self) -> str:
        """The mark before the name, as German documents write it."""
        return {"": "", "iv": "i. V.", "ia": "i. A."}[self.value]

    @property
    def label(self) -> str:
        return str(CAPACITY_LABELS[self])


CAPACITY_LABELS = {
    SignatureCapacity.AUTHORISED: _l("as the authorised signatory"),
    SignatureCapacity.DEPUTY: _l("i. V. (in Vertretung): as deputy of the authorised signatory"),
    SignatureCapacity.BY_ORDER: _l("i. A. (im Auftrag): by order of the authorised signatory"),
}


class AgreementSignature(Audited, Model):
    """Who signed which version for which party, when, in which capacity, and the SHA-256 of
    the signed DOCX. The signer's name and function are kept as they were at signing: the
    signature page of the signed document is rebuilt from them and must not change later."""

    __tablename__ = "agreement_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement_versions.id", ondelete="CASCADE"), index=True
    )
    # Kept (NULL) if the party is later removed from the unsigned version: the history stays.
    party_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agreement_parties.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    document_sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    capacity: Mapped[SignatureCapacity] = mapped_column(
        enum_type(SignatureCapacity, 2), default=SignatureCapacity.AUTHORISED
    )
    signer_name: Mapped[str] = mapped_column(sa.String(200), default="")
    signer_function: Mapped[str] = mapped_column(sa.String(200), default="")
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    withdrawal_reason: Mapped[str] = mapped_column(sa.Text, default="")

    version: Mapped[AgreementVersion] = relationship(back_populates="signatures")
    party: Mapped[AgreementParty | None] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    organisation: Mapped[Organisation] = relationship()

    @property
    def audit_label(self) -> str:
        return f"{self.document_sha256[:12]}"


class AgreementAttachment(Audited, TimestampMixin, Model):
    """A file attached to an agreement; a scan of the wet-ink signed copy is marked as such."""

    __tablename__ = "agreement_attachments"
    __audit_exclude__ = ("created_at", "updated_at", "content")

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agreement_versions.id", ondelete="CASCADE"), index=True
    )
    is_signed_copy: Mapped[bool] = mapped_column(default=False, index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    content: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)

    uploaded_by: Mapped[User | None] = relationship()

    @property
    def audit_label(self) -> str:
        return self.filename
