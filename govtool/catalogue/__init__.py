"""Data-sharing catalogue: entries with versions, review by the ministry, exports and the map."""

from __future__ import annotations

from pathlib import Path


def init_app(app) -> None:
    """Catalogue pages, navigation entries (list, review queue), dashboard panel, review
    reminders, demo data and the German catalogue."""
    from flask_babel import lazy_gettext as _l

    from ..core.cli_hooks import add_reminder_source
    from ..core.main_views import dashboard_panel
    from ..core.navigation import add_nav_item
    from ..core.prepared import register_builder
    from ..demo import add_demo_loader
    from ..i18n import add_translations
    from .demo import load_catalogue_demo
    from .exchange import PREPARED_KIND, build_prepared_export
    from .hooks import catalogue_counts, catalogue_panel
    from .views import bp
    from .workflow import send_review_reminders

    app.register_blueprint(bp)
    add_nav_item(_l("Data-sharing catalogue"), "catalogue.entry_list", "catalogue.view", 30)
    add_nav_item(_l("Review queue"), "catalogue.review_queue", "catalogue.review", 31)
    dashboard_panel(catalogue_panel, counts=catalogue_counts)
    add_reminder_source(send_review_reminders)
    add_demo_loader(load_catalogue_demo)
    register_builder(PREPARED_KIND, build_prepared_export)
    add_translations(app, Path(__file__).parent / "translations")
