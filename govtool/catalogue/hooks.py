"""The catalogue's dashboard panel."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext

from ..core.permissions import can
from ..core.views import capped_count
from .models import CatalogueEntry, CatalogueVersion, EntryStatus, VersionStatus

if TYPE_CHECKING:
    from ..auth.models import User


@functools.cache
def _counts_statement(reviewer: bool) -> sa.Select:
    columns = [
        capped_count(
            sa.select(CatalogueEntry.id).where(CatalogueEntry.status == EntryStatus.APPROVED),
            "approved",
        )
    ]
    if reviewer:
        columns.append(
            sa.select(sa.func.count(CatalogueVersion.id))
            .where(CatalogueVersion.status.in_((VersionStatus.SUBMITTED, VersionStatus.IN_REVIEW)))
            .scalar_subquery()
            .label("waiting")
        )
    return sa.select(*columns)


def catalogue_counts(user: User):
    if not can(user, "catalogue.view"):
        return None
    return _counts_statement(can(user, "catalogue.review")), {}


def catalogue_panel(user: User, counted) -> dict:
    return {
        "template": "catalogue/_dashboard_panel.html",
        "title": gettext("Data-sharing catalogue"),
        "approved": counted["approved"],
        "waiting": counted.get("waiting"),
    }
