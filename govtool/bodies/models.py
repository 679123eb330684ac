"""Bodies (Gremien), their memberships and meetings; names follow OParl 1.1 where they fit.

OParl: Body/Organization → Body (kind, parent = subOrganizationOf), Membership (role,
votingRight, onBehalfOf = organisation, startDate, endDate), Meeting (meetingState, cancelled,
start, end). Agenda, attendance and minutes live in agenda_models.py and minutes_models.py.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.formatting import BERLIN, to_berlin
from ..core.locking import Versioned
from ..core.models import Audited, TimestampMixin, UTCDateTime, enum_type
from ..directory.models import Organisation, Person
from ..extensions import Model

if TYPE_CHECKING:
    from ..agreements.models import Agreement


class LabelledEnum(enum.Enum):
    """An enum whose members carry a translated label from the class's LABELS mapping."""

    @property
    def label(self) -> str:
        return str(LABELS[self])


class BodyKind(LabelledEnum):
    STEERING_COMMITTEE = "steering_committee"
    WORKING_GROUP = "working_group"
    NETWORK = "network"
    ADVISORY_BOARD = "advisory_board"
    OTHER = "other"


class Cadence(LabelledEnum):
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"
    NONE = "none"

    @property
    def periods_per_year(self) -> int:
        return {"quarterly": 4, "monthly": 12, "half_yearly": 2, "yearly": 1, "none": 0}[self.value]


class MembershipRole(LabelledEnum):
    CHAIR = "chair"
    DEPUTY_CHAIR = "deputy_chair"
    SECRETARY = "secretary"
    MEMBER = "member"
    DEPUTY_MEMBER = "deputy_member"
    PERMANENT_GUEST = "permanent_guest"


class MeetingKind(LabelledEnum):
    CONSTITUENT = "constituent"
    REGULAR = "regular"
    EXTRAORDINARY = "extraordinary"


class MeetingStatus(LabelledEnum):
    PLANNED = "planned"
    INVITED = "invited"
    HELD = "held"
    MINUTES_DRAFT = "minutes_draft"
    MINUTES_CIRCULATED = "minutes_circulated"
    MINUTES_APPROVED = "minutes_approved"
    CANCELLED = "cancelled"


LABELS = {
    BodyKind.STEERING_COMMITTEE: _l("Steering committee"),
    BodyKind.WORKING_GROUP: _l("Working group"),
    BodyKind.NETWORK: _l("Network"),
    BodyKind.ADVISORY_BOARD: _l("Advisory board"),
    BodyKind.OTHER: _l("Other body"),
    Cadence.QUARTERLY: _l("Quarterly"),
    Cadence.MONTHLY: _l("Monthly"),
    Cadence.HALF_YEARLY: _l("Half-yearly"),
    Cadence.YEARLY: _l("Yearly"),
    Cadence.NONE: _l("No fixed cadence"),
    MembershipRole.CHAIR: _l("Chair"),
    MembershipRole.DEPUTY_CHAIR: _l("Deputy chair"),
    MembershipRole.SECRETARY: _l("Secretary"),
    MembershipRole.MEMBER: _l("Member"),
    MembershipRole.DEPUTY_MEMBER: _l("Deputy member"),
    MembershipRole.PERMANENT_GUEST: _l("Permanent guest"),
    MeetingKind.CONSTITUENT: _l("Constituent meeting"),
    MeetingKind.REGULAR: _l("Regular meeting"),
    MeetingKind.EXTRAORDINARY: _l("Extraordinary meeting"),
    MeetingStatus.PLANNED: _l("planned"),
    MeetingStatus.INVITED: _l("invited"),
    MeetingStatus.HELD: _l("held"),
    MeetingStatus.MINUTES_DRAFT: _l("minutes in draft"),
    MeetingStatus.MINUTES_CIRCULATED: _l("minutes circulated"),
    MeetingStatus.MINUTES_APPROVED: _l("minutes approved"),
    MeetingStatus.CANCELLED: _l("cancelled"),
}

# Roles that run the body's meetings (with admins).
EDITOR_ROLES = (MembershipRole.CHAIR, MembershipRole.DEPUTY_CHAIR, MembershipRole.SECRETARY)
MINUTES_STATES = (
    MeetingStatus.MINUTES_DRAFT,
    MeetingStatus.MINUTES_CIRCULATED,
    MeetingStatus.MINUTES_APPROVED,
)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Body(Audited, TimestampMixin, Model):
    """A Gremium: steering committee, working group, network; working groups hang below a parent."""

    __tablename__ = "bodies"
    __audit_mask__ = ("calendar_token",)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    short_name: Mapped[str] = mapped_column(sa.String(20), unique=True)
    kind: Mapped[BodyKind] = mapped_column(enum_type(BodyKind), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )  # the organisation that runs the body's office (Geschäftsstelle)
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    # The rules of procedure (Geschäftsordnung) as an agreement; the text is the fallback.
    rules_of_procedure: Mapped[str] = mapped_column(sa.Text, default="")
    rules_agreement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agreements.id", ondelete="SET NULL"), index=True
    )
    cadence: Mapped[Cadence] = mapped_column(enum_type(Cadence), default=Cadence.QUARTERLY)
    quorum_percent: Mapped[int] = mapped_column(default=50)
    quorum_more_than: Mapped[bool] = mapped_column(default=True)  # "more than" vs "at least"
    invitation_period_days: Mapped[int] = mapped_column(default=14)
    papers_period_days: Mapped[int] = mapped_column(default=7)  # papers due before the meeting
    minutes_draft_days: Mapped[int] = mapped_column(default=14)
    comment_period_days: Mapped[int] = mapped_column(default=14)
    state_code: Mapped[str] = mapped_column(sa.String(3), default="ST")  # holidays subdivision
    start_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    end_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    calendar_token: Mapped[str] = mapped_column(sa.String(64), default=new_token, unique=True)
    # The body publishes its meetings' dates in a feed anyone may subscribe to (no token).
    public_calendar: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    parent: Mapped[Body | None] = relationship(remote_side="Body.id", back_populates="children")
    children: Mapped[list[Body]] = relationship(back_populates="parent", order_by="Body.name")
    organisation: Mapped[Organisation | None] = relationship()
    rules_agreement: Mapped[Agreement | None] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="body", order_by="Membership.id", cascade="all, delete-orphan"
    )
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="body", order_by="Meeting.start_at", cascade="all, delete-orphan"
    )

    @property
    def audit_label(self) -> str:
        return self.short_name

    @property
    def quorum_label(self) -> str:
        from flask_babel import gettext

        if self.quorum_more_than:
            return gettext("more than %(p)d %% of voting members present", p=self.quorum_percent)
        return gettext("at least %(p)d %% of voting members present", p=self.quorum_percent)

    def quorum_met(self, present_voting: int, voting_total: int) -> bool:
        """The quorum rule: a share of the voting members must be present (or represented)."""
        if voting_total <= 0:
            return False
        needed = self.quorum_percent * voting_total
        if self.quorum_more_than:
            return present_voting * 100 > needed
        return present_voting * 100 >= needed

    def __str__(self) -> str:
        return self.name


class Membership(Audited, TimestampMixin, Model):
    """A person's seat in a body, for an organisation, over a period; history is never deleted."""

    __tablename__ = "body_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )  # OParl onBehalfOf
    role: Mapped[MembershipRole] = mapped_column(enum_type(MembershipRole), index=True)
    has_voting_right: Mapped[bool] = mapped_column(default=True)
    deputy_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"), index=True)
    start_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    end_date: Mapped[dt.date | None] = mapped_column(sa.Date, index=True)

    body: Mapped[Body] = relationship(back_populates="memberships")
    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    # a user's seats (permission checks, "my bodies" on the dashboard and action list)
    __table_args__ = (sa.Index("ix_body_memberships_person_body", "person_id", "body_id"),)
    organisation: Mapped[Organisation | None] = relationship()
    deputy_of: Mapped[Person | None] = relationship(foreign_keys=[deputy_of_id])

    def is_current(self, on: dt.date | None = None) -> bool:
        on = on or dt.date.today()
        return (self.start_date is None or self.start_date <= on) and (
            self.end_date is None or self.end_date >= on
        )

    @property
    def audit_label(self) -> str:
        return f"{self.person_id}@{self.body_id}"


def new_ical_uid() -> str:
    """A calendar UID (RFC 5545: unique, with the installation's host on the right): the host
    of GOVTOOL_BASE_URL, never of the request that created the meeting; stored, so it stays."""
    from urllib.parse import urlsplit

    from flask import has_app_context

    host = "govtool"
    if has_app_context():
        from ..core.urls import base_url

        host = urlsplit(base_url()).hostname or host
    return f"{uuid.uuid4()}@{host}"


class Meeting(Versioned, Audited, TimestampMixin, Model):
    """One Sitzung of a body, with its iCalendar identity and derived deadlines."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    video_url: Mapped[str] = mapped_column(sa.String(500), default="")
    kind: Mapped[MeetingKind] = mapped_column(enum_type(MeetingKind), default=MeetingKind.REGULAR)
    status: Mapped[MeetingStatus] = mapped_column(
        enum_type(MeetingStatus), default=MeetingStatus.PLANNED, index=True
    )
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    ical_uid: Mapped[str] = mapped_column(
        sa.String(120), default=lambda: new_ical_uid(), unique=True
    )
    ical_sequence: Mapped[int] = mapped_column(default=0)
    invitation_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    minutes_circulated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    comment_period_end: Mapped[dt.date | None] = mapped_column(sa.Date)
    minutes_approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    minutes_approved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    approval_note: Mapped[str] = mapped_column(sa.String(500), default="")

    body: Mapped[Body] = relationship(back_populates="meetings")
    minutes_approved_by = relationship("User")
    agenda_items = relationship(
        "AgendaItem",
        back_populates="meeting",
        order_by="AgendaItem.position",
        cascade="all, delete-orphan",
    )
    participants = relationship(
        "Participant",
        back_populates="meeting",
        order_by="Participant.id",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        sa.UniqueConstraint("body_id", "number", name="uq_meetings_body_number"),
        # a body's meetings by date (body page, carried-over items, dashboard)
        sa.Index("ix_meetings_body_start", "body_id", "start_at"),
        # a person's bodies' meetings in a state (dashboard: minutes to approve or comment on)
        sa.Index("ix_meetings_body_status", "body_id", "status"),
    )

    @property
    def audit_label(self) -> str:
        return f"{self.number}. Sitzung ({self.body_id})"

    @property
    def display_title(self) -> str:
        return self.title or f"{self.number}. Sitzung"

    @property
    def start_local(self) -> dt.datetime:
        return to_berlin(self.start_at)

    @property
    def end_local(self) -> dt.datetime:
        return to_berlin(self.end_at)

    @property
    def date(self) -> dt.date:
        return self.start_local.date()

    @property
    def is_cancelled(self) -> bool:
        return self.status is MeetingStatus.CANCELLED

    @property
    def minutes_locked(self) -> bool:
        return self.status is MeetingStatus.MINUTES_APPROVED

    # Deadlines derived from the date and the body's settings (shown on the page, for reminders).
    @property
    def invitation_due(self) -> dt.date:
        return self.date - dt.timedelta(days=self.body.invitation_period_days)

    @property
    def papers_due(self) -> dt.date:
        return self.date - dt.timedelta(days=self.body.papers_period_days)

    @property
    def minutes_draft_due(self) -> dt.date:
        return self.date + dt.timedelta(days=self.body.minutes_draft_days)

    @property
    def comment_period_ends(self) -> dt.date:
        if self.comment_period_end:
            return self.comment_period_end
        return self.minutes_draft_due + dt.timedelta(days=self.body.comment_period_days)

    def deadlines(self) -> list[tuple[str, dt.date]]:
        from flask_babel import gettext

        return [
            (gettext("Invitation due"), self.invitation_due),
            (gettext("Papers due"), self.papers_due),
            (gettext("Minutes draft due"), self.minutes_draft_due),
            (gettext("Comment period ends"), self.comment_period_ends),
        ]


def local_datetime(day: dt.date, time: dt.time) -> dt.datetime:
    """A Berlin wall-clock time as an aware UTC datetime."""
    return dt.datetime.combine(day, time, BERLIN).astimezone(dt.UTC)
