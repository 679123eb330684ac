"""/actions/: action items across bodies, filtered by status, body, person, organisation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user, login_required
from markupsafe import Markup

from ..core.args import arg_int
from ..core.formatting import format_date
from ..core.forms import back_on_domain_error
from ..core.permissions import can, require
from ..core.urls import safe_redirect_target
from ..core.views import get_or_404
from ..extensions import db
from . import action_list as action_list_rows
from . import minutes
from .forms import ActionStatusForm
from .minutes_models import ActionItem, ActionStatus

bp = Blueprint("actions", __name__)


@bp.get("/actions/")
@login_required
def action_list():
    user = current_user._get_current_object()
    require(can(user, "action.list"))
    filters = {
        "status": request.args.get("status", "open"),
        "body_id": arg_int("body"),
        "person_id": arg_int("person"),
        "organisation_id": arg_int("organisation"),
        "overdue": request.args.get("overdue") == "1",
        "responsible": request.args.get("responsible", "").strip()[:100],
    }
    page = action_list_rows.action_page(user, filters)
    bodies = action_list_rows.readable_bodies(user)
    statuses = [(s, s.label) for s in ActionStatus]
    today = dt.date.today()
    locale = str(get_locale() or "de")
    meeting_url = _url_maker("meetings.detail", "meeting_id")
    status_url = _url_maker("actions.action_status", "action_id")
    # The status select's options, one variant per current status, escaped here once.
    options = {
        current: Markup("").join(
            Markup('<option value="{}"{}>{}</option>').format(
                s.value, Markup(" selected") if s is current else "", label
            )
            for s, label in statuses
        )
        for current, _ in statuses
    }
    labels = dict(statuses)
    rows = []
    for a in page.items:
        meeting_title = a.meeting_title or f"{a.meeting_number}. Sitzung"
        person = " ".join(p for p in (a.person_title, a.person_first_name, a.person_last_name) if p)
        rows.append(
            {
                "id": a.id,
                "task": a.task,
                "responsible": person,
                "organisation": a.organisation_short_name,
                "due": format_date(a.due_date, locale) or "–",
                "overdue": a.status is ActionStatus.OPEN
                and a.due_date is not None
                and a.due_date < today,
                "can_edit": a.can_edit,
                "status": labels[a.status],
                "options": options[a.status],
                "status_url": status_url(a.id),
                "meeting_url": meeting_url(a.meeting_id),
                "meeting": f"{a.body_short_name}: {meeting_title}",
                "agenda_number": a.agenda_number,
            }
        )
    return render_template(
        "bodies/action_list.html",
        page=page,
        rows=rows,
        filters=filters,
        statuses=statuses,
        bodies=bodies,
    )


def _url_maker(endpoint: str, key: str):
    """A function id -> URL for a per-row link, calling url_for once per page, not per row."""
    marker = "2147483647"
    values: dict[str, Any] = {key: int(marker)}
    head, _, tail = url_for(endpoint, **values).partition(marker)
    return lambda value: f"{head}{value}{tail}"


@bp.post("/actions/<int:action_id>/status")
@login_required
def action_status(action_id: int):
    action = get_or_404(ActionItem, action_id)
    require(can(current_user, "action.edit", action))
    form = ActionStatusForm()
    if not form.validate_on_submit():
        abort(400)
    back = safe_redirect_target(request.form.get("next"), url_for(".action_list"))
    back_on_domain_error(back)
    minutes.set_action_status(current_user, action, form.status.data)
    db.session.commit()
    flash(gettext("Status saved."), "success")
    return redirect(back)
