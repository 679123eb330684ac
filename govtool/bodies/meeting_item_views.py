"""One agenda item's page (/meetings/<id>/items/<item_id>): its papers, files and minutes, and
the agenda edits made from it (edit, move, defer, remove, upload a file, submit a paper)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.forms import NONE_CHOICE, on_domain_error
from ..core.locking import (
    choice_labels,
    commit_or_conflict,
    expected_version,
)
from ..core.permissions import can, require
from . import agenda, minutes, services
from .agenda_models import ItemKind
from .forms import (
    ActionItemForm,
    AgendaItemForm,
    CommentForm,
    DecisionForm,
    EmptyForm,
    ItemMinutesForm,
    PaperForm,
    UploadForm,
)
from .meeting_views import (
    COMMENT_STATES,
    NO_FORM_CSRF,
    _done,
    _item,
    _item_done,
    _load,
    _meeting,
    _organisation_choices,
    _prepare_item_form,
    bp,
)

# The parts of the item page's one minutes <form> (meeting_minutes_views._record).
RECORD_FORMS = ("minutes_form", "decision_form", "action_form", "comment_form")


def render_item(meeting_id: int, item_id: int, status: int = 200, conflict=None, **forms):
    """One agenda item: its papers and files, its minutes, decisions and action items, and the
    forms that act on it (one of each, with their errors shown at the field). Forms passed in
    show what was typed and not saved (the page marks them so, for the leave-page warning);
    `conflict` shows the saved notes beside the ones just sent."""
    meeting = _meeting(meeting_id)
    user = current_user._get_current_object()
    item = services.agenda_item_detail(meeting.id, item_id)
    if item is None:
        abort(404)
    require(can(user, "agenda_item.view", item))
    internal = can(user, "meeting.read_internal", meeting)
    editor = can(user, "meeting.edit", meeting)
    show_minutes = can(user, "meeting.read_minutes", meeting)
    minutes_open = can(user, "meeting.write_minutes", meeting)
    editable_agenda = can(user, "meeting.edit_agenda", meeting)
    can_submit_paper = item.kind is ItemKind.TOPIC and can(user, "paper.submit", meeting)
    can_comment = show_minutes and can(user, "meeting.comment", meeting)
    outline = services.agenda_outline(meeting.id, internal)
    index = next((i for i, row in enumerate(outline) if row.id == item.id), 0)
    previous_item = outline[index - 1] if index > 0 else None
    next_item = outline[index + 1] if index + 1 < len(outline) else None
    decisions, actions, comments = (
        minutes.item_minutes_records(item, with_comments=meeting.status in COMMENT_STATES)
        if show_minutes
        else ([], [], [])
    )
    carried_over = (
        minutes.carried_over_action_items(meeting)
        if internal and item.kind is ItemKind.OPEN_ACTIONS
        else []
    )
    minutes_form = decision_form = action_form = comment_form = None
    paper_form = upload_form = None
    choices: tuple[list[tuple[int, str]], list[tuple[int, str]]] = ([], [])  # people, orgs
    if minutes_open or (can_submit_paper and editor):
        choices = services.meeting_choices(meeting)  # people, organisations: one query
    if minutes_open:
        minutes_form = forms.get("minutes_form")
        if minutes_form is None:
            minutes_form = ItemMinutesForm(formdata=None, prefix="minutes", meta=NO_FORM_CSRF)
            minutes_form.notes.data, minutes_form.result.data = item.notes, item.result
        minutes_form.version.data = str(item.minutes_version)
        decision_form = forms.get("decision_form") or DecisionForm(
            formdata=None, prefix="decision", meta=NO_FORM_CSRF, result="adopted"
        )
        action_form = forms.get("action_form") or ActionItemForm(
            formdata=None, prefix="action", meta=NO_FORM_CSRF
        )
        action_form.responsible_person_id.choices = [NONE_CHOICE, *choices[0]]
        action_form.responsible_organisation_id.choices = [NONE_CHOICE, *choices[1]]
    if can_comment:
        comment_form = forms.get("comment_form") or CommentForm(
            formdata=None, prefix="comment", meta=NO_FORM_CSRF
        )
    if can_submit_paper:
        paper_form = forms.get("paper_form") or PaperForm(
            formdata=None, prefix="paper", meta=NO_FORM_CSRF, organisation_id=user.organisation_id
        )
        paper_form.organisation_id.choices = [NONE_CHOICE, *choices[1]] if editor else []
    if editable_agenda:
        upload_form = forms.get("upload_form") or UploadForm(
            formdata=None, prefix="upload", meta=NO_FORM_CSRF
        )
    failed = next((f for f in forms.values() if f is not None and f.errors), None)
    return (
        render_template(
            "bodies/item_detail.html",
            meeting=meeting,
            body=meeting.body,
            item=item,
            internal=internal,
            editor=editor,
            editable_agenda=editable_agenda,
            show_minutes=show_minutes,
            minutes_open=minutes_open,
            previous_item=previous_item,
            next_item=next_item,
            decisions=decisions,
            action_items=actions,
            comments=comments,
            carried_over=carried_over,
            minutes_form=minutes_form,
            decision_form=decision_form,
            action_form=action_form,
            comment_form=comment_form,
            paper_form=paper_form,
            upload_form=upload_form,
            failed_form=failed,
            conflict=conflict,
            unsaved=any(name in forms for name in RECORD_FORMS),
            ItemKind=ItemKind,
        ),
        status,
    )


@bp.get("/meetings/<int:meeting_id>/items/<int:item_id>")
@login_required
def item_detail(meeting_id: int, item_id: int):
    return render_item(meeting_id, item_id)


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def item_edit(meeting_id: int, item_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.edit", meeting))
    item = _item(meeting, item_id)
    form = AgendaItemForm(obj=item)
    _prepare_item_form(form, meeting)
    conflict, status = None, 200
    if form.validate_on_submit():
        saved, conflict, status = commit_or_conflict(
            form,
            item,
            lambda: agenda.update_item(current_user, item, form.data, expected_version(form)),
            ITEM_COMPARED,
            choice_labels(form),
        )
        if saved:
            return _item_done(meeting_id, item.id, gettext("Agenda item saved."))
    elif request.method == "POST":
        status = 422
    return render_template(
        "bodies/item_form.html", form=form, meeting=meeting, item=item, conflict=conflict
    ), status


# The item's fields the conflict page compares, saved text beside the sent one.
ITEM_COMPARED = ("title", "description", "presenter", "planned_minutes", "is_public")


def _item_action(meeting_id: int, item_id: int, action: str, run, message: str, to_item=False):
    meeting = _load(meeting_id)
    require(can(current_user, action, meeting))
    item = _item(meeting, item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    on_domain_error(lambda status: render_item(meeting_id, item_id, status))
    run(item)
    if to_item:
        return _item_done(meeting_id, item_id, message)
    return _done(meeting_id, message, "agenda")


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/move")
@login_required
def item_move(meeting_id: int, item_id: int):
    direction = "up" if request.form.get("direction") == "up" else "down"
    return _item_action(
        meeting_id,
        item_id,
        "meeting.edit",
        lambda item: agenda.move_item(current_user, item, direction),
        gettext("Agenda item moved."),
        to_item=True,
    )


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/defer")
@login_required
def item_defer(meeting_id: int, item_id: int):
    return _item_action(
        meeting_id,
        item_id,
        "meeting.edit",
        lambda item: agenda.defer_item(current_user, item),
        gettext("Agenda item deferred to the next meeting."),
    )


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/delete")
@login_required
def item_delete(meeting_id: int, item_id: int):
    return _item_action(
        meeting_id,
        item_id,
        "meeting.edit",
        lambda item: agenda.delete_item(current_user, item),
        gettext("Agenda item removed."),
    )


def _uploaded(form) -> tuple[str | None, bytes | None]:
    storage = form.file.data
    if storage is None or not getattr(storage, "filename", ""):
        return None, None
    return storage.filename, storage.read()


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/files")
@login_required
def file_upload(meeting_id: int, item_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.edit", meeting))
    item = _item(meeting, item_id)
    form = UploadForm(prefix="upload", meta=NO_FORM_CSRF)
    if not form.validate_on_submit():
        return invalid_item_form(meeting_id, item_id, "upload_form", form)
    name, data = _uploaded(form)
    item_form_page(meeting_id, item_id, "upload_form", form)
    stored = agenda.attach_file(current_user, item, name, data or b"")
    return _item_done(
        meeting_id, item.id, gettext("%(name)s uploaded.", name=stored.original_name), "files"
    )


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/papers")
@login_required
def paper_submit(meeting_id: int, item_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "paper.submit", meeting))
    item = _item(meeting, item_id)
    form = PaperForm(prefix="paper", meta=NO_FORM_CSRF)
    form.organisation_id.choices = _organisation_choices(meeting)
    if not form.validate_on_submit():
        return invalid_item_form(meeting_id, item_id, "paper_form", form)
    name, data = _uploaded(form)
    item_form_page(meeting_id, item_id, "paper_form", form)
    paper = agenda.submit_paper(current_user, item, form.data, name, data)
    return _item_done(
        meeting_id, item.id, gettext("Paper %(ref)s submitted.", ref=paper.reference), "papers"
    )


def item_form_page(meeting_id: int, item_id: int, name: str, form) -> None:
    """A refusal of `form` (one of the item page's forms, passed to render_item as `name`)
    shows the item page again, the message at the field it names, what was typed kept."""
    on_domain_error(lambda status: render_item(meeting_id, item_id, status, **{name: form}), form)


def invalid_item_form(meeting_id: int, item_id: int, name: str, form):
    """Show the item page again with the form's errors at its fields (and in the summary)."""
    return render_item(meeting_id, item_id, 422, **{name: form})
