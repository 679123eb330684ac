"""Approval of the minutes (Genehmigung der Niederschrift), the practice of German Gremien: the
chair or deputy chair approves them (before the members' comment deadline only with a reason
that is recorded), or a later meeting of the body approves them by a decision, which the
secretary records with its number. Either way one MinutesApproval row says who, in which
capacity, when and how; the minutes are then locked (amendments only).

Also what the pages and the DOCX show of it: the approval statement, the signatories (chair and
Schriftführung) and the minutes' history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..core.errors import ValidationError
from ..core.formatting import format_date
from ..core.models import utcnow
from ..core.permissions import ensure
from ..extensions import db
from .agenda_models import AgendaItem, ItemKind
from .minutes import current_memberships, minutes_amendments
from .minutes_models import ApprovalMethod, Decision, MinutesApproval, VoteResult
from .models import Meeting, MeetingStatus, MembershipRole
from .permissions import approval_refusal, chair_seat, comments_still_open

REASON_MAX = 2000


def approval_of(meeting: Meeting) -> MinutesApproval | None:
    """The approval record of the meeting's minutes (None before, and for minutes approved before
    approvals were recorded: those carry only Meeting.approval_note)."""
    return db.session.scalar(
        sa.select(MinutesApproval)
        .where(MinutesApproval.meeting_id == meeting.id)
        .options(joinedload(MinutesApproval.decision).joinedload(Decision.meeting))
    )


def _check_approvable(meeting: Meeting) -> None:
    refusal = approval_refusal(meeting)
    if refusal is not None:
        raise ValidationError(refusal)


def approve_by_chair(
    user: User, meeting: Meeting, reason: str = "", today: dt.date | None = None
) -> MinutesApproval:
    """The chair (or deputy chair) approves; while the members may still comment only with a
    reason, which is recorded with the approval (and so in the audit log)."""
    ensure(user, "meeting.approve", meeting)
    _check_approvable(meeting)
    reason = (reason or "").strip()
    early = comments_still_open(meeting, today)
    if early and not reason:
        raise ValidationError(_reason_needed(meeting), field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationError(
            gettext("Please keep the reason under %(n)d characters.", n=REASON_MAX),
            field="reason",
        )
    approval = MinutesApproval(
        meeting_id=meeting.id,
        method=ApprovalMethod.CHAIR,
        approved_by_id=user.id,
        approver_name=user.display_name[:200],
        approver_role=chair_seat(user, meeting.body),
        comment_period_end=meeting.comment_period_end,
        is_before_deadline=early,
        reason=reason,
        approved_at=utcnow(),
    )
    return lock_approved(meeting, approval, user)


def _reason_needed(meeting: Meeting) -> str:
    if meeting.status is MeetingStatus.MINUTES_CIRCULATED and meeting.comment_period_end:
        return gettext(
            "The members may comment until %(date)s. To approve the minutes before then, "
            "please give the reason; it is recorded with the approval.",
            date=format_date(meeting.comment_period_end),
        )
    return gettext(
        "The minutes have not been circulated for comments. To approve them without that, "
        "please give the reason; it is recorded with the approval."
    )


def approval_decisions(meeting: Meeting) -> list[Decision]:
    """Decisions that can approve these minutes: adopted decisions of later meetings of the same
    body, those taken under "Approval of the minutes" first, the nearest meeting first."""
    later = (
        sa.select(Decision)
        .join(Meeting, Decision.meeting_id == Meeting.id)
        .join(AgendaItem, Decision.agenda_item_id == AgendaItem.id)
        .where(
            Decision.body_id == meeting.body_id,
            Decision.result == VoteResult.ADOPTED,
            Meeting.start_at > meeting.start_at,
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .options(joinedload(Decision.meeting), joinedload(Decision.agenda_item))
        .order_by(
            (AgendaItem.kind != ItemKind.PREVIOUS_MINUTES), Meeting.start_at, Decision.sequence
        )
    )
    return list(db.session.scalars(later))


def approve_by_decision(user: User, meeting: Meeting, decision_id: int | None) -> MinutesApproval:
    """Record that a later meeting approved the minutes by decision `decision_id` (the secretary
    or the chair records it; the body approved)."""
    ensure(user, "meeting.record_approval", meeting)
    _check_approvable(meeting)
    decision = next((d for d in approval_decisions(meeting) if d.id == decision_id), None)
    if decision is None:
        raise ValidationError(
            gettext("Please choose an adopted decision of a later meeting of this body."),
            field="decision_id",
        )
    approval = MinutesApproval(
        meeting_id=meeting.id,
        method=ApprovalMethod.DECISION,
        approved_by_id=user.id,
        approver_name=meeting.body.name[:200],
        approver_role=None,
        decision_id=decision.id,
        decision=decision,
        comment_period_end=meeting.comment_period_end,
        is_before_deadline=False,
        reason="",
        approved_at=decision.meeting.start_at,
    )
    return lock_approved(meeting, approval, user)


def lock_approved(meeting: Meeting, approval: MinutesApproval, user: User) -> MinutesApproval:
    """Store the approval and lock the minutes (status, date, approver and the German note kept
    on the meeting). The services above check first; the demo loader records past approvals."""
    db.session.add(approval)
    meeting.status = MeetingStatus.MINUTES_APPROVED
    meeting.minutes_approved_at = approval.approved_at
    meeting.minutes_approved_by_id = user.id
    with force_locale("de"):  # the stored note is part of the German record, like the DOCX
        meeting.approval_note = approval_statement(approval)[:500]
    db.session.flush()
    return approval


# ---------------------------------------------------------------- what pages and DOCX show


def _role_label(role: MembershipRole | None) -> str:
    return role.label if role is not None else gettext("Chair")


def approval_statement(approval: MinutesApproval) -> str:
    """Who approved, when and how, in one sentence (the reason is shown on its own)."""
    day = format_date(approval.approved_at)
    if approval.method is ApprovalMethod.DECISION and approval.decision is not None:
        decision = approval.decision
        return gettext(
            "Approved by decision %(reference)s of the meeting “%(meeting)s” on %(date)s "
            "(recorded by the secretariat).",
            reference=decision.reference,
            meeting=decision.meeting.display_title,
            date=format_date(decision.meeting.date),
        )
    who = {"name": approval.approver_name, "role": _role_label(approval.approver_role), "date": day}
    if not approval.is_before_deadline:
        return gettext(
            "Approved by %(name)s (%(role)s) on %(date)s, after the comment period ended on "
            "%(end)s.",
            end=format_date(approval.comment_period_end) if approval.comment_period_end else "–",
            **who,
        )
    if approval.comment_period_end:
        return gettext(
            "Approved by %(name)s (%(role)s) on %(date)s, before the comment period ended on "
            "%(end)s.",
            end=format_date(approval.comment_period_end),
            **who,
        )
    return gettext(
        "Approved by %(name)s (%(role)s) on %(date)s, without circulation for comments.", **who
    )


@dataclass(frozen=True)
class Signatory:
    """One signature line of the minutes: who signs, in which role, where and when."""

    name: str
    role: str
    place_date: str


def signatories(meeting: Meeting, approval: MinutesApproval | None) -> tuple[Signatory, Signatory]:
    """The chair (the one who approved, else the chair seated on the meeting day) and the
    Schriftführung (the body's secretary on that day) who sign the minutes."""
    seats = current_memberships(meeting.body, meeting.date)
    office = meeting.body.organisation
    place = office.city if office is not None and office.city else ""
    blank = gettext("%(place)s, dated ____________", place=place or "__________")
    if approval is not None and approval.method is ApprovalMethod.CHAIR:
        chair = Signatory(
            approval.approver_name,
            _role_label(approval.approver_role),
            gettext(
                "%(place)s, dated %(date)s",
                place=place or "__________",
                date=format_date(approval.approved_at),
            ),
        )
    else:
        seat = next((m for m in seats if m.role is MembershipRole.CHAIR), None) or next(
            (m for m in seats if m.role is MembershipRole.DEPUTY_CHAIR), None
        )
        chair = Signatory(
            seat.person.full_name if seat else "",
            _role_label(seat.role if seat else None),
            blank,
        )
    secretary_seat = next((m for m in seats if m.role is MembershipRole.SECRETARY), None)
    secretary = Signatory(
        secretary_seat.person.full_name if secretary_seat else "",
        gettext("Minute-taker"),
        blank,
    )
    return chair, secretary


@dataclass(frozen=True)
class HistoryEntry:
    """One step in the life of the minutes, for the minutes page."""

    when: dt.datetime | dt.date
    text: str
    detail: str = ""


def minutes_history(meeting: Meeting, approval: MinutesApproval | None) -> list[HistoryEntry]:
    """Held, circulated (with the comment deadline), approved (how, and why early), amended."""
    entries = [HistoryEntry(meeting.start_at, gettext("Meeting held."))]
    if meeting.minutes_circulated_at is not None:
        entries.append(
            HistoryEntry(
                meeting.minutes_circulated_at,
                gettext(
                    "Draft circulated to the members; comments until %(date)s.",
                    date=format_date(meeting.comment_period_ends),
                ),
            )
        )
    if approval is not None:
        detail = ""
        if approval.reason:
            detail = gettext("Reason for approving early: %(reason)s", reason=approval.reason)
        entries.append(HistoryEntry(approval.approved_at, approval_statement(approval), detail))
    elif meeting.minutes_locked and meeting.approval_note:
        entries.append(
            HistoryEntry(meeting.minutes_approved_at or meeting.start_at, meeting.approval_note)
        )
    for amendment in minutes_amendments(meeting):
        entries.append(
            HistoryEntry(
                amendment.created_at,
                gettext("Amendment recorded by %(name)s.", name=amendment.author.display_name),
                amendment.text,
            )
        )
    return sorted(entries, key=lambda e: _sort_key(e.when))


def _sort_key(when: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(when, dt.datetime):
        return when
    return dt.datetime.combine(when, dt.time.min, dt.UTC)
