"""Bench seeder for bodies: per network a steering body and two working groups, ten years of
quarterly meetings with agenda, decisions, action items and (recent steering meetings) attendance.

Ids are assigned here (not by the database) so later rows can point at earlier ones without
reading them back; `seed.reset_sequences` moves PostgreSQL's sequences past them afterwards.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from govtool.core.models import utcnow
from govtool.extensions import db

from .seed import SeedContext, bulk_insert, next_id

MEETINGS_PER_BODY = 40  # ten years, quarterly
ITEMS_PER_MEETING = 20
BIG_AGENDA = (
    30  # one meeting per scale step gets 30 items (the benchmark's "meeting with 30 items")
)
ATTENDANCE_YEARS = 3  # steering meetings of the last three years carry attendance rows
TOPICS = [
    "Bericht der Koordinierungsstelle",
    "Übergang Kita – Grundschule",
    "Schulsozialarbeit: Stand der Umsetzung",
    "Datenaustausch mit dem Landesamt",
    "Fortbildungsplanung",
    "Haushalt und Fördermittel",
    "Bildungsmonitoring: Kennzahlen",
    "Ganztagsangebote",
    "Berufsorientierung",
    "Inklusion an Regelschulen",
    "Elternarbeit",
    "Digitale Lernmittel",
    "Sprachförderung",
    "Jahresplanung",
    "Evaluation des Netzwerks",
]
STANDING_FIRST = [
    ("opening", "Eröffnung und Feststellung der Beschlussfähigkeit"),
    ("agenda_approval", "Bestätigung der Tagesordnung"),
    ("previous_minutes", "Genehmigung der Niederschrift der letzten Sitzung"),
    ("open_actions", "Bericht zu offenen Arbeitsaufträgen"),
]


def _local(day: dt.date, hour: int) -> dt.datetime:
    from govtool.bodies.models import local_datetime

    return local_datetime(day, dt.time(hour, 0))


def _meeting_status(start: dt.date, today: dt.date, last_past: bool) -> str:
    if start >= today:
        return "invited" if (start - today).days <= 21 else "planned"
    return "minutes_draft" if last_past else "minutes_approved"


def seed_bodies(ctx: SeedContext) -> dict[str, int]:
    from govtool.bodies.agenda_models import AgendaItem
    from govtool.bodies.minutes_models import ActionItem, Decision, Participant
    from govtool.bodies.models import Body, Meeting, Membership
    from govtool.directory.models import Person

    now = utcnow()
    stamp = {"created_at": now, "updated_at": now}
    today = dt.date.today()
    first_year = today.year - 9
    org_ids, person_ids = ctx.ids["organisations"], ctx.ids["people"]
    people = {
        row.id: row
        for row in db.session.execute(
            sa.select(
                Person.id,
                Person.first_name,
                Person.last_name,
                Person.email,
                Person.organisation_id,
            )
        )
    }
    networks = ctx.networks

    # Bodies: N001-LG (steering), N001-AG1, N001-AG2 (working groups below it).
    body_rows: list[dict[str, Any]] = []
    body_id = next_id(Body.__table__)
    bodies: list[tuple[int, int, str, str]] = []  # (id, network, kind, short_name)
    for n in range(networks):
        steering = body_id
        for offset, (kind, suffix, label) in enumerate(
            [
                ("steering_committee", "LG", "Lenkungsgruppe"),
                ("working_group", "AG1", "Arbeitsgruppe Übergänge"),
                ("working_group", "AG2", "Arbeitsgruppe Daten"),
            ]
        ):
            short = f"N{n + 1:03d}-{suffix}"
            body_rows.append(
                {
                    "id": body_id,
                    "name": f"{label} Bildungsnetzwerk {n + 1:03d}",
                    "short_name": short,
                    "kind": kind,
                    "parent_id": steering if offset else None,
                    "organisation_id": org_ids[(n * 12) % len(org_ids)],
                    "purpose": f"{label} des kommunalen Bildungsnetzwerks {n + 1}.",
                    "cadence": "quarterly",
                    "state_code": "SN",
                    "start_date": dt.date(first_year, 1, 1),
                    **stamp,
                }
            )
            bodies.append((body_id, n, kind, short))
            body_id += 1
    bulk_insert(Body.__table__, body_rows)

    # Memberships: 100 people per network, 40 in the steering body and 30 in each working group;
    # the first of each group chairs, the second keeps the minutes, every tenth is a deputy.
    membership_rows: list[dict[str, Any]] = []
    membership_id = next_id(Membership.__table__)
    members_of: dict[int, list[tuple[int, int, bool]]] = {}  # body -> (membership, person, votes)
    group_sizes = (40, 30, 30)
    for index, (bid, n, _kind, _short) in enumerate(bodies):
        group = index % 3
        start = n * 100 + sum(group_sizes[:group])
        seats = [person_ids[i] for i in range(start, start + group_sizes[group])]
        if n == 0 and group:  # the bench secretary also keeps the working groups' minutes
            seats[1] = person_ids[1]
        members_of[bid] = []
        for seat, person_id in enumerate(seats):
            role = {0: "chair", 1: "secretary", 2: "deputy_chair"}.get(seat, "member")
            deputy = role == "member" and seat % 10 == 9
            votes = role != "secretary" and not deputy
            membership_rows.append(
                {
                    "id": membership_id,
                    "body_id": bid,
                    "person_id": person_id,
                    "organisation_id": people[person_id].organisation_id,
                    "role": "deputy_member" if deputy else role,
                    "has_voting_right": votes,
                    "deputy_of_id": seats[seat - 1] if deputy else None,
                    "start_date": dt.date(first_year, 1, 1),
                    "end_date": None,
                    **stamp,
                }
            )
            members_of[bid].append((membership_id, person_id, votes))
            membership_id += 1
    bulk_insert(Membership.__table__, membership_rows)

    # Meetings: quarterly for ten years; past ones have approved minutes except the last.
    meeting_id = next_id(Meeting.__table__)
    meetings: list[dict[str, Any]] = []
    big_networks = set(range(0, networks, 64))
    for bid, n, kind, _short in bodies:
        days = [
            dt.date(first_year + q // 4, 3 * (q % 4) + 2, 1 + (n * 3 + bid) % 27)
            for q in range(MEETINGS_PER_BODY)
        ]
        last_past = max((d for d in days if d < today), default=None)
        for number, day in enumerate(days, start=1):
            status = _meeting_status(day, today, day == last_past)
            big = kind == "steering_committee" and n in big_networks and day == last_past
            if big:  # circulated, so the load test can comment on its minutes
                status = "minutes_circulated"
            meetings.append(
                {
                    "id": meeting_id,
                    "body_id": bid,
                    "number": number,
                    "title": "",
                    "start_at": _local(day, 10),
                    "end_at": _local(day, 13),
                    "location": f"Rathaus Ort {n % 300}, Sitzungssaal",
                    "kind": "constituent" if number == 1 else "regular",
                    "status": status,
                    "invitation_sent_at": _local(day - dt.timedelta(days=21), 9)
                    if status != "planned"
                    else None,
                    "minutes_approved_at": _local(day + dt.timedelta(days=90), 9)
                    if status == "minutes_approved"
                    else None,
                    "minutes_circulated_at": _local(day + dt.timedelta(days=10), 9)
                    if status in ("minutes_circulated", "minutes_approved")
                    else None,
                    "comment_period_end": today + dt.timedelta(days=365)
                    if status == "minutes_circulated"
                    else None,
                    **stamp,
                    "_day": day,
                    "_network": n,
                    "_kind": kind,
                    "_items": BIG_AGENDA if big else ITEMS_PER_MEETING,
                    "_big": big,
                }
            )
            meeting_id += 1
    bulk_insert(
        Meeting.__table__,
        ({k: v for k, v in m.items() if not k.startswith("_")} for m in meetings),
    )
    ctx.extra["big_meeting_ids"] = [m["id"] for m in meetings if m["_big"]]

    # Agenda items: standing items, topics, any other business; minutes notes once held.
    item_id = next_id(AgendaItem.__table__)
    for m in meetings:
        m["_first_item"] = item_id
        item_id += m["_items"]

    def agenda_rows():
        for m in meetings:
            held = m["_day"] < today
            count = m["_items"]
            kinds = [*STANDING_FIRST]
            kinds += [("topic", TOPICS[i % len(TOPICS)]) for i in range(count - 5)]
            kinds.append(("aob", "Verschiedenes"))
            for position, (kind, title) in enumerate(kinds):
                yield {
                    "id": m["_first_item"] + position,
                    "meeting_id": m["id"],
                    "parent_id": None,
                    "position": position,
                    "number": str(position + 1),
                    "kind": kind,
                    "title": title,
                    "description": "Vorlage und Bericht, siehe Anlage." if kind == "topic" else "",
                    "presenter": "Koordinierungsstelle" if kind == "topic" else "",
                    "planned_minutes": 15 if kind == "topic" else 5,
                    "is_public": position % 7 != 6,
                    "notes": "Die Mitglieder beraten den Punkt und nehmen den Bericht zur Kenntnis."
                    if held
                    else "",
                    "result": "zur Kenntnis genommen" if held else "",
                    "minutes_version": 1 if held else 0,
                    **stamp,
                }

    items = bulk_insert(AgendaItem.__table__, agenda_rows())
    del items

    # Decisions and action items: three each per held meeting, on the first topics.
    short_of = {bid: short for bid, _n, _k, short in bodies}
    held = [m for m in meetings if m["_day"] < today]
    sequences: dict[tuple[int, int], int] = {}

    def decision_rows():
        for m in held:
            year = m["_day"].year
            for k in range(3):
                key = (m["body_id"], year)
                sequences[key] = sequences.get(key, 0) + 1
                yield {
                    "body_id": m["body_id"],
                    "meeting_id": m["id"],
                    "agenda_item_id": m["_first_item"] + 4 + k,
                    "year": year,
                    "sequence": sequences[key],
                    "reference": f"{short_of[m['body_id']]}-{year}/{sequences[key]:02d}",
                    "text": "Das Gremium beschließt die Vorlage in der vorgelegten Fassung.",
                    "votes_yes": 12,
                    "votes_no": 1,
                    "votes_abstain": 2,
                    "result": "adopted",
                    **stamp,
                }

    decisions = bulk_insert(Decision.__table__, decision_rows())

    def action_rows():
        for m in held:
            seats = members_of[m["body_id"]]
            for k in range(3):
                _membership, person_id, _votes = seats[(m["number"] + k) % len(seats)]
                due = m["_day"] + dt.timedelta(days=60 + 30 * k)
                done = due < today - dt.timedelta(days=120)
                status = (
                    "done" if done else ("dropped" if k == 2 and m["number"] % 5 == 0 else "open")
                )
                yield {
                    "body_id": m["body_id"],
                    "meeting_id": m["id"],
                    "agenda_item_id": m["_first_item"] + 7 + k,
                    "task": f"Entwurf zu „{TOPICS[(7 + k) % len(TOPICS)]}“ vorlegen",
                    "responsible_person_id": person_id,
                    "responsible_organisation_id": people[person_id].organisation_id,
                    "due_date": due,
                    "status": status,
                    "closed_at": _local(due, 12) if status != "open" else None,
                    **stamp,
                }

    actions = bulk_insert(ActionItem.__table__, action_rows())

    # Attendance: steering meetings of the last years (and every big meeting).
    since = dt.date(today.year - ATTENDANCE_YEARS + 1, 1, 1)

    def participant_rows():
        for m in held:
            if not (m["_big"] or (m["_kind"] == "steering_committee" and m["_day"] >= since)):
                continue
            for seat, (membership, person_id, votes) in enumerate(members_of[m["body_id"]]):
                person = people[person_id]
                absent = (seat + m["number"]) % 9 == 0
                yield {
                    "meeting_id": m["id"],
                    "person_id": person_id,
                    "membership_id": membership,
                    "name": f"{person.first_name} {person.last_name}",
                    "email": person.email,
                    "organisation_id": person.organisation_id,
                    "organisation_name": "",
                    "is_guest": False,
                    "has_voting_right": votes,
                    "agenda_item_id": None,
                    "response": "excused" if absent else "accepted",
                    "deputy_name": "",
                    "presence": "excused" if absent else "present",
                    "represented_by": "",
                    **stamp,
                }

    participants = bulk_insert(Participant.__table__, participant_rows())
    counts = {
        "bodies": len(body_rows),
        "memberships": len(membership_rows),
        "meetings": len(meetings),
        "agenda_items": item_id - meetings[0]["_first_item"] if meetings else 0,
        "decisions": decisions,
        "action_items": actions,
        "participants": participants,
    }
    ctx.ids["bodies"] = [b[0] for b in bodies]
    return counts
