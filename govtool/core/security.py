"""HTTP security headers on every response (CSP without inline script, no framing, nosniff,
HSTS in production, no caching of signed-in pages and downloads) and refusal of NUL characters in
any request input."""

from __future__ import annotations

from flask import current_app, request, session
from werkzeug.exceptions import BadRequest


class NulCharacterInInput(BadRequest):
    """A NUL character in the path, query or form: no text in govtool may hold one, and PostgreSQL
    refuses it in text columns, so the request is refused before a view sees it."""


CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


HSTS = "max-age=31536000; includeSubDomains"


def _is_static(endpoint: str | None) -> bool:
    return endpoint is not None and (endpoint == "static" or endpoint.endswith(".static"))


def _signed_in() -> bool:
    """Whether the browser sent (or is now given) a sign-in, judged from the cookies alone: no
    database query, so it also holds while the database is away."""
    cookie_name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return "_user_id" in session or cookie_name in request.cookies


def set_security_headers(response):
    """after_request hook; keeps headers a view set on purpose, except that signed-in pages and
    downloads are never stored by browsers or proxies (shared computers, back button)."""
    headers = response.headers
    if current_app.config.get("ENV_NAME") == "production" or request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if not _is_static(request.endpoint) and ("Content-Disposition" in headers or _signed_in()):
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
        headers.pop("Pragma", None)
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


def _has_nul(values) -> bool:
    return any("\x00" in value for _, items in values.lists() for value in items)


def refuse_nul_characters() -> None:
    """before_request hook: 400 for a NUL character in path, query string or form fields."""
    if "\x00" in request.path or _has_nul(request.args):
        raise NulCharacterInInput()
    if request.method in ("POST", "PUT", "PATCH") and _has_nul(request.form):
        raise NulCharacterInInput()
