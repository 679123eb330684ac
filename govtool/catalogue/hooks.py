"""Where the catalogue plugs into the shared app: reminders, demo data, dashboard panel."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext

from ..core.cli_hooks import REMINDER_SOURCES
from ..core.main_views import dashboard_panel
from ..core.permissions import can
from ..demo import DEMO_LOADERS
from ..extensions import db
from .demo import load_catalogue_demo
from .models import CatalogueEntry, CatalogueVersion, EntryStatus, VersionStatus
from .workflow import send_review_reminders

REMINDER_SOURCES.append(send_review_reminders)
DEMO_LOADERS.append(load_catalogue_demo)


@dashboard_panel
def catalogue_panel(user) -> dict | None:
    if not can(user, "catalogue.view"):
        return None
    approved = db.session.scalar(
        sa.select(sa.func.count(CatalogueEntry.id)).where(
            CatalogueEntry.status == EntryStatus.APPROVED
        )
    )
    waiting = None
    if can(user, "catalogue.review"):
        waiting = db.session.scalar(
            sa.select(sa.func.count(CatalogueVersion.id)).where(
                CatalogueVersion.status.in_((VersionStatus.SUBMITTED, VersionStatus.IN_REVIEW))
            )
        )
    return {
        "template": "catalogue/_dashboard_panel.html",
        "title": gettext("Data-sharing catalogue"),
        "approved": approved,
        "waiting": waiting,
    }
