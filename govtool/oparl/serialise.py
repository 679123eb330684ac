"""govtool's objects as OParl 1.1 objects (dicts); only what permissions.py calls public.

Ids are absolute URLs on GOVTOOL_BASE_URL (core.urls.external_url): https ids when the
installation's address is https. Date-times carry their offset (Europe/Berlin), dates are
yyyy-mm-dd; empty values are left out rather than sent as "" or null.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from ..bodies.agenda_models import AgendaItem, Paper, StoredFile
from ..bodies.minutes_models import Decision
from ..bodies.models import Body, BodyKind, Meeting, MeetingStatus, Membership
from ..core.formatting import to_berlin
from ..core.urls import external_url
from ..directory.models import Organisation, Person
from ..extensions import db
from . import meeting_files, scope
from .permissions import file_is_public, item_is_public, results_are_public

OPARL = "https://schema.oparl.org/1.1/"
MEETING_STATES = {
    MeetingStatus.PLANNED: "terminiert",
    MeetingStatus.INVITED: "eingeladen",
    MeetingStatus.HELD: "durchgeführt",
    MeetingStatus.MINUTES_DRAFT: "durchgeführt",
    MeetingStatus.MINUTES_CIRCULATED: "durchgeführt",
    MeetingStatus.MINUTES_APPROVED: "durchgeführt",
}


def url(endpoint: str, **values: Any) -> str:
    return external_url(f"oparl.{endpoint}", **values)


def stamp(value: dt.datetime) -> str:
    return to_berlin(value).isoformat(timespec="seconds")


def _base(kind: str, endpoint: str, obj: Any, **values: Any) -> dict[str, Any]:
    return {
        "id": url(endpoint, **values),
        "type": OPARL + kind,
        "created": stamp(obj.created_at),
        "modified": stamp(obj.updated_at),
    }


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, "")}


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def system() -> dict[str, Any]:
    return {
        "id": url("system"),
        "type": OPARL + "System",
        "oparlVersion": "https://schema.oparl.org/1.1/",
        "name": "govtool",
        "body": url("body_list"),
        "website": external_url("main.dashboard"),
    }


def body(root: Body) -> dict[str, Any]:
    lists = {
        key: url("list_of", body_id=root.id, kind=kind)
        for key, kind in (
            ("organization", "organization"),
            ("person", "person"),
            ("meeting", "meeting"),
            ("paper", "paper"),
            ("agendaItem", "agenda_item"),
            ("file", "file"),
            ("locationList", "location"),
            ("legislativeTermList", "legislative_term"),
            ("membership", "membership"),
        )
    }
    return _clean(
        {
            **_base("Body", "body", root, body_id=root.id),
            "system": url("system"),
            "name": root.name,
            "shortName": root.short_name,
            **lists,
            "legislativeTerm": [legislative_term(root)],
            "classification": "Kooperation",
        }
    )


def legislative_term(root: Body) -> dict[str, Any]:
    return _clean(
        {
            **_base("LegislativeTerm", "legislative_term", root, body_id=root.id),
            "body": url("body", body_id=root.id),
            "name": root.name,
            "startDate": _date(root.start_date),
            "endDate": _date(root.end_date),
        }
    )


def organization(gremium: Body) -> dict[str, Any]:
    root = scope.root_of(gremium)
    return _clean(
        {
            **_base("Organization", "organization", gremium, body_id=gremium.id),
            "body": url("body", body_id=root.id),
            "name": gremium.name,
            "shortName": gremium.short_name,
            "membership": [url("membership", membership_id=m.id) for m in gremium.memberships],
            "subOrganizationOf": (
                url("organization", body_id=gremium.parent_id) if gremium.parent_id else None
            ),
            "organizationType": "Gremium",
            "classification": str(gremium.kind.label),
            "startDate": _date(gremium.start_date),
            "endDate": _date(gremium.end_date),
            "keyword": ["Arbeitsgruppe"] if gremium.kind is BodyKind.WORKING_GROUP else None,
        }
    )


def institution(organisation: Organisation, root: Body) -> dict[str, Any]:
    """A member organisation: name and kind only (its contact data stay in govtool)."""
    return _clean(
        {
            **_base("Organization", "institution", organisation, organisation_id=organisation.id),
            "body": url("body", body_id=root.id),
            "name": organisation.name,
            "shortName": organisation.short_name,
            "organizationType": "Institution",
            "classification": str(organisation.kind.label),
        }
    )


def person(someone: Person, root: Body, embed: bool = True) -> dict[str, Any]:
    """Name and memberships only: never e-mail, phone, function or address (permissions.py)."""
    ids = scope.tree_ids(root)
    memberships = db.session.scalars(
        scope.selects("membership", root)[0].where(Membership.person_id == someone.id)
    )
    erased = someone.is_erased
    data = {
        **_base("Person", "person", someone, person_id=someone.id),
        "body": url("body", body_id=root.id),
        "name": someone.full_name,
        "familyName": None if erased else someone.last_name,
        "givenName": None if erased else someone.first_name,
        "title": [someone.title] if someone.title and not erased else None,
    }
    if embed:
        data["membership"] = [membership(m) for m in memberships if m.body_id in ids]
    return _clean(data)


def membership(seat: Membership) -> dict[str, Any]:
    return _clean(
        {
            **_base("Membership", "membership", seat, membership_id=seat.id),
            "person": url("person", person_id=seat.person_id),
            "organization": url("organization", body_id=seat.body_id),
            "role": str(seat.role.label),
            "votingRight": seat.has_voting_right,
            "onBehalfOf": (
                url("institution", organisation_id=seat.organisation_id)
                if seat.organisation_id
                else None
            ),
            "startDate": _date(seat.start_date),
            "endDate": _date(seat.end_date),
        }
    )


def meeting(sitting: Meeting, embed: bool = True) -> dict[str, Any]:
    data = {
        **_base("Meeting", "meeting", sitting, meeting_id=sitting.id),
        "name": f"{sitting.display_title} – {sitting.body.name}",
        "meetingState": MEETING_STATES.get(sitting.status)
        or ("eingeladen" if sitting.invitation_sent_at else "terminiert"),
        "cancelled": sitting.is_cancelled,
        "start": stamp(sitting.start_at),
        "end": stamp(sitting.end_at),
        "organization": [url("organization", body_id=sitting.body_id)],
    }
    data["location"] = location(sitting) if sitting.location else None
    if embed:
        data["agendaItem"] = [
            agenda_item(item) for item in sitting.agenda_items if item_is_public(item)
        ]
        files = [f for item in sitting.agenda_items for f in item.files if file_is_public(f)]
        data["auxiliaryFile"] = [file(f) for f in files] or None
        data.update(meeting_files.file_objects(sitting))
    return _clean(data)


def location(sitting: Meeting) -> dict[str, Any]:
    return _clean(
        {
            **_base("Location", "location", sitting, meeting_id=sitting.id),
            "description": sitting.location,
            "meetings": [url("meeting", meeting_id=sitting.id)],
        }
    )


def agenda_item(item: AgendaItem) -> dict[str, Any]:
    data = {
        **_base("AgendaItem", "agenda_item", item, item_id=item.id),
        "meeting": url("meeting", meeting_id=item.meeting_id),
        "number": item.number,
        "order": item.position,
        "name": item.title,
        "public": True,
        "auxiliaryFile": [file(f) for f in item.files if file_is_public(f)] or None,
    }
    if results_are_public(item.meeting):
        decision = db.session.scalars(
            db.select(Decision).where(Decision.agenda_item_id == item.id).order_by(Decision.id)
        ).first()
        data["result"] = str(decision.result.label) if decision else item.result
        data["resolutionText"] = decision.text if decision else None
    return _clean(data)


def paper(sheet: Paper) -> dict[str, Any]:
    root = scope.root_of(sheet.agenda_item.meeting.body)
    return _clean(
        {
            **_base("Paper", "paper", sheet, paper_id=sheet.id),
            "body": url("body", body_id=root.id),
            "name": sheet.title,
            "reference": sheet.reference,
            "date": to_berlin(sheet.created_at).date().isoformat(),
            "paperType": str(sheet.paper_type.label),
            "underDirectionOf": [url("institution", organisation_id=sheet.organisation_id)],
            "auxiliaryFile": [file(f) for f in sheet.files if file_is_public(f)] or None,
        }
    )


def sha512_of(stored: StoredFile) -> str | None:
    """The stored bytes' SHA-512, read in chunks from the store; None while they cannot be read.
    Files are kept by their SHA-256 and never change, so each process computes it once."""
    known = _SHA512.get(stored.sha256)
    if known is not None:
        return known
    from ..bodies.agenda import open_file

    digest = hashlib.sha512()
    try:
        with open_file(stored) as stream:
            for chunk in stream:
                digest.update(chunk)
    except OSError:  # missing (ObjectMissing) or unreachable (StoreUnavailable)
        return None
    if len(_SHA512) >= 10_000:
        _SHA512.clear()
    _SHA512[stored.sha256] = value = digest.hexdigest()
    return value


# sha256 -> sha512 of the same bytes (content-addressed, so never stale)
_SHA512: dict[str, str] = {}


def file(stored: StoredFile) -> dict[str, Any]:
    download = url("file_download", file_id=stored.id)
    return _clean(
        {
            **_base("File", "file", stored, file_id=stored.id),
            "name": stored.original_name,
            "fileName": stored.original_name,
            "mimeType": stored.mime_type,
            "size": stored.size,
            "sha512Checksum": sha512_of(stored),
            "date": to_berlin(stored.created_at).date().isoformat(),
            "accessUrl": download,
            "downloadUrl": download,
            "meeting": [url("meeting", meeting_id=stored.meeting_id)],
            "agendaItem": [url("agenda_item", item_id=stored.agenda_item_id)]
            if stored.agenda_item_id
            else None,
        }
    )
