"""Translation catalogues: one per area (govtool/<area>/translations), merged by Flask-Babel.

Per-area catalogues let areas grow without editing one shared file. German is the default locale;
the msgids are English, so the German catalogue must be complete.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import Domain

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


def add_translations(app, directory: Path) -> None:
    """Add an area's catalogue folder to the app's (after the core one, in the order create_app
    lists the areas: a later catalogue's translation of the same msgid wins)."""
    directories = app.extensions["babel"].translation_directories
    if str(directory) not in directories:
        directories.append(str(directory))


class RequestCachedDomain(Domain):
    """Flask-Babel's message domain, looking up the request's Translations once per locale and
    request instead of once per string: the stock lookup costs several context-local accesses
    and a locale-to-string conversion, and a meeting page translates over a thousand strings
    (templates and enum labels alike). force_locale() and refresh() set another locale object,
    so they are seen."""

    def get_translations(self):
        from flask_babel import _get_current_context

        ctx = _get_current_context()
        if ctx is None:
            return super().get_translations()
        cached = getattr(ctx, "govtool_translations", None)
        if cached is not None and cached[0] is getattr(ctx, "babel_locale", None):
            return cached[1]
        translations = super().get_translations()  # sets ctx.babel_locale
        ctx.govtool_translations = (getattr(ctx, "babel_locale", None), translations)
        return translations


def install_request_cached_translations(app, babel) -> None:
    """Use RequestCachedDomain for gettext in code and templates (same results, less work).
    Templates ask the domain directly: govtool sets no per-request domain (Domain.as_default)."""
    domain = RequestCachedDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))
    babel.domain_instance = domain
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
    )
