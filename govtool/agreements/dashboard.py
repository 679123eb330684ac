"""The agreements panel on the dashboard: the agreements the user's organisation drafted or is a
party to (agreement.involved), counted by status. An overseer (ministry, secretariat) may see
every agreement in the list, but its dashboard counts only its own: "awaiting signatures" there
means awaiting its organisation's or its partners' signatures, not anyone's."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext

from ..core.permissions import can, filter_condition, filter_scope
from .models import Agreement, AgreementStatus

# The count select depends on the user only through the scope of the agreement.involved filter
# (none, or the organisation): one select per scope, built once (bounded).
_STATEMENTS: dict = {}


def agreements_counts(user):
    if not can(user, "agreement.list"):
        return None
    key = filter_scope("agreement.involved", user)
    statement = _STATEMENTS.get(key)
    if statement is None:
        if len(_STATEMENTS) > 256:
            _STATEMENTS.clear()
        statement = _STATEMENTS[key] = sa.select(
            *[
                sa.func.count(sa.case((Agreement.status == status, 1))).label(status.value)
                for status in AgreementStatus
            ]
        ).where(filter_condition("agreement.involved", key))
    return statement, {}


def agreements_panel(user, counted) -> dict:
    counts = {status: counted[status.value] for status in AgreementStatus}
    return {
        "template": "agreements/_dashboard_panel.html",
        "title": gettext("Agreements"),
        "counts": [(s, counts[s]) for s in AgreementStatus if counts[s]],
        "awaiting": counts[AgreementStatus.AWAITING_SIGNATURES],
    }
