"""The meeting's files: stored attachments, .ics, invitation and minutes DOCX, attachments ZIP."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.downloads import download, download_stream
from ..core.permissions import can, require
from ..core.storage import ObjectMissing
from ..core.views import get_or_404
from . import agenda, documents, invitations, services
from .agenda_models import StoredFile
from .meeting_views import (
    _load,
    bp,
)
from .models import Meeting


@bp.get("/meetings/<int:meeting_id>/files/<int:file_id>")
@login_required
def file_download(meeting_id: int, file_id: int):
    stored = get_or_404(StoredFile, file_id)
    if stored.meeting_id != meeting_id:
        abort(404)
    get_or_404(Meeting, meeting_id)
    require(can(current_user, "meeting_file.view", stored))
    try:
        stream = agenda.open_file(stored)
    except ObjectMissing:
        abort(404)
    return download_stream(stream, stored.original_name, stored.mime_type)


@bp.get("/meetings/<int:meeting_id>.ics")
@login_required
def ics(meeting_id: int):
    meeting = services.meeting_overview(meeting_id)
    if meeting is None:
        abort(404)
    require(can(current_user, "meeting.view", meeting))
    internal = can(current_user, "meeting.read_internal", meeting)
    return download(
        invitations.meeting_ics_file(meeting, internal),
        f"sitzung-{meeting.id}.ics",
        "text/calendar",
    )


@bp.get("/meetings/<int:meeting_id>/minutes.docx")
@login_required
def minutes_docx(meeting_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.read_internal", meeting))
    data = documents.minutes_docx(meeting)
    return download(
        data, f"Niederschrift-{meeting.body.short_name}-{meeting.number}.docx", documents.DOCX_MIME
    )


@bp.get("/meetings/<int:meeting_id>/invitation.docx")
@login_required
def invitation_docx(meeting_id: int):
    meeting = _load(meeting_id)
    internal = can(current_user, "meeting.read_internal", meeting)
    data = documents.invitation_docx(meeting, agenda.visible_items(current_user, meeting), internal)
    return download(
        data, f"Einladung-{meeting.body.short_name}-{meeting.number}.docx", documents.DOCX_MIME
    )


@bp.get("/meetings/<int:meeting_id>/attachments.zip")
@login_required
def attachments_zip(meeting_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.read_internal", meeting))
    archive = documents.attachments_zip(meeting)
    if archive is None:
        return render_template(
            "errors/error.html",
            code=404,
            title=gettext("No attachments"),
            message=gettext(
                "This meeting has no attachments yet, so there is no ZIP file to download."
            ),
        ), 404
    return download_stream(
        archive, f"Unterlagen-{meeting.body.short_name}-{meeting.number}.zip", "application/zip"
    )
