"""Optimistic locking for every editable document (agreement drafts, catalogue entries, meetings,
agenda items and the minutes of an item).

A document row carries a counter (`lock_version`). Its edit form carries the counter it was
loaded with in a hidden field; the save claims the next value with one conditional UPDATE
(``SET lock_version = n + 1 WHERE id = ? AND lock_version = n``). Of two writers that loaded the
same version exactly one hits the row; the other gets `Conflict` (409) and a page that shows the
saved text beside its own, with its input kept in the form.

Why a claim and not SQLAlchemy's ``version_id_col``: that one checks and bumps on *every* UPDATE
of the row (renumbering an agenda, a status change, an invitation sent), which turns unrelated
writes into conflicts and raises StaleDataError in code paths that have no conflict page. The
claim is made only by the saves of a document's form, and check and bump are one statement: in
PostgreSQL the claimed row stays locked until the transaction ends, so a second writer's claim
waits and then finds the new value; there is no window between the check and the flush.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value
from wtforms import Field
from wtforms.widgets import HiddenInput

from ..extensions import db
from .errors import Conflict, EditConflict
from .forms import select_choices

LOCK_COLUMN = "lock_version"


class Versioned:
    """Mixin: the optimistic-locking counter of an editable document (0 for existing rows)."""

    lock_version: Mapped[int] = mapped_column(default=0, server_default="0")


def conflict_message() -> str:
    return gettext("Someone else saved this in the meantime.")


def claim(obj: Any, expected: int | None, column: str = LOCK_COLUMN, message: str = "") -> int:
    """Claim the next version of `obj` if it is still at `expected`; else raise EditConflict.

    `expected` None means the client sent no version (an API call, an old form): the save is
    not checked but still claims the next version, so open forms of others see the change.
    """
    current = getattr(obj, column)
    base = current if expected is None else expected
    if base != current:
        raise EditConflict(message or conflict_message())
    table = sa.inspect(obj).mapper.local_table
    key = sa.inspect(obj).identity
    if key is None:
        raise ValueError("only a stored row can be claimed")
    primary = sa.inspect(obj).mapper.primary_key
    condition = sa.and_(*(col == value for col, value in zip(primary, key, strict=True)))
    result = db.session.execute(
        sa.update(table)
        .where(condition, table.c[column] == base)
        .values({column: base + 1})
        .execution_options(synchronize_session=False)
    )
    claimed = cast("sa.CursorResult[Any]", result).rowcount  # an UPDATE's result has a cursor
    if claimed != 1:
        raise EditConflict(message or conflict_message())
    # The claim went past the ORM: record the new value as loaded, so no flush writes it again
    # and the audit log does not list the counter as a change.
    set_committed_value(obj, column, base + 1)
    return base + 1


class LockVersionField(Field):
    """The version a form was loaded with: an int, None when absent, -1 when garbled (which can
    never match, so the save answers with the conflict page and loses nothing). A hidden input
    but not a text field: it bounds its own input, so the forms' text-length bound stays off it."""

    widget = HiddenInput()

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        raw = (valuelist[0] or "").strip()
        if not raw:
            self.data = None
            return
        try:
            self.data = int(raw) if len(raw) <= 12 else -1
        except ValueError:
            self.data = -1

    def _value(self) -> str:
        return "" if self.data in (None, "") else str(self.data)


def expected_version(form) -> int | None:
    """The version the form was loaded with, None when the client sent none."""
    value = form.lock_version.data
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, enum.Enum):
        return str(getattr(value, "label", value.value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        from .formatting import format_date, format_time

        return format_time(value) if isinstance(value, dt.time) else format_date(value)
    if isinstance(value, list | tuple):
        return ", ".join(_shown(v) for v in value)
    return str(value)


@dataclass
class ConflictRow:
    label: str
    saved: str
    yours: str


@dataclass
class ConflictView:
    """What the conflict page shows: the message and, per field, the saved and the sent text."""

    message: str
    rows: list[ConflictRow] = field(default_factory=list)
    same_text: bool = False


def conflict_view(
    error: Conflict,
    form,
    saved: Mapping[str, Any],
    choices: Mapping[str, Mapping[Any, str]] | None = None,
) -> ConflictView:
    """Compare the saved values (read after the rollback) with the form's, field by field; the
    fields that differ are listed (all of them when none differs, e.g. only parties changed)."""
    choices = choices or {}
    rows, all_rows = [], []
    for name, saved_value in saved.items():
        sent = form[name].data if name in form else None
        labels = choices.get(name)
        if labels is not None:
            saved_text, sent_text = _choice(labels, saved_value), _choice(labels, sent)
        else:
            saved_text, sent_text = _shown(saved_value), _shown(sent)
        label = str(form[name].label.text) if name in form else name
        row = ConflictRow(label, saved_text, sent_text)
        all_rows.append(row)
        if saved_text.strip() != sent_text.strip():
            rows.append(row)
    return ConflictView(error.message, rows or all_rows, same_text=not rows)


def _choice(labels: Mapping[Any, str], value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_choice(labels, v) for v in value)
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None:
        value = 0  # a select's "none"
    return str(labels.get(value, labels.get(str(value), _shown(value))))


def choice_labels(form) -> dict[str, dict[Any, str]]:
    """The labels of every select in `form`, so the comparison shows names, not stored ids."""
    labels = {}
    for form_field in form:
        options = getattr(form_field, "choices", None)
        if isinstance(options, list | tuple):
            labels[form_field.name] = {c.value: str(c.label) for c in select_choices(options)}
    return labels


def show_conflict(
    form,
    obj: Any,
    error: Conflict,
    saved: Iterable[str] | Callable[[Any], Mapping],
    choices: Mapping[str, Mapping[Any, str]] | None = None,
) -> ConflictView:
    """After a Conflict: roll back, keep what the user typed in `form`, point its hidden version
    at the saved one (so the merged text can be saved) and return the comparison to show.
    `saved` names the compared attributes of `obj`, or reads them from the reloaded `obj`."""
    db.session.rollback()
    db.session.refresh(obj)
    saved = saved(obj) if callable(saved) else {name: getattr(obj, name) for name in saved}
    form.lock_version.data = getattr(obj, LOCK_COLUMN)
    return conflict_view(error, form, saved, choices)


def commit_or_conflict(
    form,
    obj: Any,
    call: Callable[[], Any],
    saved: Iterable[str] | Callable[[Any], Mapping],
    choices: Mapping[str, Mapping[Any, str]] | None = None,
) -> tuple[bool, ConflictView | None, int]:
    """Run a locked form's service call as the request's one transaction.

    Returns (True, None, 200) when saved; (False, comparison, 409) when someone saved in between
    (the form keeps what was sent and now carries the saved version); (False, None, status) for
    any other domain error, shown on the form by core.forms.commit_or_show_status."""
    from .forms import commit_or_show_status

    try:
        done, _, status = commit_or_show_status(form, call, passes=(EditConflict,))
    except EditConflict as error:
        return False, show_conflict(form, obj, error, saved, choices), 409
    return done, None, status
