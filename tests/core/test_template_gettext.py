"""Templates translate through a per-request lookup of the catalogue; it must follow the request's
locale, force_locale() blocks and the language switch exactly as Flask-Babel's own lookup."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale, refresh

TEMPLATE = '{{ _("Pages") }}|{{ ngettext("%(num)d person found.", "%(num)d people found.", 2) }}'


def test_template_gettext_follows_forced_locale_and_refresh(app):
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        assert render_template_string(TEMPLATE) == "Seiten|2 Personen gefunden."
        with force_locale("en"):
            assert render_template_string(TEMPLATE) == "Pages|2 people found."
        assert render_template_string(TEMPLATE) == "Seiten|2 Personen gefunden."
        refresh()  # a new locale selection in the same request is picked up too
        assert render_template_string(TEMPLATE).startswith("Seiten|")


def test_template_gettext_outside_a_request_does_not_fail(app):
    with app.app_context():
        assert render_template_string('{{ _("Pages") }}') in ("Pages", "Seiten")


def test_code_gettext_and_lazy_labels_follow_forced_locale(app):
    from flask_babel import gettext

    from govtool.bodies.models import MembershipRole

    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        german = MembershipRole.MEMBER.label
        assert gettext("Pages") == "Seiten"
        with force_locale("en"):
            assert gettext("Pages") == "Pages"
            assert MembershipRole.MEMBER.label != german
        assert gettext("Pages") == "Seiten" and MembershipRole.MEMBER.label == german


def test_times_are_24_hour_in_both_languages():
    import datetime as dt

    from govtool.core.formatting import format_datetime, format_time

    assert format_time(dt.time(9, 5), "de") == "09:05" == format_time(dt.time(9, 5), "en")
    assert format_time(dt.time(21, 30), "en") == "21:30"
    summer = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)  # 14:00 in Berlin
    assert format_datetime(summer, "de") == "01.07.2026, 14:00"
    assert format_datetime(summer, "en").endswith(", 14:00")
