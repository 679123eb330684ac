"""The agreements panel on the dashboard: agreements the user may see, counted by status."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext

from ..core.main_views import dashboard_panel
from ..core.permissions import can
from ..extensions import db
from .models import Agreement, AgreementStatus
from .services import visible_filter


@dashboard_panel
def agreements_panel(user) -> dict | None:
    if not can(user, "agreement.list"):
        return None
    rows = db.session.execute(
        sa.select(Agreement.status, sa.func.count(Agreement.id))
        .where(visible_filter(user))
        .group_by(Agreement.status)
    ).all()
    counts = {status: count for status, count in rows}
    return {
        "template": "agreements/_dashboard_panel.html",
        "title": gettext("Agreements"),
        "counts": [(s, counts.get(s, 0)) for s in AgreementStatus if counts.get(s)],
        "awaiting": counts.get(AgreementStatus.AWAITING_SIGNATURES, 0),
    }
