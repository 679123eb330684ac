"""Review workflow: submit, take into review, request changes, approve, reject, suspend, retire.

Every transition is a change of Audited rows (so the audit log records it), leaves a comment on the
version where there is something to say, and notifies the other side by mail (always in the outbox).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from ..auth.models import Role, User, UserRole
from ..core.bounds import check_date
from ..core.errors import Conflict, ValidationError
from ..core.mail import send_mail
from ..core.models import utcnow
from ..core.permissions import ensure
from ..core.urls import external_url
from ..extensions import db
from .models import (
    PERSONAL_LEVELS,
    CatalogueComment,
    CatalogueEntry,
    CatalogueVersion,
    EntryStatus,
    PersonalDataLevel,
    VersionStatus,
)
from .permissions import (
    approval_needs_justification,
    approval_refusal,
    review_refusal,
    submission_refusal,
)
from .services import sync_status

CHECKLIST = (
    ("purpose", _l("Purpose stated")),
    ("legal_basis", _l("Legal basis named")),
    ("minimised", _l("Data minimised")),
    ("retention", _l("Retention and deletion set")),
    ("small_numbers", _l("Small-number rule for aggregated data")),
    ("dpia", _l("DPIA where personal data")),
)
DEFAULT_REVIEW_INTERVAL = dt.timedelta(days=365)


def checklist_items(version: CatalogueVersion) -> list[tuple[str, Any]]:
    """The checklist items that apply to this version (small numbers, DPIA only where relevant)."""
    items = []
    for key, label in CHECKLIST:
        if key == "small_numbers" and version.personal_data_level != PersonalDataLevel.AGGREGATED:
            continue
        if key == "dpia" and not version.has_personal_data:
            continue
        items.append((key, label))
    return items


# ---------------------------------------------------------------- notifications


def entry_url(entry: CatalogueEntry) -> str:
    return external_url("catalogue.entry_detail", entry_id=entry.id)


def reviewer_emails() -> list[str]:
    return sorted(
        db.session.scalars(
            sa.select(User.email)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.MINISTRY, User.is_active_flag.is_(True))
        ).unique()
    )


def provider_emails(entry: CatalogueEntry, version: CatalogueVersion | None = None) -> list[str]:
    """The provider side: who created and submitted the entry, and the provider's contact."""
    version = version or entry.latest_version
    emails = set()
    for user in (entry.created_by, version.submitted_by, version.created_by):
        if user is not None and user.is_active:
            emails.add(user.email)
    if version.provider_contact is not None and version.provider_contact.email:
        emails.add(version.provider_contact.email)
    return sorted(emails)


def _notify(recipients: list[str], entry: CatalogueEntry, subject: str, text: str) -> None:
    if not recipients:
        return
    body = f"{text}\n\n{entry.identifier}: {entry.latest_version.title}\n{entry_url(entry)}\n"
    send_mail(recipients, f"[{entry.identifier}] {subject}", body)


# ---------------------------------------------------------------- helpers


def _comment(user: User, version: CatalogueVersion, kind: str, body: str) -> None:
    if body:
        version.comments.append(
            CatalogueComment(author_id=getattr(user, "id", None), kind=kind, body=body)
        )


def _require_text(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message, field=field)
    return text


def _open_version(entry: CatalogueEntry) -> CatalogueVersion:
    refusal = review_refusal(entry)
    if refusal is not None:
        raise Conflict(refusal)
    return entry.latest_version


def completeness_problems(version: CatalogueVersion) -> list[tuple[str, str]]:
    """What a version lacks before it can be submitted: (field, message)."""
    problems = []
    if not version.description:
        problems.append(("description", gettext("Please describe the data exchanged.")))
    if not version.purpose:
        problems.append(("purpose", gettext("Please state the purpose.")))
    if not version.recipients:
        problems.append(("recipient_ids", gettext("Please choose at least one recipient.")))
    if not version.items:
        problems.append(("items", gettext("Please list at least one data item.")))
    if not version.legal_norm:
        problems.append(("legal_norm", gettext("Please cite the norm of the legal basis.")))
    if any(item.is_personal for item in version.items) and (
        version.personal_data_level not in PERSONAL_LEVELS
    ):
        problems.append(
            (
                "personal_data_level",
                gettext("A data item is marked personal: please choose a personal-data level."),
            )
        )
    if version.dpia_completed_on is not None and not version.dpia_outcome:
        problems.append(
            ("dpia_outcome", gettext("Please record the outcome of the completed DPIA."))
        )
    if version.personal_data_level == PersonalDataLevel.AGGREGATED and not (
        version.small_number_threshold
    ):
        problems.append(
            (
                "small_number_threshold",
                gettext("Aggregated data needs a small-number rule (cells under N suppressed)."),
            )
        )
    return problems


# ---------------------------------------------------------------- transitions


def submit(user: User, entry: CatalogueEntry, comment: str = "") -> CatalogueVersion:
    """The provider hands the working version to the ministry for review."""
    ensure(user, "catalogue.submit", entry)
    version = entry.latest_version
    refusal = submission_refusal(entry)
    if refusal is not None:
        raise Conflict(refusal)
    problems = completeness_problems(version)
    if problems:
        field, message = problems[0]
        raise ValidationError(message, field=field)
    version.status = VersionStatus.SUBMITTED
    version.submitted_at = utcnow()
    version.submitted_by_id = user.id
    _comment(user, version, "submitted", (comment or "").strip())
    sync_status(entry)
    db.session.flush()
    _notify(
        reviewer_emails(),
        entry,
        gettext("Submitted for review (version %(n)d)", n=version.number),
        gettext("%(who)s submitted an entry of the data-sharing catalogue for review.", who=user),
    )
    return version


def start_review(user: User, entry: CatalogueEntry) -> CatalogueVersion:
    """A reviewer takes the submitted version (others see who works on it)."""
    version = _open_version(entry)
    ensure(user, "catalogue.review", version)
    if version.status == VersionStatus.IN_REVIEW:
        raise Conflict(gettext("This version is already in review."))
    version.status = VersionStatus.IN_REVIEW
    version.reviewer_id = user.id
    sync_status(entry)
    db.session.flush()
    _notify(
        provider_emails(entry, version),
        entry,
        gettext("Review started (version %(n)d)", n=version.number),
        gettext("%(who)s started the review.", who=user),
    )
    return version


def _record_checklist(version: CatalogueVersion, ticked) -> dict[str, bool]:
    ticked = set(ticked or [])
    return {key: key in ticked for key, _label in checklist_items(version)}


def request_changes(
    user: User, entry: CatalogueEntry, comment: str, checklist=()
) -> CatalogueVersion:
    version = _open_version(entry)
    ensure(user, "catalogue.review", version)
    text = _require_text(comment, "comment", gettext("Please say which changes are needed."))
    version.status = VersionStatus.CHANGES_REQUESTED
    version.checklist = _record_checklist(version, checklist)
    version.reviewer_id = user.id
    _comment(user, version, "changes_requested", text)
    sync_status(entry)
    db.session.flush()
    _notify(
        provider_emails(entry, version),
        entry,
        gettext("Changes requested (version %(n)d)", n=version.number),
        gettext("The ministry asks for changes:") + "\n" + text,
    )
    return version


def approve(
    user: User,
    entry: CatalogueEntry,
    comment: str = "",
    checklist=(),
    next_review_on: dt.date | None = None,
    *,
    confirmed: bool = False,
    justification: str = "",
) -> CatalogueVersion:
    """Approve the version in review; it replaces the version in force and is frozen. Personal
    data without a completed DPIA: refused, or approved only when `confirmed` with a recorded
    `justification`, as permissions.approval_refusal / approval_needs_justification say."""
    version = _open_version(entry)
    ensure(user, "catalogue.review", version)
    refusal = approval_refusal(version)
    if refusal is not None:
        raise Conflict(refusal, field="decision")
    recorded = _record_checklist(version, checklist)
    missing = [str(label) for key, label in checklist_items(version) if not recorded[key]]
    if missing:
        raise ValidationError(
            gettext("Before approving, check: %(items)s.", items=", ".join(missing)),
            field="checklist",
        )
    today = utcnow().date()
    check_date(next_review_on, "next_review_on")
    if next_review_on is not None and next_review_on <= today:
        raise ValidationError(
            gettext("The next review must lie in the future."), field="next_review_on"
        )
    reason = _approval_justification(version, confirmed, justification)
    previous = entry.approved_version
    if previous is not None and previous is not version:
        previous.status = VersionStatus.SUPERSEDED
    version.status = VersionStatus.APPROVED
    version.checklist = recorded
    version.decided_at = utcnow()
    version.decided_by_id = user.id
    version.reviewer_id = user.id
    entry.approved_number = version.number
    entry.issued_on = entry.issued_on or today
    entry.modified_on = today
    entry.next_review_on = next_review_on or today + DEFAULT_REVIEW_INTERVAL
    entry.review_reminder_sent_on = None
    version.approval_justification = reason
    _comment(user, version, "approved", (comment or "").strip() or gettext("Approved."))
    _comment(user, version, "justification", reason)
    sync_status(entry)
    db.session.flush()
    text = gettext("The ministry approved version %(n)d; it is now in force.", n=version.number)
    if reason:
        note = gettext("Approved without a completed DPIA. Justification:")
        text += f"\n\n{note}\n{reason}"
    _notify(
        provider_emails(entry, version),
        entry,
        gettext("Approved (version %(n)d)", n=version.number),
        text,
    )
    return version


def _approval_justification(version: CatalogueVersion, confirmed: bool, text: str) -> str:
    """The justification to record with the approval: required with an explicit confirmation
    where the rule asks for one, nothing otherwise."""
    if not approval_needs_justification(version):
        return ""
    if not confirmed:
        raise ValidationError(
            gettext(
                "This version has personal data and no completed DPIA. To approve it, confirm "
                "this explicitly and give your justification."
            ),
            field="confirm_without_dpia",
        )
    reason = _require_text(
        text,
        "justification",
        gettext("Please give the justification for approving without a completed DPIA."),
    )
    if len(reason) > 5000:
        raise ValidationError(
            gettext("At most %(n)d characters, please.", n=5000), field="justification"
        )
    return reason


def reject(user: User, entry: CatalogueEntry, reason: str) -> CatalogueVersion:
    version = _open_version(entry)
    ensure(user, "catalogue.review", version)
    text = _require_text(reason, "comment", gettext("Please give the reason for the rejection."))
    version.status = VersionStatus.REJECTED
    version.decided_at = utcnow()
    version.decided_by_id = user.id
    _comment(user, version, "rejected", text)
    sync_status(entry)
    db.session.flush()
    _notify(
        provider_emails(entry, version),
        entry,
        gettext("Rejected (version %(n)d)", n=version.number),
        gettext("The ministry rejected the entry:") + "\n" + text,
    )
    return version


def _manage(user: User, entry: CatalogueEntry, status: EntryStatus, reason: str, subject: str):
    ensure(user, "catalogue.manage", entry)
    entry.status = status
    entry.status_reason = reason
    sync_status(entry)
    _comment(user, entry.approved_version or entry.latest_version, status.value, reason)
    db.session.flush()
    _notify(provider_emails(entry), entry, subject, reason or subject)


def suspend(user: User, entry: CatalogueEntry, reason: str) -> None:
    """Stop an approved exchange for now (e.g. a data breach); it leaves the register."""
    if entry.status != EntryStatus.APPROVED:
        raise Conflict(gettext("Only an approved entry can be suspended."))
    text = _require_text(reason, "comment", gettext("Please give the reason for the suspension."))
    _manage(user, entry, EntryStatus.SUSPENDED, text, gettext("Suspended"))


def reinstate(user: User, entry: CatalogueEntry, comment: str = "") -> None:
    if entry.status != EntryStatus.SUSPENDED:
        raise Conflict(gettext("Only a suspended entry can be reinstated."))
    _manage(user, entry, EntryStatus.APPROVED, (comment or "").strip(), gettext("Reinstated"))


def retire(user: User, entry: CatalogueEntry, reason: str) -> None:
    """End an exchange for good; its versions stay for the record."""
    if entry.status not in (EntryStatus.APPROVED, EntryStatus.SUSPENDED):
        raise Conflict(gettext("Only an approved or suspended entry can be retired."))
    text = _require_text(reason, "comment", gettext("Please give the reason for the retirement."))
    _manage(user, entry, EntryStatus.RETIRED, text, gettext("Retired"))


def add_comment(
    user: User,
    entry: CatalogueEntry,
    version: CatalogueVersion,
    body: str,
    parent_id: int | None = None,
) -> CatalogueComment:
    """A comment in the thread of one version; it notifies the other side."""
    ensure(user, "catalogue.comment", entry)
    text = _require_text(body, "body", gettext("Please write a comment."))
    if len(text) > 5000:
        raise ValidationError(gettext("At most %(n)d characters, please.", n=5000), field="body")
    parent = None
    if parent_id:
        parent = next((c for c in version.comments if c.id == parent_id), None)
        if parent is None:
            raise ValidationError(gettext("The comment answered does not exist."), field="body")
        parent = parent.parent or parent  # threads nest one level
    comment = CatalogueComment(
        author_id=user.id, kind="comment", body=text, parent_id=parent.id if parent else None
    )
    version.comments.append(comment)
    db.session.flush()
    from .permissions import is_reviewer

    recipients = provider_emails(entry, version) if is_reviewer(user) else reviewer_emails()
    _notify(
        [r for r in recipients if r != user.email],
        entry,
        gettext("New comment (version %(n)d)", n=version.number),
        f"{user}: {text}",
    )
    return comment


# ---------------------------------------------------------------- reminders


def send_review_reminders(now: dt.datetime, dry_run: bool = False) -> list[str]:
    """Entries in force whose next review is due: remind reviewers and provider (once per date)."""
    today = now.date()
    due = db.session.scalars(
        sa.select(CatalogueEntry).where(
            CatalogueEntry.status == EntryStatus.APPROVED,
            CatalogueEntry.next_review_on.is_not(None),
            CatalogueEntry.next_review_on <= today,
            sa.or_(
                CatalogueEntry.review_reminder_sent_on.is_(None),
                CatalogueEntry.review_reminder_sent_on < CatalogueEntry.next_review_on,
            ),
        )
    ).all()
    lines = []
    for entry in due:
        assert entry.next_review_on is not None  # selected by next_review_on
        recipients = sorted(set(reviewer_emails()) | set(provider_emails(entry)))
        lines.append(
            f"catalogue: {entry.identifier} review due {entry.next_review_on.isoformat()} "
            f"-> {', '.join(recipients)}"
        )
        if dry_run:
            continue
        _notify(
            recipients,
            entry,
            gettext("Review due"),
            gettext(
                "The next review of this catalogue entry is due on %(date)s.",
                date=entry.next_review_on.strftime("%d.%m.%Y"),
            ),
        )
        entry.review_reminder_sent_on = today
    db.session.flush()
    return lines
