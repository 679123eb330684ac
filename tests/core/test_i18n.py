"""German first, English on request; every German msgid translated; German formatting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from babel.messages.pofile import read_po

from govtool.core.formatting import format_date, format_datetime, format_money
from govtool.i18n import translation_directories


def test_login_page_is_german_by_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="de">' in html
    assert "Anmelden" in html


def test_language_switch_to_english_and_back(client):
    client.post("/language", data={"locale": "en", "next": "/login"})
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html and "Sign in" in html
    client.post("/language", data={"locale": "de", "next": "/login"})
    assert '<html lang="de">' in client.get("/login").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"locale": "xx"})
    assert '<html lang="de">' in client.get("/login").get_data(as_text=True)


def test_every_german_catalogue_is_complete():
    for directory in translation_directories():
        po_path = Path(directory) / "de" / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        missing = [m.id for m in catalog if m.id and not m.string]
        fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
        assert missing == [], f"{po_path}: untranslated {missing[:10]}"
        assert fuzzy == [], f"{po_path}: fuzzy {fuzzy[:10]}"


def test_german_formats():
    assert format_date(dt.date(2022, 9, 1), "de") == "01.09.2022"
    moment = dt.datetime(2026, 3, 4, 13, 30, tzinfo=dt.UTC)  # 14:30 in Berlin (CET)
    assert format_datetime(moment, "de") == "04.03.2026, 14:30"
    assert format_money(Decimal("1234.5"), "de").replace("\xa0", " ") == "1.234,50 €"


def test_area_catalogues_agree_on_shared_msgids():
    """Flask-Babel merges the area catalogues; a msgid translated twice must read the same."""
    seen: dict[str, tuple[str, Path]] = {}
    clashes = []
    for directory in translation_directories():
        po_path = Path(directory) / "de" / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            continue
        with po_path.open("rb") as handle:
            for message in read_po(handle):
                if not message.id or not isinstance(message.id, str):
                    continue
                earlier = seen.setdefault(message.id, (message.string, po_path))
                if earlier[0] != message.string:
                    clashes.append(f"{message.id!r}: {earlier[0]!r} vs {message.string!r}")
    assert clashes == []


def test_select_options_follow_the_request_language(client, demo):
    """Choices built at import must still be translated per request (lazy labels)."""
    from govtool.demo import DEMO_PASSWORD

    client.post("/login", data={"email": "admin@example.org", "password": DEMO_PASSWORD})
    expected = {
        "/organisations/new": (">Kommune<", ">Municipality<"),
        "/agreements/new": (">Endet mit Ablauf der Laufzeit<", ">Ends with the term<"),
        "/catalogue/new": (">Kein Personenbezug<", ">No personal data<"),
    }
    for path, (german, _english) in expected.items():
        assert german in client.get(path).get_data(as_text=True), path
    client.post("/language", data={"locale": "en"})
    for path, (_german, english) in expected.items():
        assert english in client.get(path).get_data(as_text=True), path


def _catalogue_msgids(language: str) -> dict[str, str | tuple]:
    """Every msgid of the area catalogues of one language (Flask-Babel merges them)."""
    messages: dict[str, str | tuple] = {}
    for directory in translation_directories():
        po_path = Path(directory) / language / "LC_MESSAGES" / "messages.po"
        if po_path.exists():
            with po_path.open("rb") as handle:
                for message in read_po(handle):
                    if message.id:
                        key = message.id[0] if isinstance(message.id, tuple) else message.id
                        messages[key] = message.string
    return messages


def test_every_string_in_code_and_templates_has_its_german_translation():
    """The reverse of the catalogue check: a string the code or a template marks for translation
    (msgids are English, so English is the msgid itself) must be in a German catalogue, or a
    German page shows English."""
    import warnings

    from babel.messages.extract import extract_from_dir

    root = Path(__file__).resolve().parents[2]
    keywords = {"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
    keywords |= {"lazy_ngettext": (1, 2)}
    method_map = [("govtool/**.py", "python"), ("templates/**.html", "jinja2")]
    used: dict[str, str] = {}
    with warnings.catch_warnings():  # f-string arguments of gettext are values, not messages
        warnings.simplefilter("ignore")
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(root), method_map=method_map, keywords=keywords
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            used.setdefault(msgid, f"{filename}:{lineno}")
    assert len(used) > 500  # the extraction found the app's strings
    german = _catalogue_msgids("de")
    missing = sorted(f"{where}: {msgid!r}" for msgid, where in used.items() if msgid not in german)
    assert missing == [], f"{len(missing)} strings without German: {missing[:15]}"
