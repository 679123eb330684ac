"""Counts in the UI take the noun form their number needs ("1 Eintrag", "2 Einträge") through
ngettext, in German and English; every ngettext call has a plural entry in the catalogues."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, ngettext

from govtool.demo import DEMO_PASSWORD
from govtool.i18n import translation_directories

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_CALL = re.compile(r'ngettext\(\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"')


def _ngettext_calls() -> set[tuple[str, str]]:
    """(singular, plural) of every ngettext call in the code and the templates."""
    calls = set()
    for path in (ROOT / "govtool").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "ngettext"
                and len(node.args) >= 2
                and all(isinstance(a, ast.Constant) for a in node.args[:2])
            ):
                calls.add((node.args[0].value, node.args[1].value))
    for path in (ROOT / "templates").rglob("*.html"):
        calls.update(TEMPLATE_CALL.findall(path.read_text()))
    return calls


def _plural_entries(locale: str) -> dict[tuple[str, str], tuple[str, ...]]:
    entries = {}
    for directory in translation_directories():
        po_path = Path(directory) / locale / "LC_MESSAGES" / "messages.po"
        if po_path.exists():
            with po_path.open("rb") as handle:
                for message in read_po(handle):
                    if isinstance(message.id, tuple):
                        entries[message.id] = tuple(message.string)
    return entries


def test_every_ngettext_call_has_a_plural_entry_in_both_catalogues():
    calls = _ngettext_calls()
    assert ("%(num)d entry", "%(num)d entries") in calls
    german, english = _plural_entries("de"), _plural_entries("en")
    missing_de = sorted(c for c in calls if not all(german.get(c, ("", ""))))
    missing_en = sorted(c for c in calls if c not in english)
    assert missing_de == [], f"no German plural forms: {missing_de}"
    assert missing_en == [], f"not in the English catalogue: {missing_en}"


@pytest.mark.parametrize(
    ("singular", "plural", "german_one", "german_two"),
    [
        ("%(num)d entry", "%(num)d entries", "1 Eintrag", "2 Einträge"),
        (
            "%(num)d entry imported as a draft.",
            "%(num)d entries imported as drafts.",
            "1 Eintrag als Entwurf importiert.",
            "2 Einträge als Entwürfe importiert.",
        ),
        ("%(num)d comment", "%(num)d comments", "1 Kommentar", "2 Kommentare"),
        (
            "%(num)d invitation sent.",
            "%(num)d invitations sent.",
            "1 Einladung versandt.",
            "2 Einladungen versandt.",
        ),
        ("%(num)d day", "%(num)d days", "1 Tag", "2 Tage"),
        ("%(num)d minute", "%(num)d minutes", "1 Minute", "2 Minuten"),
        (
            "%(num)d invitee.",
            "%(num)d invitees.",
            "1 eingeladene Person.",
            "2 eingeladene Personen.",
        ),
    ],
)
def test_plural_forms_for_one_and_two(app, singular, plural, german_one, german_two):
    with app.test_request_context("/"):
        with force_locale("de"):
            assert ngettext(singular, plural, 1) == german_one
            assert ngettext(singular, plural, 2) == german_two
        with force_locale("en"):
            assert ngettext(singular, plural, 1) == singular % {"num": 1}
            assert ngettext(singular, plural, 2) == plural % {"num": 2}


def test_a_list_with_one_row_says_one_entry(client, demo):
    client.post("/login", data={"email": "admin@example.org", "password": DEMO_PASSWORD})
    html = client.get("/catalogue/?q=Fortbildungsteilnahme").get_data(as_text=True)
    assert "1 Eintrag<" in html and "1 Einträge" not in html
    client.post("/language", data={"locale": "en"})
    html = client.get("/catalogue/?q=Fortbildungsteilnahme").get_data(as_text=True)
    assert "1 entry<" in html and "1 entries" not in html
