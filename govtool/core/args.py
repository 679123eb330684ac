"""The query string and the URL, read in one place and within bounds (core.bounds).

Every `<int:...>` in a route goes through BoundedIntConverter (registered as the app's `int`
converter), so an id outside 1 … 2**31-1 is a 404 before any view runs; views read the query
string with arg_int, arg_date and page_args instead of `request.args.get(..., type=int)`, so no
number or date from a URL reaches the database or date arithmetic unchecked.
"""

from __future__ import annotations

import datetime as dt
from typing import overload

from flask import Request, abort, current_app, flash, request
from flask_babel import gettext
from werkzeug.routing import IntegerConverter

from .bounds import DOCUMENT_DATES, MAX_ID, MIN_ID, DateRange, date_range_message, parse_date

# The last page a list may ask for: beyond it a page number is a 404, not an OFFSET the database
# has to count up to (or cannot hold at all).
MAX_PAGE = 100_000
MIN_PER_PAGE, MAX_PER_PAGE = 5, 100


class BoundedRequest(Request):
    """The app's request class: a url-encoded form body is limited to MAX_FORM_MEMORY_SIZE (413
    beyond), as Werkzeug limits each text part of a multipart form; otherwise a 10 MB text in an
    ordinary form post is read whole, up to the upload limit MAX_CONTENT_LENGTH."""

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        form_limit = self.max_form_memory_size
        if self.mimetype != "application/x-www-form-urlencoded" or form_limit is None:
            return limit
        return form_limit if limit is None else min(limit, form_limit)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


class BoundedIntConverter(IntegerConverter):
    """The app's `int` URL converter: 1 … 2**31-1 (an int4 id), anything else does not match."""

    def __init__(self, map, fixed_digits=0, min=MIN_ID, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


@overload
def int_from(
    args,
    name: str,
    default: int,
    minimum: int = ...,
    maximum: int = ...,
    *,
    clamp: bool = ...,
    strict: bool = ...,
) -> int: ...
@overload
def int_from(
    args,
    name: str,
    default: None = ...,
    minimum: int = ...,
    maximum: int = ...,
    *,
    clamp: bool = ...,
    strict: bool = ...,
) -> int | None: ...


def int_from(
    args,
    name: str,
    default: int | None = None,
    minimum: int = MIN_ID,
    maximum: int = MAX_ID,
    *,
    clamp: bool = False,
    strict: bool = False,
) -> int | None:
    """An integer argument of `args` (a MultiDict) within minimum … maximum.

    Missing, malformed or out of range gives `default`; with clamp=True an out-of-range number is
    moved to the nearest bound; with strict=True a present but bad value is a 404 (a URL naming
    something that cannot exist)."""
    raw = args.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip()[:40])
    except ValueError:
        if strict:
            abort(404)
        return default
    if minimum <= value <= maximum:
        return value
    if clamp:
        return min(max(value, minimum), maximum)
    if strict:
        abort(404)
    return default


@overload
def arg_int(
    name: str,
    default: int,
    minimum: int = ...,
    maximum: int = ...,
    *,
    clamp: bool = ...,
    strict: bool = ...,
) -> int: ...
@overload
def arg_int(
    name: str,
    default: None = ...,
    minimum: int = ...,
    maximum: int = ...,
    *,
    clamp: bool = ...,
    strict: bool = ...,
) -> int | None: ...


def arg_int(
    name: str,
    default: int | None = None,
    minimum: int = MIN_ID,
    maximum: int = MAX_ID,
    *,
    clamp: bool = False,
    strict: bool = False,
) -> int | None:
    """int_from for the current request's query string (ids by default: 1 … 2**31-1)."""
    return int_from(request.args, name, default, minimum, maximum, clamp=clamp, strict=strict)


def arg_date(name: str, allowed: DateRange = DOCUMENT_DATES) -> dt.date | None:
    """A date filter from the query string (ISO or German); a bad or out-of-range date is
    ignored with a message on the page, so a list still answers."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = parse_date(raw)
    except ValueError:
        message = gettext("“%(value)s” is not a date; the filter was ignored.", value=raw[:40])
        flash(message, "warning")
        return None
    if value not in allowed:
        flash(f"{date_range_message(allowed)} {gettext('The filter was ignored.')}", "warning")
        return None
    return value


def page_args() -> tuple[int, int]:
    """Page number and size from the query string: a page below 1 or malformed is the first, a
    page beyond MAX_PAGE is a 404; the size lies between 5 and 100."""
    page = int_from(request.args, "page", 1, 1, MAX_PAGE + 1, clamp=True)
    if page > MAX_PAGE:
        abort(404)
    per_page = int_from(
        request.args,
        "per_page",
        current_app.config["PER_PAGE"],
        MIN_PER_PAGE,
        MAX_PER_PAGE,
        clamp=True,
    )
    return page, per_page
