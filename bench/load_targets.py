"""What the write mix writes to, and the check afterwards that every acknowledged write is stored.

Each simulated writer owns one action item and one meeting participant (so its last acknowledged
write must be what the database holds) and comments on its own agreement version with unique
markers (so each acknowledged comment must exist).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from govtool.extensions import db

SECRETARY = "secretary@bench.example.org"
# The most writers the capacity run uses: up to 128 connections on each of the two setups (one
# server, two servers), which write side by side and so need targets of their own.
MAX_WRITERS = 256


def load_test_targets(exclude_agreement_id: int | None = None) -> dict[str, Any]:
    """Action items, participants and comment forms the bench secretary may write to.

    The secretary's meetings whose attendance may still change get their invitee list first (as
    the attendance page does), so that there is a participant for as many writers as possible.
    The agreement the page mix shows is left out, so that the writes do not make it grow."""
    from govtool.agreements.models import AgreementVersion
    from govtool.auth.models import User
    from govtool.bodies import minutes
    from govtool.bodies.minutes_models import ActionItem, Participant
    from govtool.bodies.models import Meeting
    from govtool.core.permissions import can

    secretary = db.session.scalar(sa.select(User).where(User.email == SECRETARY))
    actions = [
        action.id
        for action in db.session.scalars(sa.select(ActionItem).order_by(ActionItem.id))
        if can(secretary, "action.edit", action)
    ][:MAX_WRITERS]
    editable_meetings = [
        meeting
        for meeting in db.session.scalars(sa.select(Meeting).order_by(Meeting.start_at.desc()))
        if can(secretary, "meeting.edit", meeting)
        and not meeting.is_cancelled
        and not meeting.minutes_locked
    ]
    for meeting in editable_meetings:
        minutes.ensure_participants(meeting)
    db.session.commit()
    participants = [
        [row.meeting_id, row.id]
        for row in db.session.execute(
            sa.select(Participant.meeting_id, Participant.id)
            .where(Participant.meeting_id.in_([m.id for m in editable_meetings]))
            .order_by(Participant.meeting_id, Participant.id)
        )
    ][:MAX_WRITERS]
    comment_paths: dict[int, str] = {}
    for version in db.session.scalars(
        sa.select(AgreementVersion).order_by(AgreementVersion.agreement_id, AgreementVersion.id)
    ):
        if (
            version.agreement_id != exclude_agreement_id
            and version.agreement_id not in comment_paths
            and can(secretary, "agreement.comment", version)
        ):
            comment_paths[version.agreement_id] = (
                f"/agreements/{version.agreement_id}/versions/{version.number}/comments"
            )
    return {
        "action_item_ids": actions,
        "participants": participants,
        "comment_paths": list(comment_paths.values()),
    }


def written_state(ledger: dict[str, Any]) -> dict[str, Any]:
    """Acknowledged writes that the database does not hold (all counts should be 0)."""
    from govtool.agreements.models import AgreementComment
    from govtool.bodies.minutes_models import ActionItem, Participant

    db.session.expire_all()
    status_lost = 0
    for action_id, status in ledger.get("status", {}).items():
        action = db.session.get(ActionItem, int(action_id))
        status_lost += action is None or action.status.value != status
    presence_lost = 0
    for participant_id, presence in ledger.get("presence", {}).items():
        participant = db.session.get(Participant, int(participant_id))
        presence_lost += participant is None or participant.presence.value != presence
    markers = ledger.get("comments", [])
    stored = 0
    for start in range(0, len(markers), 500):
        chunk = markers[start : start + 500]
        stored += db.session.scalar(
            sa.select(sa.func.count(sa.distinct(AgreementComment.text))).where(
                AgreementComment.text.in_(chunk)
            )
        )
    return {
        "status_changes_checked": len(ledger.get("status", {})),
        "status_lost": status_lost,
        "attendance_checked": len(ledger.get("presence", {})),
        "attendance_lost": presence_lost,
        "comments_acknowledged": len(markers),
        "comments_lost": len(markers) - stored,
    }
