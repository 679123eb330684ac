"""The meeting page (/meetings/<id>): agenda editing, invitations, attendance, minutes in place,
and its files: .ics, invitation and minutes DOCX, attachments as ZIP."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.errors import Conflict, DomainError
from ..core.forms import NONE_CHOICE
from ..core.permissions import can, require
from ..core.views import get_or_404
from ..extensions import db
from . import agenda, documents, invitations, minutes, services
from .agenda_models import AgendaItem, ItemKind, StoredFile
from .forms import (
    ActionItemForm,
    AgendaItemForm,
    AmendmentForm,
    CancelForm,
    CommentForm,
    CopyAgendaForm,
    DecisionForm,
    EmptyForm,
    GuestForm,
    ItemMinutesForm,
    MeetingForm,
    PaperForm,
    ResponseForm,
    UploadForm,
)
from .minutes_models import Presence
from .models import Meeting, MeetingStatus

bp = Blueprint("meetings", __name__)
# Per-item forms carry a prefix (i12-notes) so ids stay unique on the page; CSRFProtect checks
# every POST of the app already, so these forms skip their own (prefixed) token field.
NO_FORM_CSRF = {"csrf": False}


def _load(meeting_id: int) -> Meeting:
    meeting = services.meeting_detail(meeting_id)
    if meeting is None:
        abort(404)
    require(can(current_user, "meeting.view", meeting))
    return meeting


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = next((i for i in meeting.agenda_items if i.id == item_id), None)
    if item is None:
        abort(404)
    if not item.is_public:
        require(can(current_user, "meeting.read_internal", meeting))
    return item


def _people_choices(meeting: Meeting):
    return [NONE_CHOICE, *services.meeting_choices(meeting)[0]]


def _organisation_choices(meeting: Meeting):
    return [NONE_CHOICE, *services.meeting_choices(meeting)[1]]


def render_detail(meeting_id: int, status: int = 200, **forms):
    """The meeting page with everything the user may see and do."""
    meeting = _load(meeting_id)
    user = current_user
    internal = can(user, "meeting.read_internal", meeting)
    editor = can(user, "meeting.edit", meeting)
    items = agenda.visible_items(user, meeting)
    my_participant = next(
        (p for p in meeting.participants if p.person_id and p.person_id == user.person_id), None
    )
    item_form = forms.get("item_form") or AgendaItemForm(formdata=None)
    item_form.parent_id.choices = [
        NONE_CHOICE,
        *[(i.id, f"{i.label} {i.title}") for i in items if i.parent_id is None],
    ]
    copy_form = CopyAgendaForm(formdata=None)
    copy_form.template_id.choices = [NONE_CHOICE, *agenda.template_choices(meeting)]
    guest_form = GuestForm(formdata=None)
    guest_form.agenda_item_id.choices = [
        NONE_CHOICE,
        *[(i.id, f"{i.label} {i.title}") for i in items],
    ]
    people, organisations = services.meeting_choices(meeting)
    action_form = ActionItemForm(formdata=None)
    action_form.responsible_person_id.choices = [NONE_CHOICE, *people]
    action_form.responsible_organisation_id.choices = [NONE_CHOICE, *organisations]
    paper_form = PaperForm(formdata=None)
    paper_form.organisation_id.choices = [NONE_CHOICE, *organisations]
    amendment_form = AmendmentForm(formdata=None)
    amendment_form.agenda_item_id.choices = [
        NONE_CHOICE,
        *[(i.id, f"{i.label} {i.title}") for i in items],
    ]
    response_form = ResponseForm(formdata=None)
    if my_participant is not None and my_participant.response.value != "none":
        response_form.response.data = my_participant.response.value
        response_form.deputy_name.data = my_participant.deputy_name
    show_minutes = internal and (
        meeting.status
        not in (MeetingStatus.PLANNED, MeetingStatus.INVITED, MeetingStatus.CANCELLED)
        or (editor and meeting.start_at <= dt.datetime.now(dt.UTC))
    )
    action_lists = minutes.meeting_action_lists(meeting) if internal else ([], [])
    return (
        render_template(
            "bodies/meeting_detail.html",
            meeting=meeting,
            body=meeting.body,
            items=items,
            internal=internal,
            editor=editor,
            can_approve=can(user, "meeting.approve", meeting),
            can_comment=can(user, "meeting.comment", meeting),
            can_submit_paper=can(user, "paper.submit", meeting),
            my_participant=my_participant,
            quorum=minutes.quorum(meeting) if internal else None,
            decisions=minutes.meeting_decisions(meeting) if internal else [],
            action_items=action_lists[0],
            carried_over=action_lists[1],
            comments=minutes.minutes_comments(meeting) if internal else {},
            amendments=minutes.minutes_amendments(meeting) if internal else [],
            warnings=invitations.invitation_warnings(meeting)
            if editor and meeting.status is MeetingStatus.PLANNED
            else [],
            show_minutes=show_minutes,
            item_form=item_form,
            copy_form=copy_form,
            guest_form=guest_form,
            action_form=action_form,
            paper_form=paper_form,
            amendment_form=amendment_form,
            response_form=response_form,
            upload_form=UploadForm(formdata=None),
            decision_form=DecisionForm(formdata=None),
            comment_form=CommentForm(formdata=None),
            cancel_form=CancelForm(formdata=None),
            empty_form=EmptyForm(),
            presence_choices=list(Presence),
            ItemKind=ItemKind,
            MeetingStatus=MeetingStatus,
        ),
        status,
    )


def _done(meeting_id: int, message: str, anchor: str = ""):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".detail", meeting_id=meeting_id) + (f"#{anchor}" if anchor else ""))


def _failed(meeting_id: int, error: DomainError):
    db.session.rollback()
    if error.status_code == 403:
        abort(403)
    flash(error.message, "danger")
    return render_detail(meeting_id, error.status_code)


def _form_failed(meeting_id: int, form):
    db.session.rollback()
    for name, errors in form.errors.items():
        label = form[name].label.text if name in form else ""
        flash(
            f"{label}: {' '.join(str(e) for e in errors)}" if label else " ".join(errors), "danger"
        )
    return render_detail(meeting_id, 422)


@bp.get("/meetings/<int:meeting_id>")
@login_required
def detail(meeting_id: int):
    return render_detail(meeting_id)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id: int):
    meeting = get_or_404(Meeting, meeting_id)
    require(can(current_user, "meeting.edit", meeting))
    form = MeetingForm(obj=meeting)
    if request.method == "GET":
        form.kind.data = meeting.kind.value
        form.date.data = meeting.date
        form.start_time.data = meeting.start_local.time()
        form.end_time.data = meeting.end_local.time()
    if form.validate_on_submit():
        try:
            services.update_meeting(current_user, meeting, form.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            from ..core.forms import show_domain_error

            show_domain_error(error, form)
        else:
            flash(gettext("Changes saved."), "success")
            return redirect(url_for(".detail", meeting_id=meeting.id))
    status = 422 if form.errors else 200
    return render_template(
        "bodies/meeting_form.html", form=form, body=meeting.body, meeting=meeting
    ), status


def _post(meeting_id: int, action: str, form_cls, run, message: str, anchor="", prepare=None):
    """The shape of every meeting action: load, check, validate, call one service, commit."""
    meeting = _load(meeting_id)
    require(can(current_user, action, meeting))
    form = form_cls()
    if prepare is not None:
        prepare(form, meeting)
    if not form.validate_on_submit():
        return _form_failed(meeting_id, form)
    try:
        run(meeting, form)
    except DomainError as error:
        return _failed(meeting_id, error)
    return _done(meeting_id, message, anchor)


@bp.post("/meetings/<int:meeting_id>/cancel")
@login_required
def cancel(meeting_id: int):
    return _post(
        meeting_id,
        "meeting.edit",
        CancelForm,
        lambda m, f: services.cancel_meeting(current_user, m, f.reason.data),
        gettext("Meeting cancelled."),
    )


@bp.post("/meetings/<int:meeting_id>/invite")
@login_required
def invite(meeting_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.edit", meeting))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        count, warnings = invitations.send_invitations(current_user, meeting)
    except DomainError as error:
        return _failed(meeting_id, error)
    for warning in warnings:
        flash(warning, "warning")
    return _done(meeting_id, gettext("%(count)d invitations sent.", count=count))


@bp.post("/meetings/<int:meeting_id>/held")
@login_required
def held(meeting_id: int):
    return _post(
        meeting_id,
        "meeting.edit",
        EmptyForm,
        lambda m, f: services.mark_held(current_user, m),
        gettext("Meeting marked as held."),
    )


@bp.post("/meetings/<int:meeting_id>/attendance")
@login_required
def attendance(meeting_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.edit", meeting))
    if not EmptyForm().validate_on_submit():
        abort(400)
    entries = {
        p.id: {
            "presence": request.form.get(f"presence-{p.id}", p.presence.value),
            "represented_by": request.form.get(f"represented-{p.id}", ""),
        }
        for p in meeting.participants
    }
    try:
        minutes.ensure_participants(meeting)
        minutes.record_attendance(current_user, meeting, entries)
    except DomainError as error:
        return _failed(meeting_id, error)
    return _done(meeting_id, gettext("Attendance saved."), "attendance")


@bp.post("/meetings/<int:meeting_id>/participants")
@login_required
def participants_refresh(meeting_id: int):
    return _post(
        meeting_id,
        "meeting.edit",
        EmptyForm,
        lambda m, f: minutes.ensure_participants(m),
        gettext("Invitee list updated from the current members."),
        "attendance",
    )


@bp.post("/meetings/<int:meeting_id>/respond")
@login_required
def respond(meeting_id: int):
    meeting = _load(meeting_id)
    participant = next(
        (p for p in meeting.participants if p.person_id and p.person_id == current_user.person_id),
        None,
    )
    if participant is None:
        abort(403)
    form = ResponseForm()
    if not form.validate_on_submit():
        return _form_failed(meeting_id, form)
    try:
        minutes.respond(current_user, participant, form.response.data, form.deputy_name.data)
    except DomainError as error:
        return _failed(meeting_id, error)
    return _done(meeting_id, gettext("Thank you, your answer was saved."))


@bp.route("/meetings/answer/<token>", methods=["GET", "POST"])
def respond_token(token: str):
    """The answer link in the invitation mail: the secret token identifies the invitee."""
    from .minutes_models import Participant

    participant = db.session.scalar(
        db.select(Participant).where(Participant.response_token == token)
    )
    if participant is None:
        abort(404)
    form = ResponseForm()
    status = 200
    if form.validate_on_submit():
        try:
            minutes.respond_by_token(token, form.response.data, form.deputy_name.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            status = error.status_code
        else:
            flash(gettext("Thank you, your answer was saved."), "success")
            return redirect(url_for(".respond_token", token=token))
    elif form.errors:
        status = 422
    return render_template(
        "bodies/respond.html", participant=participant, meeting=participant.meeting, form=form
    ), status


@bp.post("/meetings/<int:meeting_id>/guests")
@login_required
def guest_add(meeting_id: int):
    def prepare(form, meeting):
        form.agenda_item_id.choices = [
            NONE_CHOICE,
            *[(i.id, i.title) for i in meeting.agenda_items],
        ]

    return _post(
        meeting_id,
        "meeting.edit",
        GuestForm,
        lambda m, f: minutes.add_guest(current_user, m, f.data),
        gettext("Guest added."),
        "attendance",
        prepare,
    )


# ---------------------------------------------------------------- agenda


def _prepare_item_form(form, meeting):
    form.parent_id.choices = [NONE_CHOICE, *[(i.id, i.title) for i in meeting.agenda_items]]


@bp.post("/meetings/<int:meeting_id>/items")
@login_required
def item_add(meeting_id: int):
    return _post(
        meeting_id,
        "meeting.edit",
        AgendaItemForm,
        lambda m, f: agenda.add_item(current_user, m, f.data),
        gettext("Agenda item added."),
        "agenda",
        _prepare_item_form,
    )


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def item_edit(meeting_id: int, item_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.edit", meeting))
    item = _item(meeting, item_id)
    form = AgendaItemForm(obj=item)
    _prepare_item_form(form, meeting)
    if form.validate_on_submit():
        try:
            agenda.update_item(current_user, item, form.data)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            return _done(meeting_id, gettext("Agenda item saved."), f"item-{item.id}")
    status = 422 if form.errors or request.method == "POST" else 200
    return render_template("bodies/item_form.html", form=form, meeting=meeting, item=item), status


def _item_action(meeting_id: int, item_id: int, action: str, run, message: str):
    meeting = _load(meeting_id)
    require(can(current_user, action, meeting))
    item = _item(meeting, item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        run(item)
    except DomainError as error:
        return _failed(meeting_id, error)
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


@bp.post("/meetings/<int:meeting_id>/copy-agenda")
@login_required
def copy_agenda(meeting_id: int):
    def run(meeting, form):
        template = get_or_404(Meeting, form.template_id.data)
        agenda.copy_agenda(current_user, meeting, template)

    def prepare(form, meeting):
        form.template_id.choices = [NONE_CHOICE, *agenda.template_choices(meeting)]

    return _post(
        meeting_id,
        "meeting.edit",
        CopyAgendaForm,
        run,
        gettext("Topics copied."),
        "agenda",
        prepare,
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
    form = UploadForm(prefix=f"i{item_id}", meta=NO_FORM_CSRF)
    if not form.validate_on_submit():
        return _form_failed(meeting_id, form)
    name, data = _uploaded(form)
    try:
        stored = agenda.attach_file(current_user, item, name, data or b"")
    except DomainError as error:
        return _failed(meeting_id, error)
    return _done(
        meeting_id, gettext("%(name)s uploaded.", name=stored.original_name), f"item-{item.id}"
    )


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/papers")
@login_required
def paper_submit(meeting_id: int, item_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "paper.submit", meeting))
    item = _item(meeting, item_id)
    form = PaperForm(prefix=f"i{item_id}", meta=NO_FORM_CSRF)
    form.organisation_id.choices = _organisation_choices(meeting)
    if not form.validate_on_submit():
        return _form_failed(meeting_id, form)
    name, data = _uploaded(form)
    try:
        paper = agenda.submit_paper(current_user, item, form.data, name, data)
    except DomainError as error:
        return _failed(meeting_id, error)
    return _done(
        meeting_id, gettext("Paper %(ref)s submitted.", ref=paper.reference), f"item-{item.id}"
    )


@bp.get("/meetings/<int:meeting_id>/files/<int:file_id>")
@login_required
def file_download(meeting_id: int, file_id: int):
    stored = get_or_404(StoredFile, file_id)
    if stored.meeting_id != meeting_id:
        abort(404)
    meeting = get_or_404(Meeting, meeting_id)
    item_public = stored.agenda_item is not None and stored.agenda_item.is_public
    if not (item_public and stored.paper_id is None):
        require(can(current_user, "meeting.read_internal", meeting))
    try:
        data = agenda.read_file(stored)
    except FileNotFoundError:
        abort(404)
    return _download(data, stored.original_name, stored.mime_type)


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


# ---------------------------------------------------------------- minutes


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/minutes")
@login_required
def item_minutes(meeting_id: int, item_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.edit", meeting))
    item = _item(meeting, item_id)
    form = ItemMinutesForm(prefix=f"i{item_id}", meta=NO_FORM_CSRF)
    if not form.validate_on_submit():
        return _form_failed(meeting_id, form)
    try:
        version = int(form.version.data or 0)
    except ValueError:
        abort(400)
    notes, result = form.notes.data or "", form.result.data or ""
    try:
        minutes.save_item_minutes(current_user, item, notes, result, version)
    except Conflict as error:
        db.session.rollback()
        return _conflict(meeting_id, item_id, notes, result, error)
    except DomainError as error:
        return _failed(meeting_id, error)
    return _done(
        meeting_id, gettext("Minutes of %(label)s saved.", label=item.label), f"item-{item.id}"
    )


def _conflict(meeting_id: int, item_id: int, notes: str, result: str, error: Conflict):
    """Show the saved text beside the one just sent; the form keeps the sender's text."""
    meeting = _load(meeting_id)
    item = _item(meeting, item_id)
    form = ItemMinutesForm(formdata=None, prefix=f"i{item_id}", meta=NO_FORM_CSRF)
    form.notes.data, form.result.data = notes, result
    form.version.data = str(item.minutes_version)
    return render_template(
        "bodies/minutes_conflict.html",
        meeting=meeting,
        item=item,
        form=form,
        message=error.message,
        my_notes=notes,
        my_result=result,
    ), 409


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/decisions")
@login_required
def decision_add(meeting_id: int, item_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.edit", meeting))
    item = _item(meeting, item_id)
    form = DecisionForm(prefix=f"i{item_id}", meta=NO_FORM_CSRF)
    if not form.validate_on_submit():
        return _form_failed(meeting_id, form)
    try:
        decision = minutes.add_decision(current_user, item, form.data)
    except DomainError as error:
        return _failed(meeting_id, error)
    return _done(
        meeting_id, gettext("Decision %(ref)s recorded.", ref=decision.reference), f"item-{item.id}"
    )


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/actions")
@login_required
def action_add(meeting_id: int, item_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.edit", meeting))
    item = _item(meeting, item_id)
    form = ActionItemForm(prefix=f"i{item_id}", meta=NO_FORM_CSRF)
    form.responsible_person_id.choices = _people_choices(meeting)
    form.responsible_organisation_id.choices = _organisation_choices(meeting)
    if not form.validate_on_submit():
        return _form_failed(meeting_id, form)
    try:
        minutes.add_action_item(current_user, item, form.data)
    except DomainError as error:
        return _failed(meeting_id, error)
    return _done(meeting_id, gettext("Action item recorded."), f"item-{item.id}")


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/comments")
@login_required
def comment_add(meeting_id: int, item_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.comment", meeting))
    item = _item(meeting, item_id)
    form = CommentForm(prefix=f"c{item_id}", meta=NO_FORM_CSRF)
    if not form.validate_on_submit():
        return _form_failed(meeting_id, form)
    try:
        minutes.add_comment(current_user, item, form.text.data)
    except DomainError as error:
        return _failed(meeting_id, error)
    return _done(meeting_id, gettext("Comment saved."), f"item-{item.id}")


@bp.post("/meetings/<int:meeting_id>/circulate")
@login_required
def circulate(meeting_id: int):
    return _post(
        meeting_id,
        "meeting.edit",
        EmptyForm,
        lambda m, f: minutes.circulate_minutes(current_user, m),
        gettext("Minutes circulated to the members for comments."),
    )


@bp.post("/meetings/<int:meeting_id>/approve")
@login_required
def approve(meeting_id: int):
    def run(meeting, form):
        by_meeting = None
        if request.form.get("by") == "next":
            by_meeting = services.next_meeting(meeting)
        minutes.approve_minutes(current_user, meeting, by_meeting)

    return _post(
        meeting_id, "meeting.approve", EmptyForm, run, gettext("Minutes approved and locked.")
    )


@bp.post("/meetings/<int:meeting_id>/amendments")
@login_required
def amendment_add(meeting_id: int):
    def prepare(form, meeting):
        form.agenda_item_id.choices = [
            NONE_CHOICE,
            *[(i.id, i.title) for i in meeting.agenda_items],
        ]

    return _post(
        meeting_id,
        "meeting.edit",
        AmendmentForm,
        lambda m, f: minutes.add_amendment(
            current_user, m, f.text.data, f.reason.data, f.agenda_item_id.data
        ),
        gettext("Amendment recorded."),
        "amendments",
        prepare,
    )


# ---------------------------------------------------------------- files


@bp.get("/meetings/<int:meeting_id>.ics")
@login_required
def ics(meeting_id: int):
    meeting = _load(meeting_id)
    internal = can(current_user, "meeting.read_internal", meeting)
    response = Response(invitations.meeting_ics(meeting, internal), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="sitzung-{meeting.id}.ics"'
    return response


@bp.get("/meetings/<int:meeting_id>/minutes.docx")
@login_required
def minutes_docx(meeting_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.read_internal", meeting))
    data = documents.minutes_docx(meeting)
    return _download(
        data, f"Niederschrift-{meeting.body.short_name}-{meeting.number}.docx", documents.DOCX_MIME
    )


@bp.get("/meetings/<int:meeting_id>/invitation.docx")
@login_required
def invitation_docx(meeting_id: int):
    meeting = _load(meeting_id)
    internal = can(current_user, "meeting.read_internal", meeting)
    data = documents.invitation_docx(meeting, agenda.visible_items(current_user, meeting), internal)
    return _download(
        data, f"Einladung-{meeting.body.short_name}-{meeting.number}.docx", documents.DOCX_MIME
    )


@bp.get("/meetings/<int:meeting_id>/attachments.zip")
@login_required
def attachments_zip(meeting_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.read_internal", meeting))
    data = documents.attachments_zip(meeting)
    return _download(
        data, f"Unterlagen-{meeting.body.short_name}-{meeting.number}.zip", "application/zip"
    )
