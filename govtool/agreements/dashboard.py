"""The agreements panel on the dashboard: agreements the user may see, counted by status."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext

from ..core.permissions import can
from .models import Agreement, AgreementStatus
from .permissions import OVERSEERS
from .services import visible_filter

# The count select depends on the user only through visible_filter(), that is on being an
# overseer or else on the organisation: one select per such key, built once (bounded).
_STATEMENTS: dict[tuple, sa.Select] = {}


def agreements_counts(user):
    if not can(user, "agreement.list"):
        return None
    overseer = user.has_role(*OVERSEERS)
    key = (overseer, None if overseer else user.organisation_id)
    statement = _STATEMENTS.get(key)
    if statement is None:
        if len(_STATEMENTS) > 256:
            _STATEMENTS.clear()
        statement = _STATEMENTS[key] = sa.select(
            *[
                sa.func.count(sa.case((Agreement.status == status, 1))).label(status.value)
                for status in AgreementStatus
            ]
        ).where(visible_filter(user))
    return statement, {}


def agreements_panel(user, counted) -> dict:
    counts = {status: counted[status.value] for status in AgreementStatus}
    return {
        "template": "agreements/_dashboard_panel.html",
        "title": gettext("Agreements"),
        "counts": [(s, counts[s]) for s in AgreementStatus if counts[s]],
        "awaiting": counts[AgreementStatus.AWAITING_SIGNATURES],
    }
