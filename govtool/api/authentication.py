"""Bearer tokens on every API request: who is calling, may they write, how often.

The API authenticates with personal access tokens only (auth.tokens), never with the session
cookie: a request without a valid token is answered 401 before anything runs. That is why the API
blueprints are exempt from CSRF protection — a browser's cookies authenticate nothing here, so a
forged cross-site request carries no authority. The token's user becomes `current_user` for the
request, so permission rules, services and the audit log see the same user as on the pages.
"""

from __future__ import annotations

import hashlib

from flask import current_app, g, request
from flask_babel import gettext
from flask_limiter.util import get_remote_address

from ..auth.tokens import authenticate_token
from ..extensions import db
from .problems import problem

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bearer_secret() -> str:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def rate_limit_key() -> str:
    """Flask-Limiter's key: one budget per token (by its hash; the secret never reaches the
    limiter's storage); requests without a token share the client address's budget."""
    secret = bearer_secret()
    if secret:
        return "api-token:" + hashlib.sha256(secret.encode()).hexdigest()
    return get_remote_address()


def rate_limit() -> str:
    return current_app.config.get("GOVTOOL_API_RATE_LIMIT", "300 per minute")


def unauthorized(detail: str, error: str = "invalid_token"):
    header = f'Bearer realm="govtool", error="{error}"' if error else 'Bearer realm="govtool"'
    return problem(401, detail, code=error or "unauthorized", headers={"WWW-Authenticate": header})


def authenticate_request():
    """before_request of the API blueprints."""
    secret = bearer_secret()
    if not secret:
        return unauthorized(
            gettext("Send a personal access token: Authorization: Bearer <token>."), error=""
        )
    token = authenticate_token(secret)
    if token is None:
        return unauthorized(gettext("The token is unknown, revoked or expired."))
    if db.session.dirty:  # last_used_at moved on
        db.session.commit()
    g._login_user = token.user  # Flask-Login's current_user for this request
    g.api_token = token
    if request.method not in SAFE_METHODS and not token.can_write:
        return problem(
            403,
            gettext("This token may only read."),
            code="insufficient_scope",
            headers={"WWW-Authenticate": 'Bearer realm="govtool", error="insufficient_scope"'},
        )
    return None
