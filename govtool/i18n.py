"""Translation catalogues: one per area (govtool/<area>/translations), merged by Flask-Babel.

Per-area catalogues let areas grow without editing one shared file. German is the default locale;
the msgids are English, so the German catalogue must be complete.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PACKAGE_DIR = Path(__file__).resolve().parent


def translation_directories() -> list[Path]:
    """Every translations folder in the package (the core one first)."""
    found = [PACKAGE_DIR / "translations"]
    found += sorted(p for p in PACKAGE_DIR.glob("*/translations") if p.is_dir())
    return [p for p in found if p.is_dir()]


def compile_catalogues(force: bool = False) -> int:
    """Compile each messages.po whose .mo is missing or older; returns how many were compiled."""
    compiled = 0
    for directory in translation_directories():
        for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
            mo_path = po_path.with_suffix(".mo")
            if (
                not force
                and mo_path.exists()
                and mo_path.stat().st_mtime >= po_path.stat().st_mtime
            ):
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)
            compiled += 1
    return compiled


def _request_translations():
    """The request's Translations, looked up once per locale and request instead of per string:
    Flask-Babel's lookup costs several context-local accesses, and a meeting page translates
    over a thousand strings. A force_locale() block sets another locale object, so it is seen."""
    from flask import g
    from flask_babel import get_locale, get_translations

    try:
        ctx = g._flask_babel
    except (AttributeError, RuntimeError):
        return get_translations()
    cached = getattr(ctx, "govtool_translations", None)
    if cached is not None and cached[0] is getattr(ctx, "babel_locale", None):
        return cached[1]
    translations = get_translations()
    ctx.govtool_translations = (get_locale(), translations)
    return translations


def install_fast_template_gettext(app) -> None:
    """Templates' _() and ngettext() through _request_translations (same results, less work)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
    )
