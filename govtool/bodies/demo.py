"""Demo data: the Begleitgremium of the Sachsen-Anhalt model project, two working groups, a
constituent meeting and three quarterly meetings with approved minutes, one planned meeting.

Idempotent: bodies are matched by short name, meetings by body and number, memberships by body,
person and role.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import force_locale

from ..auth.models import User
from ..directory.models import Organisation, Person
from ..extensions import db
from .agenda import add_item, add_standing_items
from .agenda_models import ItemKind
from .minutes_models import (
    ActionItem,
    ActionStatus,
    ApprovalMethod,
    Decision,
    MinutesApproval,
    Presence,
    VoteResult,
)
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

MEMBERS = [
    # person email, organisation, role, voting right
    ("k.wagner@mb.example.org", "MB-REF34", MembershipRole.CHAIR, True),
    ("sekretariat@example.org", "MB-REF34", MembershipRole.SECRETARY, False),
    ("t.schulz@mb.example.org", "MB-REF34", MembershipRole.DEPUTY_MEMBER, False),
    ("a.richter@halle.example.org", "HAL", MembershipRole.MEMBER, True),
    ("m.hoffmann@halle.example.org", "HAL", MembershipRole.DEPUTY_MEMBER, False),
    ("s.krause@blk.example.org", "BLK", MembershipRole.MEMBER, True),
    ("j.neumann@blk.example.org", "BLK", MembershipRole.DEPUTY_MEMBER, False),
    ("c.lehmann@boerde.example.org", "BK", MembershipRole.MEMBER, True),
    ("u.fischer@lja.example.org", "LJA", MembershipRole.MEMBER, True),
    ("r.weber@lsa.example.org", "LSCHA", MembershipRole.MEMBER, True),
    ("p.becker@transmit.example.org", "TRANSMIT", MembershipRole.PERMANENT_GUEST, False),
]
DEPUTY_OF = {
    "t.schulz@mb.example.org": "k.wagner@mb.example.org",
    "m.hoffmann@halle.example.org": "a.richter@halle.example.org",
    "j.neumann@blk.example.org": "s.krause@blk.example.org",
}
WORKING_GROUPS = [
    (
        "AG-DM",
        "AG Datenmonitoring",
        ["t.schulz@mb.example.org", "m.hoffmann@halle.example.org", "s.krause@blk.example.org"],
    ),
    (
        "AG-UE",
        "AG Übergänge Kita–Schule–Beruf",
        ["a.richter@halle.example.org", "u.fischer@lja.example.org", "r.weber@lsa.example.org"],
    ),
]
TOPICS = [
    ("Geschäftsordnung und Arbeitsweise des Begleitgremiums", "Dr. Katrin Wagner"),
    ("Stand der Zielvereinbarungen mit den Modellkommunen", "Dr. Peter Becker"),
    ("Datenbereitstellung für den Bildungsbericht", "Thomas Schulz"),
    ("Bericht aus den Arbeitsgruppen", "Anja Richter"),
]


def _by(model, **criteria):
    return db.session.scalar(sa.select(model).filter_by(**criteria))


def _membership(body, person, organisation, role, voting, start, deputy_of=None) -> int:
    existing = _by(Membership, body_id=body.id, person_id=person.id, role=role)
    if existing is not None:
        return 0
    db.session.add(
        Membership(
            body=body,
            person=person,
            organisation=organisation,
            role=role,
            has_voting_right=voting,
            deputy_of=deputy_of,
            start_date=start,
        )
    )
    return 1


def load_bodies_demo() -> dict[str, int]:
    """Load the demo bodies in German (the loader runs outside a request, e.g. from the CLI)."""
    with force_locale("de"):
        return _load_bodies_demo()


def _load_bodies_demo() -> dict[str, int]:
    added = {"bodies": 0, "memberships": 0, "meetings": 0}
    people = {p.email: p for p in db.session.scalars(sa.select(Person))}
    orgs = {o.short_name: o for o in db.session.scalars(sa.select(Organisation))}
    if "k.wagner@mb.example.org" not in people or "MB-REF34" not in orgs:
        return added
    today = dt.date.today()
    start = dt.date(today.year - 1, 1, 1)
    body = _by(Body, short_name="BG")
    if body is None:
        body = Body(
            name="Begleitgremium Kooperation im kommunalen Bildungsmanagement",
            short_name="BG",
            kind=BodyKind.STEERING_COMMITTEE,
            organisation=orgs["MB-REF34"],
            purpose=(
                "Begleitet das Modellvorhaben des Landes Sachsen-Anhalt mit den Modellkommunen "
                "Halle (Saale), Burgenlandkreis und Landkreis Börde; erstellt den Abschlussbericht."
            ),
            rules_of_procedure="Geschäftsordnung des Begleitgremiums, beschlossen in der "
            "konstituierenden Sitzung.",
            cadence=Cadence.QUARTERLY,
            state_code="ST",
            start_date=start,
            public_calendar=True,  # the public feed /bodies/<id>/public.ics
        )
        db.session.add(body)
        added["bodies"] += 1
        db.session.flush()
    for email, org, role, voting in MEMBERS:
        deputy_of = people.get(DEPUTY_OF.get(email, ""))
        added["memberships"] += _membership(
            body, people[email], orgs[org], role, voting, start, deputy_of
        )
    for short, name, emails in WORKING_GROUPS:
        group = _by(Body, short_name=short)
        if group is None:
            group = Body(
                name=name,
                short_name=short,
                kind=BodyKind.WORKING_GROUP,
                parent=body,
                organisation=orgs["MB-REF34"],
                cadence=Cadence.MONTHLY,
                state_code="ST",
                start_date=start,
            )
            db.session.add(group)
            added["bodies"] += 1
            db.session.flush()
        added["memberships"] += _membership(
            group,
            people["sekretariat@example.org"],
            orgs["MB-REF34"],
            MembershipRole.SECRETARY,
            False,
            start,
        )
        for index, email in enumerate(emails):
            person = people[email]
            role = MembershipRole.CHAIR if index == 0 else MembershipRole.MEMBER
            added["memberships"] += _membership(
                group, person, person.organisation, role, True, start
            )
    db.session.flush()
    added["meetings"] += _demo_meetings(body, people, orgs, start)
    return added


def _demo_meetings(body: Body, people, orgs, start: dt.date) -> int:
    from . import minutes

    secretary_user = _by(User, email="sekretariat@example.org")
    dates = [start + dt.timedelta(days=d) for d in (40, 130, 220, 310)]
    planned_day = dt.date.today() + dt.timedelta(days=45)
    while planned_day.weekday() != 2:
        planned_day += dt.timedelta(days=1)
    added = 0
    last_past: Meeting | None = None
    for number, day in enumerate([*dates, planned_day], start=1):
        if _by(Meeting, body_id=body.id, number=number) is not None:
            continue
        kind = MeetingKind.CONSTITUENT if number == 1 else MeetingKind.REGULAR
        past = day < dt.date.today()
        meeting = Meeting(
            body=body,
            number=number,
            title=meeting_title(body.name, number, kind),
            kind=kind,
            start_at=local_datetime(day, dt.time(10, 0)),
            end_at=local_datetime(day, dt.time(13, 0)),
            location="Ministerium für Bildung, Turmschanzenstraße 32, Magdeburg, Raum 214",
            status=MeetingStatus.PLANNED,
        )
        db.session.add(meeting)
        db.session.flush()
        add_standing_items(meeting)
        topic_title, presenter = TOPICS[(number - 1) % len(TOPICS)]
        topic = (
            add_item(
                secretary_user,
                meeting,
                {
                    "title": topic_title,
                    "presenter": presenter,
                    "planned_minutes": 45,
                    "is_public": True,
                },
            )
            if secretary_user
            else None
        )
        added += 1
        if not past or topic is None:
            continue
        # invited three weeks ahead (the invitation is then published in OParl)
        meeting.invitation_sent_at = local_datetime(day - dt.timedelta(days=21), dt.time(9, 0))
        minutes.ensure_participants(meeting)
        for participant in meeting.participants:
            attends = participant.has_voting_right or participant.is_guest
            participant.presence = Presence.PRESENT if attends else Presence.UNKNOWN
        voters = sum(1 for p in meeting.participants if p.counts_for_quorum)
        for item in meeting.agenda_items:
            if item.kind is ItemKind.OPENING:
                item.notes = (
                    "Die Vorsitzende eröffnet die Sitzung und stellt die Beschlussfähigkeit fest."
                )
            elif item.id == topic.id:
                item.notes = f"{presenter} berichtet. Das Gremium erörtert das weitere Vorgehen."
                item.result = "Das Gremium stimmt dem Vorgehen zu."
        previous = _by(Meeting, body_id=body.id, number=number - 1)
        if previous is not None and secretary_user is not None:
            _approve_by_decision(meeting, previous, secretary_user)
        year = day.year
        last = db.session.scalar(
            sa.select(sa.func.max(Decision.sequence)).where(
                Decision.body_id == body.id, Decision.year == year
            )
        )
        sequence = (last or 0) + 1
        db.session.add(
            Decision(
                body_id=body.id,
                meeting_id=meeting.id,
                agenda_item_id=topic.id,
                year=year,
                sequence=sequence,
                reference=f"BG-{year}/{sequence:02d}",
                text=f"Das Begleitgremium beschließt zu „{topic_title}“ das vorgeschlagene "
                "Vorgehen.",
                votes_yes=voters,
                votes_no=0,
                votes_abstain=0,
                result=VoteResult.ADOPTED,
            )
        )
        db.session.add(
            ActionItem(
                body_id=body.id,
                meeting_id=meeting.id,
                agenda_item_id=topic.id,
                task=f"Ergebnisse zu „{topic_title}“ aufbereiten und an die Mitglieder senden",
                responsible_person=people["t.schulz@mb.example.org"],
                responsible_organisation=orgs["MB-REF34"],
                due_date=day + dt.timedelta(days=30),
                status=ActionStatus.DONE if number < 4 else ActionStatus.OPEN,
            )
        )
        # circulated two weeks after the meeting, two weeks for comments; approved below
        meeting.status = MeetingStatus.MINUTES_CIRCULATED
        meeting.minutes_circulated_at = local_datetime(day + dt.timedelta(days=14), dt.time(9, 0))
        meeting.comment_period_end = day + dt.timedelta(days=28)
        db.session.flush()
        last_past = meeting
    if last_past is not None:
        _approve_by_chair(last_past, people["k.wagner@mb.example.org"])
    return added


def _approve_by_decision(meeting: Meeting, previous: Meeting, recorder: User) -> None:
    """The next meeting approves the previous minutes under its item "Approval of the minutes"
    (a decision numbered before the meeting's other decisions), recorded by the secretariat."""
    if previous.status is not MeetingStatus.MINUTES_CIRCULATED:
        return
    item = next(i for i in meeting.agenda_items if i.kind is ItemKind.PREVIOUS_MINUTES)
    year = meeting.date.year
    last = db.session.scalar(
        sa.select(sa.func.max(Decision.sequence)).where(
            Decision.body_id == meeting.body_id, Decision.year == year
        )
    )
    voters = sum(1 for p in meeting.participants if p.counts_for_quorum)
    decision = Decision(
        body_id=meeting.body_id,
        meeting_id=meeting.id,
        agenda_item_id=item.id,
        year=year,
        sequence=(last or 0) + 1,
        reference=f"{meeting.body.short_name}-{year}/{(last or 0) + 1:02d}",
        text=(
            f"Die Niederschrift der Sitzung „{previous.display_title}“ vom "
            f"{previous.date:%d.%m.%Y} wird genehmigt."
        ),
        votes_yes=voters,
        votes_no=0,
        votes_abstain=0,
        result=VoteResult.ADOPTED,
    )
    db.session.add(decision)
    db.session.flush()
    _record_approval(
        previous,
        MinutesApproval(
            meeting_id=previous.id,
            method=ApprovalMethod.DECISION,
            approved_by_id=recorder.id,
            approver_name=meeting.body.name,
            decision=decision,
            comment_period_end=previous.comment_period_end,
            is_before_deadline=False,
            reason="",
            approved_at=meeting.start_at,
        ),
        recorder,
    )


def _approve_by_chair(meeting: Meeting, chair: Person) -> None:
    """The chair (the demo login ministerium@example.org) approves the last minutes a week after
    the comment period ended."""
    user = _by(User, person_id=chair.id)
    if user is None or meeting.status is not MeetingStatus.MINUTES_CIRCULATED:
        return
    assert meeting.comment_period_end is not None
    _record_approval(
        meeting,
        MinutesApproval(
            meeting_id=meeting.id,
            method=ApprovalMethod.CHAIR,
            approved_by_id=user.id,
            approver_name=chair.full_name,
            approver_role=MembershipRole.CHAIR,
            comment_period_end=meeting.comment_period_end,
            is_before_deadline=False,
            reason="",
            approved_at=local_datetime(
                meeting.comment_period_end + dt.timedelta(days=7), dt.time(11, 30)
            ),
        ),
        user,
    )


def _record_approval(meeting: Meeting, approval: MinutesApproval, user: User) -> None:
    """The demo's approvals go through approval.lock_approved (status, note), dated in the past."""
    from .approval import lock_approved

    lock_approved(meeting, approval, user)
