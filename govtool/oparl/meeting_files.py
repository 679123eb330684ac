"""A meeting's generated documents as OParl File objects: `invitation` and `resultsProtocol`.

They are the public versions of the invitation and the minutes (bodies/documents.py,
`public=True`), rendered on request; the rendering is deterministic (the document's moment is the
meeting's own: sent or approved), so the checksum named in the File object is the checksum of the
bytes the download serves."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale

from ..bodies import documents
from ..bodies.models import Meeting
from .permissions import invitation_is_public, protocol_is_public


@dataclass(frozen=True)
class MeetingDocument:
    kind: str  # the address part: invitation, results_protocol
    prefix: str  # the file name's start
    is_public: Callable[[Meeting], bool]
    render: Callable[[Meeting], bytes]
    moment: Callable[[Meeting], Any]


DOCUMENTS = {
    "invitation": MeetingDocument(
        "invitation",
        "Einladung",
        invitation_is_public,
        lambda m: documents.invitation_docx(m, public=True),
        lambda m: m.invitation_sent_at,
    ),
    "results_protocol": MeetingDocument(
        "results_protocol",
        "Niederschrift",
        protocol_is_public,
        lambda m: documents.minutes_docx(m, public=True),
        lambda m: m.minutes_approved_at or m.updated_at,
    ),
}


def published(meeting: Meeting, kind: str) -> MeetingDocument | None:
    document = DOCUMENTS.get(kind)
    return document if document is not None and document.is_public(meeting) else None


def file_name(meeting: Meeting, document: MeetingDocument) -> str:
    return f"{document.prefix} {documents.meeting_reference(meeting)}.docx"


def content(meeting: Meeting, document: MeetingDocument) -> bytes:
    with force_locale("de"):
        return document.render(meeting)


def file_object(meeting: Meeting, document: MeetingDocument) -> dict[str, Any]:
    from . import serialise

    data = content(meeting, document)
    moment = document.moment(meeting)
    modified = max(moment, meeting.updated_at) if moment else meeting.updated_at
    values = {"meeting_id": meeting.id, "kind": document.kind}
    download = serialise.url("meeting_document_download", **values)
    name = file_name(meeting, document)
    return serialise._clean(
        {
            "id": serialise.url("meeting_document", **values),
            "type": serialise.OPARL + "File",
            "created": serialise.stamp(moment or meeting.created_at),
            "modified": serialise.stamp(modified),
            "name": name,
            "fileName": name,
            "mimeType": documents.DOCX_MIME,
            "size": len(data),
            "sha512Checksum": hashlib.sha512(data).hexdigest(),
            "date": serialise.to_berlin(moment).date().isoformat() if moment else None,
            "accessUrl": download,
            "downloadUrl": download,
            "meeting": [serialise.url("meeting", meeting_id=meeting.id)],
        }
    )


def file_objects(meeting: Meeting) -> dict[str, dict[str, Any]]:
    """The OParl properties `invitation` and `resultsProtocol` of a meeting, where published."""
    found = {}
    for key, kind in (("invitation", "invitation"), ("resultsProtocol", "results_protocol")):
        document = published(meeting, kind)
        if document is not None:
            found[key] = file_object(meeting, document)
    return found
