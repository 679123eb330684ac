"""The body's activity report (Tätigkeitsbericht) as DOCX: content, period, permissions, queries,
and the accessible form page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from docx import Document
from sqlalchemy import event

from govtool.auth.models import Role
from govtool.bodies import agenda, minutes
from govtool.bodies.minutes_models import ActionItem, ActionStatus, Decision, Participant, Presence
from govtool.bodies.models import Body, Meeting, MeetingStatus, MembershipRole
from govtool.bodies.report import HELD_STATES
from govtool.core.formatting import format_date
from govtool.demo import DEMO_PASSWORD
from govtool.extensions import db as _db

from ..factories import make_user
from .factories import make_body, make_meeting, make_member_user

SECRETARY = "sekretariat@example.org"


def _text(data: bytes) -> str:
    """All paragraph and table text of a DOCX, one line per paragraph or cell."""
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _bg(db) -> Body:
    return db.session.scalar(sa.select(Body).filter_by(short_name="BG"))


def _figure(text: str, label: str) -> str:
    line = next(line for line in text.splitlines() if line.startswith(f"{label} | "))
    return line.split(" | ", 1)[1]


def test_report_of_the_demo_body_holds_members_decisions_open_actions_and_figures(
    demo, client, login
):
    body = _bg(demo)
    login(SECRETARY, DEMO_PASSWORD)
    response = client.get(f"/bodies/{body.id}/report.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    today = dt.date.today()
    filename = f"Bericht_BG_{body.start_date.isoformat()}_{today.isoformat()}.docx"
    assert filename in response.headers["Content-Disposition"]
    text = _text(response.data)
    for heading in ("Tätigkeitsbericht", "Zeitraum", "Mitglieder", "Arbeitsgruppen", "Sitzungen"):
        assert heading in text
    for heading in ("Beschlüsse", "Aufgaben", "Kennzahlen"):
        assert heading in text
    assert body.name in text
    assert f"{format_date(body.start_date, 'de')} bis {format_date(today, 'de')}" in text
    assert "Anja Richter" in text and "Ständige Gäste" in text
    assert "AG Datenmonitoring" in text
    decision = demo.session.scalars(sa.select(Decision).order_by(Decision.id)).first()
    assert decision.reference in text and decision.text in text
    assert "(einstimmig)" in text
    open_action = demo.session.scalar(
        sa.select(ActionItem).where(ActionItem.status == ActionStatus.OPEN)
    )
    assert open_action.task in text
    assert f"{open_action.task} | Thomas Schulz" in text

    held = demo.session.scalars(
        sa.select(Meeting).where(Meeting.body_id == body.id, Meeting.status.in_(HELD_STATES))
    ).all()
    present = demo.session.scalar(
        sa.select(sa.func.count(Participant.id)).where(
            Participant.meeting_id.in_([m.id for m in held]),
            Participant.presence.in_((Presence.PRESENT, Presence.REPRESENTED)),
        )
    )

    def actions(status):
        return demo.session.scalar(
            sa.select(sa.func.count(ActionItem.id)).where(
                ActionItem.body_id == body.id, ActionItem.status == status
            )
        )

    decisions = demo.session.scalar(
        sa.select(sa.func.count(Decision.id)).where(Decision.body_id == body.id)
    )
    # one decision per meeting, and meetings 2 to 4 approve the previous minutes by decision
    assert len(held) == 4 and decisions == 7
    assert _figure(text, "Sitzungen durchgeführt") == str(len(held))
    assert _figure(text, "Beschlüsse") == str(decisions)
    assert _figure(text, "Aufgaben erledigt") == str(actions(ActionStatus.DONE))
    assert _figure(text, "Aufgaben offen") == str(actions(ActionStatus.OPEN))
    average = f"{present / len(held):.1f}".replace(".", ",")
    assert _figure(text, "Durchschnittliche Anwesenheit") == f"{average} Personen je Sitzung"


def test_decision_outside_the_period_is_not_in_the_report(demo, client, login):
    body = _bg(demo)
    rows = demo.session.scalars(
        sa.select(Decision).join(Meeting).order_by(Meeting.start_at, Decision.sequence)
    ).all()
    meetings = sorted({d.meeting for d in rows}, key=lambda m: m.start_at)
    decisions = [next(d for d in rows if d.meeting is m) for m in meetings]  # first of each
    in_second = [d for d in rows if d.meeting is meetings[1]]
    first, second = decisions[0], decisions[1]
    start = first.meeting.date + dt.timedelta(days=1)
    login(SECRETARY, DEMO_PASSWORD)
    response = client.get(f"/bodies/{body.id}/report.docx?from={start.isoformat()}")
    assert response.status_code == 200
    text = _text(response.data)
    assert first.reference not in text
    assert second.reference in text
    until = second.meeting.date
    response = client.get(
        f"/bodies/{body.id}/report.docx?from={start.isoformat()}&until={until.isoformat()}"
    )
    text = _text(response.data)
    assert second.reference in text and decisions[2].reference not in text
    assert all(d.reference in text for d in in_second)
    assert _figure(text, "Beschlüsse") == str(len(in_second))


def test_cancelled_meeting_is_listed_apart_with_its_reason(db, client, login):
    body = make_body(start_date=dt.date.today() - dt.timedelta(days=100))
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    make_meeting(
        body,
        dt.date.today() - dt.timedelta(days=10),
        status=MeetingStatus.CANCELLED,
        cancel_reason="Kurzfristig ausgefallen",
    )
    db.session.commit()
    login(secretary.email)
    text = _text(client.get(f"/bodies/{body.id}/report.docx").data)
    assert "Abgesagte Sitzungen" in text and "Kurzfristig ausgefallen" in text
    assert _figure(text, "Sitzungen durchgeführt") == "0"
    assert _figure(text, "Sitzungen abgesagt") == "1"


def test_report_needs_read_internal_on_the_body(db, client, login):
    body = make_body()
    outsider = make_user(roles=(Role.MUNICIPALITY,))
    db.session.commit()
    login(outsider.email)
    assert client.get(f"/bodies/{body.id}").status_code == 200
    assert "Tätigkeitsbericht (DOCX)" not in client.get(f"/bodies/{body.id}").text
    assert client.get(f"/bodies/{body.id}/report.docx").status_code == 403
    assert client.get(f"/bodies/{body.id}/report").status_code == 403
    assert client.get("/bodies/999999/report.docx").status_code == 404
    assert client.get("/bodies/999999/report").status_code == 404


def test_member_sees_the_link_and_the_form(db, client, login):
    body = make_body()
    member, _ = make_member_user(body)
    db.session.commit()
    login(member.email)
    detail = client.get(f"/bodies/{body.id}")
    assert "Tätigkeitsbericht (DOCX)" in detail.text
    form = client.get(f"/bodies/{body.id}/report")
    assert form.status_code == 200
    assert "Bericht herunterladen (DOCX)" in form.text
    assert 'type="date"' in form.text and 'name="from"' in form.text


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2026-05-01&until=2026-04-01", "until"),
        ("from=31.02.2026", "from"),
        ("until=gestern", "until"),
        ("from=2199-01-01", "until"),  # the default end lies before the given start
        ("from=0001-01-01", "from"),  # out of the range of document dates (core.bounds)
        ("until=9999-12-31", "until"),
    ],
)
def test_bad_period_is_422_with_the_error_at_the_field(db, client, login, query, field):
    body = make_body()
    member, _ = make_member_user(body)
    db.session.commit()
    login(member.email)
    for path in ("report.docx", "report"):
        response = client.get(f"/bodies/{body.id}/{path}?{query}")
        assert response.status_code == 422, (path, query)
        assert response.mimetype == "text/html"
        assert f'id="{field}-error"' in response.text
        assert 'aria-invalid="true"' in response.text


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


def _count(client, url: str) -> int:
    counter = QueryCounter()
    event.listen(_db.engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(_db.engine, "before_cursor_execute", counter)
    return counter.count


def _grow(body, secretary, n: int, offset: int) -> None:
    for i in range(n):
        day = dt.date.today() - dt.timedelta(days=offset + i + 1)
        meeting = make_meeting(body, day, status=MeetingStatus.HELD)
        make_member_user(body, MembershipRole.MEMBER)
        make_body(parent=body, kind=body.kind, purpose=f"AG {offset + i}")
        item = agenda.add_item(secretary, meeting, {"title": f"Punkt {i}", "is_public": True})
        minutes.ensure_participants(meeting)
        for participant in meeting.participants:
            participant.presence = Presence.PRESENT
        minutes.add_decision(secretary, item, {"text": f"Beschluss {i}", "result": "noted"})
        minutes.add_action_item(
            secretary, item, {"task": f"Aufgabe {i}", "responsible_person_id": secretary.person_id}
        )
        make_meeting(
            body,
            day - dt.timedelta(hours=12),
            status=MeetingStatus.CANCELLED,
            cancel_reason=f"Grund {i}",
            number=1000 + offset + i,
        )


def test_report_query_count_is_small_and_does_not_grow_with_meetings(db, client, login):
    body = make_body(start_date=dt.date.today() - dt.timedelta(days=200))
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    _grow(body, secretary, 2, 0)
    db.session.commit()
    url = f"/bodies/{body.id}/report.docx"
    login(secretary.email)
    small = _count(client, url)
    _grow(body, secretary, 10, 20)
    db.session.commit()
    large = _count(client, url)
    assert large == small, f"report: {small} queries with 2 meetings, {large} with 12"
    assert large <= 15, f"report: {large} queries"
    text = _text(client.get(url).data)
    assert _figure(text, "Sitzungen durchgeführt") == "12"
    assert _figure(text, "Sitzungen abgesagt") == "12"
