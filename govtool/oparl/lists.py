"""OParl list pages: `data`, `pagination`, `links`; stable order by id; the filters
created_since/created_until/modified_since/modified_until (and omit_internal) are carried into
every link. A bad filter value is a ListError (the view answers 400 with a JSON message)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import current_app, request

from ..core.audit import AuditEntry
from ..core.formatting import BERLIN
from ..extensions import db

FILTERS = {
    "created_since": ("created_at", ">="),
    "created_until": ("created_at", "<="),
    "modified_since": ("updated_at", ">="),
    "modified_until": ("updated_at", "<="),
}


class ListError(ValueError):
    """A filter or page value the list cannot use."""


def _moment(name: str, value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ListError(
            f"{name} must be an ISO 8601 date-time such as 2026-01-01T00:00:00+01:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BERLIN)
    return moment.astimezone(dt.UTC)


def read_arguments() -> dict[str, Any]:
    """The filters, page and limit of the request, checked."""
    args: dict[str, Any] = {}
    for name in FILTERS:
        if name in request.args:
            args[name] = _moment(name, request.args[name])
    for name in ("page", "limit"):
        if name in request.args:
            raw = request.args[name]
            if not raw.isdigit() or not 1 <= int(raw) <= 1_000_000:
                raise ListError(f"{name} must be a whole number from 1")
            args[name] = int(raw)
    args["omit_internal"] = "omit_internal" in request.args
    return args


def page_size(args: dict[str, Any]) -> int:
    size = int(current_app.config.get("GOVTOOL_OPARL_PAGE_SIZE", 100))
    return min(args.get("limit", size), size)


def _filtered(select: sa.Select, args: dict[str, Any]) -> sa.Select:
    entity = select.column_descriptions[0]["entity"]
    if entity is AuditEntry:  # tombstones: tombstones.select() has applied the filters
        return select.order_by(entity.id)
    for name, (column, op) in FILTERS.items():
        if name in args:
            attribute = getattr(entity, column)
            select = select.where(
                attribute >= args[name] if op == ">=" else attribute <= args[name]
            )
    return select.order_by(entity.id)


def page(
    selects: list[sa.Select], args: dict[str, Any], link: Callable[..., str], render: Callable
) -> dict[str, Any]:
    """One page over the selects' rows in turn, each ordered by id."""
    size = page_size(args)
    number = args.get("page", 1)
    queries = [_filtered(s, args) for s in selects]
    counts = [
        db.session.scalar(sa.select(sa.func.count()).select_from(q.subquery())) or 0
        for q in queries
    ]
    total = sum(counts)
    pages = max(1, -(-total // size))
    offset, rows = (number - 1) * size, list[Any]()
    for query, count in zip(queries, counts, strict=True):
        if offset >= count:
            offset -= count
            continue
        rows.extend(db.session.scalars(query.offset(offset).limit(size - len(rows))))
        offset = 0
        if len(rows) >= size:
            break
    carried = {k: request.args[k] for k in (*FILTERS, "limit") if k in request.args}
    if args["omit_internal"]:
        carried["omit_internal"] = "true"
    links = {"first": link(page=1, **carried), "last": link(page=pages, **carried)}
    if number > 1:
        links["prev"] = link(page=min(number - 1, pages), **carried)
    if number < pages:
        links["next"] = link(page=number + 1, **carried)
    return {
        "data": [render(row) for row in rows],
        "pagination": {
            "totalElements": total,
            "elementsPerPage": size,
            "currentPage": number,
            "totalPages": pages,
        },
        "links": links,
    }
