"""View helpers: pagination arguments, loading by id, committing a request's work."""

from __future__ import annotations

from flask import abort, current_app, request

from ..extensions import db


def page_args() -> tuple[int, int]:
    """Page number and size from the query string, bounded so a URL cannot ask for everything."""
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", current_app.config["PER_PAGE"], type=int) or 25
    return max(page, 1), min(max(per_page, 5), 100)


def paginate(query):
    page, per_page = page_args()
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_or_404(model, object_id: int, options=()):
    obj = db.session.get(model, object_id, options=options)
    if obj is None:
        abort(404)
    return obj
