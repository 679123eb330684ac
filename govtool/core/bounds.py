"""The ranges every input must lie in: ids, integers, dates, text lengths.

One place for the numbers, used by the URL converter and query-string parser (core.args), by the
forms (core.forms) and by the services, which the CLI and the imports reach without a form. A value
outside a range is the user's mistake (a 4xx), never an overflow in the database or in date
arithmetic (a 500).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext

from .errors import ValidationError
from .formatting import format_date

# Ids are PostgreSQL `integer` (int4): anything outside cannot name a row, and binding it
# overflows (PostgreSQL: NumericValueOutOfRange, SQLite beyond 2**63: OverflowError).
MIN_ID = 1
MAX_ID = 2**31 - 1
# Other integers (counts, versions, years) are int4 columns too.
MIN_INT = -(2**31)
MAX_INT = 2**31 - 1

# Text: one-line fields and long texts get these maxima unless the form says otherwise; long
# enough for any real minutes or agreement clause, short enough that one field cannot fill the
# audit log or a page with megabytes.
MAX_LINE = 255
MAX_TEXT = 50_000


@dataclass(frozen=True)
class DateRange:
    """Earliest and latest allowed date (both included); `latest_years` counts from today."""

    earliest: dt.date
    latest: dt.date | None = None
    latest_years: int | None = None

    def bounds(self, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        if self.latest is not None:
            return self.earliest, self.latest
        today = today or dt.date.today()
        assert self.latest_years is not None, "a DateRange has latest or latest_years"
        try:
            return self.earliest, today.replace(year=today.year + self.latest_years)
        except ValueError:  # 29 February
            return self.earliest, today.replace(year=today.year + self.latest_years, day=28)

    def __contains__(self, value: dt.date) -> bool:
        earliest, latest = self.bounds()
        return earliest <= _as_date(value) <= latest


# Document dates (agreement terms and signing, catalogue periods and reviews, due dates,
# memberships, report periods, query-string filters): the range covers every real document and
# keeps date arithmetic (± a few years of periods and reminders) far from year 1 and year 9999.
DOCUMENT_DATES = DateRange(dt.date(1900, 1, 1), dt.date(2199, 12, 31))
# Meetings are planned, not archived from the 19th century: 1990 to 20 years ahead.
MEETING_DATES = DateRange(dt.date(1990, 1, 1), latest_years=20)


# Dates are typed as ISO (what <input type="date"> sends) or the German way (31.12.2026).
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def parse_date(text: str) -> dt.date:
    """A date written as YYYY-MM-DD or DD.MM.YYYY; ValueError for anything else."""
    text = (text or "").strip()
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text[:40]!r}")


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def date_range_message(allowed: DateRange) -> str:
    """The error for a date outside `allowed`, naming the range in German or English."""
    earliest, latest = allowed.bounds()
    return gettext(
        "Please enter a date between %(earliest)s and %(latest)s.",
        earliest=format_date(earliest),
        latest=format_date(latest),
    )


def check_date(value, field: str, allowed: DateRange = DOCUMENT_DATES):
    """Raise a 422 ValidationError on `field` when the date lies outside `allowed`; else return it.

    Services call this for every date they store, so the CLI and imports obey the forms' range."""
    if value is None or value == "":
        return value
    if not isinstance(value, dt.date):  # a service called with a string: a 422, not a TypeError
        raise ValidationError(gettext("Please enter a date."), field=field)
    if value not in allowed:
        raise ValidationError(date_range_message(allowed), field=field)
    return value


def check_int(value, field: str, minimum: int = MIN_INT, maximum: int = MAX_INT) -> int | None:
    """Raise a 422 ValidationError on `field` when an integer does not fit; else return it."""
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(gettext("Please enter a whole number."), field=field) from None
    if not minimum <= number <= maximum:
        raise ValidationError(
            gettext(
                "Please enter a number between %(minimum)d and %(maximum)d.",
                minimum=minimum,
                maximum=maximum,
            ),
            field=field,
        )
    return number


def bounded_int(value) -> int:
    """int() for form choices and query strings that refuses what no column can hold (ValueError,
    which WTForms reports as a field error)."""
    number = int(value)
    if not MIN_INT <= number <= MAX_INT:
        raise ValueError(f"{number} is out of range")
    return number


def is_id(value) -> bool:
    """Whether `value` is an int that can be a row's id."""
    return isinstance(value, int) and MIN_ID <= value <= MAX_ID
