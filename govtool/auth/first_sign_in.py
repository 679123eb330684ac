"""A password an admin set must be replaced by the user's own before anything else: while the
user's flag is set, every page redirects to the change page; sign-out, the language switch and
the change page itself stay reachable.

The flag (users.must_change_password) is copied into the session at sign-in (auth.sessions), so
this check costs no query and a page that fails for another reason still shows its own error.
Such a session gets no remember cookie, and setting a password revokes every session, so no
way in skips the sign-in that copies the flag."""

from __future__ import annotations

from flask import redirect, request, session, url_for

from .sessions import MUST_CHANGE_KEY

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
    if not session.get(MUST_CHANGE_KEY):
        return None
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for(CHANGE_ENDPOINT, next=target.rstrip("?") if target else None))
