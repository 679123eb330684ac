"""The meeting overview (/meetings/<id>): facts, the agenda as a table, answers and attendance in
brief, the minutes' state; and its actions: edit, cancel, invite, mark held, answer the
invitation, add agenda items, copy an agenda."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required

from ..core.forms import NONE_CHOICE, on_domain_error
from ..core.locking import (
    choice_labels,
    commit_or_conflict,
    expected_version,
)
from ..core.permissions import can, require
from ..core.views import get_or_404
from ..extensions import db
from . import agenda, documents, invitations, minutes, services
from .forms import (
    AgendaItemForm,
    CancelForm,
    CopyAgendaForm,
    EmptyForm,
    InviteForm,
    MeetingForm,
    ResponseForm,
)
from .meeting_views import (
    _done,
    _load,
    _meeting,
    _prepare_item_form,
    bp,
)
from .minutes_models import Participant, Presence
from .minutes_models import Response as Answer
from .models import Meeting, MeetingStatus
from .permissions import answers_refusal, has_begun, held_refusal, invitation_refusal


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
    if my_row is not None and answers_refusal(meeting) is None:
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
            held_refusal=held_refusal(meeting) if editor else None,
            has_attachments=internal and documents.has_attachments(meeting.id),
            can_approve=can(user, "meeting.approve", meeting),
            can_record_approval=can(user, "meeting.record_approval", meeting),
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
            cancel_form=forms.get("cancel_form"),
            MeetingStatus=MeetingStatus,
        ),
        status,
    )


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
    sequence = meeting.ical_sequence
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
            if meeting.ical_sequence > sequence and meeting.status is MeetingStatus.INVITED:
                flash(
                    gettext("Every invitee was sent the change with the updated calendar entry."),
                    "info",
                )
            return redirect(url_for(".detail", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 422
    return render_template(
        "bodies/meeting_form.html",
        form=form,
        body=meeting.body,
        meeting=meeting,
        conflict=conflict,
        ask_past=bool(form.confirm_past.errors or form.confirm_past.data),
        invited=meeting.status is MeetingStatus.INVITED,
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


@bp.post("/meetings/<int:meeting_id>/cancel")
@login_required
def cancel(meeting_id: int):
    return post_action(
        meeting_id,
        "meeting.edit",
        CancelForm,
        lambda m, f: services.cancel_meeting(current_user, m, f.reason.data),
        gettext("Meeting cancelled."),
        # without the confirmation the overview comes back with the reason still typed
        on_form_error=lambda form: _invalid_form(meeting_id, form, cancel_form=form),
    )


@bp.route("/meetings/<int:meeting_id>/invite", methods=["GET", "POST"])
@login_required
def invite(meeting_id: int):
    """Invitations go out from a confirmation page that names every recipient (GET); its button
    posts the confirmation. A post without it shows the page again and sends nothing."""
    meeting = _load(meeting_id)
    require(can(current_user, "meeting.edit", meeting))
    refusal = invitation_refusal(meeting)
    if refusal is not None:
        flash(refusal, "warning")
        return redirect(url_for(".detail", meeting_id=meeting.id))
    form = InviteForm()
    if form.validate_on_submit():
        on_domain_error(lambda status: render_detail(meeting_id, status))
        count, warnings = invitations.send_invitations(current_user, meeting)
        for warning in warnings:
            flash(warning, "warning")
        sent = ngettext("%(num)d invitation sent.", "%(num)d invitations sent.", count)
        return _done(meeting_id, sent)
    return render_template(
        "bodies/confirm_invitations.html",
        meeting=meeting,
        body=meeting.body,
        form=form,
        recipients=invitations.invitation_recipients(meeting),
        warnings=invitations.invitation_warnings(meeting),
        resend=meeting.status is MeetingStatus.INVITED,
    ), 422 if request.method == "POST" else 200


@bp.post("/meetings/<int:meeting_id>/held")
@login_required
def held(meeting_id: int):
    return post_action(
        meeting_id,
        "meeting.edit",
        EmptyForm,
        lambda m, f: services.mark_held(current_user, m),
        gettext("Meeting marked as held."),
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
        return render_detail(meeting_id, 422, response_form=form)
    on_domain_error(lambda status: render_detail(meeting_id, status))
    minutes.respond(current_user, participant, form.response.data, form.deputy_name.data)
    return _done(meeting_id, gettext("Thank you, your answer was saved."))


@bp.route("/meetings/answer/<token>", methods=["GET", "POST"])
def respond_token(token: str):
    """The answer link in the invitation mail: the secret token identifies the invitee."""
    participant = db.session.scalar(
        db.select(Participant).where(Participant.response_token == token)
    )
    if participant is None:
        abort(404)
    form = ResponseForm()

    def page(status: int):
        return render_template(
            "bodies/respond.html", participant=participant, meeting=participant.meeting, form=form
        ), status

    if form.validate_on_submit():
        on_domain_error(page)
        minutes.respond_by_token(token, form.response.data, form.deputy_name.data)
        db.session.commit()
        flash(gettext("Thank you, your answer was saved."), "success")
        return redirect(url_for(".respond_token", token=token))
    return page(422 if form.errors else 200)


@bp.post("/meetings/<int:meeting_id>/items")
@login_required
def item_add(meeting_id: int):
    return post_action(
        meeting_id,
        "meeting.edit",
        AgendaItemForm,
        lambda m, f: agenda.add_item(current_user, m, f.data),
        gettext("Agenda item added."),
        "agenda",
        _prepare_item_form,
        on_form_error=lambda form: render_detail(meeting_id, 422, item_form=form),
    )


@bp.post("/meetings/<int:meeting_id>/copy-agenda")
@login_required
def copy_agenda(meeting_id: int):
    def run(meeting, form):
        template = get_or_404(Meeting, form.template_id.data)
        agenda.copy_agenda(current_user, meeting, template)

    def prepare(form, meeting):
        form.template_id.choices = [NONE_CHOICE, *agenda.template_choices(meeting)]

    return post_action(
        meeting_id,
        "meeting.edit",
        CopyAgendaForm,
        run,
        gettext("Topics copied."),
        "agenda",
        prepare,
    )


def _invalid_form(meeting_id: int, form, **forms):
    """The overview again with the form's errors flashed (its forms are buttons and one-liners);
    `forms` keep what was typed into them."""
    for name, errors in form.errors.items():
        label = form[name].label.text if name in form else ""
        flash(
            f"{label}: {' '.join(str(e) for e in errors)}" if label else " ".join(errors), "danger"
        )
    return render_detail(meeting_id, 422, **forms)


def post_action(
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
    """The shape of every meeting action: load, check, validate, call one service, commit. A
    refusal is flashed above the overview (core.forms.answer_domain_error)."""
    meeting = _load(meeting_id)
    require(can(current_user, action, meeting))
    form = form_cls()
    if prepare is not None:
        prepare(form, meeting)
    if not form.validate_on_submit():
        if on_form_error is not None:
            return on_form_error(form)
        return _invalid_form(meeting_id, form)
    on_domain_error(lambda status: render_detail(meeting_id, status))
    run(meeting, form)
    return _done(meeting_id, message, anchor, endpoint)
