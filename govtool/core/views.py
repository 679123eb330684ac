"""View helpers: pagination (arguments in core.args), loading by id, committing a request's work."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import orm

from ..extensions import db
from .args import page_args

# The count behind a list counts at most this many pages past the current one: counting every
# matching row of a large table costs time in proportion to the table; a capped count does not.
COUNT_AHEAD_PAGES = 10


class CappedPagination(SelectPagination):
    """A page of a select whose total is counted only up to COUNT_AHEAD_PAGES past the current
    page; `total_is_capped` says that there are more rows than `total` (shown as "more than")."""

    total_is_capped: bool = False

    def _query_count(self) -> int:
        cap = self._query_offset + self.per_page * COUNT_AHEAD_PAGES
        select = self._query_args["select"]
        sub = select.options(orm.lazyload("*")).order_by(None).limit(cap + 1).subquery()
        counted = (
            self._query_args["session"]
            .execute(sa.select(sa.func.count()).select_from(sub))
            .scalar()
        )
        self.total_is_capped = counted > cap
        return min(counted, cap)


class RowsWithTotalPagination(CappedPagination):
    """A capped page of a prebuilt row select that carries the capped total in a `total` column
    and takes :limit, :offset and :cap as parameters: rows and total come from one query; a
    separate count (of `count_select`) runs only for a page past the end, which has no row to
    carry the total."""

    def _query_items(self) -> list:
        self._cap = self._query_offset + self.per_page * COUNT_AHEAD_PAGES
        return (
            self._query_args["session"]
            .execute(
                self._query_args["select"],
                {"limit": self.per_page, "offset": self._query_offset, "cap": self._cap + 1},
            )
            .all()
        )

    def _query_count(self) -> int:
        if self.items:
            counted = self.items[0].total
        else:
            sub = self._query_args["count_select"].limit(self._cap + 1).subquery()
            counted = (
                self._query_args["session"]
                .execute(sa.select(sa.func.count()).select_from(sub))
                .scalar()
            )
        self.total_is_capped = counted > self._cap
        return min(counted, self._cap)


# Dashboard totals are counted up to this many rows and shown as "more than" beyond: the count
# then costs the same whatever the size of the register.
TOTAL_CAP = 1000


def capped_count(rows: sa.Select, label: str, cap: int = TOTAL_CAP):
    """A scalar column counting the rows of `rows` up to cap + 1 (show it with |count_label)."""
    limited = rows.limit(cap + 1).subquery()
    return sa.select(sa.func.count()).select_from(limited).scalar_subquery().label(label)


def paginate(query) -> CappedPagination:
    """One page of `query` from the request's page arguments, with a capped total."""
    page, per_page = page_args()
    return CappedPagination(
        select=query, session=db.session, page=page, per_page=per_page, error_out=False
    )


def get_or_404(model, object_id: int, options=()):
    obj = db.session.get(model, object_id, options=options)
    if obj is None:
        abort(404)
    return obj
