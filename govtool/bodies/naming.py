"""The one pattern for a meeting's default title, used by the new-meeting form, the year planner
and the demo alike.

The pattern puts the body's name after a dash, "5. Sitzung – Begleitgremium Kooperation im
kommunalen Bildungsmanagement", "Konstituierende Sitzung – AG Datenmonitoring". A genitive ("5.
Sitzung des Begleitgremiums") would read better for some names, but German declines the body's
name by its head noun and article, which the name alone does not tell: "der AG Datenmonitoring",
"des Netzwerks …", "des Begleitgremiums Kooperation …" (and "Begleitgremium Kooperation" itself
cannot be declined without knowing its head). The dash reads right for every name, keeps the name
as its body writes it, and still sorts and searches by the body's name.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from flask_babel import force_locale, gettext

from .models import MeetingKind

TITLE_LENGTH = 200  # Meeting.title


def meeting_title(body_name: str, number: int, kind: MeetingKind) -> str:
    """The default title of a body's meeting number `number` of `kind`. Titles are stored and
    go into the German documents, so they are written in the app's default language whatever
    the language of the page that creates the meeting."""
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "de") if has_app_context() else "de"
    with force_locale(default):
        if kind is MeetingKind.CONSTITUENT:
            title = gettext("Constituent meeting – %(body)s", body=body_name)
        elif kind is MeetingKind.EXTRAORDINARY:
            title = gettext(
                "Meeting %(number)d (extraordinary) – %(body)s", number=number, body=body_name
            )
        else:
            title = gettext("Meeting %(number)d – %(body)s", number=number, body=body_name)
    if len(title) > TITLE_LENGTH:
        title = title[: TITLE_LENGTH - 1].rstrip() + "…"
    return title
