"""The directory's panel on the dashboard."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext

from ..core.main_views import dashboard_panel
from ..extensions import db
from .models import Organisation, Person


@dashboard_panel
def directory_panel(user) -> dict:
    organisations = db.session.scalar(
        sa.select(sa.func.count(Organisation.id)).where(Organisation.is_active.is_(True))
    )
    people = db.session.scalar(
        sa.select(sa.func.count(Person.id)).where(Person.is_active.is_(True))
    )
    return {
        "template": "directory/_dashboard_panel.html",
        "title": gettext("Directory"),
        "organisations": organisations,
        "people": people,
        "own_organisation": user.organisation,
    }
