"""Sessions that can be revoked: every session and remember cookie names the user's
session_generation (User.get_id() gives "id:generation", Flask-Login's "alternative token"), and
the user loader refuses a cookie whose generation is no longer the user's. Bumping the generation
(revoke_sessions) ends every signed-in browser of that user at its next request.
"""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import login_user, logout_user

from ..extensions import db
from .models import User


def revoke_sessions(user: User) -> None:
    """End every session and remember cookie of the user (sign-out, new password, deactivation,
    erasure)."""
    user.session_generation = (user.session_generation or 0) + 1
    db.session.flush()


# Set in the session of a user who must replace an admin-set password (auth.first_sign_in).
MUST_CHANGE_KEY = "must_change_password"


def start_session(user: User, remember: bool = False) -> None:
    """Sign the user in on this browser, in a fresh session (no fixation). While an admin-set
    password must still be changed, the session says so (auth.first_sign_in) and no remember
    cookie is set, so the only way past the change page is the change."""
    session.clear()
    login_user(user, remember=remember and not user.must_change_password)
    if user.must_change_password:
        session[MUST_CHANGE_KEY] = True
    if user.locale:
        session["locale"] = user.locale


def renew_session(user: User) -> None:
    """After the user's own password change: keep this browser signed in with the new generation
    (and a new remember cookie when it had one), while copies of the old cookies stop working."""
    cookie_name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    locale = session.get("locale")
    session.clear()
    login_user(user, remember=cookie_name in request.cookies)
    if locale:
        session["locale"] = locale


def end_session() -> None:
    """Sign this browser out: the session emptied and the remember cookie deleted.

    session.clear() comes first: after logout_user() it would also drop Flask-Login's note to
    delete the remember cookie, which then signed the browser in again.
    """
    session.clear()
    logout_user()
