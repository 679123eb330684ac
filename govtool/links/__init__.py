"""Links between areas: agreements ↔ bodies ↔ catalogue entries."""

from __future__ import annotations

from pathlib import Path


def init_app(app) -> None:
    """The link checks and lists the areas' services call (core.links), the demo links (after
    the areas' demo data) and the German catalogue; links has no pages of its own (the areas'
    pages call links.services)."""
    from ..core.links import provide
    from ..demo import add_demo_loader
    from ..i18n import add_translations
    from . import services
    from .demo import load_links_demo

    provide(
        agreement_by_number=services.agreement_by_number,
        apply_agreement_links=services.apply_agreement_links,
        check_entry_agreement=services.check_entry_agreement,
        check_rules_agreement=services.check_rules_agreement,
        document_entries=services.document_entries,
        entry_rows_naming=services.entry_rows_naming,
    )
    add_demo_loader(load_links_demo)
    add_translations(app, Path(__file__).parent / "translations")
