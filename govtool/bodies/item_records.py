"""The agenda item page sends its minutes forms as one: the notes typed into the item's minutes
travel with a decision, an action item or a comment, and are saved with it (in the same
transaction, with the same version check as "Save minutes"), so nothing typed on the page is
lost when one of its buttons is pressed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..auth.models import User
from .agenda_models import AgendaItem
from .minutes import save_item_minutes

T = TypeVar("T")


@dataclass(frozen=True)
class NotesDraft:
    """The item's notes and result as the page sent them, and the version they were typed on."""

    notes: str
    result: str
    version: int


def _same(typed: str, saved: str | None) -> bool:
    # a browser sends a textarea's line breaks as CRLF; text saved elsewhere may have LF
    return typed.replace("\r\n", "\n").strip() == (saved or "").replace("\r\n", "\n").strip()


def notes_changed(item: AgendaItem, draft: NotesDraft | None) -> bool:
    """The page sent notes or a result that differ from the saved ones."""
    if draft is None:
        return False
    return not (_same(draft.notes, item.notes) and _same(draft.result, item.result))


def with_notes(
    user: User, item: AgendaItem, draft: NotesDraft | None, record: Callable[[], T]
) -> tuple[T, bool]:
    """Save the typed notes when they changed (a Conflict when someone saved in between), then
    run `record` (add the decision, action item or comment); returns its result and whether the
    notes were saved."""
    saved = notes_changed(item, draft)
    if saved:
        assert draft is not None
        save_item_minutes(user, item, draft.notes, draft.result, draft.version)
    return record(), saved
