"""Approval of the minutes (Genehmigung der Niederschrift): the chair's page
(/meetings/<id>/approve) and the record of an approval by a later meeting's decision
(/meetings/<id>/approve-by-decision).
Each page is its own confirmation (a box to tick), so nothing is approved by one stray click,
with or without JavaScript."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.formatting import format_date
from ..core.forms import NONE_CHOICE, on_domain_error
from ..core.permissions import can, require
from . import approval, minutes
from .approval_forms import ChairApprovalForm, DecisionApprovalForm
from .meeting_views import _done, _load, bp
from .permissions import chair_seat, comments_still_open


def _chair_page(meeting, form, status: int = 200):
    comments = minutes.minutes_comments(meeting)
    early = comments_still_open(meeting)
    form.reason.flags.required = early  # marked as required; the service enforces it
    return render_template(
        "bodies/approve_minutes.html",
        meeting=meeting,
        body=meeting.body,
        form=form,
        capacity=chair_seat(current_user, meeting.body),
        early=early,
        comment_count=sum(len(rows) for rows in comments.values()),
        can_record=can(current_user, "meeting.record_approval", meeting),
    ), status


@bp.route("/meetings/<int:meeting_id>/approve", methods=["GET", "POST"])
@login_required
def approve(meeting_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.approve", meeting))
    form = ChairApprovalForm()
    if form.validate_on_submit():
        on_domain_error(lambda status: _chair_page(meeting, form, status), form)
        approval.approve_by_chair(current_user, meeting, form.reason.data or "")
        return _done(
            meeting_id, gettext("Minutes approved and locked."), "history", ".minutes_page"
        )
    return _chair_page(meeting, form, 422 if request.method == "POST" else 200)


def _decision_label(decision) -> str:
    item = decision.agenda_item
    return gettext(
        "%(reference)s – %(meeting)s of %(date)s, %(item)s: %(text)s",
        reference=decision.reference,
        meeting=decision.meeting.display_title,
        date=format_date(decision.meeting.date),
        item=f"{item.label} {item.title}" if item is not None else "",
        text=decision.text if len(decision.text) <= 90 else decision.text[:89] + "…",
    )


def _decision_page(meeting, form, status: int = 200):
    return render_template(
        "bodies/approve_by_decision.html",
        meeting=meeting,
        body=meeting.body,
        form=form,
        has_decisions=len(form.decision_id.choices or []) > 1,
    ), status


@bp.route("/meetings/<int:meeting_id>/approve-by-decision", methods=["GET", "POST"])
@login_required
def approve_by_decision(meeting_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.record_approval", meeting))
    form = DecisionApprovalForm()
    form.decision_id.choices = [
        NONE_CHOICE,
        *[(d.id, _decision_label(d)) for d in approval.approval_decisions(meeting)],
    ]
    if form.validate_on_submit():
        on_domain_error(lambda status: _decision_page(meeting, form, status), form)
        approval.approve_by_decision(current_user, meeting, form.decision_id.data)
        return _done(
            meeting_id,
            gettext("Approval by decision recorded; the minutes are locked."),
            "history",
            ".minutes_page",
        )
    return _decision_page(meeting, form, 422 if request.method == "POST" else 200)
