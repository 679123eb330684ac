"""Agenda use cases: standing items, numbering (TOP 1, 2, 2.1), moving, deferring, copying,
papers from members' organisations, and attachments checked by content and stored by SHA-256."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from typing import TYPE_CHECKING, Any

import markdown as markdown_lib
import nh3
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext
from markupsafe import Markup

from ..core import numbering
from ..core.errors import ValidationError
from ..core.locking import claim
from ..core.permissions import ensure
from ..core.storage import StoredObject, current_store
from ..core.uploads import check_file_type, check_filename
from ..extensions import db
from .agenda_models import AgendaItem, ItemKind, Paper, PaperType, StoredFile
from .models import Meeting, MeetingStatus
from .permissions import agenda_refusal

if TYPE_CHECKING:
    from ..auth.models import User

STANDING_ITEMS = (
    ItemKind.OPENING,
    ItemKind.AGENDA_APPROVAL,
    ItemKind.PREVIOUS_MINUTES,
    ItemKind.OPEN_ACTIONS,
    ItemKind.AOB,
)


def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML, sanitised by nh3 (no script, no style, no event handlers)."""
    if not text:
        return Markup("")
    return _render_markdown(text)


@functools.lru_cache(maxsize=4096)
def _render_markdown(text: str) -> Markup:
    # A pure function of the text: a meeting page shows the same notes on every request, and
    # parsing plus sanitising them each time was a tenth of the page's time.
    html = markdown_lib.markdown(text, extensions=["sane_lists"])
    return Markup(nh3.clean(html, link_rel="noopener noreferrer"))  # noqa: S704 - cleaned


# ---------------------------------------------------------------- numbering


def renumber(meeting: Meeting) -> None:
    """Give top-level items 1..n and sub-items n.1..n.k, children right after their parent."""
    items = sorted(meeting.agenda_items, key=lambda i: (i.position, i.id or 0))
    top = [i for i in items if i.parent_id is None and i.parent is None]
    children: dict[int, list[AgendaItem]] = {}
    for item in items:
        parent = item.parent
        if parent is not None:
            children.setdefault(id(parent), []).append(item)
    position = 0
    for n, item in enumerate(top, start=1):
        position += 1
        item.number, item.position = str(n), position
        for k, child in enumerate(children.get(id(item), []), start=1):
            position += 1
            child.number, child.position = f"{n}.{k}", position
    db.session.flush()


def add_standing_items(meeting: Meeting) -> None:
    for position, kind in enumerate(STANDING_ITEMS, start=1):
        meeting.agenda_items.append(
            AgendaItem(kind=kind, title=str(kind.label), position=position * 10, is_public=True)
        )
    db.session.flush()
    renumber(meeting)


def _check_editable(meeting: Meeting) -> None:
    refusal = agenda_refusal(meeting)
    if refusal is not None:
        raise ValidationError(refusal)


def _aob_position(meeting: Meeting) -> int:
    aob = [i.position for i in meeting.agenda_items if i.kind is ItemKind.AOB]
    return min(aob) if aob else max((i.position for i in meeting.agenda_items), default=0) + 1


def _clean_item(data: dict[str, Any]) -> dict[str, Any]:
    title = (data.get("title") or "").strip()
    if not title:
        raise ValidationError(gettext("Please enter a title."), field="title")
    minutes = data.get("planned_minutes")
    if minutes not in (None, ""):
        minutes = int(minutes)
        if not 0 <= minutes <= 600:
            raise ValidationError(
                gettext("Please plan between 0 and 600 minutes."), field="planned_minutes"
            )
    else:
        minutes = None
    return {
        "title": title[:300],
        "description": (data.get("description") or "").strip(),
        "presenter": (data.get("presenter") or "").strip()[:200],
        "planned_minutes": minutes,
        "is_public": bool(data.get("is_public", True)),
    }


def add_item(user: User, meeting: Meeting, data: dict[str, Any]) -> AgendaItem:
    """Add a TOP before 'any other business', or as a sub-item (2.1) of another item."""
    ensure(user, "meeting.edit", meeting)
    _check_editable(meeting)
    values = _clean_item(data)
    parent = None
    parent_id = int(data.get("parent_id") or 0)
    if parent_id:
        parent = next((i for i in meeting.agenda_items if i.id == parent_id), None)
        if parent is None or parent.parent_id is not None:
            raise ValidationError(gettext("Please choose a top-level item."), field="parent_id")
        siblings = [i.position for i in meeting.agenda_items if i.parent_id == parent.id]
        position = max([parent.position, *siblings]) + 1
        for other in meeting.agenda_items:
            if other.position >= position:
                other.position += 1
    else:
        position = _aob_position(meeting)
        for other in meeting.agenda_items:
            if other.position >= position:
                other.position += 1
    item = AgendaItem(kind=ItemKind.TOPIC, position=position, parent=parent, **values)
    meeting.agenda_items.append(item)
    db.session.flush()
    renumber(meeting)
    return item


def update_item(
    user: User, item: AgendaItem, data: dict[str, Any], expected_version: int | None = None
) -> AgendaItem:
    """Change an item's title and description; Conflict when someone saved it since the form
    was loaded at `expected_version`."""
    ensure(user, "meeting.edit", item.meeting)
    _check_editable(item.meeting)
    values = _clean_item(data)
    claim(item, expected_version)
    for key, value in values.items():
        setattr(item, key, value)
    db.session.flush()
    return item


def move_item(user: User, item: AgendaItem, direction: str) -> None:
    """Swap an item with its previous or next sibling (sub-items move with their parent)."""
    meeting = item.meeting
    ensure(user, "meeting.edit", meeting)
    _check_editable(meeting)
    siblings = sorted(
        (i for i in meeting.agenda_items if i.parent_id == item.parent_id),
        key=lambda i: i.position,
    )
    index = siblings.index(item)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(siblings):
        return
    other = siblings[other_index]
    item.position, other.position = other.position, item.position
    db.session.flush()
    renumber(meeting)


def _subtree(item: AgendaItem) -> list[AgendaItem]:
    return [item, *[i for i in item.meeting.agenda_items if i.parent_id == item.id]]


def delete_item(user: User, item: AgendaItem) -> None:
    meeting = item.meeting
    ensure(user, "meeting.edit", meeting)
    _check_editable(meeting)
    if item.kind is not ItemKind.TOPIC:
        raise ValidationError(gettext("Standing items cannot be removed."))
    if item.papers or item.files or any(i.id != item.id for i in _subtree(item)):
        raise ValidationError(
            gettext("Remove the item's sub-items, papers and files first, or defer it.")
        )
    meeting.agenda_items.remove(item)
    db.session.delete(item)
    db.session.flush()
    renumber(meeting)


def defer_item(user: User, item: AgendaItem) -> Meeting:
    """Move a TOP (with sub-items, papers and files) to the body's next meeting."""
    from .services import next_meeting

    meeting = item.meeting
    ensure(user, "meeting.edit", meeting)
    if item.kind is not ItemKind.TOPIC or item.parent_id is not None:
        raise ValidationError(gettext("Only a top-level topic can be deferred."))
    target = next_meeting(meeting)
    if target is None or target.status not in (MeetingStatus.PLANNED, MeetingStatus.INVITED):
        raise ValidationError(
            gettext("There is no planned next meeting to defer this item to. Plan one first.")
        )
    position = _aob_position(target)
    moving = _subtree(item)
    for other in target.agenda_items:
        if other.position >= position:
            other.position += len(moving)
    for offset, moved in enumerate(moving):
        meeting.agenda_items.remove(moved)
        moved.position = position + offset
        target.agenda_items.append(moved)
        for stored in moved.files:
            stored.meeting_id = target.id
        for paper in moved.papers:
            for stored in paper.files:
                stored.meeting_id = target.id
    db.session.flush()
    renumber(meeting)
    renumber(target)
    return target


def copy_agenda(user: User, meeting: Meeting, template: Meeting) -> int:
    """Copy the topics of a template agenda (another meeting) before 'any other business'."""
    ensure(user, "meeting.edit", meeting)
    ensure(user, "meeting.read_internal", template)
    _check_editable(meeting)
    if template.id == meeting.id:
        raise ValidationError(gettext("Please choose another meeting as template."))
    topics = sorted(
        (i for i in template.agenda_items if i.kind is ItemKind.TOPIC), key=lambda i: i.position
    )
    position = _aob_position(meeting)
    for other in meeting.agenda_items:
        if other.position >= position:
            other.position += len(topics)
    copies: dict[int, AgendaItem] = {}
    for offset, source in enumerate(topics):
        copy = AgendaItem(
            kind=ItemKind.TOPIC,
            title=source.title,
            description=source.description,
            presenter=source.presenter,
            planned_minutes=source.planned_minutes,
            is_public=source.is_public,
            position=position + offset,
            parent=copies.get(source.parent_id) if source.parent_id else None,
        )
        copies[source.id] = copy
        meeting.agenda_items.append(copy)
    db.session.flush()
    renumber(meeting)
    return len(topics)


def template_choices(meeting: Meeting) -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(Meeting.id, Meeting.number, Meeting.title)
        .where(Meeting.body_id == meeting.body_id, Meeting.id != meeting.id)
        .order_by(Meeting.start_at.desc())
    ).all()
    return [(row.id, row.title or f"{row.number}. Sitzung") for row in rows]


# ---------------------------------------------------------------- uploads

# Papers and agenda files: what members send to a meeting (see core.uploads for the checks).
ALLOWED = ("pdf", "png", "jpg", "jpeg", "docx", "xlsx", "odt")


def check_upload(name: str | None, data: bytes) -> tuple[str, str]:
    """Validate an upload by name, size and content; returns (safe name, MIME type)."""
    name = check_filename(name)
    limit_mb = current_app.config["GOVTOOL_MAX_UPLOAD_MB"]
    if len(data) > limit_mb * 1024 * 1024:
        raise ValidationError(
            gettext("The file is larger than %(mb)d MB.", mb=limit_mb), field="file"
        )
    if not data:
        raise ValidationError(gettext("The file is empty."), field="file")
    mime = check_file_type(name, data, ALLOWED, "PDF, DOCX, XLSX, ODT, PNG, JPG")
    return name, mime


def file_key(sha256: str) -> str:
    """Where an upload lives in the store: by its content, so the same file is kept once."""
    return f"{sha256[:2]}/{sha256}"


def store_file(
    user: User,
    meeting: Meeting,
    name: str | None,
    data: bytes,
    agenda_item: AgendaItem | None = None,
    paper: Paper | None = None,
) -> StoredFile:
    """Check, then write the bytes once under their SHA-256; nothing is written when refused."""
    safe_name, mime = check_upload(name, data)
    digest = hashlib.sha256(data).hexdigest()
    store = current_store()
    if not store.exists(file_key(digest)):
        store.put(file_key(digest), data)
    stored = StoredFile(
        meeting_id=meeting.id,
        agenda_item=agenda_item,
        paper=paper,
        sha256=digest,
        original_name=safe_name,
        mime_type=mime,
        size=len(data),
        uploaded_by_id=getattr(user, "id", None),
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def attach_file(user: User, item: AgendaItem, name: str | None, data: bytes) -> StoredFile:
    ensure(user, "meeting.edit", item.meeting)
    return store_file(user, item.meeting, name, data, agenda_item=item)


def open_file(stored: StoredFile) -> StoredObject:
    """The stored bytes as a stream (close it); ObjectMissing when the store lost them,
    StoreUnavailable when it cannot be reached."""
    return current_store().open(file_key(stored.sha256))


# ---------------------------------------------------------------- papers


def _next_paper_reference(meeting: Meeting) -> str:
    year = meeting.date.year
    prefix = f"{meeting.body.short_name}-V-{year}/"
    return numbering.next_with_prefix("paper", Paper.reference, prefix)


def submit_paper(
    user: User,
    item: AgendaItem,
    data: dict[str, Any],
    file_name: str | None = None,
    file_data: bytes | None = None,
) -> Paper:
    """A member's organisation submits a report or proposal to an item until the papers deadline."""
    from .permissions import is_body_editor

    meeting = item.meeting
    ensure(user, "paper.submit", meeting)
    title = (data.get("title") or "").strip()
    if not title:
        raise ValidationError(gettext("Please enter a title."), field="title")
    try:
        paper_type = PaperType(data.get("paper_type") or "report")
    except ValueError as exc:
        raise ValidationError(gettext("Unknown kind of paper."), field="paper_type") from exc
    organisation_id = int(data.get("organisation_id") or 0) or user.organisation_id
    if not is_body_editor(user, meeting.body):
        if dt.date.today() > meeting.papers_due:
            raise ValidationError(gettext("The deadline for papers has passed."))
        organisation_id = user.organisation_id  # members submit for their own organisation
    if not organisation_id:
        raise ValidationError(
            gettext("Please choose the submitting organisation."), field="organisation_id"
        )
    if file_data is not None:
        check_upload(file_name, file_data)  # refuse before anything is written
    paper = Paper(
        agenda_item=item,
        reference=_next_paper_reference(meeting),
        title=title[:300],
        paper_type=paper_type,
        organisation_id=organisation_id,
        submitted_by_id=user.id,
    )
    db.session.add(paper)
    db.session.flush()
    if file_data is not None:
        store_file(user, meeting, file_name, file_data, agenda_item=item, paper=paper)
    return paper


def visible_items(user: User, meeting: Meeting) -> list[AgendaItem]:
    """The items this user may see: all for members, only public ones for others."""
    from ..core.permissions import can

    items = sorted(meeting.agenda_items, key=lambda i: i.position)
    if can(user, "meeting.read_internal", meeting):
        return items
    return [i for i in items if i.is_public]
