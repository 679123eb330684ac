"""The minutes: the whole minutes to read (/meetings/<id>/minutes) and every write to them
(an item's notes, decisions, action items, comments; circulate, approve, amend)."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.errors import EditConflict
from ..core.forms import NONE_CHOICE, on_domain_error
from ..core.locking import (
    conflict_view,
)
from ..core.permissions import can, require
from . import approval, minutes, services
from .agenda_models import ItemKind
from .forms import (
    ActionItemForm,
    AmendmentForm,
    CommentForm,
    DecisionForm,
    EmptyForm,
    ItemMinutesForm,
)
from .meeting_item_views import invalid_item_form, item_form_page, render_item
from .meeting_overview_views import post_action
from .meeting_views import (
    NO_FORM_CSRF,
    _item,
    _item_choices_for,
    _item_done,
    _load,
    _meeting,
    _organisation_choices,
    _people_choices,
    bp,
)


def render_minutes(meeting_id: int, status: int = 200, amendment_form=None):
    """The whole minutes to read in one page: each item's notes, result, decisions, action items
    and comments, and the amendments after approval (recorded here)."""
    meeting = _meeting(meeting_id)
    user = current_user._get_current_object()
    require(can(user, "meeting.read_internal", meeting))
    editor = can(user, "meeting.edit", meeting)
    items = services.minutes_items(meeting.id)
    own_actions, carried_over = minutes.meeting_action_lists(meeting)
    if amendment_form is None and can(user, "meeting.amend_minutes", meeting):
        amendment_form = AmendmentForm(formdata=None)
    if amendment_form is not None:
        amendment_form.agenda_item_id.choices = [
            NONE_CHOICE,
            *[(i.id, f"{i.label} {i.title}") for i in items],
        ]
    decisions: dict[int, list] = {}
    for decision in minutes.meeting_decisions(meeting):
        decisions.setdefault(decision.agenda_item_id, []).append(decision)
    approved = approval.approval_of(meeting) if meeting.minutes_locked else None
    actions: dict[int | None, list] = {}  # an action item may belong to no agenda item
    for action in own_actions:
        actions.setdefault(action.agenda_item_id, []).append(action)
    return (
        render_template(
            "bodies/minutes.html",
            meeting=meeting,
            body=meeting.body,
            items=items,
            editor=editor,
            show_minutes=can(user, "meeting.read_minutes", meeting),
            can_comment=can(user, "meeting.comment", meeting),
            decisions=decisions,
            action_items=actions,
            carried_over=carried_over,
            comments=minutes.minutes_comments(meeting),
            amendments=minutes.minutes_amendments(meeting),
            amendment_form=amendment_form,
            approval=approved,
            approval_statement=approval.approval_statement(approved) if approved else "",
            history=approval.minutes_history(meeting, approved),
            can_approve=can(user, "meeting.approve", meeting),
            can_record_approval=can(user, "meeting.record_approval", meeting),
            ItemKind=ItemKind,
        ),
        status,
    )


@bp.get("/meetings/<int:meeting_id>/minutes")
@login_required
def minutes_page(meeting_id: int):
    return render_minutes(meeting_id)


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/minutes")
@login_required
def item_minutes(meeting_id: int, item_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.edit", meeting))
    item = _item(meeting, item_id)
    form = ItemMinutesForm(prefix="minutes", meta=NO_FORM_CSRF)
    if not form.validate_on_submit():
        return invalid_item_form(meeting_id, item_id, "minutes_form", form)
    try:
        version = int(form.version.data or 0)
    except ValueError:
        abort(400)
    notes, result = form.notes.data or "", form.result.data or ""
    on_domain_error(
        lambda status: render_item(meeting_id, item_id, status, minutes_form=form),
        form,
        on_conflict=lambda error: _conflict(meeting_id, item_id, notes, result, error),
    )
    minutes.save_item_minutes(current_user, item, notes, result, version)
    return _item_done(
        meeting_id, item.id, gettext("Minutes of %(label)s saved.", label=item.label), "minutes"
    )


def _conflict(meeting_id: int, item_id: int, notes: str, result: str, error: EditConflict):
    """Show the saved text beside the one just sent; the form keeps the sender's text."""
    meeting = _load(meeting_id)
    item = _item(meeting, item_id)
    form = ItemMinutesForm(formdata=None, prefix="minutes", meta=NO_FORM_CSRF)
    form.notes.data, form.result.data = notes, result
    form.version.data = str(item.minutes_version)
    # the same comparison as the other edit forms: only the fields that differ are listed
    conflict = conflict_view(error, form, {"notes": item.notes, "result": item.result})
    return render_template(
        "bodies/minutes_conflict.html", meeting=meeting, item=item, form=form, conflict=conflict
    ), 409


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/decisions")
@login_required
def decision_add(meeting_id: int, item_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.edit", meeting))
    item = _item(meeting, item_id)
    form = DecisionForm(prefix="decision", meta=NO_FORM_CSRF)
    if not form.validate_on_submit():
        return invalid_item_form(meeting_id, item_id, "decision_form", form)
    item_form_page(meeting_id, item_id, "decision_form", form)
    decision = minutes.add_decision(current_user, item, form.data)
    return _item_done(
        meeting_id,
        item.id,
        gettext("Decision %(ref)s recorded.", ref=decision.reference),
        "decisions",
    )


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/actions")
@login_required
def action_add(meeting_id: int, item_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.edit", meeting))
    item = _item(meeting, item_id)
    form = ActionItemForm(prefix="action", meta=NO_FORM_CSRF)
    form.responsible_person_id.choices = _people_choices(meeting)
    form.responsible_organisation_id.choices = _organisation_choices(meeting)
    if not form.validate_on_submit():
        return invalid_item_form(meeting_id, item_id, "action_form", form)
    item_form_page(meeting_id, item_id, "action_form", form)
    minutes.add_action_item(current_user, item, form.data)
    return _item_done(meeting_id, item.id, gettext("Action item recorded."), "action-items")


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/comments")
@login_required
def comment_add(meeting_id: int, item_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.comment", meeting))
    item = _item(meeting, item_id)
    form = CommentForm(prefix="comment", meta=NO_FORM_CSRF)
    if not form.validate_on_submit():
        return invalid_item_form(meeting_id, item_id, "comment_form", form)
    item_form_page(meeting_id, item_id, "comment_form", form)
    minutes.add_comment(current_user, item, form.text.data)
    return _item_done(meeting_id, item.id, gettext("Comment saved."), "comments")


@bp.post("/meetings/<int:meeting_id>/circulate")
@login_required
def circulate(meeting_id: int):
    return post_action(
        meeting_id,
        "meeting.edit",
        EmptyForm,
        lambda m, f: minutes.circulate_minutes(current_user, m),
        gettext("Minutes circulated to the members for comments."),
    )


@bp.post("/meetings/<int:meeting_id>/amendments")
@login_required
def amendment_add(meeting_id: int):
    return post_action(
        meeting_id,
        "meeting.edit",
        AmendmentForm,
        lambda m, f: minutes.add_amendment(
            current_user, m, f.text.data, f.reason.data, f.agenda_item_id.data
        ),
        gettext("Amendment recorded."),
        "amendments",
        _item_choices_for("agenda_item_id"),
        endpoint=".minutes_page",
        on_form_error=lambda form: render_minutes(meeting_id, 422, amendment_form=form),
    )


# The approval pages register their routes on the same blueprint.
from . import meeting_approval_views  # noqa: E402,F401
