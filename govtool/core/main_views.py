"""Dashboard and health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from ..extensions import db
from .models import rollback_quietly

bp = Blueprint("main", __name__)

# Areas add panels to the dashboard in their init_app: (provider, counts) pairs, see
# dashboard_panel(); shown in the order the areas are listed in create_app.
DASHBOARD_PANELS: list = []


def dashboard_panel(func=None, *, counts=None):
    """Register a dashboard panel provider, (user) -> dict | None, rendered by its template;
    returns the function unchanged.

    A panel that shows counts passes `counts`: (user) -> (select, params) or None, a select of
    aggregates only (so exactly one row) with labelled columns and bind parameters named after the
    area. The dashboard runs the counts of all panels in a single statement and calls such a
    provider as (user, counted), `counted` mapping the labels to the values."""

    def register(provider):
        # every create_app runs the areas' init_app again: one entry per provider
        if all(registered is not provider for registered, _ in DASHBOARD_PANELS):
            DASHBOARD_PANELS.append((provider, counts))
        return provider

    return register(func) if func is not None else register


_COMBINED: dict[tuple, sa.Select] = {}


def _combined(queries: tuple) -> sa.Select:
    """One select over the panels' one-row count selects (cross-joined), built once per set of
    selects; the panels' selects themselves are built once per permission-relevant facts."""
    statement = _COMBINED.get(queries)
    if statement is None:
        if len(_COMBINED) > 256:
            _COMBINED.clear()
        subqueries = [query.subquery(f"panel_{index}") for index, query in queries]
        joined = subqueries[0]
        for subquery in subqueries[1:]:
            joined = joined.join(subquery, sa.true())
        statement = _COMBINED[queries] = sa.select(
            *[
                column.label(f"panel_{index}_{column.name}")
                for (index, _), subquery in zip(queries, subqueries, strict=True)
                for column in subquery.c
            ]
        ).select_from(joined)
    return statement


def collect_panels(user) -> list[dict]:
    """Every panel for `user`, with the counts of all panels from one query."""
    queries, params = [], {}
    for index, (_provider, counts) in enumerate(DASHBOARD_PANELS):
        wanted = counts(user) if counts is not None else None
        if wanted is not None:
            query, query_params = wanted
            queries.append((index, query))
            params.update(query_params)
    values: dict[int, dict] = {}
    if queries:
        row = db.session.execute(_combined(tuple(queries)), params).one()._mapping
        for index, query in queries:
            prefix = f"panel_{index}_"
            values[index] = {
                name: row[prefix + name] for name in (c.name for c in query.selected_columns)
            }
    panels = []
    for index, (provider, counts) in enumerate(DASHBOARD_PANELS):
        if counts is None:
            panel = provider(user)
        elif index in values:
            panel = provider(user, values[index])
        else:
            panel = None  # the counts said: no panel for this user
        if panel:
            panels.append(panel)
    return panels


@bp.get("/")
@login_required
def dashboard():
    return render_template(
        "dashboard.html", panels=collect_panels(current_user._get_current_object())
    )


@bp.get("/healthz")
def healthz():
    """For load balancers and monitoring: JSON, 503 while the database cannot be reached."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        current_app.logger.warning("health check: database unreachable", exc_info=True)
        rollback_quietly()  # the connection may be gone; then there is nothing to roll back
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
