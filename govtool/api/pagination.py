"""Page arguments and RFC 8288 Link headers for the API's lists."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import request
from marshmallow import Schema, fields, validate

from ..extensions import db

MAX_PER_PAGE = 100
MAX_PAGE = 100_000


class PageArgs(Schema):
    page = fields.Integer(
        load_default=1, validate=validate.Range(min=1, max=MAX_PAGE), metadata={"example": 1}
    )
    per_page = fields.Integer(
        load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE), metadata={"example": 20}
    )


LINK_HEADERS = {
    "Link": {
        "description": "RFC 8288 links to the first, previous, next and last page",
        "schema": {"type": "string"},
    },
    "X-Total-Count": {"description": "Number of items in all pages", "schema": {"type": "integer"}},
}


def _url(page: int, per_page: int) -> str:
    args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
    args.update(page=str(page), per_page=str(per_page))
    return f"{request.base_url}?{urlencode(args)}"


def paginated(statement: sa.Select, args: dict[str, Any]) -> tuple[list, int, dict[str, str]]:
    """One page of an ORM `statement` (ordered, unique rows), its total and the Link headers."""
    page, per_page = args["page"], args["per_page"]
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
    )
    total = int(total or 0)
    items = list(
        db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).unique()
    )
    last = max(1, -(-total // per_page))
    links = [f'<{_url(1, per_page)}>; rel="first"', f'<{_url(last, per_page)}>; rel="last"']
    if page > 1:
        links.append(f'<{_url(min(page - 1, last), per_page)}>; rel="prev"')
    if page < last:
        links.append(f'<{_url(page + 1, per_page)}>; rel="next"')
    return items, total, {"Link": ", ".join(links), "X-Total-Count": str(total)}
