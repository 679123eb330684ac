"""Errors of the JSON API as RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_MIMETYPE = "application/problem+json"


def problem(status: int, detail: str, code: str = "", headers: dict | None = None, **extra: Any):
    """A problem-details response; `error` and `message` repeat the code and detail in the form
    the API's domain errors (core.forms.problem_response) carry them."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "error": code or str(status),
        "message": detail,
    }
    body.update(extra)
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = PROBLEM_MIMETYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_problem(error: HTTPException):
    """Any HTTP error raised inside the API (webargs' 422 with its per-field messages too)."""
    status = error.code or 500
    extra: dict[str, Any] = {}
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if messages:
        # webargs: {"json": {"field": ["message"]}, "query": {...}}
        extra["errors"] = messages
    # e.g. Allow on a 405, Retry-After on a 429
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    detail = error.description or HTTP_STATUS_CODES.get(status, "")
    return problem(status, str(detail), headers=headers, **extra)
