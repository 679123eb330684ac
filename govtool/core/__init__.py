"""What every area uses: model mixins, permissions, audit log, mail, formatting, errors."""

from __future__ import annotations


def init_app(app) -> None:
    """The overview page, health check, audit log and mail outbox, their navigation entries, the
    shared `govtool reminders` and `govtool mail` groups and `govtool worker` (the core
    catalogue is the app's default, see config)."""
    # Imported here, not at the top: every area imports core, and the views import the areas'
    # models.
    from flask_babel import lazy_gettext as _l

    from .audit_views import PREPARED_KIND as AUDIT_EXPORT
    from .audit_views import bp as audit_bp
    from .audit_views import build_prepared_audit_export
    from .cli_hooks import mail_cli, reminders_cli
    from .mail_views import bp as mail_bp
    from .main_views import bp as main_bp
    from .navigation import add_nav_item
    from .prepared import downloads_cli, register_builder
    from .prepared_views import bp as prepared_bp
    from .storage import init_app as init_storage
    from .storage_cli import storage_cli
    from .worker import worker_command

    init_storage(app)
    app.cli.add_command(storage_cli)
    app.register_blueprint(main_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(prepared_bp)
    register_builder(AUDIT_EXPORT, build_prepared_audit_export)
    add_nav_item(_l("Overview"), "main.dashboard", order=0, prefix="/")
    add_nav_item(_l("Audit log"), "audit.audit_log", "audit.view", 91)
    add_nav_item(_l("Mail outbox"), "mail.outbox", "mail.manage", 92)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(downloads_cli)
