"""The agreements panel on the dashboard: agreements the user may see, counted by status."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext

from ..core.permissions import can, filter_condition, filter_scope
from .models import Agreement, AgreementStatus

# The count select depends on the user only through the scope of the agreement.view filter
# (all, none, or the organisation): one select per scope, built once (bounded).
_STATEMENTS: dict = {}


def agreements_counts(user):
    if not can(user, "agreement.list"):
        return None
    key = filter_scope("agreement.view", user)
    statement = _STATEMENTS.get(key)
    if statement is None:
        if len(_STATEMENTS) > 256:
            _STATEMENTS.clear()
        statement = _STATEMENTS[key] = sa.select(
            *[
                sa.func.count(sa.case((Agreement.status == status, 1))).label(status.value)
                for status in AgreementStatus
            ]
        ).where(filter_condition("agreement.view", key))
    return statement, {}


def agreements_panel(user, counted) -> dict:
    counts = {status: counted[status.value] for status in AgreementStatus}
    return {
        "template": "agreements/_dashboard_panel.html",
        "title": gettext("Agreements"),
        "counts": [(s, counts[s]) for s in AgreementStatus if counts[s]],
        "awaiting": counts[AgreementStatus.AWAITING_SIGNATURES],
    }
