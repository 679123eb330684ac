"""The directory's panel on the dashboard."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from flask_babel import gettext

from ..core.views import capped_count
from .models import Organisation, Person


@functools.cache
def _counts_statement() -> sa.Select:
    return sa.select(
        capped_count(
            sa.select(Organisation.id).where(Organisation.is_active.is_(True)), "organisations"
        ),
        capped_count(sa.select(Person.id).where(Person.is_active.is_(True)), "people"),
    )


def directory_counts(user):
    return _counts_statement(), {}


def directory_panel(user, counted) -> dict:
    return {
        "template": "directory/_dashboard_panel.html",
        "title": gettext("Directory"),
        "organisations": counted["organisations"],
        "people": counted["people"],
        "own_organisation": user.organisation,
    }
