"""Organisations, people and regions: who cooperates."""

from __future__ import annotations

from pathlib import Path


def init_app(app) -> None:
    """Organisation and people pages, their navigation entries, dashboard panel and the German
    catalogue (the directory's demo data is the base of govtool.demo)."""
    from flask_babel import lazy_gettext as _l

    from ..core.main_views import dashboard_panel
    from ..core.navigation import add_nav_item
    from ..i18n import add_translations
    from .dashboard import directory_counts, directory_panel
    from .views import bp

    app.register_blueprint(bp)
    add_nav_item(_l("Organisations"), "directory.organisations", "organisation.view", 80)
    add_nav_item(_l("People"), "directory.people", "person.view", 81)
    dashboard_panel(directory_panel, counts=directory_counts)
    add_translations(app, Path(__file__).parent / "translations")
