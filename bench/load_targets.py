"""What the load test writes to, and the check afterwards that every acknowledged write is stored.

Each simulated user owns one action item and one meeting participant (so its last write must be
what the database holds) and adds comments with unique markers (so each must exist once).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from govtool.extensions import db

SECRETARY = "secretary@bench.example.org"
OWNED = 50  # one per simulated user


def load_test_targets() -> dict[str, Any]:
    """Action items, participants and a comment form the bench secretary may write to."""
    from govtool.agreements.models import AgreementVersion
    from govtool.auth.models import User
    from govtool.bodies.minutes_models import ActionItem, Participant
    from govtool.bodies.models import Meeting
    from govtool.core.permissions import can

    secretary = db.session.scalar(sa.select(User).where(User.email == SECRETARY))
    actions = [
        action.id
        for action in db.session.scalars(sa.select(ActionItem).order_by(ActionItem.id).limit(2000))
        if can(secretary, "action.edit", action)
    ][:OWNED]
    # Participants of the secretary's own meetings whose attendance may still change (not
    # cancelled, minutes not yet approved), newest first.
    editable_meetings = [
        meeting.id
        for meeting in db.session.scalars(
            sa.select(Meeting).order_by(Meeting.start_at.desc()).limit(3000)
        )
        if can(secretary, "meeting.edit", meeting)
        and not meeting.is_cancelled
        and not meeting.minutes_locked
    ]
    participants = [
        [row.meeting_id, row.id]
        for row in db.session.execute(
            sa.select(Participant.meeting_id, Participant.id)
            .where(Participant.meeting_id.in_(editable_meetings[:200]))
            .order_by(Participant.id)
            .limit(OWNED)
        )
    ]
    comment = {}
    for version in db.session.scalars(sa.select(AgreementVersion).limit(3000)):
        if can(secretary, "agreement.comment", version):
            comment = {
                "comment_page": f"/agreements/{version.agreement_id}",
                "comment_path": f"/agreements/{version.agreement_id}/versions/"
                f"{version.number}/comments",
            }
            break
    return {"action_item_ids": actions, "participants": participants, **comment}


def written_state(ledger: dict[str, Any]) -> dict[str, Any]:
    """Acknowledged writes that the database does not hold (all counts should be 0)."""
    from govtool.agreements.models import AgreementComment
    from govtool.bodies.minutes_models import ActionItem, Participant

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
            sa.select(sa.func.count(AgreementComment.id)).where(AgreementComment.text.in_(chunk))
        )
    return {
        "status_changes_checked": len(ledger.get("status", {})),
        "status_lost": status_lost,
        "attendance_checked": len(ledger.get("presence", {})),
        "attendance_lost": presence_lost,
        "comments_sent": len(markers),
        "comments_lost": len(markers) - stored,
    }
