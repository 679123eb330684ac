"""The meeting pages, one module per page, on one blueprint `meetings` (the endpoint names
stay meetings.<view>): the overview (meeting_overview_views), an agenda item
(meeting_item_views), attendance (meeting_attendance_views), the minutes (meeting_minutes_views)
and the files (meeting_file_views). This module holds the blueprint and what the pages share:
loading, the state shown, and the shape of a POST (load, check, call one service, commit)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user

from ..core.forms import NONE_CHOICE
from ..core.permissions import can, require
from ..extensions import db
from . import services
from .agenda_models import AgendaItem
from .models import Meeting, MeetingStatus

bp = Blueprint("meetings", __name__)
# The item page's forms carry a prefix (decision-text, minutes-notes) so ids stay unique on the
# page; CSRFProtect checks every POST of the app already, so they skip their own token field.
NO_FORM_CSRF = {"csrf": False}


def _load(meeting_id: int) -> Meeting:
    meeting = services.meeting_detail(meeting_id)
    if meeting is None:
        abort(404)
    require(can(current_user, "meeting.view", meeting))
    return meeting


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = next((i for i in meeting.agenda_items if i.id == item_id), None)
    if item is None:
        abort(404)
    require(can(current_user, "agenda_item.view", item))
    return item


# Comments on the minutes exist once they were circulated.
COMMENT_STATES = (MeetingStatus.MINUTES_CIRCULATED, MeetingStatus.MINUTES_APPROVED)


def _meeting(meeting_id: int) -> Meeting:
    """The meeting with its body only (the GET pages read their rows with lean queries)."""
    meeting = services.meeting_overview(meeting_id)
    if meeting is None:
        abort(404)
    require(can(current_user, "meeting.view", meeting))
    return meeting


def _people_choices(meeting: Meeting):
    return [NONE_CHOICE, *services.meeting_choices(meeting)[0]]


def _organisation_choices(meeting: Meeting):
    return [NONE_CHOICE, *services.meeting_choices(meeting)[1]]


def _done(meeting_id: int, message: str, anchor: str = "", endpoint: str = ".detail", **values):
    """The request's one commit, then back to the page with a success message."""
    db.session.commit()
    flash(message, "success")
    return redirect(
        url_for(endpoint, meeting_id=meeting_id, **values) + (f"#{anchor}" if anchor else "")
    )


def _item_done(meeting_id: int, item_id: int, message: str, anchor: str = ""):
    return _done(meeting_id, message, anchor, ".item_detail", item_id=item_id)


def _item_choices_for(field: str):
    """A `prepare` for post_action: the form's `field` offers the agenda items (or none)."""

    def prepare(form, meeting):
        form[field].choices = [NONE_CHOICE, *[(i.id, i.title) for i in meeting.agenda_items]]

    return prepare


_prepare_item_form = _item_choices_for("parent_id")


# The pages register their routes on bp (imported last: they import the helpers above).
from . import (  # noqa: E402,F401
    meeting_attendance_views,
    meeting_file_views,
    meeting_item_views,
    meeting_minutes_views,
    meeting_overview_views,
)
