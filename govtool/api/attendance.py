"""A meeting's attendance: read by the body's members, recorded by its editors (chair, deputy
chair, secretary) once the meeting began — the page's service and rules."""

from __future__ import annotations

from flask_login import current_user

from ..bodies import minutes as body_minutes
from ..bodies import services as body_services
from ..extensions import db
from .blueprints import api_blueprint
from .reads import visible_or_404
from .schemas import AttendanceInput, ParticipantSchema

bp = api_blueprint("api_attendance", __name__, "Attendance")


@bp.route("/meetings/<int:meeting_id>/attendance")
@bp.response(200, ParticipantSchema(many=True))
def attendance(meeting_id: int):
    """Invitees and guests with their attendance (the body's members read it)."""
    meeting = visible_or_404(body_services.meeting_detail(meeting_id), "meeting.read_internal")
    return body_services.meeting_participants(meeting.id)


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["PUT"])
@bp.arguments(AttendanceInput)
@bp.response(200, ParticipantSchema(many=True))
def record_attendance(data, meeting_id: int):
    """Record who was present, excused, absent or represented; participants not named keep
    their entry."""
    meeting = visible_or_404(body_services.meeting_detail(meeting_id), "meeting.read_internal")
    entries = {
        entry["participant_id"]: {
            "presence": entry["presence"].value,
            "represented_by": entry["represented_by"],
        }
        for entry in data["entries"]
    }
    body_minutes.ensure_participants(meeting)
    body_minutes.record_attendance(current_user, meeting, entries)
    db.session.commit()
    return body_services.meeting_participants(meeting.id)
