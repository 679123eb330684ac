"""Meeting documents: invitation with agenda and minutes as DOCX (docxtpl templates under
agreement_templates/meetings/), and a meeting's attachments as one ZIP."""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import asdict
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from ..core import german
from ..core.document_style import Contact, DocumentMeta, Issuer, moment_of
from ..core.docx import render_docx
from ..core.formatting import format_date, format_time
from ..core.storage import ObjectMissing, StoredObject
from ..extensions import db
from . import approval, minutes
from .agenda import open_file
from .agenda_models import ItemKind, StoredFile
from .models import Meeting, MeetingKind, MembershipRole

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# The meeting kinds in the documents' sentences: our own words, so they are declined here
# ("hiermit laden wir Sie zur konstituierenden Sitzung ein"); the meeting's title and the body's
# name are the users' words and stand where no inflection is needed.
KIND_PHRASES = {
    MeetingKind.CONSTITUENT: german.feminine("konstituierend", "Sitzung"),
    MeetingKind.REGULAR: german.feminine("ordentlich", "Sitzung"),
    MeetingKind.EXTRAORDINARY: german.feminine("außerordentlich", "Sitzung"),
}


def template_path(name: str) -> Path:
    return Path(current_app.config["AGREEMENT_TEMPLATE_DIR"]) / "meetings" / name


def _meeting_context(meeting: Meeting) -> dict:
    body = meeting.body
    return {
        "body": {"name": body.name, "short_name": body.short_name},
        "meeting": {
            "title": meeting.display_title,
            "number": meeting.number,
            "kind": meeting.kind.label,
            "kind_phrase": KIND_PHRASES[meeting.kind].after("zu"),
            "date": format_date(meeting.start_local, "de"),
            "start": format_time(meeting.start_local, "de"),
            "end": format_time(meeting.end_local, "de"),
            "location": meeting.location or "–",
            "video_url": meeting.video_url,
            "status": meeting.status.label,
            "papers_due": format_date(meeting.papers_due, "de"),
        },
    }


def meeting_reference(meeting: Meeting) -> str:
    """The file reference (Aktenzeichen) of a meeting's documents: BG-S-03 for the body BG's
    third meeting (papers are BG-V-…, decisions BG-2025/…)."""
    return f"{meeting.body.short_name}-S-{meeting.number:02d}"


def document_meta(meeting: Meeting, title: str, moment, public: bool = False) -> DocumentMeta:
    """The body's office (Geschäftsstelle) issues the meeting's documents; the contact is the
    body's secretary on the meeting day, else the office's contact person. A published document
    (`public`) names the office itself with its functional phone and e-mail instead: no
    person's own contact data leave govtool."""
    office = meeting.body.organisation
    if public:
        return DocumentMeta(
            title=title,
            subject=meeting.body.name,
            issuer=Issuer.of(office),
            reference=meeting_reference(meeting),
            contact=office_contact(office),
            moment=moment_of(moment),
        )
    seat = next(
        (
            m
            for m in minutes.current_memberships(meeting.body, meeting.date)
            if m.role is MembershipRole.SECRETARY
        ),
        None,
    )
    person = seat.person if seat is not None else getattr(office, "contact_person", None)
    return DocumentMeta(
        title=title,
        subject=meeting.body.name,
        issuer=Issuer.of(office),
        reference=meeting_reference(meeting),
        contact=Contact.of(person, office),
        moment=moment_of(moment),
    )


def office_contact(office) -> Contact | None:
    """The office as the contact of a published document (its own name, phone and e-mail)."""
    if office is None:
        return None
    return Contact(name=office.name, phone=office.phone or "", email=office.email or "")


def public_items(meeting: Meeting) -> list:
    """The public agenda items in their order: all a published document covers."""
    return [i for i in sorted(meeting.agenda_items, key=lambda i: i.position) if i.is_public]


def _is_public_action(action) -> bool:
    return action.agenda_item is not None and bool(action.agenda_item.is_public)


def _item_row(item) -> dict:
    return {
        "number": item.number,
        "title": item.title,
        "presenter": item.presenter or "",
        "minutes": str(item.planned_minutes) if item.planned_minutes else "",
        "public": "öffentlich" if item.is_public else "nicht öffentlich",
        "description": item.description or "",
        "papers": ", ".join(f"{p.reference} {p.title}" for p in item.papers),
    }


def invitation_docx(meeting: Meeting, items=None, internal: bool = False, public=False) -> bytes:
    """The invitation with the agenda (items the reader may see). The `public` version (OParl's
    `invitation`) has the public items only, no open action items, no video link and the
    office as its contact."""
    if public:
        items, internal = public_items(meeting), False
    with force_locale("de"):
        context = _meeting_context(meeting)
        if public:
            context["meeting"]["video_url"] = None
        context["items"] = [_item_row(i) for i in items or []]
        context["open_actions"] = (
            [_action_row(a) for a in minutes.carried_over_action_items(meeting)] if internal else []
        )
        # dated the day it was sent; before that, the day of its last change (a draft)
        meta = document_meta(
            meeting,
            f"Einladung: {meeting.display_title}",
            meeting.invitation_sent_at or meeting.updated_at,
            public=public,
        )
        return render_docx(template_path("invitation.docx"), context, meta=meta)


def _action_row(action) -> dict:
    return {
        "task": action.task,
        "person": action.responsible_person.full_name if action.responsible_person else "",
        "organisation": action.responsible_organisation.name
        if action.responsible_organisation
        else "",
        "due": format_date(action.due_date, "de") if action.due_date else "",
        "status": action.status.label,
        "item": f"TOP {action.agenda_item.number}" if action.agenda_item else "",
    }


def minutes_docx(meeting: Meeting, public: bool = False) -> bytes:
    """The minutes: attendance, quorum, notes per item, decisions with votes, action items,
    approval note and amendments.

    The `public` version (OParl's `resultsProtocol`, only for approved minutes) covers the public
    items only, with their notes, results and decisions; action items only of public items; the
    amendments are left out (they are free text that may concern any item); the attendance keeps
    the members' names and organisations (public in OParl anyway), never contact data; the
    contact is the office."""
    with force_locale("de"):
        context = _meeting_context(meeting)
        quorum = minutes.quorum(meeting)
        context["attendees"] = [
            {
                "name": p.name,
                "organisation": p.organisation_label,
                "role": "Gast" if p.is_guest else ("stimmberechtigt" if p.has_voting_right else ""),
                "presence": p.presence.label
                + (f" ({p.represented_by})" if p.represented_by else ""),
            }
            for p in meeting.participants
        ]
        context["quorum"] = {
            "present": quorum.present_voting,
            "total": quorum.voting_total,
            "sentence": quorum_sentence(quorum.present_voting, quorum.voting_total, quorum.rule),
            "met": "beschlussfähig" if quorum.is_met else "nicht beschlussfähig",
            "rule": quorum.rule,
        }
        decisions = minutes.meeting_decisions(meeting)
        shown = public_items(meeting) if public else None
        if shown is not None:
            ids = {i.id for i in shown}
            decisions = [d for d in decisions if d.agenda_item_id in ids]
        by_item: dict[int, list] = {}
        for decision in decisions:
            by_item.setdefault(decision.agenda_item_id, []).append(_decision_row(decision))
        carried = [
            _action_row(a)
            for a in minutes.carried_over_action_items(meeting)
            if not public or _is_public_action(a)
        ]
        context["items"] = [
            _minutes_item(item, by_item.get(item.id, []), carried)
            for item in (
                shown
                if shown is not None
                else sorted(meeting.agenda_items, key=lambda i: i.position)
            )
        ]
        context["decisions"] = [_decision_row(d) for d in decisions]
        context["actions"] = [
            _action_row(a)
            for a in minutes.meeting_action_items(meeting)
            if not public or _is_public_action(a)
        ]
        context["approval"] = _approval_context(meeting)
        context["amendments"] = (
            [
                {"text": a.text, "reason": a.reason, "date": format_date(a.created_at, "de")}
                for a in minutes.minutes_amendments(meeting)
            ]
            if not public
            else []
        )
        # dated the day it was approved, else circulated, else the meeting's day
        meta = document_meta(
            meeting,
            f"Niederschrift: {meeting.display_title}",
            meeting.minutes_approved_at or meeting.minutes_circulated_at or meeting.end_at,
            public=public,
        )
        return render_docx(template_path("minutes.docx"), context, meta=meta)


def quorum_sentence(present: int, total: int, rule: str) -> str:
    """ "Anwesend oder vertreten sind 5 von 6 stimmberechtigten Mitgliedern", with verb and noun
    agreeing with the numbers (1 ist, 2 sind; von 1 Mitglied, von 6 Mitgliedern)."""
    verb = "ist" if present == 1 else "sind"
    members = german.count(total, "stimmberechtigten Mitglied", "stimmberechtigten Mitgliedern")
    return f"Anwesend oder vertreten {verb} {german.number(present)} von {members} (Regel: {rule})."


def _minutes_item(item, decisions: list[dict], carried: list[dict]) -> dict:
    """A TOP in the minutes; `is_empty` when nothing was recorded under it (the document then
    says so instead of leaving the heading bare)."""
    row = {
        **_item_row(item),
        "notes": item.notes or "",
        "result": item.result or "",
        "decisions": decisions,
        "carried": carried if item.kind is ItemKind.OPEN_ACTIONS else [],
    }
    row["is_empty"] = not (row["notes"] or row["result"] or decisions or row["carried"])
    return row


def _approval_context(meeting: Meeting) -> dict:
    """The approval note (who approved, when, how; the reason for approving early) and the
    signature block of the chair and the Schriftführung."""
    record = approval.approval_of(meeting) if meeting.minutes_locked else None
    if record is not None:
        statement, reason = approval.approval_statement(record), record.reason
    elif meeting.minutes_locked:
        statement, reason = meeting.approval_note or "Die Niederschrift ist genehmigt.", ""
    else:
        statement, reason = "Die Niederschrift ist noch nicht genehmigt.", ""
    chair, secretary = approval.signatories(meeting, record)
    return {
        "statement": statement,
        "reason": reason if record is not None and record.is_before_deadline else "",
        "note": reason if record is not None and not record.is_before_deadline else "",
        "is_approved": meeting.minutes_locked,
        "chair": asdict(chair),
        "secretary": asdict(secretary),
    }


def _decision_row(decision) -> dict:
    if decision.has_votes:
        votes = (
            f"Ja {decision.votes_yes}, Nein {decision.votes_no}, "
            f"Enthaltung {decision.votes_abstain}"
        )
        if decision.is_unanimous:
            votes += " (einstimmig)"
    else:
        votes = "ohne Abstimmung"
    return {
        "reference": decision.reference,
        "text": decision.text,
        "votes": votes,
        "result": decision.result.label,
    }


def has_attachments(meeting_id: int) -> bool:
    """Whether the meeting has any file on its agenda items (the page offers the ZIP only then)."""
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    StoredFile.meeting_id == meeting_id, StoredFile.agenda_item_id.is_not(None)
                )
            )
        )
    )


def attachments_zip(meeting: Meeting) -> StoredObject | None:
    """All files of the meeting in one ZIP, in folders per TOP; duplicate names get a suffix.
    None when there is no file to put in it (no empty archive is handed out). Each file is copied
    in chunks from the store into a temporary file (in memory up to 8 MiB, then on disk), which
    the download streams."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    used: set[str] = set()
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for item in sorted(meeting.agenda_items, key=lambda i: i.position):
                for stored in item.files:
                    try:
                        source = open_file(stored)
                    except ObjectMissing:
                        continue
                    name = f"TOP {item.number}/{stored.original_name}"
                    stem, dot, ext = name.rpartition(".")
                    counter = 1
                    while name in used:
                        counter += 1
                        name = f"{stem} ({counter}){dot}{ext}"
                    used.add(name)
                    large = source.size >= zipfile.ZIP64_LIMIT
                    with source, archive.open(name, "w", force_zip64=large) as member:
                        for chunk in source:
                            member.write(chunk)
    except BaseException:
        out.close()
        raise
    if not used:
        out.close()
        return None
    size = out.tell()
    out.seek(0)
    return StoredObject(out, size)
