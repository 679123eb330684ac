"""/actions/: action items across bodies, filtered by status, body, person, organisation."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.errors import DomainError
from ..core.permissions import can, require
from ..core.views import get_or_404, paginate
from ..extensions import db
from . import minutes
from .forms import ActionStatusForm
from .minutes_models import ActionItem, ActionStatus

bp = Blueprint("actions", __name__)


@bp.get("/actions/")
@login_required
def action_list():
    require(can(current_user, "action.list"))
    filters = {
        "status": request.args.get("status", "open"),
        "body_id": request.args.get("body", type=int),
        "person_id": request.args.get("person", type=int),
        "organisation_id": request.args.get("organisation", type=int),
        "overdue": request.args.get("overdue") == "1",
        "responsible": request.args.get("responsible", "").strip()[:100],
    }
    page = paginate(minutes.action_items_query(current_user, **filters))
    return render_template(
        "bodies/action_list.html",
        page=page,
        filters=filters,
        statuses=list(ActionStatus),
        bodies=minutes.readable_body_choices(current_user),
        today=dt.date.today(),
        status_form=ActionStatusForm(formdata=None),
    )


@bp.post("/actions/<int:action_id>/status")
@login_required
def action_status(action_id: int):
    action = get_or_404(ActionItem, action_id)
    require(can(current_user, "action.edit", action))
    form = ActionStatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        minutes.set_action_status(current_user, action, form.status.data)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(gettext("Status saved."), "success")
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for(".action_list")
    return redirect(target)
