"""HTTP security headers on every response (CSP without inline script, no framing, nosniff) and
refusal of NUL characters in any request input."""

from __future__ import annotations

from flask import request
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


def set_security_headers(response):
    """after_request hook; keeps headers a view set on purpose."""
    headers = response.headers
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
