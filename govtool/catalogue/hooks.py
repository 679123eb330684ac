"""The catalogue's dashboard panel: the register's size, and counts of only what the user works
on: versions the user may review (a reviewer never reviews what they submitted), and the user's
own organisation's entries waiting for review or returned for changes."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext

from ..core.permissions import can
from ..core.views import capped_count
from .models import (
    OPEN_REVIEW_STATUSES,
    CatalogueEntry,
    CatalogueVersion,
    EntryStatus,
    VersionStatus,
)
from .permissions import proposing_for

if TYPE_CHECKING:
    from ..auth.models import User


def _latest_of_own_entries(statuses) -> sa.Select:
    """The latest versions in `statuses` of the entries of the providers the user speaks for."""
    return (
        sa.select(CatalogueVersion.id)
        .join(
            CatalogueEntry,
            sa.and_(
                CatalogueEntry.id == CatalogueVersion.entry_id,
                CatalogueEntry.latest_number == CatalogueVersion.number,
            ),
        )
        .where(
            CatalogueEntry.provider_id.in_(sa.bindparam("catalogue_providers", expanding=True)),
            CatalogueVersion.status.in_(statuses),
        )
    )


@functools.cache
def _counts_statement(reviewer: bool, proposer: bool) -> sa.Select:
    columns = [
        capped_count(
            sa.select(CatalogueEntry.id).where(CatalogueEntry.status == EntryStatus.APPROVED),
            "approved",
        )
    ]
    if reviewer:
        # what catalogue.review lets this user decide: not the versions they submitted
        submitter = CatalogueVersion.submitted_by_id
        columns.append(
            capped_count(
                sa.select(CatalogueVersion.id).where(
                    CatalogueVersion.status.in_(OPEN_REVIEW_STATUSES),
                    sa.or_(submitter.is_(None), submitter != sa.bindparam("catalogue_user")),
                ),
                "waiting",
            )
        )
    if proposer:
        columns.append(capped_count(_latest_of_own_entries(OPEN_REVIEW_STATUSES), "own_in_review"))
        columns.append(
            capped_count(_latest_of_own_entries((VersionStatus.CHANGES_REQUESTED,)), "own_returned")
        )
    return sa.select(*columns)


def catalogue_counts(user: User):
    if not can(user, "catalogue.view"):
        return None
    providers = proposing_for(user)
    reviewer = can(user, "catalogue.review")
    params: dict = {}
    if reviewer:
        params["catalogue_user"] = user.id
    if providers:
        params["catalogue_providers"] = providers
    return _counts_statement(reviewer, bool(providers)), params


def catalogue_panel(user: User, counted) -> dict:
    return {
        "template": "catalogue/_dashboard_panel.html",
        "title": gettext("Data-sharing catalogue"),
        "approved": counted["approved"],
        "waiting": counted.get("waiting"),
        "own_in_review": counted.get("own_in_review"),
        "own_returned": counted.get("own_returned"),
        "organisation_id": user.organisation_id,
    }
