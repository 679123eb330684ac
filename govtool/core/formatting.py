"""German-first formatting of dates, times and money for pages and documents (Babel)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal

BERLIN = ZoneInfo("Europe/Berlin")


def _locale() -> str:
    try:
        from flask_babel import get_locale

        locale = get_locale()
        return str(locale) if locale else "de"
    except (RuntimeError, KeyError):  # outside a request: documents are German
        return "de"


def to_berlin(value: dt.datetime) -> dt.datetime:
    """An aware datetime converted to Europe/Berlin (naive ones are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(BERLIN)


def format_date(value: dt.date | dt.datetime | None, locale: str | None = None) -> str:
    """01.09.2022 in German, 01/09/2022-style short form in English."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_berlin(value).date()
    locale = locale or _locale()
    if locale.startswith("de"):
        return value.strftime("%d.%m.%Y")
    return babel_format_date(value, format="medium", locale=locale)


def format_time(value: dt.datetime | dt.time | None, locale: str | None = None) -> str:
    """14:30 (24-hour clock in both languages, as German offices write it)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_berlin(value).time()
    # Babel's "HH:mm" is this in every locale we serve; strftime skips a Locale lookup per call
    # (lists show a time per row).
    return value.strftime("%H:%M")


def format_datetime(value: dt.datetime | None, locale: str | None = None) -> str:
    """01.09.2022, 14:30 in Europe/Berlin."""
    if value is None:
        return ""
    locale = locale or _locale()
    return f"{format_date(value, locale)}, {format_time(value, locale)}"


def format_money(value: Decimal | float | int | None, locale: str | None = None) -> str:
    """1.234,50 € in German."""
    if value is None:
        return ""
    return format_currency(value, "EUR", locale=locale or _locale())


def format_number(value: Decimal | float | int | None, locale: str | None = None) -> str:
    """1.234,5 in German."""
    if value is None:
        return ""
    return format_decimal(value, locale=locale or _locale())


def format_count(value: int | None, cap: int | None = None, locale: str | None = None) -> str:
    """A counted total: "1.234", or "mehr als 1.000" when a capped count reached its cap + 1."""
    from flask_babel import gettext

    from .views import TOTAL_CAP

    cap = TOTAL_CAP if cap is None else cap
    if value is None:
        return ""
    if value > cap:
        return gettext("more than %(n)s", n=format_number(cap, locale))
    return format_number(value, locale)


def register_filters(app) -> None:
    """Make the formatters available in Jinja as filters."""
    app.jinja_env.filters.update(
        date_de=format_date,
        time_de=format_time,
        datetime_de=format_datetime,
        money=format_money,
        number=format_number,
        count_label=format_count,
    )
