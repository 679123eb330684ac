"""A password an admin set must be replaced by the user's own before anything else: while the
user's flag is set, every page redirects to the change page; sign-out, the language switch and
the change page itself stay reachable."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import current_user

CHANGE_ENDPOINT = "auth.password_change_required"
# Reachable while the password must still be changed.
ALLOWED_ENDPOINTS = frozenset(
    {CHANGE_ENDPOINT, "auth.logout", "auth.set_language", "main.healthz", "static"}
)


def require_password_change():
    """before_request hook (registered by auth.init_app)."""
    endpoint = request.endpoint or ""
    if endpoint in ALLOWED_ENDPOINTS or endpoint.endswith(".static"):
        return None
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for(CHANGE_ENDPOINT, next=target.rstrip("?") if target else None))
