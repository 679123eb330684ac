"""What every area uses: model mixins, permissions, audit log, mail, formatting, errors."""

from __future__ import annotations


def init_app(app) -> None:
    """The overview page, health check and audit log, their navigation entries and the shared
    `govtool reminders` group (the core catalogue is the app's default, see config)."""
    # Imported here, not at the top: every area imports core, and the views import the areas'
    # models.
    from flask_babel import lazy_gettext as _l

    from .audit_views import bp as audit_bp
    from .cli_hooks import reminders_cli
    from .main_views import bp as main_bp
    from .navigation import add_nav_item
    from .storage import init_app as init_storage
    from .storage_cli import storage_cli

    init_storage(app)
    app.cli.add_command(storage_cli)
    app.register_blueprint(main_bp)
    app.register_blueprint(audit_bp)
    add_nav_item(_l("Overview"), "main.dashboard", order=0, prefix="/")
    add_nav_item(_l("Audit log"), "audit.audit_log", "audit.view", 91)
    app.cli.add_command(reminders_cli)
