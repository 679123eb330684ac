"""What every API blueprint shares, set up once when its module is imported (an app factory
may run many times; a blueprint is set up only once)."""

from __future__ import annotations

from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException

from ..extensions import csrf, limiter
from .authentication import authenticate_request, rate_limit, rate_limit_key
from .problems import http_problem


def api_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    """A blueprint under /api/v1: token required, problem+json errors, a rate limit per token,
    and no CSRF check (cookies authenticate nothing here: see authentication.py)."""
    bp = Blueprint(name, import_name, url_prefix="/api/v1", description=description)
    bp.before_request(authenticate_request)
    bp.register_error_handler(HTTPException, http_problem)
    csrf.exempt(bp)
    limiter.limit(rate_limit, key_func=rate_limit_key)(bp)
    return bp
