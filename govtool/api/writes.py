"""Write endpoints (a write token's): each one the service function the page calls."""

from __future__ import annotations

import sqlalchemy as sa
from flask_login import current_user

from ..bodies import minutes as body_minutes
from ..bodies.minutes_models import ActionItem
from ..catalogue import services as catalogue_services
from ..catalogue import workflow as catalogue_workflow
from ..core.permissions import where
from ..extensions import db
from .blueprints import api_blueprint
from .pagination import LINK_HEADERS, PageArgs, paginated
from .reads import visible_or_404
from .schemas import (
    ActionItemSchema,
    ActionStatusInput,
    CatalogueEntryInput,
    CatalogueEntrySchema,
    SubmitInput,
)

bp = api_blueprint("api_write", __name__, "Action items, catalogue")


@bp.route("/action-items")
@bp.arguments(PageArgs, location="query")
@bp.response(200, ActionItemSchema(many=True), headers=LINK_HEADERS)
def action_items(args):
    statement = (
        sa.select(ActionItem)
        .where(where(current_user, "action.view"))
        .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
    )
    items, _, headers = paginated(statement, args)
    return items, 200, headers


@bp.route("/action-items/<int:action_id>")
@bp.response(200, ActionItemSchema)
def action_item(action_id: int):
    return visible_or_404(db.session.get(ActionItem, action_id), "action.view")


@bp.route("/action-items/<int:action_id>/status", methods=["PUT"])
@bp.arguments(ActionStatusInput)
@bp.response(200, ActionItemSchema)
def action_item_status(data, action_id: int):
    """Set an action item's status (its assignee, or the body's chair and secretary)."""
    action = visible_or_404(db.session.get(ActionItem, action_id), "action.view")
    body_minutes.set_action_status(current_user, action, data["status"].value)
    db.session.commit()
    return action


@bp.route("/catalogue/entries", methods=["POST"])
@bp.arguments(CatalogueEntryInput)
@bp.response(201, CatalogueEntrySchema)
def catalogue_entry_create(data):
    """Propose a new catalogue entry: saved as a draft (version 1)."""
    entry = catalogue_services.create_entry(current_user, data)
    db.session.commit()
    return entry.latest_version


@bp.route("/catalogue/entries/<int:entry_id>/submit", methods=["POST"])
@bp.arguments(SubmitInput)
@bp.response(200, CatalogueEntrySchema)
def catalogue_entry_submit(data, entry_id: int):
    """Hand the entry's working version to the ministry for review."""
    entry = visible_or_404(catalogue_services.get_entry(entry_id), "catalogue.view")
    version = catalogue_workflow.submit(current_user, entry, data["comment"])
    db.session.commit()
    return version
