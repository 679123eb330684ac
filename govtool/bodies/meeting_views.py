"""The meeting pages: the overview (/meetings/<id>: facts, agenda table, answers and attendance in
brief, the minutes' state, invitations and approval), one page per agenda item
(/meetings/<id>/items/<item_id>: papers, files, the item's minutes, decisions and action items),
attendance (/meetings/<id>/attendance), the whole minutes to read (/meetings/<id>/minutes), and
the files: .ics, invitation and minutes DOCX, attachments as ZIP."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.downloads import download
from ..core.errors import DomainError, EditConflict
from ..core.forms import NONE_CHOICE, show_domain_error
from ..core.locking import (
    ConflictRow,
    ConflictView,
    choice_labels,
    commit_or_conflict,
    expected_version,
)
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
from .minutes_models import Response as Answer
from .models import Meeting, MeetingStatus
from .permissions import has_begun, minutes_refusal

bp = Blueprint("meetings", __name__)
# The item page's forms carry a prefix (decision-text, minutes-notes) so ids stay unique on the
# page; CSRFProtect checks every POST of the app already, so they skip their own token field.
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
    require(can(current_user, "agenda_item.view", item))
    return item


# Comments on the minutes exist once they were circulated.
COMMENT_STATES = (MeetingStatus.MINUTES_CIRCULATED, MeetingStatus.MINUTES_APPROVED)


def _meeting(meeting_id: int) -> Meeting:
    """The meeting with its body only (the GET pages read their rows with lean queries)."""
    meeting = services.meeting_overview(meeting_id)
    if meeting is None:
        abort(404)
    require(can(current_user, "meeting.view", meeting))
    return meeting


def _people_choices(meeting: Meeting):
    return [NONE_CHOICE, *services.meeting_choices(meeting)[0]]


def _organisation_choices(meeting: Meeting):
    return [NONE_CHOICE, *services.meeting_choices(meeting)[1]]


def _counted(rows, attribute: str, enum_cls) -> list[tuple[str, int]]:
    """(label, count) of each stored value that occurs, in the enum's order."""
    counts: dict[str, int] = {}
    for row in rows:
        value = getattr(row, attribute)
        counts[value] = counts.get(value, 0) + 1
    return [(member.label, counts[member.value]) for member in enum_cls if member.value in counts]


def render_detail(meeting_id: int, status: int = 200, **forms):
    """The meeting overview: facts, the agenda as a table linking each item's page, a summary of
    answers and attendance, the minutes' state and the meeting's actions. The per-item forms
    live on the item page, attendance on its own page."""
    meeting = _meeting(meeting_id)
    user = current_user._get_current_object()
    internal = can(user, "meeting.read_internal", meeting)
    editor = can(user, "meeting.edit", meeting)
    rows = services.agenda_rows(meeting.id, internal)
    participants = services.participant_rows(meeting.id)
    my_row = next((p for p in participants if p.person_id and p.person_id == user.person_id), None)
    my_participant = None
    if my_row is not None:
        my_participant = {"response": Answer(my_row.response), "deputy_name": my_row.deputy_name}
    editable_agenda = can(user, "meeting.edit_agenda", meeting)
    show_minutes = can(user, "meeting.read_minutes", meeting)
    item_form = copy_form = response_form = None
    if editable_agenda:
        item_form = forms.get("item_form") or AgendaItemForm(formdata=None)
        item_form.parent_id.choices = [
            NONE_CHOICE,
            *[(r.id, f"TOP {r.number} {r.title}") for r in rows if r.parent_id is None],
        ]
        copy_form = CopyAgendaForm(formdata=None)
        copy_form.template_id.choices = [NONE_CHOICE, *agenda.template_choices(meeting)]
    if my_participant is not None and meeting.status in (
        MeetingStatus.PLANNED,
        MeetingStatus.INVITED,
    ):
        response_form = forms.get("response_form") or ResponseForm(formdata=None)
        if my_row.response != "none" and "response_form" not in forms:
            response_form.response.data = my_row.response
            response_form.deputy_name.data = my_row.deputy_name
    # The overview links each item; its url is built once here, not once per row in the loop.
    items_url = url_for(".detail", meeting_id=meeting.id) + "/items/"
    # Count columns are shown where the user may see them and at least one item has an entry.
    shown = {"attachments"}
    if internal:
        shown.add("papers")
    if show_minutes:
        shown.update(("decisions", "actions"))
        if meeting.status is MeetingStatus.MINUTES_CIRCULATED:
            shown.add("comments")
    counts = {name for name in shown if any(getattr(row, name) for row in rows)}
    return (
        render_template(
            "bodies/meeting_detail.html",
            meeting=meeting,
            body=meeting.body,
            rows=rows,
            items_url=items_url,
            counts=counts,
            internal=internal,
            editor=editor,
            editable_agenda=editable_agenda,
            minutes_open=can(user, "meeting.write_minutes", meeting),
            has_begun=has_begun(meeting),
            can_approve=can(user, "meeting.approve", meeting),
            can_comment=meeting.status is MeetingStatus.MINUTES_CIRCULATED
            and can(user, "meeting.comment", meeting),
            my_participant=my_participant,
            invitee_count=len(participants),
            responses=_counted(participants, "response", Answer) if internal else [],
            presences=_counted(participants, "presence", Presence) if internal else [],
            quorum=minutes.quorum_of(meeting.body, participants)
            if internal and participants
            else None,
            amendment_count=minutes.amendment_count(meeting)
            if show_minutes and meeting.minutes_locked
            else 0,
            warnings=invitations.invitation_warnings(meeting)
            if editor and meeting.status is MeetingStatus.PLANNED
            else [],
            show_minutes=show_minutes,
            item_form=item_form,
            copy_form=copy_form,
            response_form=response_form,
            MeetingStatus=MeetingStatus,
        ),
        status,
    )


def render_item(meeting_id: int, item_id: int, status: int = 200, **forms):
    """One agenda item: its papers and files, its minutes, decisions and action items, and the
    forms that act on it (one of each, with their errors shown at the field)."""
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
    choices = None
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
            ItemKind=ItemKind,
        ),
        status,
    )


def render_attendance(meeting_id: int, status: int = 200, guest_form=None):
    """Invitees, their answers and attendance; the secretary records attendance here."""
    meeting = _meeting(meeting_id)
    user = current_user._get_current_object()
    require(can(user, "meeting.read_internal", meeting))
    editor = can(user, "meeting.edit", meeting)
    participants = services.meeting_participants(meeting.id)
    # Invitees and guests are added before the meeting; attendance is recorded once it began.
    recording = editor and not meeting.minutes_locked and not meeting.is_cancelled
    refusal = minutes_refusal(meeting) if editor else None
    if recording and guest_form is None:
        guest_form = GuestForm(formdata=None)
    if recording:
        guest_form.agenda_item_id.choices = [
            NONE_CHOICE,
            *[
                (r.id, f"TOP {r.number} {r.title}")
                for r in services.agenda_outline(meeting.id, True)
            ],
        ]
    return (
        render_template(
            "bodies/attendance.html",
            meeting=meeting,
            body=meeting.body,
            participants=participants,
            editor=editor,
            recording=recording,
            recording_presence=editor and refusal is None,
            presence_refusal=refusal if recording else None,
            quorum=minutes.quorum_of(meeting.body, participants) if participants else None,
            guest_form=guest_form,
            presence_choices=list(Presence),
        ),
        status,
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
    if editor and meeting.minutes_locked and amendment_form is None:
        amendment_form = AmendmentForm(formdata=None)
    if amendment_form is not None:
        amendment_form.agenda_item_id.choices = [
            NONE_CHOICE,
            *[(i.id, f"{i.label} {i.title}") for i in items],
        ]
    decisions: dict[int, list] = {}
    for decision in minutes.meeting_decisions(meeting):
        decisions.setdefault(decision.agenda_item_id, []).append(decision)
    actions: dict[int, list] = {}
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
            ItemKind=ItemKind,
        ),
        status,
    )


def _done(meeting_id: int, message: str, anchor: str = "", endpoint: str = ".detail", **values):
    db.session.commit()
    flash(message, "success")
    return redirect(
        url_for(endpoint, meeting_id=meeting_id, **values) + (f"#{anchor}" if anchor else "")
    )


def _item_done(meeting_id: int, item_id: int, message: str, anchor: str = ""):
    return _done(meeting_id, message, anchor, ".item_detail", item_id=item_id)


def _failed(meeting_id: int, error: DomainError, render=None):
    db.session.rollback()
    if error.status_code == 403:
        abort(403)
    flash(error.message, "danger")
    if render is not None:
        return render(error.status_code)
    return render_detail(meeting_id, error.status_code)


def _form_failed(meeting_id: int, form):
    db.session.rollback()
    for name, errors in form.errors.items():
        label = form[name].label.text if name in form else ""
        flash(
            f"{label}: {' '.join(str(e) for e in errors)}" if label else " ".join(errors), "danger"
        )
    return render_detail(meeting_id, 422)


def _item_error(meeting_id: int, item_id: int, name: str, form, error: DomainError):
    """A service refused the form: its message goes to the field it names (else flashed)."""
    db.session.rollback()
    if error.status_code == 403:
        abort(403)
    show_domain_error(error, form)
    return render_item(meeting_id, item_id, error.status_code, **{name: form})


def _item_form_failed(meeting_id: int, item_id: int, name: str, form):
    """Show the item page again with the form's errors at its fields (and in the summary)."""
    db.session.rollback()
    return render_item(meeting_id, item_id, 422, **{name: form})


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
    conflict, status = None, 200
    if form.validate_on_submit():
        saved, conflict, status = commit_or_conflict(
            form,
            meeting,
            lambda: services.update_meeting(
                current_user, meeting, form.data, expected_version(form)
            ),
            _saved_meeting,
            choice_labels(form),
        )
        if saved:
            flash(gettext("Changes saved."), "success")
            return redirect(url_for(".detail", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 422
    return render_template(
        "bodies/meeting_form.html",
        form=form,
        body=meeting.body,
        meeting=meeting,
        conflict=conflict,
    ), status


def _saved_meeting(meeting: Meeting) -> dict:
    """The saved meeting as its form shows it, for the conflict page."""
    return {
        "title": meeting.title,
        "kind": meeting.kind,
        "date": meeting.date,
        "start_time": meeting.start_local.time(),
        "end_time": meeting.end_local.time(),
        "location": meeting.location,
        "video_url": meeting.video_url,
    }


@bp.get("/meetings/<int:meeting_id>/items/<int:item_id>")
@login_required
def item_detail(meeting_id: int, item_id: int):
    return render_item(meeting_id, item_id)


@bp.get("/meetings/<int:meeting_id>/attendance")
@login_required
def attendance_page(meeting_id: int):
    return render_attendance(meeting_id)


@bp.get("/meetings/<int:meeting_id>/minutes")
@login_required
def minutes_page(meeting_id: int):
    return render_minutes(meeting_id)


def _post(
    meeting_id: int,
    action: str,
    form_cls,
    run,
    message: str,
    anchor="",
    prepare=None,
    endpoint=".detail",
    on_form_error=None,
):
    """The shape of every meeting action: load, check, validate, call one service, commit."""
    meeting = _load(meeting_id)
    require(can(current_user, action, meeting))
    form = form_cls()
    if prepare is not None:
        prepare(form, meeting)
    if not form.validate_on_submit():
        if on_form_error is not None:
            db.session.rollback()
            return on_form_error(form)
        return _form_failed(meeting_id, form)
    try:
        run(meeting, form)
    except DomainError as error:
        return _failed(meeting_id, error)
    return _done(meeting_id, message, anchor, endpoint)


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


def _attendance_failed(meeting_id: int):
    return lambda status: render_attendance(meeting_id, status)


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
        return _failed(meeting_id, error, _attendance_failed(meeting_id))
    return _done(meeting_id, gettext("Attendance saved."), endpoint=".attendance_page")


@bp.post("/meetings/<int:meeting_id>/participants")
@login_required
def participants_refresh(meeting_id: int):
    return _post(
        meeting_id,
        "meeting.edit",
        EmptyForm,
        lambda m, f: minutes.ensure_participants(m),
        gettext("Invitee list updated from the current members."),
        endpoint=".attendance_page",
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
        db.session.rollback()
        return render_detail(meeting_id, 422, response_form=form)
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
    return _post(
        meeting_id,
        "meeting.edit",
        GuestForm,
        lambda m, f: minutes.add_guest(current_user, m, f.data),
        gettext("Guest added."),
        prepare=_item_choices_for("agenda_item_id"),
        endpoint=".attendance_page",
        on_form_error=lambda form: render_attendance(meeting_id, 422, guest_form=form),
    )


# ---------------------------------------------------------------- agenda


def _item_choices_for(field: str):
    """A `prepare` for _post: the form's `field` offers the meeting's agenda items (or none)."""

    def prepare(form, meeting):
        form[field].choices = [NONE_CHOICE, *[(i.id, i.title) for i in meeting.agenda_items]]

    return prepare


_prepare_item_form = _item_choices_for("parent_id")


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
        on_form_error=lambda form: render_detail(meeting_id, 422, item_form=form),
    )


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


def _item_failed(meeting_id: int, item_id: int):
    return lambda status: render_item(meeting_id, item_id, status)


def _item_action(meeting_id: int, item_id: int, action: str, run, message: str, to_item=False):
    meeting = _load(meeting_id)
    require(can(current_user, action, meeting))
    item = _item(meeting, item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        run(item)
    except DomainError as error:
        return _failed(meeting_id, error, _item_failed(meeting_id, item_id))
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
    form = UploadForm(prefix="upload", meta=NO_FORM_CSRF)
    if not form.validate_on_submit():
        return _item_form_failed(meeting_id, item_id, "upload_form", form)
    name, data = _uploaded(form)
    try:
        stored = agenda.attach_file(current_user, item, name, data or b"")
    except DomainError as error:
        return _item_error(meeting_id, item_id, "upload_form", form, error)
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
        return _item_form_failed(meeting_id, item_id, "paper_form", form)
    name, data = _uploaded(form)
    try:
        paper = agenda.submit_paper(current_user, item, form.data, name, data)
    except DomainError as error:
        return _item_error(meeting_id, item_id, "paper_form", form, error)
    return _item_done(
        meeting_id, item.id, gettext("Paper %(ref)s submitted.", ref=paper.reference), "papers"
    )


@bp.get("/meetings/<int:meeting_id>/files/<int:file_id>")
@login_required
def file_download(meeting_id: int, file_id: int):
    stored = get_or_404(StoredFile, file_id)
    if stored.meeting_id != meeting_id:
        abort(404)
    get_or_404(Meeting, meeting_id)
    require(can(current_user, "meeting_file.view", stored))
    try:
        data = agenda.read_file(stored)
    except FileNotFoundError:
        abort(404)
    return download(data, stored.original_name, stored.mime_type)


# ---------------------------------------------------------------- minutes


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/minutes")
@login_required
def item_minutes(meeting_id: int, item_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.edit", meeting))
    item = _item(meeting, item_id)
    form = ItemMinutesForm(prefix="minutes", meta=NO_FORM_CSRF)
    if not form.validate_on_submit():
        return _item_form_failed(meeting_id, item_id, "minutes_form", form)
    try:
        version = int(form.version.data or 0)
    except ValueError:
        abort(400)
    notes, result = form.notes.data or "", form.result.data or ""
    try:
        minutes.save_item_minutes(current_user, item, notes, result, version)
    except EditConflict as error:
        db.session.rollback()
        return _conflict(meeting_id, item_id, notes, result, error)
    except DomainError as error:
        return _item_error(meeting_id, item_id, "minutes_form", form, error)
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
    conflict = ConflictView(
        error.message,
        [
            ConflictRow(str(form.notes.label.text), item.notes, notes),
            ConflictRow(str(form.result.label.text), item.result, result),
        ],
    )
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
        return _item_form_failed(meeting_id, item_id, "decision_form", form)
    try:
        decision = minutes.add_decision(current_user, item, form.data)
    except DomainError as error:
        return _item_error(meeting_id, item_id, "decision_form", form, error)
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
        return _item_form_failed(meeting_id, item_id, "action_form", form)
    try:
        minutes.add_action_item(current_user, item, form.data)
    except DomainError as error:
        return _item_error(meeting_id, item_id, "action_form", form, error)
    return _item_done(meeting_id, item.id, gettext("Action item recorded."), "action-items")


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/comments")
@login_required
def comment_add(meeting_id: int, item_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.comment", meeting))
    item = _item(meeting, item_id)
    form = CommentForm(prefix="comment", meta=NO_FORM_CSRF)
    if not form.validate_on_submit():
        return _item_form_failed(meeting_id, item_id, "comment_form", form)
    try:
        minutes.add_comment(current_user, item, form.text.data)
    except DomainError as error:
        return _item_error(meeting_id, item_id, "comment_form", form, error)
    return _item_done(meeting_id, item.id, gettext("Comment saved."), "comments")


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
    return _post(
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


# ---------------------------------------------------------------- files


@bp.get("/meetings/<int:meeting_id>.ics")
@login_required
def ics(meeting_id: int):
    meeting = _load(meeting_id)
    internal = can(current_user, "meeting.read_internal", meeting)
    return download(
        invitations.meeting_ics(meeting, internal), f"sitzung-{meeting.id}.ics", "text/calendar"
    )


@bp.get("/meetings/<int:meeting_id>/minutes.docx")
@login_required
def minutes_docx(meeting_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.read_internal", meeting))
    data = documents.minutes_docx(meeting)
    return download(
        data, f"Niederschrift-{meeting.body.short_name}-{meeting.number}.docx", documents.DOCX_MIME
    )


@bp.get("/meetings/<int:meeting_id>/invitation.docx")
@login_required
def invitation_docx(meeting_id: int):
    meeting = _load(meeting_id)
    internal = can(current_user, "meeting.read_internal", meeting)
    data = documents.invitation_docx(meeting, agenda.visible_items(current_user, meeting), internal)
    return download(
        data, f"Einladung-{meeting.body.short_name}-{meeting.number}.docx", documents.DOCX_MIME
    )


@bp.get("/meetings/<int:meeting_id>/attachments.zip")
@login_required
def attachments_zip(meeting_id: int):
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.read_internal", meeting))
    data = documents.attachments_zip(meeting)
    return download(
        data, f"Unterlagen-{meeting.body.short_name}-{meeting.number}.zip", "application/zip"
    )
