"""Users, roles, login, password reset."""

from __future__ import annotations


def init_app(app) -> None:
    """Sign-in and user administration pages and their navigation entry (auth's strings are in
    the core catalogue)."""
    from flask_babel import lazy_gettext as _l

    from ..core.navigation import add_nav_item
    from .first_sign_in import require_password_change
    from .token_views import bp as token_bp
    from .views import bp

    app.register_blueprint(bp)
    app.register_blueprint(token_bp)
    app.before_request(require_password_change)
    add_nav_item(_l("Users"), "auth.users", "user.manage", 90)
