"""Use cases for bodies, memberships and meetings: create, plan the year, move, cancel."""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any

import holidays
import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import aliased, joinedload, selectinload

from ..core import numbering
from ..core.bounds import MEETING_DATES, check_date
from ..core.errors import NotFound, ValidationError
from ..core.formatting import format_datetime, to_berlin
from ..core.identifiers import clean_identifier
from ..core.links import links
from ..core.locking import claim
from ..core.models import utcnow
from ..core.permissions import ensure
from ..directory.models import Organisation, Person, list_label
from ..extensions import db
from .models import (
    Body,
    BodyKind,
    Cadence,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Membership,
    MembershipRole,
    local_datetime,
)
from .naming import meeting_title
from .permissions import held_refusal

if TYPE_CHECKING:
    from ..auth.models import User

BODY_FIELDS = (
    "name",
    "short_name",
    "kind",
    "parent_id",
    "organisation_id",
    "purpose",
    "rules_of_procedure",
    "rules_agreement_id",
    "cadence",
    "quorum_percent",
    "quorum_more_than",
    "invitation_period_days",
    "papers_period_days",
    "minutes_draft_days",
    "comment_period_days",
    "state_code",
    "start_date",
    "end_date",
    "public_calendar",
)
GERMAN_STATES = "BB BE BW BY HB HE HH MV NI NW RP SH SL SN ST TH".split()


# ---------------------------------------------------------------- bodies


def body_list_query() -> sa.Select:
    """Bodies for the list, parents and the running organisation loaded (no query per row)."""
    return (
        sa.select(Body)
        .options(joinedload(Body.parent), joinedload(Body.organisation))
        .order_by(Body.parent_id.is_not(None), Body.name)
    )


def get_body(body_id: int) -> Body:
    body = db.session.get(Body, body_id)
    if body is None:
        raise NotFound(gettext("This body does not exist."))
    return body


def get_body_detail(body_id: int) -> Body | None:
    """A body with memberships, working groups and meetings loaded for its page."""
    return db.session.scalars(
        sa.select(Body)
        .where(Body.id == body_id)
        .options(
            selectinload(Body.memberships).joinedload(Membership.person),
            selectinload(Body.memberships).joinedload(Membership.organisation),
            selectinload(Body.memberships).joinedload(Membership.deputy_of),
            selectinload(Body.children),
            selectinload(Body.meetings),
            joinedload(Body.parent),
            joinedload(Body.organisation),
            joinedload(Body.rules_agreement),
        )
    ).first()


def current_members_by_organisation(body: Body, on: dt.date | None = None):
    """Current memberships grouped by the organisation represented, in a stable order."""
    groups: dict[str, list[Membership]] = {}
    order = list(MembershipRole)
    for membership in sorted(
        (m for m in body.memberships if m.is_current(on)),
        key=lambda m: (order.index(m.role), m.person.last_name),
    ):
        key = (
            membership.organisation.name
            if membership.organisation
            else gettext("Without organisation")
        )
        groups.setdefault(key, []).append(membership)
    return sorted(groups.items())


# The body page shows plain rows (columns, not entities) loaded by one query per part, so its cost
# does not grow with the body's history: members, the next and last meetings, recent decisions.
BODY_PAGE_MEETINGS = 5
BODY_PAGE_DECISIONS = 10


@functools.cache
def _body_page_statement() -> sa.Select:
    # Built once: constructing a select with joins costs more than running it on SQLite.
    return (
        sa.select(Body)
        .where(Body.id == sa.bindparam("body_id"))
        .options(
            joinedload(Body.parent),
            joinedload(Body.organisation),
            joinedload(Body.rules_agreement),
            joinedload(Body.children),
        )
    )


def body_for_page(body_id: int) -> Body | None:
    """A body with its parent, running organisation, rules agreement and working groups."""
    result = db.session.scalars(_body_page_statement(), {"body_id": body_id})
    return result.unique().first()


@functools.cache
def _member_rows_statement(current: bool) -> sa.Select:
    deputy = aliased(Person)
    on = sa.bindparam("on", type_=sa.Date)
    is_current = sa.and_(
        sa.or_(Membership.start_date.is_(None), Membership.start_date <= on),
        sa.or_(Membership.end_date.is_(None), Membership.end_date >= on),
    )
    query = (
        sa.select(
            Membership.id,
            Membership.person_id,
            Membership.role,
            Membership.has_voting_right,
            Membership.start_date,
            Membership.end_date,
            Person.title,
            Person.first_name,
            Person.last_name,
            Organisation.name.label("organisation_name"),
            Organisation.short_name.label("organisation_short_name"),
            deputy.title.label("deputy_title"),
            deputy.first_name.label("deputy_first_name"),
            deputy.last_name.label("deputy_last_name"),
        )
        .join(Person, Person.id == Membership.person_id)
        .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
        .outerjoin(deputy, deputy.id == Membership.deputy_of_id)
        .where(
            Membership.body_id == sa.bindparam("body_id"),
            is_current if current else sa.not_(is_current),
        )
    )
    if not current:
        query = query.order_by(Membership.end_date.desc(), Person.last_name, Membership.id)
    return query


def member_rows(body_id: int, current: bool = True, on: dt.date | None = None) -> list[sa.Row]:
    """A body's current (or former) memberships as rows with the person's, the organisation's
    and the deputised person's names; one query. Current: started (or no start) and not ended."""
    params = {"body_id": body_id, "on": on or dt.date.today()}
    return list(db.session.execute(_member_rows_statement(current), params))


def group_member_rows(rows) -> list[tuple[str, list]]:
    """Rows of member_rows() grouped by the organisation represented (sorted by name), each
    group by role (chair first) and last name, as current_members_by_organisation does."""
    order = {role: index for index, role in enumerate(MembershipRole)}
    groups: dict[str, list] = {}
    without = gettext("Without organisation")
    for row in sorted(rows, key=lambda r: (order[r.role], r.last_name)):
        groups.setdefault(row.organisation_name or without, []).append(row)
    return sorted(groups.items())


_MEETING_ROW_COLUMNS = (
    Meeting.id,
    Meeting.number,
    Meeting.title,
    Meeting.start_at,
    Meeting.kind,
    Meeting.status,
    Meeting.cancel_reason,
)


@functools.cache
def _next_and_last_statement(count: int):
    body_id: sa.BindParameter[int] = sa.bindparam("body_id")
    now = sa.bindparam("now", type_=Meeting.start_at.type)
    upcoming = (
        sa.select(*_MEETING_ROW_COLUMNS)
        .where(Meeting.body_id == body_id, Meeting.start_at >= now)
        .order_by(Meeting.start_at)
        .limit(count)
        .subquery()
    )
    past = (
        sa.select(*_MEETING_ROW_COLUMNS)
        .where(Meeting.body_id == body_id, Meeting.start_at < now)
        .order_by(Meeting.start_at.desc())
        .limit(count)
        .subquery()
    )
    return sa.union_all(sa.select(upcoming), sa.select(past))


def next_and_last_meetings(body_id: int, count: int = BODY_PAGE_MEETINGS):
    """The body's next `count` meetings (soonest first) and last `count` (latest first), as rows;
    one query."""
    now = utcnow()
    rows = sorted(
        db.session.execute(_next_and_last_statement(count), {"body_id": body_id, "now": now}),
        key=lambda r: r.start_at,
    )
    upcoming_rows = [r for r in rows if r.start_at >= now]
    past_rows = [r for r in reversed(rows) if r.start_at < now]
    return upcoming_rows, past_rows


def meeting_years(body_id: int) -> list[int]:
    """The (Berlin) years from the body's first to its last meeting, latest first."""
    first, last = db.session.execute(
        sa.select(sa.func.min(Meeting.start_at), sa.func.max(Meeting.start_at)).where(
            Meeting.body_id == body_id
        )
    ).one()
    if first is None:
        return []
    return list(range(to_berlin(last).year, to_berlin(first).year - 1, -1))


def default_meeting_year(years: list[int], today: dt.date | None = None) -> int:
    """The year a body's meeting list opens on: this year while it lies within the body's
    meeting years (or there are none), else the latest year with meetings."""
    this_year = (today or dt.date.today()).year
    return this_year if not years or years[-1] <= this_year <= years[0] else years[0]


def meetings_of_year(body_id: int, year: int) -> list[sa.Row]:
    """The body's meetings in a (Berlin) calendar year, by date, as rows."""
    start = local_datetime(dt.date(year, 1, 1), dt.time(0))
    end = local_datetime(dt.date(year + 1, 1, 1), dt.time(0))
    return list(
        db.session.execute(
            sa.select(*_MEETING_ROW_COLUMNS)
            .where(Meeting.body_id == body_id, Meeting.start_at >= start, Meeting.start_at < end)
            .order_by(Meeting.start_at)
        )
    )


@functools.cache
def _decision_rows_statement(limit: int) -> sa.Select:
    from .minutes_models import Decision

    return (
        sa.select(
            Decision.reference,
            Decision.text,
            Decision.result,
            Decision.meeting_id,
            Meeting.number.label("meeting_number"),
            Meeting.title.label("meeting_title"),
        )
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .where(Decision.body_id == sa.bindparam("body_id"))
        .order_by(Decision.year.desc(), Decision.sequence.desc(), Decision.id.desc())
        .limit(limit)
    )


def body_decision_rows(body_id: int, limit: int) -> list[sa.Row]:
    """A body's latest decisions as rows with their meeting's number and title; one query."""
    return list(db.session.execute(_decision_rows_statement(limit), {"body_id": body_id}))


def body_decisions_query(body_id: int) -> sa.Select:
    """All decisions of a body, latest first, with their meetings (for a paginated list)."""
    from .minutes_models import Decision

    return (
        sa.select(Decision)
        .where(Decision.body_id == body_id)
        .options(joinedload(Decision.meeting))
        .order_by(Decision.year.desc(), Decision.sequence.desc(), Decision.id.desc())
    )


def _clean_body(data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in BODY_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, str):
            value = value.strip()
        if key.endswith("_id"):
            value = int(value) if value else None
        values[key] = value
    if "kind" in values:
        try:
            values["kind"] = BodyKind(values["kind"])
        except ValueError as exc:
            raise ValidationError(gettext("Unknown kind of body."), field="kind") from exc
    if "cadence" in values:
        try:
            values["cadence"] = Cadence(values["cadence"])
        except ValueError as exc:
            raise ValidationError(gettext("Unknown cadence."), field="cadence") from exc
    if "short_name" in values:
        # part of every decision and paper reference (BG-2026/03): a plain identifier
        values["short_name"] = clean_identifier(
            values["short_name"], "short_name", 20, "BG"
        ).upper()
    if "state_code" in values:
        values["state_code"] = (values["state_code"] or "ST").upper()
        if values["state_code"] not in GERMAN_STATES:
            raise ValidationError(gettext("Unknown federal state."), field="state_code")
    percent = values.get("quorum_percent")
    if percent is not None and not 1 <= int(percent) <= 100:
        raise ValidationError(
            gettext("The quorum share must lie between 1 and 100 percent."), field="quorum_percent"
        )
    for key in (
        "invitation_period_days",
        "papers_period_days",
        "minutes_draft_days",
        "comment_period_days",
    ):
        if values.get(key) is not None and not 0 <= int(values[key]) <= 365:
            raise ValidationError(gettext("Please enter between 0 and 365 days."), field=key)
    check_date(values.get("start_date"), "start_date")
    check_date(values.get("end_date"), "end_date")
    if values.get("start_date") and values.get("end_date"):
        if values["end_date"] < values["start_date"]:
            raise ValidationError(gettext("The end lies before the start."), field="end_date")
    return values


def _check_short_name(short_name: str, exclude_id: int | None = None) -> None:
    query = sa.select(Body.id).where(sa.func.upper(Body.short_name) == short_name.upper())
    if exclude_id:
        query = query.where(Body.id != exclude_id)
    if db.session.scalar(query):
        raise ValidationError(
            gettext("Another body already uses this short name."), field="short_name"
        )


def _check_rules_agreement(user: User, values: dict[str, Any], body: Body | None = None) -> None:
    """The rules of procedure must be a visible agreement of kind rules of procedure."""
    if "rules_agreement_id" not in values:
        return
    values["rules_agreement_id"] = links.check_rules_agreement(
        user,
        values["rules_agreement_id"],
        current_id=body.rules_agreement_id if body is not None else None,
    )


def create_body(user: User, data: dict[str, Any]) -> Body:
    """Create a body; the creating user's person becomes its secretary, so they can run it."""
    ensure(user, "body.create")
    values = _clean_body(data)
    _check_rules_agreement(user, values)
    _check_short_name(values["short_name"])
    body = Body(**values)
    db.session.add(body)
    db.session.flush()
    if getattr(user, "person_id", None):
        db.session.add(
            Membership(
                body=body,
                person_id=user.person_id,
                organisation_id=user.organisation_id,
                role=MembershipRole.SECRETARY,
                has_voting_right=False,
                start_date=values.get("start_date") or dt.date.today(),
            )
        )
        db.session.flush()
    return body


def update_body(user: User, body: Body, data: dict[str, Any]) -> Body:
    ensure(user, "body.edit", body)
    values = _clean_body(data)
    _check_rules_agreement(user, values, body)
    if "short_name" in values:
        _check_short_name(values["short_name"], body.id)
    if values.get("parent_id") == body.id:
        raise ValidationError(gettext("A body cannot be its own parent."), field="parent_id")
    for key, value in values.items():
        setattr(body, key, value)
    db.session.flush()
    return body


def renew_calendar_token(user: User, body: Body) -> str:
    """Revoke the body's feed URL by issuing a new secret token."""
    from .models import new_token

    ensure(user, "body.edit", body)
    body.calendar_token = new_token()
    db.session.flush()
    return body.calendar_token


def body_by_calendar_token(token: str) -> Body | None:
    if not token or len(token) < 16:
        return None
    return db.session.scalar(sa.select(Body).where(Body.calendar_token == token))


# ---------------------------------------------------------------- memberships


def add_membership(user: User, body: Body, data: dict[str, Any]) -> Membership:
    """Add a seat; a deputy names whom they stand in for."""
    ensure(user, "body.edit", body)
    try:
        role = MembershipRole(data.get("role"))
    except ValueError as exc:
        raise ValidationError(gettext("Unknown role."), field="role") from exc
    person_id = int(data.get("person_id") or 0)
    if not person_id:
        raise ValidationError(gettext("Please choose a person."), field="person_id")
    start = check_date(data.get("start_date"), "start_date")
    end = check_date(data.get("end_date"), "end_date")
    if start and end and end < start:
        raise ValidationError(gettext("The end lies before the start."), field="end_date")
    deputy_of_id = int(data.get("deputy_of_id") or 0) or None
    if role is MembershipRole.DEPUTY_MEMBER and not deputy_of_id:
        raise ValidationError(
            gettext("Please name the member this deputy stands in for."), field="deputy_of_id"
        )
    membership = Membership(
        body=body,
        person_id=person_id,
        organisation_id=int(data.get("organisation_id") or 0) or None,
        role=role,
        has_voting_right=bool(data.get("has_voting_right"))
        and role is not MembershipRole.PERMANENT_GUEST,
        deputy_of_id=deputy_of_id,
        start_date=start,
        end_date=end,
    )
    db.session.add(membership)
    db.session.flush()
    return membership


def end_membership(user: User, membership: Membership, on: dt.date | None = None) -> Membership:
    """End a seat (history is kept: the row stays with its end date)."""
    ensure(user, "body.edit", membership.body)
    membership.end_date = on or dt.date.today()
    db.session.flush()
    return membership


# ---------------------------------------------------------------- meetings


def meeting_detail(meeting_id: int) -> Meeting | None:
    """A meeting with everything its page shows, loaded in a fixed number of queries."""
    from .agenda_models import AgendaItem, Paper
    from .minutes_models import Participant

    return db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            joinedload(Meeting.body),
            selectinload(Meeting.agenda_items).selectinload(AgendaItem.files),
            selectinload(Meeting.agenda_items)
            .selectinload(AgendaItem.papers)
            .options(joinedload(Paper.organisation), selectinload(Paper.files)),
            selectinload(Meeting.participants).options(
                joinedload(Participant.organisation), joinedload(Participant.agenda_item)
            ),
        )
    ).first()


def calendar_feed_meetings(body: Body) -> list[Meeting]:
    """The body's meetings for its private feed, by start, with their agenda items (one query
    for all, not one per meeting)."""
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.body_id == body.id)
            .options(selectinload(Meeting.agenda_items))
            .order_by(Meeting.start_at, Meeting.id)
        )
    )


@functools.cache
def _meeting_with_body():
    # Built once: the statement is the same on every request, only the id is bound.
    return (
        sa.select(Meeting)
        .where(Meeting.id == sa.bindparam("meeting_id"))
        .options(joinedload(Meeting.body))
    )


def meeting_overview(meeting_id: int) -> Meeting | None:
    """The meeting with its body only: the meeting pages read their rows with the queries below
    instead of loading every item's files, papers and every participant as objects."""
    return db.session.scalars(_meeting_with_body(), {"meeting_id": meeting_id}).first()


# The overview's two row queries, written out: they run on every view of a meeting, and a text
# statement skips building and cache-keying a select with five correlated subqueries each time.
_AGENDA_ROWS_SQL = """
    SELECT a.id, a.parent_id, a.number, a.title, a.presenter, a.planned_minutes, a.is_public,
        (SELECT count(*) FROM papers p WHERE p.agenda_item_id = a.id) AS papers,
        (SELECT count(*) FROM stored_files f
            WHERE f.agenda_item_id = a.id AND f.paper_id IS NULL) AS attachments,
        (SELECT count(*) FROM decisions d WHERE d.agenda_item_id = a.id) AS decisions,
        (SELECT count(*) FROM action_items t WHERE t.agenda_item_id = a.id) AS actions,
        (SELECT count(*) FROM minutes_comments c WHERE c.agenda_item_id = a.id) AS comments
    FROM agenda_items a
    WHERE a.meeting_id = :meeting_id {public_only}
    ORDER BY a.position"""
AGENDA_ROWS = sa.text(_AGENDA_ROWS_SQL.format(public_only=""))
PUBLIC_AGENDA_ROWS = sa.text(_AGENDA_ROWS_SQL.format(public_only="AND a.is_public = :public"))
PARTICIPANT_ROWS = sa.text(
    """SELECT id, person_id, is_guest, has_voting_right, response, deputy_name, presence
    FROM meeting_participants WHERE meeting_id = :meeting_id ORDER BY id"""
)


def agenda_rows(meeting_id: int, internal: bool) -> list[sa.Row]:
    """One row per agenda item the user may see, with the counts the overview shows (papers,
    attachments, decisions, action items, comments), in one query."""
    if internal:
        return list(db.session.execute(AGENDA_ROWS, {"meeting_id": meeting_id}))
    return list(db.session.execute(PUBLIC_AGENDA_ROWS, {"meeting_id": meeting_id, "public": True}))


def participant_rows(meeting_id: int) -> list[sa.Row]:
    """The invitees' answers and attendance as plain rows (values, not enums), for the
    overview's summary."""
    return list(db.session.execute(PARTICIPANT_ROWS, {"meeting_id": meeting_id}))


def agenda_item_detail(meeting_id: int, item_id: int):
    """One agenda item of the meeting with its files and papers (the item page)."""
    from .agenda_models import AgendaItem, Paper

    return db.session.scalars(
        sa.select(AgendaItem)
        .where(AgendaItem.id == item_id, AgendaItem.meeting_id == meeting_id)
        .options(
            selectinload(AgendaItem.files),
            selectinload(AgendaItem.papers).options(
                joinedload(Paper.organisation), selectinload(Paper.files)
            ),
        )
    ).first()


def agenda_outline(meeting_id: int, internal: bool) -> list[sa.Row]:
    """Id, number and title of the items the user may see, in order (previous/next links)."""
    from .agenda_models import AgendaItem

    query = (
        sa.select(AgendaItem.id, AgendaItem.number, AgendaItem.title)
        .where(AgendaItem.meeting_id == meeting_id)
        .order_by(AgendaItem.position)
    )
    if not internal:
        query = query.where(AgendaItem.is_public.is_(True))
    return list(db.session.execute(query))


def meeting_participants(meeting_id: int) -> list:
    """The invitees with their organisation and the item a guest was invited for."""
    from .minutes_models import Participant

    return list(
        db.session.scalars(
            sa.select(Participant)
            .where(Participant.meeting_id == meeting_id)
            .options(joinedload(Participant.organisation), joinedload(Participant.agenda_item))
            .order_by(Participant.id)
        )
    )


def minutes_items(meeting_id: int) -> list:
    """The agenda items in order, for the minutes page (notes and results, no files)."""
    from .agenda_models import AgendaItem

    return list(
        db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position)
        )
    )


def meeting_choices(meeting: Meeting) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """People and organisations a meeting's forms offer (responsible for an action item,
    submitting a paper): the body's members (current and former), their organisations and the
    meeting's invitees, in one query, rather than the whole directory."""
    from .models import Membership

    rows = db.session.execute(
        sa.select(
            Person.id,
            Person.last_name,
            Person.first_name,
            Organisation.id.label("organisation_id"),
            Organisation.name.label("organisation_name"),
        )
        .select_from(Membership)
        .join(Person, Person.id == Membership.person_id)
        .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.body_id == meeting.body_id)
    ).all()
    people = {row.id: list_label(row.last_name, row.first_name) for row in rows}
    organisations = {row.organisation_id: row.organisation_name for row in rows}
    for participant in meeting.participants:
        if participant.person_id and participant.person_id not in people:
            people[participant.person_id] = participant.name
        if participant.organisation_id and participant.organisation_id not in organisations:
            organisations[participant.organisation_id] = participant.organisation_label
    organisations.pop(None, None)
    return (
        sorted(people.items(), key=lambda pair: pair[1].casefold()),
        sorted(organisations.items(), key=lambda pair: pair[1].casefold()),
    )


def next_meeting_number(body: Body) -> int:
    """The body's next meeting number (core.numbering: parallel creations take turns)."""
    return numbering.draw(
        f"meeting:{body.id}",
        lambda: db.session.scalar(
            sa.select(sa.func.max(Meeting.number)).where(Meeting.body_id == body.id)
        ),
    )


def planned_title(body: Body, kind: MeetingKind = MeetingKind.REGULAR) -> str:
    """The title a new meeting of `body` would get if created now (the form shows it as the
    placeholder of its title field); the number is drawn only when the meeting is saved."""
    last = db.session.scalar(
        sa.select(sa.func.max(Meeting.number)).where(Meeting.body_id == body.id)
    )
    return meeting_title(body.name, (last or 0) + 1, kind)


def create_meeting(
    user: User, body: Body, data: dict[str, Any], standing_items: bool = True
) -> Meeting:
    """Create a meeting with the standing agenda items; times are Berlin wall-clock times."""
    from .agenda import add_standing_items

    ensure(user, "meeting.edit", body)
    day: dt.date | None = data.get("date")
    if not day:
        raise ValidationError(gettext("Please enter a date."), field="date")
    check_date(day, "date", MEETING_DATES)
    start_time = data.get("start_time") or dt.time(10, 0)
    end_time = data.get("end_time") or dt.time(13, 0)
    if end_time <= start_time:
        raise ValidationError(gettext("The meeting must end after it starts."), field="end_time")
    try:
        kind = MeetingKind(data.get("kind") or MeetingKind.REGULAR.value)
    except ValueError as exc:
        raise ValidationError(gettext("Unknown kind of meeting."), field="kind") from exc
    number = next_meeting_number(body)
    meeting = Meeting(
        body=body,
        number=number,
        title=(data.get("title") or "").strip() or meeting_title(body.name, number, kind),
        start_at=local_datetime(day, start_time),
        end_at=local_datetime(day, end_time),
        location=(data.get("location") or "").strip(),
        video_url=(data.get("video_url") or "").strip(),
        kind=kind,
    )
    db.session.add(meeting)
    db.session.flush()
    if standing_items:
        add_standing_items(meeting)
    return meeting


def _period_bounds(year: int, cadence: Cadence, index: int) -> tuple[dt.date, dt.date]:
    months = 12 // cadence.periods_per_year
    first = dt.date(year, index * months + 1, 1)
    next_month = index * months + months + 1
    after = dt.date(year + 1, 1, 1) if next_month > 12 else dt.date(year, next_month, 1)
    return first, after - dt.timedelta(days=1)


def nth_weekday(first: dt.date, weekday: int, week: int) -> dt.date:
    """The n-th such weekday of a period ("Mittwoch der 6. Woche" = its 6th Wednesday)."""
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (week - 1))


def public_holidays(body: Body, year: int):
    return holidays.country_holidays("DE", subdiv=body.state_code or "ST", years=[year, year + 1])


def plan_dates(body: Body, year: int, weekday: int, week: int) -> list[dt.date]:
    """One date per period of the body's cadence, moved by whole weeks off public holidays."""
    if body.cadence is Cadence.NONE:
        raise ValidationError(
            gettext("This body has no fixed cadence; add meetings one by one."), field="cadence"
        )
    if not 0 <= weekday <= 6:
        raise ValidationError(gettext("Please choose a weekday."), field="weekday")
    weeks_in_period = 53 // body.cadence.periods_per_year
    if not 1 <= week <= weeks_in_period:
        raise ValidationError(gettext("Please choose a week within the period."), field="week")
    days_off = public_holidays(body, year)
    dates = []
    for index in range(body.cadence.periods_per_year):
        first, last = _period_bounds(year, body.cadence, index)
        day = nth_weekday(first, weekday, week)
        if day > last:  # a fifth week in a short month: the period's last such weekday
            day = last - dt.timedelta(days=(last.weekday() - weekday) % 7)
        candidates = [day + dt.timedelta(weeks=k) for k in (0, 1, -1, 2, -2, 3, -3)]
        chosen = next((c for c in candidates if first <= c <= last and c not in days_off), None)
        if chosen is not None:
            dates.append(chosen)
    return dates


def plan_year(
    user: User,
    body: Body,
    year: int,
    weekday: int,
    week: int,
    start_time: dt.time = dt.time(10, 0),
    end_time: dt.time = dt.time(13, 0),
    location: str = "",
) -> list[Meeting]:
    """Create one planned meeting per period of the cadence; periods that have one are skipped.

    Each meeting is independent afterwards: moving or cancelling one leaves the others.
    """
    ensure(user, "meeting.edit", body)
    if not 2000 <= year <= 2100:
        raise ValidationError(gettext("Please enter a year between 2000 and 2100."), field="year")
    existing = [
        m.date
        for m in db.session.scalars(sa.select(Meeting).where(Meeting.body_id == body.id))
        if not m.is_cancelled
    ]
    created = []
    for index, day in enumerate(plan_dates(body, year, weekday, week)):
        first, last = _period_bounds(year, body.cadence, index)
        if any(first <= d <= last for d in existing):
            continue
        if (body.start_date and day < body.start_date) or (body.end_date and day > body.end_date):
            continue
        created.append(
            create_meeting(
                user,
                body,
                {
                    "date": day,
                    "start_time": start_time,
                    "end_time": end_time,
                    "location": location,
                    "kind": MeetingKind.REGULAR.value,
                },
            )
        )
    return created


def _bump_sequence(meeting: Meeting) -> None:
    meeting.ical_sequence = (meeting.ical_sequence or 0) + 1


def past_move_question(
    meeting: Meeting, start_at: dt.datetime, now: dt.datetime | None = None
) -> str | None:
    """The question to ask before `meeting` is moved to `start_at`, or None: a new start that
    lies in the past is asked about first (a typo in the year, or a meeting recorded late?)."""
    now = now or utcnow()
    if start_at == meeting.start_at or start_at >= now:
        return None
    return gettext(
        "The new date %(date)s lies in the past. Please confirm that the meeting is to be "
        "moved there.",
        date=format_datetime(start_at),
    )


def update_meeting(
    user: User, meeting: Meeting, data: dict[str, Any], expected_version: int | None = None
) -> Meeting:
    """Move or edit one meeting. A change of what the invitees' calendars show (date, time,
    place, video link, title) raises the calendar SEQUENCE and, once invitations went out, is
    mailed to every invitee with the updated .ics. A move into the past needs
    `data["confirm_past"]`. Conflict when someone saved it since the form was loaded at
    `expected_version`."""
    from .invitations import CalendarFacts, send_update

    ensure(user, "meeting.edit", meeting)
    if meeting.is_cancelled:
        raise ValidationError(gettext("A cancelled meeting cannot be changed."))
    claim(meeting, expected_version)
    day = check_date(data.get("date"), "date", MEETING_DATES) or meeting.date
    start_time = data.get("start_time") or meeting.start_local.time()
    end_time = data.get("end_time") or meeting.end_local.time()
    if end_time <= start_time:
        raise ValidationError(gettext("The meeting must end after it starts."), field="end_time")
    start_at, end_at = local_datetime(day, start_time), local_datetime(day, end_time)
    question = past_move_question(meeting, start_at)
    if question is not None and not data.get("confirm_past"):
        raise ValidationError(question, field="confirm_past")
    before = CalendarFacts.of(meeting)
    meeting.start_at, meeting.end_at = start_at, end_at
    meeting.location = (data.get("location", meeting.location) or "").strip()
    meeting.video_url = (data.get("video_url", meeting.video_url) or "").strip()
    meeting.title = (data.get("title") or meeting.title).strip()
    if data.get("kind"):
        try:
            meeting.kind = MeetingKind(data["kind"])
        except ValueError as exc:
            raise ValidationError(gettext("Unknown kind of meeting."), field="kind") from exc
    if before.changed(CalendarFacts.of(meeting)):
        _bump_sequence(meeting)
        db.session.flush()
        if meeting.status is MeetingStatus.INVITED:
            send_update(meeting, before)
    db.session.flush()
    return meeting


def cancel_meeting(user: User, meeting: Meeting, reason: str, notify: bool = True) -> Meeting:
    """Cancel with a reason; invitees who were invited get METHOD:CANCEL."""
    ensure(user, "meeting.edit", meeting)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("Please give a reason for the cancellation."), field="reason")
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.INVITED):
        raise ValidationError(gettext("Only a meeting that has not taken place can be cancelled."))
    was_invited = meeting.status is MeetingStatus.INVITED
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason[:500]
    _bump_sequence(meeting)
    db.session.flush()
    if notify and was_invited:
        from .invitations import send_cancellation

        send_cancellation(meeting)
    return meeting


def mark_held(user: User, meeting: Meeting) -> Meeting:
    """Record that the meeting took place (permissions.held_refusal: not before it began)."""
    ensure(user, "meeting.edit", meeting)
    refusal = held_refusal(meeting)
    if refusal is not None:
        raise ValidationError(refusal)
    meeting.status = MeetingStatus.HELD
    db.session.flush()
    return meeting


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting)
        .where(
            Meeting.body_id == meeting.body_id,
            Meeting.start_at < meeting.start_at,
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .order_by(Meeting.start_at.desc())
        .limit(1)
    )


def next_meeting(meeting: Meeting) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting)
        .where(
            Meeting.body_id == meeting.body_id,
            Meeting.start_at > meeting.start_at,
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .order_by(Meeting.start_at)
        .limit(1)
    )


def body_decisions(body: Body, limit: int = 50):
    from .minutes_models import Decision

    return list(
        db.session.scalars(
            sa.select(Decision)
            .where(Decision.body_id == body.id)
            .options(joinedload(Decision.meeting))
            .order_by(Decision.year.desc(), Decision.sequence.desc())
            .limit(limit)
        )
    )
