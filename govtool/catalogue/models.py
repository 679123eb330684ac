"""Data-sharing catalogue: an entry (the register item) with versions, data items and comments.

An entry is the parent row; its content lives in numbered versions. A version that was approved
never changes again: a change makes a new version that goes through review while the approved one
stays in force. The entry keeps the numbers of its latest and its approved version, so lists can
join the version they show without a foreign-key cycle.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.locking import Versioned
from ..core.models import Audited, TimestampMixin, UTCDateTime, enum_type, utcnow
from ..directory.models import Organisation, Person
from ..extensions import Model, db

if TYPE_CHECKING:
    from ..agreements.models import Agreement


class _Labelled(enum.Enum):
    @property
    def label(self) -> str:
        return str(LABELS[self])


class EntryStatus(_Labelled):
    """Where the entry stands as a whole (what the list shows and filters by)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    RETIRED = "retired"


class VersionStatus(_Labelled):
    """Where one version stands in review; approved and superseded versions are frozen."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class PersonalDataLevel(_Labelled):
    NONE = "none"
    AGGREGATED = "aggregated"
    PSEUDONYMISED = "pseudonymised"
    PERSONAL = "personal"
    SPECIAL = "special"


class LegalBasis(_Labelled):
    GDPR_6_1_C = "gdpr_6_1_c"
    GDPR_6_1_E = "gdpr_6_1_e"
    SCHOOL_LAW = "school_law"
    STATISTICS_LAW = "statistics_law"
    CONSENT = "consent"
    OTHER = "other"


class Frequency(_Labelled):
    ONCE = "once"
    YEARLY = "yearly"
    HALF_YEARLY = "half_yearly"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"
    ON_REQUEST = "on_request"


class SpatialLevel(_Labelled):
    SCHOOL = "school"
    MUNICIPALITY = "municipality"
    DISTRICT = "district"
    STATE = "state"


class ControllerRelationship(_Labelled):
    SEPARATE = "separate"
    JOINT = "joint"


LABELS = {
    EntryStatus.DRAFT: _l("Draft"),
    EntryStatus.SUBMITTED: _l("Submitted"),
    EntryStatus.IN_REVIEW: _l("In review"),
    EntryStatus.CHANGES_REQUESTED: _l("Changes requested"),
    EntryStatus.APPROVED: _l("Approved"),
    EntryStatus.REJECTED: _l("Rejected"),
    EntryStatus.SUSPENDED: _l("Suspended"),
    EntryStatus.RETIRED: _l("Retired"),
    VersionStatus.DRAFT: _l("Draft"),
    VersionStatus.SUBMITTED: _l("Submitted"),
    VersionStatus.IN_REVIEW: _l("In review"),
    VersionStatus.CHANGES_REQUESTED: _l("Changes requested"),
    VersionStatus.APPROVED: _l("Approved"),
    VersionStatus.REJECTED: _l("Rejected"),
    VersionStatus.SUPERSEDED: _l("Superseded"),
    PersonalDataLevel.NONE: _l("No personal data"),
    PersonalDataLevel.AGGREGATED: _l("Aggregated"),
    PersonalDataLevel.PSEUDONYMISED: _l("Pseudonymised"),
    PersonalDataLevel.PERSONAL: _l("Personal data"),
    PersonalDataLevel.SPECIAL: _l("Special categories (GDPR Art. 9)"),
    LegalBasis.GDPR_6_1_C: _l("GDPR Art. 6(1)(c) – legal obligation"),
    LegalBasis.GDPR_6_1_E: _l("GDPR Art. 6(1)(e) – public task"),
    LegalBasis.SCHOOL_LAW: _l("State school law"),
    LegalBasis.STATISTICS_LAW: _l("State statistics law"),
    LegalBasis.CONSENT: _l("Consent"),
    LegalBasis.OTHER: _l("Other"),
    Frequency.ONCE: _l("Once"),
    Frequency.YEARLY: _l("Yearly"),
    Frequency.HALF_YEARLY: _l("Half-yearly"),
    Frequency.QUARTERLY: _l("Quarterly"),
    Frequency.MONTHLY: _l("Monthly"),
    Frequency.ON_REQUEST: _l("On request"),
    SpatialLevel.SCHOOL: _l("School"),
    SpatialLevel.MUNICIPALITY: _l("Municipality"),
    SpatialLevel.DISTRICT: _l("District"),
    SpatialLevel.STATE: _l("State"),
    ControllerRelationship.SEPARATE: _l("Separate controllers"),
    ControllerRelationship.JOINT: _l("Joint controllers (GDPR Art. 26)"),
}

EDITABLE_VERSION_STATUSES = (VersionStatus.DRAFT, VersionStatus.CHANGES_REQUESTED)
# Levels at which the data relate to identifiable people (GDPR applies; a DPIA may be needed).
PERSONAL_LEVELS = (
    PersonalDataLevel.PSEUDONYMISED,
    PersonalDataLevel.PERSONAL,
    PersonalDataLevel.SPECIAL,
)
OPEN_REVIEW_STATUSES = (VersionStatus.SUBMITTED, VersionStatus.IN_REVIEW)

version_recipients = sa.Table(
    "catalogue_version_recipients",
    db.metadata,
    sa.Column(
        "version_id",
        sa.ForeignKey("catalogue_versions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("organisation_id", sa.ForeignKey("organisations.id"), primary_key=True, index=True),
)


class CatalogueEntry(Versioned, Audited, TimestampMixin, Model):
    """One exchange of data between a provider and its recipients, across its versions."""

    __tablename__ = "catalogue_entries"
    __table_args__ = (
        # lists and the DCAT export filter by status and walk the entries in identifier order
        sa.Index("ix_catalogue_entries_status_identifier", "status", "identifier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(sa.String(40), unique=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    status: Mapped[EntryStatus] = mapped_column(enum_type(EntryStatus), index=True)
    latest_number: Mapped[int] = mapped_column(default=1)
    approved_number: Mapped[int | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    issued_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    modified_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    next_review_on: Mapped[dt.date | None] = mapped_column(sa.Date(), index=True)
    review_reminder_sent_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    status_reason: Mapped[str] = mapped_column(sa.Text, default="")

    provider: Mapped[Organisation] = relationship()
    created_by = relationship("User")
    versions: Mapped[list[CatalogueVersion]] = relationship(
        back_populates="entry",
        order_by="CatalogueVersion.number",
        cascade="all, delete-orphan",
    )

    def version(self, number: int | None) -> CatalogueVersion | None:
        for candidate in self.versions:
            if candidate.number == number:
                return candidate
        return None

    @property
    def latest_version(self) -> CatalogueVersion:
        latest = self.version(self.latest_number)
        assert latest is not None, "an entry's latest_number names one of its versions"
        return latest

    @property
    def approved_version(self) -> CatalogueVersion | None:
        return self.version(self.approved_number)

    @property
    def has_pending_change(self) -> bool:
        return self.approved_number is not None and self.latest_number != self.approved_number

    @property
    def in_force(self) -> bool:
        return self.status == EntryStatus.APPROVED and self.approved_number is not None

    @property
    def audit_label(self) -> str:
        return self.identifier

    def __str__(self) -> str:
        return self.identifier


class CatalogueVersion(Audited, TimestampMixin, Model):
    """The content of an entry at one point; frozen once approved."""

    __tablename__ = "catalogue_versions"
    __table_args__ = (sa.UniqueConstraint("entry_id", "number", name="uq_catalogue_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        sa.ForeignKey("catalogue_entries.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(default=1)
    status: Mapped[VersionStatus] = mapped_column(enum_type(VersionStatus), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)

    title: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    provider_contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"), index=True)
    recipient_contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"), index=True)
    controller_relationship: Mapped[ControllerRelationship] = mapped_column(
        enum_type(ControllerRelationship), default=ControllerRelationship.SEPARATE
    )
    data_subjects: Mapped[str] = mapped_column(sa.Text, default="")
    personal_data_level: Mapped[PersonalDataLevel] = mapped_column(
        enum_type(PersonalDataLevel), default=PersonalDataLevel.NONE, index=True
    )
    small_number_threshold: Mapped[int | None] = mapped_column()
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    legal_basis: Mapped[LegalBasis] = mapped_column(
        enum_type(LegalBasis), default=LegalBasis.GDPR_6_1_E, index=True
    )
    legal_norm: Mapped[str] = mapped_column(sa.String(300), default="")
    dpia_required: Mapped[bool] = mapped_column(default=False)
    dpia_outcome: Mapped[str] = mapped_column(sa.Text, default="")
    # The day the DPIA (DSFA) was completed; None: not (yet) completed. permissions.py decides
    # what this means for approval.
    dpia_completed_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    spatial_coverage: Mapped[str] = mapped_column(sa.String(200), default="")
    spatial_level: Mapped[SpatialLevel] = mapped_column(
        enum_type(SpatialLevel), default=SpatialLevel.MUNICIPALITY
    )
    period_start: Mapped[dt.date | None] = mapped_column(sa.Date())
    period_end: Mapped[dt.date | None] = mapped_column(sa.Date())
    frequency: Mapped[Frequency] = mapped_column(
        enum_type(Frequency), default=Frequency.YEARLY, index=True
    )
    data_format: Mapped[str] = mapped_column(sa.String(100), default="")
    data_schema: Mapped[str] = mapped_column(sa.String(300), default="")
    transfer_channel: Mapped[str] = mapped_column(sa.String(200), default="")
    retention_provider: Mapped[str] = mapped_column(sa.Text, default="")
    retention_recipient: Mapped[str] = mapped_column(sa.Text, default="")
    security_measures: Mapped[str] = mapped_column(sa.Text, default="")
    onward_recipients: Mapped[str] = mapped_column(sa.Text, default="")
    # The agreement that authorises the exchange (usually a data-sharing agreement).
    agreement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agreements.id", ondelete="SET NULL"), index=True
    )
    keywords: Mapped[str] = mapped_column(sa.String(500), default="")
    theme: Mapped[str] = mapped_column(sa.String(10), default="EDUC")

    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    checklist: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The reviewer's recorded reason (Begründung) for approving personal data without a completed
    # DPIA (permissions.approval_needs_justification); empty for any other approval.
    approval_justification: Mapped[str] = mapped_column(sa.Text, default="")

    entry: Mapped[CatalogueEntry] = relationship(back_populates="versions")
    recipients: Mapped[list[Organisation]] = relationship(
        secondary=version_recipients, order_by="Organisation.name"
    )
    agreement: Mapped[Agreement | None] = relationship()
    provider_contact: Mapped[Person | None] = relationship(foreign_keys=[provider_contact_id])
    recipient_contact: Mapped[Person | None] = relationship(foreign_keys=[recipient_contact_id])
    items: Mapped[list[CatalogueDataItem]] = relationship(
        back_populates="version",
        order_by="CatalogueDataItem.position",
        cascade="all, delete-orphan",
    )
    comments: Mapped[list[CatalogueComment]] = relationship(
        back_populates="version",
        order_by="CatalogueComment.id",
        cascade="all, delete-orphan",
    )
    created_by = relationship("User", foreign_keys=[created_by_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_VERSION_STATUSES

    @property
    def has_personal_data(self) -> bool:
        """Personal data by the level stated, or by a data item marked personal."""
        return self.personal_data_level in PERSONAL_LEVELS or any(
            item.is_personal for item in self.items
        )

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]

    @property
    def audit_label(self) -> str:
        identifier = self.entry.identifier if self.entry else "?"
        return f"{identifier} v{self.number}"


class CatalogueDataItem(Audited, Model):
    """One data item of a version, in order: name, description, unit or code list, personal?"""

    __tablename__ = "catalogue_data_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("catalogue_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    unit: Mapped[str] = mapped_column(sa.String(200), default="")
    is_personal: Mapped[bool] = mapped_column(default=False)

    version: Mapped[CatalogueVersion] = relationship(back_populates="items")

    @property
    def audit_label(self) -> str:
        return self.name


class CatalogueComment(Audited, Model):
    """A comment on one version; decisions are comments too (kind says which), replies nest once."""

    __tablename__ = "catalogue_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("catalogue_versions.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("catalogue_comments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30), default="comment")
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    version: Mapped[CatalogueVersion] = relationship(back_populates="comments")
    author = relationship("User")
    parent: Mapped[CatalogueComment | None] = relationship(remote_side="CatalogueComment.id")

    @property
    def audit_label(self) -> str:
        return f"{self.kind} #{self.id}"
