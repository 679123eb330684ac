"""Pages for bodies: list, detail with members, working groups, meetings and decisions; plan the
year; the private iCal feed. Adding and ending memberships is in membership_views.py, meetings
in meeting_views.py (and the page modules it names), action items in action_views.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext, ngettext
from flask_login import current_user, login_required

from ..core.args import arg_int
from ..core.downloads import download
from ..core.formatting import format_date, format_datetime
from ..core.forms import NONE_CHOICE, commit_or_show, on_domain_error
from ..core.permissions import can, require
from ..core.views import get_or_404, paginate
from ..extensions import db
from ..links import directory as directory_services
from ..links import services as links
from . import report as activity_report
from . import services
from .agenda import render_markdown
from .documents import DOCX_MIME
from .forms import BodyForm, MeetingForm, PlanYearForm, ReportPeriodForm
from .invitations import body_feed
from .models import Body, MeetingKind, MeetingStatus, MembershipRole

bp = Blueprint("bodies", __name__)


@bp.app_template_filter("markdown")
def markdown_filter(text: str | None):
    """Sanitised Markdown for descriptions and minutes."""
    return render_markdown(text)


def _body_form(body: Body | None = None) -> BodyForm:
    form = BodyForm(obj=body)
    if body is not None and request.method == "GET":
        form.kind.data = body.kind.value
        form.cadence.data = body.cadence.value
    exclude = body.id if body else None
    form.parent_id.choices = [
        NONE_CHOICE,
        *[
            (b.id, b.name)
            for b in db.session.scalars(services.body_list_query())
            if b.id != exclude
        ],
    ]
    form.organisation_id.choices = [NONE_CHOICE, *directory_services.organisation_choices()]
    form.rules_agreement_id.choices = [
        NONE_CHOICE,
        *links.rules_agreement_choices(
            current_user, current=body.rules_agreement if body is not None else None
        ),
    ]
    if body is not None and request.method == "GET":
        shown = links.visible_agreement(current_user, body.rules_agreement)
        form.rules_agreement_id.data = shown.id if shown else 0
    return form


@bp.get("/bodies/")
@login_required
def body_list():
    require(can(current_user, "body.view"))
    page = paginate(services.body_list_query())
    return render_template(
        "bodies/body_list.html", page=page, can_create=can(current_user, "body.create")
    )


@bp.route("/bodies/new", methods=["GET", "POST"])
@login_required
def body_create():
    require(can(current_user, "body.create"))
    form = _body_form()
    if form.validate_on_submit():
        saved, body = commit_or_show(form, lambda: services.create_body(current_user, form.data))
        if saved:
            flash(gettext("Body %(name)s created.", name=body.name), "success")
            return redirect(url_for(".body_detail", body_id=body.id))
    status = 422 if form.errors else 200
    return render_template("bodies/body_form.html", form=form, body=None), status


@bp.get("/bodies/<int:body_id>")
@login_required
def body_detail(body_id: int):
    return _render_body(body_id)


def _render_body(body_id: int):
    body = services.body_for_page(body_id)
    if body is None:
        abort(404)
    user = current_user._get_current_object()
    require(can(user, "body.view", body))
    can_edit = can(user, "body.edit", body)
    upcoming, past = services.next_and_last_meetings(body.id)
    decisions = []
    if can(user, "meeting.read_internal", body):
        decisions = services.body_decision_rows(body.id, services.BODY_PAGE_DECISIONS + 1)
    meeting_row = _meeting_row_maker()
    meeting_url = _url_maker("meetings.detail", "meeting_id")
    results = {result: result.label for result in {d.result for d in decisions}}
    return render_template(
        "bodies/body_detail.html",
        body=body,
        groups=_member_groups(services.member_rows(body.id)),
        upcoming=[meeting_row(m) for m in upcoming],
        past=[meeting_row(m) for m in past],
        decisions=[
            (
                d.reference,
                d.text,
                results[d.result],
                meeting_url(d.meeting_id),
                d.meeting_title or f"{d.meeting_number}. Sitzung",
            )
            for d in decisions[: services.BODY_PAGE_DECISIONS]
        ],
        more_decisions=len(decisions) > services.BODY_PAGE_DECISIONS,
        can_edit=can_edit,
        can_calendar=can(user, "body.calendar", body),
        can_report=can(user, "meeting.read_internal", body),
        rules_agreement=links.visible_agreement(user, body.rules_agreement),
        founding_agreements=links.agreements_setting_up(user, body),
    )


def _url_maker(endpoint: str, key: str, **values):
    """A function id -> URL for a per-row link, calling url_for once per page, not per row."""
    marker = "2147483647"
    params: dict[str, Any] = {key: int(marker), **values}
    head, _, tail = url_for(endpoint, **params).partition(marker)
    return lambda value: f"{head}{value}{tail}"


def _date_formatter() -> Callable[[Any], str]:
    """format_date with the locale looked up once per page and each distinct date formatted once
    (member lists repeat the same start dates)."""
    locale = str(get_locale() or "de")
    done: dict = {}

    def formatted(value) -> str:
        if value not in done:
            done[value] = format_date(value, locale)
        return done[value]

    return formatted


def _person_name(title, first_name, last_name) -> str:
    return " ".join(p for p in (title, first_name, last_name) if p)


class MemberRow(NamedTuple):
    """A current member as the member tables show it (attributes, so Jinja finds them at once)."""

    id: int
    name: str
    url: str
    role: str
    voting: str
    deputy_of: str
    since: str


def _member_groups(rows) -> list[tuple[str, list[MemberRow]]]:
    """Current members grouped by organisation, each row with its labels already worked out."""
    person_url = _url_maker("directory.person_detail", "person_id")
    roles = {role: role.label for role in MembershipRole}
    yes, no = gettext("yes"), gettext("no")
    format_date = _date_formatter()
    return [
        (
            organisation,
            [
                MemberRow(
                    row.id,
                    _person_name(row.title, row.first_name, row.last_name),
                    person_url(row.person_id),
                    roles[row.role],
                    yes if row.has_voting_right else no,
                    _person_name(row.deputy_title, row.deputy_first_name, row.deputy_last_name)
                    or "–",
                    format_date(row.start_date) or "–",
                )
                for row in members
            ],
        )
        for organisation, members in services.group_member_rows(rows)
    ]


def _meeting_row_maker():
    """A function meeting row -> (url, title, date and time, kind, status) for meeting tables."""
    meeting_url = _url_maker("meetings.detail", "meeting_id")
    kinds = {kind: kind.label for kind in MeetingKind}
    statuses = {status: status.label for status in MeetingStatus}
    locale = str(get_locale() or "de")

    def row(m):
        status = statuses[m.status]
        if m.status is MeetingStatus.CANCELLED and m.cancel_reason:
            status = f"{status} ({m.cancel_reason})"
        return (
            meeting_url(m.id),
            m.title or f"{m.number}. Sitzung",
            format_datetime(m.start_at, locale),
            kinds[m.kind],
            status,
        )

    return row


@bp.get("/bodies/<int:body_id>/members")
@login_required
def members(body_id: int):
    """Current members (editors end memberships here) and the former members: the history."""
    body = get_or_404(Body, body_id)
    user = current_user._get_current_object()
    require(can(user, "body.view", body))
    person_url = _url_maker("directory.person_detail", "person_id")
    roles = {role: role.label for role in MembershipRole}
    format_date = _date_formatter()
    former = [
        {
            "name": _person_name(row.title, row.first_name, row.last_name),
            "url": person_url(row.person_id),
            "role": roles[row.role],
            "organisation": row.organisation_short_name or "–",
            "period": f"{format_date(row.start_date) or '–'} – {format_date(row.end_date) or '–'}",
        }
        for row in services.member_rows(body.id, current=False)
    ]
    return render_template(
        "bodies/members.html",
        body=body,
        groups=_member_groups(services.member_rows(body.id)),
        former=former,
        can_edit=can(user, "body.edit", body),
    )


@bp.get("/bodies/<int:body_id>/meetings")
@login_required
def body_meetings(body_id: int):
    """All meetings of a body, one calendar year at a time (the latest year with meetings first)."""
    body = get_or_404(Body, body_id)
    require(can(current_user, "body.view", body))
    years = services.meeting_years(body.id)
    year = arg_int("year", minimum=1900, maximum=2199, strict=True)
    if year is None:
        year = services.default_meeting_year(years)
    meeting_row = _meeting_row_maker()
    return render_template(
        "bodies/body_meetings.html",
        body=body,
        years=years,
        year=year,
        meetings=[meeting_row(m) for m in services.meetings_of_year(body.id, year)],
        can_edit=can(current_user, "meeting.edit", body),
    )


@bp.get("/bodies/<int:body_id>/decisions")
@login_required
def body_decisions(body_id: int):
    """All decisions of a body, latest first, a page at a time (members and admins)."""
    body = get_or_404(Body, body_id)
    require(can(current_user, "meeting.read_internal", body))
    page = paginate(services.body_decisions_query(body.id))
    meeting_url = _url_maker("meetings.detail", "meeting_id")
    return render_template(
        "bodies/body_decisions.html",
        body=body,
        page=page,
        decisions=[
            (
                d.reference,
                d.text,
                d.result.label,
                meeting_url(d.meeting_id),
                d.meeting.display_title,
            )
            for d in page.items
        ],
    )


def _report_period(body: Body) -> tuple[ReportPeriodForm, tuple[dt.date, dt.date] | None]:
    """The report form filled from the query string, and the period (None while it has errors);
    a missing date falls back to the body's term or the last 12 months."""
    form = ReportPeriodForm(formdata=request.args)
    if not form.validate():
        return form, None
    default_start, default_end = activity_report.default_period(body)
    start, end = form.start.data or default_start, form.end.data or default_end
    if end < start:  # one date given, the other from the default
        form.end.errors.append(gettext("The end of the period must not be before its start."))
        return form, None
    return form, (start, end)


def _render_report_form(body: Body, form: ReportPeriodForm, status: int = 200):
    if not form.errors:
        start, end = activity_report.default_period(body)
        form.start.data = form.start.data or start
        form.end.data = form.end.data or end
    return render_template("bodies/report.html", body=body, form=form), status


@bp.get("/bodies/<int:body_id>/report")
@login_required
def body_report(body_id: int):
    """The form for the activity report: the period, then the DOCX download."""
    body = get_or_404(Body, body_id)
    require(can(current_user, "meeting.read_internal", body))
    form, period = _report_period(body)
    return _render_report_form(body, form, 200 if period else 422)


@bp.get("/bodies/<int:body_id>/report.docx")
@login_required
def body_report_docx(body_id: int):
    """The activity report (Tätigkeitsbericht) of the period as DOCX, to edit further in Word."""
    body = get_or_404(Body, body_id)
    require(can(current_user, "meeting.read_internal", body))
    form, period = _report_period(body)
    if period is None:
        return _render_report_form(body, form, 422)
    data = activity_report.report_docx(body, *period)
    filename = activity_report.report_filename(body, *period)
    return download(data, filename, DOCX_MIME)


@bp.route("/bodies/<int:body_id>/edit", methods=["GET", "POST"])
@login_required
def body_edit(body_id: int):
    body = get_or_404(Body, body_id)
    require(can(current_user, "body.edit", body))
    form = _body_form(body)
    if form.validate_on_submit():
        saved, _ = commit_or_show(form, lambda: services.update_body(current_user, body, form.data))
        if saved:
            flash(gettext("Changes saved."), "success")
            return redirect(url_for(".body_detail", body_id=body.id))
    status = 422 if form.errors else 200
    return render_template("bodies/body_form.html", form=form, body=body), status


@bp.route("/bodies/<int:body_id>/plan", methods=["GET", "POST"])
@login_required
def plan_year(body_id: int):
    body = get_or_404(Body, body_id)
    require(can(current_user, "meeting.edit", body))
    form = PlanYearForm()
    if request.method == "GET":
        form.year.data = dt.date.today().year + 1
        form.start_time.data = dt.time(10, 0)
        form.end_time.data = dt.time(13, 0)

    def page(status: int):
        return render_template("bodies/plan_year.html", form=form, body=body), status

    if form.validate_on_submit():
        on_domain_error(page, form)
        created = services.plan_year(
            current_user,
            body,
            form.year.data,
            form.weekday.data,
            form.week.data,
            form.start_time.data,
            form.end_time.data,
            form.location.data or "",
        )
        db.session.commit()
        flash(
            ngettext("%(num)d meeting planned.", "%(num)d meetings planned.", len(created)),
            "success",
        )
        return redirect(url_for(".body_detail", body_id=body.id))
    return page(422 if form.errors else 200)


@bp.route("/bodies/<int:body_id>/meetings/new", methods=["GET", "POST"])
@login_required
def meeting_create(body_id: int):
    body = get_or_404(Body, body_id)
    require(can(current_user, "meeting.edit", body))
    form = MeetingForm()
    if request.method == "GET":
        form.start_time.data, form.end_time.data = dt.time(10, 0), dt.time(13, 0)
    form.title.render_kw = {"placeholder": services.planned_title(body)}
    if form.validate_on_submit():
        saved, meeting = commit_or_show(
            form, lambda: services.create_meeting(current_user, body, form.data)
        )
        if saved:
            flash(gettext("Meeting created."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    status = 422 if form.errors else 200
    return render_template("bodies/meeting_form.html", form=form, body=body, meeting=None), status


@bp.post("/bodies/<int:body_id>/calendar-token")
@login_required
def calendar_token_renew(body_id: int):
    body = get_or_404(Body, body_id)
    require(can(current_user, "body.edit", body))
    services.renew_calendar_token(current_user, body)
    db.session.commit()
    flash(gettext("A new calendar address was issued; the old one no longer works."), "success")
    return redirect(url_for(".body_detail", body_id=body.id))


@bp.get("/bodies/calendar/<token>.ics")
def calendar_feed(token: str):
    """The private feed: the secret token is the credential, so calendar clients need no login."""
    body = services.body_by_calendar_token(token)
    if body is None:
        abort(404)
    return download(
        body_feed(body, services.calendar_feed_meetings(body)),
        f"{body.short_name}.ics",
        "text/calendar",
        inline=True,
        headers={"Cache-Control": "private, max-age=300"},
    )


# The members' pages register their routes on bp (imported last: they import bp).
from . import calendar_views, membership_views  # noqa: E402,F401
