"""Dashboard and health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..extensions import db

bp = Blueprint("main", __name__)

# Areas add panels to the dashboard: a function (user) -> dict | None, rendered by its template.
DASHBOARD_PANELS: list = []


def dashboard_panel(func):
    """Register a dashboard panel provider; returns the function unchanged."""
    DASHBOARD_PANELS.append(func)
    return func


@bp.get("/")
@login_required
def dashboard():
    panels = [panel for provider in DASHBOARD_PANELS if (panel := provider(current_user))]
    return render_template("dashboard.html", panels=panels)


@bp.get("/healthz")
def healthz():
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
