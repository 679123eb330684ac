"""The attendance page (/meetings/<id>/attendance): invitees, answers and attendance, guests."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.forms import NONE_CHOICE, on_domain_error
from ..core.permissions import can, require
from . import minutes, services
from .forms import (
    EmptyForm,
    GuestForm,
)
from .meeting_overview_views import post_action
from .meeting_views import (
    _done,
    _item_choices_for,
    _load,
    _meeting,
    bp,
)
from .minutes_models import Presence
from .permissions import attendance_refusal


def render_attendance(meeting_id: int, status: int = 200, guest_form=None):
    """Invitees, their answers and attendance; the secretary records attendance here."""
    meeting = _meeting(meeting_id)
    user = current_user._get_current_object()
    require(can(user, "meeting.read_internal", meeting))
    editor = can(user, "meeting.edit", meeting)
    participants = services.meeting_participants(meeting.id)
    # Invitees and guests are added before the meeting; attendance is recorded once it began.
    recording = can(user, "meeting.add_participants", meeting)
    refusal = attendance_refusal(meeting) if editor else None
    if recording and guest_form is None:
        guest_form = GuestForm(formdata=None)
    if recording:
        guest_form.agenda_item_id.choices = [
            NONE_CHOICE,
            *[
                (r.id, f"TOP {r.number} {r.title}")
                for r in services.agenda_outline(meeting.id, True)
            ],
        ]
    return (
        render_template(
            "bodies/attendance.html",
            meeting=meeting,
            body=meeting.body,
            participants=participants,
            editor=editor,
            recording=recording,
            recording_presence=editor and refusal is None,
            presence_refusal=refusal if recording else None,
            quorum=minutes.quorum_of(meeting.body, participants) if participants else None,
            guest_form=guest_form,
            presence_choices=list(Presence),
        ),
        status,
    )


@bp.get("/meetings/<int:meeting_id>/attendance")
@login_required
def attendance_page(meeting_id: int):
    return render_attendance(meeting_id)


@bp.post("/meetings/<int:meeting_id>/attendance")
@login_required
def attendance(meeting_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.edit", meeting))
    if not EmptyForm().validate_on_submit():
        abort(400)
    entries = {
        p.id: {
            "presence": request.form.get(f"presence-{p.id}", p.presence.value),
            "represented_by": request.form.get(f"represented-{p.id}", ""),
        }
        for p in meeting.participants
    }
    on_domain_error(lambda status: render_attendance(meeting_id, status))
    minutes.ensure_participants(meeting)
    minutes.record_attendance(current_user, meeting, entries)
    return _done(meeting_id, gettext("Attendance saved."), endpoint=".attendance_page")


@bp.post("/meetings/<int:meeting_id>/participants")
@login_required
def participants_refresh(meeting_id: int):
    return post_action(
        meeting_id,
        "meeting.edit",
        EmptyForm,
        lambda m, f: minutes.ensure_participants(m),
        gettext("Invitee list updated from the current members."),
        endpoint=".attendance_page",
    )


@bp.post("/meetings/<int:meeting_id>/guests")
@login_required
def guest_add(meeting_id: int):
    return post_action(
        meeting_id,
        "meeting.add_participants",
        GuestForm,
        lambda m, f: minutes.add_guest(current_user, m, f.data),
        gettext("Guest added."),
        prepare=_item_choices_for("agenda_item_id"),
        endpoint=".attendance_page",
        on_form_error=lambda form: render_attendance(meeting_id, 422, guest_form=form),
    )
