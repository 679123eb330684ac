"""Governance bodies, memberships, meetings, agendas, attendance, minutes, action items."""

from __future__ import annotations

from pathlib import Path


def init_app(app) -> None:
    """Body, meeting and action-item pages, their navigation entries, dashboard panel,
    reminders, demo data and the German catalogue."""
    from flask_babel import lazy_gettext as _l

    from ..core.cli_hooks import add_reminder_source
    from ..core.main_views import dashboard_panel
    from ..core.navigation import add_nav_item
    from ..demo import add_demo_loader
    from ..i18n import add_translations
    from .action_views import bp as actions_bp
    from .dashboard import bodies_panel
    from .demo import load_bodies_demo
    from .meeting_views import bp as meetings_bp
    from .reminders import bodies_reminders
    from .views import bp as bodies_bp

    app.register_blueprint(bodies_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(actions_bp)
    add_nav_item(_l("Bodies"), "bodies.body_list", "body.view", 10, prefix="/bodies/")
    add_nav_item(_l("Action items"), "actions.action_list", "action.list", 12)
    dashboard_panel(bodies_panel)
    add_reminder_source(bodies_reminders)
    add_demo_loader(load_bodies_demo)
    add_translations(app, Path(__file__).parent / "translations")
