"""Attendance, decisions (Beschlüsse), action items, comments on circulated minutes, amendments."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import Audited, TimestampMixin, UTCDateTime, enum_type, utcnow
from ..extensions import Model
from .models import LABELS, LabelledEnum, MembershipRole, new_token


class Response(LabelledEnum):
    """An invitee's answer before the meeting."""

    NONE = "none"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXCUSED = "excused"
    SENDS_DEPUTY = "sends_deputy"


class Presence(LabelledEnum):
    """What the secretary records at the meeting."""

    UNKNOWN = "unknown"
    PRESENT = "present"
    EXCUSED = "excused"
    ABSENT = "absent"
    REPRESENTED = "represented"


class VoteResult(LabelledEnum):
    ADOPTED = "adopted"
    REJECTED = "rejected"
    DEFERRED = "deferred"
    NOTED = "noted"


class ActionStatus(LabelledEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class ApprovalMethod(LabelledEnum):
    """How minutes were approved: signed off by the chair (or deputy chair), or by a decision of
    a later meeting of the body (Genehmigung durch Beschluss)."""

    CHAIR = "chair"
    DECISION = "decision"


LABELS.update(
    {
        Response.NONE: _l("no answer yet"),
        Response.ACCEPTED: _l("accepted"),
        Response.DECLINED: _l("declined"),
        Response.EXCUSED: _l("excused"),
        Response.SENDS_DEPUTY: _l("sends a deputy"),
        Presence.UNKNOWN: _l("not recorded"),
        Presence.PRESENT: _l("present"),
        Presence.EXCUSED: _l("excused"),
        Presence.ABSENT: _l("absent"),
        Presence.REPRESENTED: _l("represented by deputy"),
        VoteResult.ADOPTED: _l("adopted"),
        VoteResult.REJECTED: _l("rejected"),
        VoteResult.DEFERRED: _l("deferred"),
        VoteResult.NOTED: _l("noted"),
        ActionStatus.OPEN: _l("open"),
        ActionStatus.DONE: _l("done"),
        ActionStatus.DROPPED: _l("dropped"),
        ApprovalMethod.CHAIR: _l("approved by the chair"),
        ApprovalMethod.DECISION: _l("approved by a decision of the body"),
    }
)


class Participant(Audited, TimestampMixin, Model):
    """An invitee of a meeting: a member (voting right copied from the membership) or a guest."""

    __tablename__ = "meeting_participants"
    __audit_mask__ = ("response_token",)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"), index=True)
    membership_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("body_memberships.id"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    organisation_name: Mapped[str] = mapped_column(sa.String(200), default="")
    is_guest: Mapped[bool] = mapped_column(default=False)
    has_voting_right: Mapped[bool] = mapped_column(default=False)
    agenda_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_items.id"), index=True
    )  # guests invited for one item
    response: Mapped[Response] = mapped_column(enum_type(Response), default=Response.NONE)
    deputy_name: Mapped[str] = mapped_column(sa.String(200), default="")
    presence: Mapped[Presence] = mapped_column(enum_type(Presence), default=Presence.UNKNOWN)
    represented_by: Mapped[str] = mapped_column(sa.String(200), default="")
    response_token: Mapped[str] = mapped_column(sa.String(64), default=new_token, unique=True)

    meeting = relationship("Meeting", back_populates="participants")
    person = relationship("Person")
    organisation = relationship("Organisation")
    agenda_item = relationship("AgendaItem")

    @property
    def audit_label(self) -> str:
        return self.name

    @property
    def counts_for_quorum(self) -> bool:
        return (
            self.has_voting_right
            and not self.is_guest
            and self.presence in (Presence.PRESENT, Presence.REPRESENTED)
        )

    @property
    def organisation_label(self) -> str:
        return self.organisation.name if self.organisation else self.organisation_name


class Decision(Audited, TimestampMixin, Model):
    """A Beschluss, numbered per body and year (BG-2026/03), with its vote."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_items.id"), index=True)
    year: Mapped[int] = mapped_column()
    sequence: Mapped[int] = mapped_column()
    reference: Mapped[str] = mapped_column(sa.String(40))
    text: Mapped[str] = mapped_column(sa.Text)
    votes_yes: Mapped[int | None] = mapped_column()
    votes_no: Mapped[int | None] = mapped_column()
    votes_abstain: Mapped[int | None] = mapped_column()
    result: Mapped[VoteResult] = mapped_column(enum_type(VoteResult))

    body = relationship("Body")
    meeting = relationship("Meeting")
    agenda_item = relationship("AgendaItem")

    __table_args__ = (
        sa.UniqueConstraint("body_id", "year", "sequence", name="uq_decisions_body_year_seq"),
    )

    @property
    def audit_label(self) -> str:
        return self.reference

    @property
    def has_votes(self) -> bool:
        return self.votes_yes is not None

    @property
    def is_unanimous(self) -> bool:
        return bool(self.votes_yes) and not self.votes_no and not self.votes_abstain


class ActionItem(Audited, TimestampMixin, Model):
    """An Arbeitsauftrag from a meeting: who does what by when; open ones carry over."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_items.id"), index=True)
    task: Mapped[str] = mapped_column(sa.Text)
    responsible_person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("people.id"), index=True
    )
    responsible_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    due_date: Mapped[dt.date | None] = mapped_column(sa.Date, index=True)
    status: Mapped[ActionStatus] = mapped_column(
        enum_type(ActionStatus), default=ActionStatus.OPEN, index=True
    )
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    body = relationship("Body")
    meeting = relationship("Meeting")
    agenda_item = relationship("AgendaItem")
    responsible_person = relationship("Person")

    __table_args__ = (
        # open items of a body (carried over), a person's open items (dashboard)
        sa.Index("ix_action_items_body_status", "body_id", "status"),
        sa.Index("ix_action_items_person_status", "responsible_person_id", "status"),
    )
    responsible_organisation = relationship("Organisation")

    @property
    def audit_label(self) -> str:
        return self.task[:200]

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or dt.date.today()
        return (
            self.status is ActionStatus.OPEN and self.due_date is not None and self.due_date < today
        )


class MinutesComment(Audited, Model):
    """A member's comment on one item of circulated minutes."""

    __tablename__ = "minutes_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_items.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author = relationship("User")
    agenda_item = relationship("AgendaItem")

    @property
    def audit_label(self) -> str:
        return self.text[:200]


class MinutesAmendment(Audited, Model):
    """A correction of approved minutes: recorded beside them, never an edit of them."""

    __tablename__ = "minutes_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_items.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author = relationship("User")
    agenda_item = relationship("AgendaItem")

    @property
    def audit_label(self) -> str:
        return self.text[:200]


class MinutesApproval(Audited, Model):
    """The approval (Genehmigung) of a meeting's minutes: who, in which capacity, when, how, and
    why before the comment deadline. Written once; names are kept as they were on the day."""

    __tablename__ = "minutes_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), unique=True)
    method: Mapped[ApprovalMethod] = mapped_column(enum_type(ApprovalMethod))
    # who approved (the chair) or recorded the body's decision (the secretary)
    approved_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    approver_name: Mapped[str] = mapped_column(sa.String(200), default="")
    approver_role: Mapped[MembershipRole | None] = mapped_column(enum_type(MembershipRole))
    decision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("decisions.id"), index=True)
    comment_period_end: Mapped[dt.date | None] = mapped_column(sa.Date)
    is_before_deadline: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    approved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    meeting = relationship("Meeting")
    approved_by = relationship("User")
    decision = relationship("Decision")

    @property
    def audit_label(self) -> str:
        return f"{self.method.value}: {self.approver_name}"[:200]
