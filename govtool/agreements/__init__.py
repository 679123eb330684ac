"""Agreements: templates, agreements, versions, parties, signatures, verification."""

from __future__ import annotations

from pathlib import Path


def init_app(app) -> None:
    """Pages (template administration included), navigation entry, dashboard panel, the
    `templates` and `agreements` commands, reminders, demo data and the German catalogue."""
    from flask_babel import lazy_gettext as _l

    from ..core.cli_hooks import add_reminder_source
    from ..core.main_views import dashboard_panel
    from ..core.navigation import add_nav_item
    from ..demo import add_demo_loader
    from ..i18n import add_translations
    from .cli import agreements_cli, templates_cli
    from .dashboard import agreements_counts, agreements_panel
    from .demo import load_demo_agreement_in_force, load_demo_agreements
    from .demo_consultation import load_demo_consultation
    from .reminders import agreement_reminders
    from .signing import waiting_panel
    from .signing_demo import load_demo_target_agreements
    from .views import bp

    app.register_blueprint(bp)
    add_nav_item(_l("Agreements"), "agreements.index", "agreement.list", 20)
    dashboard_panel(waiting_panel)  # first: what the user has to do
    dashboard_panel(agreements_panel, counts=agreements_counts)
    app.cli.add_command(templates_cli)
    app.cli.add_command(agreements_cli)
    add_reminder_source(agreement_reminders)
    add_demo_loader(load_demo_agreements)
    add_demo_loader(load_demo_agreement_in_force)
    add_demo_loader(load_demo_target_agreements)
    add_demo_loader(load_demo_consultation)
    add_translations(app, Path(__file__).parent / "translations")
