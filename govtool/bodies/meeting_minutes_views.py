"""The minutes: the whole minutes to read (/meetings/<id>/minutes) and every write to them
(an item's notes, decisions, action items, comments; circulate, approve, amend)."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.errors import EditConflict
from ..core.forms import NONE_CHOICE, on_domain_error
from ..core.locking import (
    conflict_view,
)
from ..core.permissions import can, require
from ..extensions import db
from . import approval, item_records, minutes, services
from .agenda_models import ItemKind
from .forms import (
    ActionItemForm,
    AmendmentForm,
    CommentForm,
    DecisionForm,
    EmptyForm,
    ItemMinutesForm,
)
from .meeting_item_views import render_item
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


# ---------------------------------------------------------------- the item page's one form
#
# The item page sends its minutes, decision, action item and comment fields in one <form>; each
# button posts to its own address (formaction), so every post carries everything typed on the
# page. The notes are saved with the decision, action item or comment (item_records.with_notes);
# what was typed into the other parts stays in the page shown after the post. A refusal shows
# the page again with everything typed kept; a conflict on the notes shows the saved text beside.

TYPED = {"decision_form": ("text",), "action_form": ("task",), "comment_form": ("text",)}


def _posted_forms(meeting, primary: str) -> dict:
    """The item page's forms read from this post: `primary` always, the others when sent."""
    sent = request.form
    forms: dict = {}
    if primary == "minutes_form" or "minutes-notes" in sent or "minutes-result" in sent:
        forms["minutes_form"] = ItemMinutesForm(prefix="minutes", meta=NO_FORM_CSRF)
    if primary == "decision_form" or "decision-text" in sent:
        forms["decision_form"] = DecisionForm(prefix="decision", meta=NO_FORM_CSRF)
    if primary == "action_form" or "action-task" in sent:
        action = ActionItemForm(prefix="action", meta=NO_FORM_CSRF)
        action.responsible_person_id.choices = _people_choices(meeting)
        action.responsible_organisation_id.choices = _organisation_choices(meeting)
        forms["action_form"] = action
    if primary == "comment_form" or "comment-text" in sent:
        forms["comment_form"] = CommentForm(prefix="comment", meta=NO_FORM_CSRF)
    return forms


def _has_input(name: str, form) -> bool:
    return any((form[field].data or "").strip() for field in TYPED.get(name, ()))


def _draft(form) -> item_records.NotesDraft | None:
    if form is None:
        return None
    try:
        version = int(form.version.data or 0)
    except ValueError:
        abort(400)
    return item_records.NotesDraft(form.notes.data or "", form.result.data or "", version)


def _conflict_page(meeting_id: int, item_id: int, forms: dict):
    """Answer a conflict on the notes: the item page with the saved text beside the one just
    sent (the form keeps the sender's text, now at the saved version) and all else typed."""

    def answer(error: EditConflict):
        item = _item(_load(meeting_id), item_id)
        # the same comparison as the other edit forms: only the fields that differ are listed
        conflict = conflict_view(
            error, forms["minutes_form"], {"notes": item.notes, "result": item.result}
        )
        return render_item(meeting_id, item_id, 409, conflict=conflict, **forms)

    return answer


def _record(meeting_id: int, item_id: int, primary: str, permission: str, run, message, anchor):
    """One button of the item page: load, check, validate what it sends, save the typed notes
    with its record (one transaction), then back to the page (with the rest still typed)."""
    meeting = _load(meeting_id)
    require(can(current_user, permission, meeting))
    item = _item(meeting, item_id)
    forms = _posted_forms(meeting, primary)
    form, notes_form = forms[primary], forms.get("minutes_form")
    valid = form.validate_on_submit()
    if notes_form is not None and notes_form is not form:
        valid = notes_form.validate() and valid
    if not valid:
        return render_item(meeting_id, item_id, 422, **forms)
    draft = _draft(notes_form)
    on_domain_error(
        lambda status: render_item(meeting_id, item_id, status, **forms),
        form,
        on_conflict=_conflict_page(meeting_id, item_id, forms),
    )
    result, notes_saved = run(item, form, draft)
    text = message(result)
    if notes_saved:
        text += " " + gettext("Minutes of %(label)s saved.", label=item.label)
    kept = {
        name: other
        for name, other in forms.items()
        if name not in (primary, "minutes_form") and _has_input(name, other)
    }
    if not kept:
        return _item_done(meeting_id, item.id, text, anchor)
    # Other parts of the page hold typed text not sent yet: the page again, with it kept.
    db.session.commit()
    flash(text, "success")
    return render_item(meeting_id, item.id, 200, **kept)


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/minutes")
@login_required
def item_minutes(meeting_id: int, item_id: int):
    def run(item, form, draft):
        minutes.save_item_minutes(current_user, item, draft.notes, draft.result, draft.version)
        return item, False

    return _record(
        meeting_id,
        item_id,
        "minutes_form",
        "meeting.edit",
        run,
        lambda item: gettext("Minutes of %(label)s saved.", label=item.label),
        "minutes",
    )


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/decisions")
@login_required
def decision_add(meeting_id: int, item_id: int):
    return _record(
        meeting_id,
        item_id,
        "decision_form",
        "meeting.edit",
        lambda item, form, draft: item_records.with_notes(
            current_user, item, draft, lambda: minutes.add_decision(current_user, item, form.data)
        ),
        lambda decision: gettext("Decision %(ref)s recorded.", ref=decision.reference),
        "decisions",
    )


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/actions")
@login_required
def action_add(meeting_id: int, item_id: int):
    return _record(
        meeting_id,
        item_id,
        "action_form",
        "meeting.edit",
        lambda item, form, draft: item_records.with_notes(
            current_user,
            item,
            draft,
            lambda: minutes.add_action_item(current_user, item, form.data),
        ),
        lambda _: gettext("Action item recorded."),
        "action-items",
    )


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/comments")
@login_required
def comment_add(meeting_id: int, item_id: int):
    return _record(
        meeting_id,
        item_id,
        "comment_form",
        "meeting.comment",
        lambda item, form, draft: item_records.with_notes(
            current_user,
            item,
            draft,
            lambda: minutes.add_comment(current_user, item, form.text.data),
        ),
        lambda _: gettext("Comment saved."),
        "comments",
    )


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
