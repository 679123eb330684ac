"""Deleted OParl objects: tombstones (`deleted: true`, `modified` = deletion time) derived from
the audit log, at their own address and in lists only with modified_since."""

from __future__ import annotations

import datetime as dt
import json
import time

import sqlalchemy as sa

from govtool.auth.models import User
from govtool.bodies.agenda import delete_item, update_item
from govtool.bodies.agenda_models import AgendaItem
from govtool.bodies.models import Meeting, MeetingStatus, Membership, MembershipRole
from govtool.core.audit import AuditEntry

from .test_crawl import BASE, oparl_demo, validators  # noqa: F401 - oparl_demo is a fixture

ROLE = next(iter(MembershipRole))


def _deleted_at(db, kind: str, ident: int) -> dt.datetime:
    entry = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.action == "delete",
            AuditEntry.object_type == kind,
            AuditEntry.object_id == str(ident),
        )
    ).one()
    moment = entry.created_at
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _ids(client, kind: str, **args) -> set[str]:
    found, page = set(), 1
    while True:
        response = client.get(f"/oparl/v1/body/1/{kind}", query_string={**args, "page": page})
        assert response.status_code == 200
        data = response.get_json()
        found |= {o["id"] for o in data["data"]}
        if "next" not in data["links"]:
            return found
        page += 1


def test_deleted_public_objects_are_tombstones(client, oparl_demo, demo):  # noqa: F811
    db = demo
    admin = db.session.scalars(sa.select(User).where(User.email == "admin@example.org")).one()
    seat = db.session.scalars(sa.select(Membership).where(Membership.body_id == 1)).first()
    # Objects of our own, so deleting them breaks nothing else of the demo.
    sitting = Meeting(
        body_id=1,
        number=99,
        title="Sondersitzung",
        start_at=dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC),
        end_at=dt.datetime(2027, 3, 1, 11, tzinfo=dt.UTC),
        location="Rathaus Halle",
        status=MeetingStatus.PLANNED,
    )
    on_it = AgendaItem(meeting=sitting, position=1, number="1", title="Haushalt", is_public=True)
    secret = AgendaItem(meeting=sitting, position=2, number="2", title="Personal", is_public=False)
    member = Membership(
        body_id=1, person_id=seat.person_id, organisation_id=seat.organisation_id, role=ROLE
    )
    db.session.add_all([sitting, on_it, secret, member])
    db.session.commit()
    item_id, secret_id, meeting_id, member_id = on_it.id, secret.id, sitting.id, member.id
    assert client.get(f"/oparl/v1/agenda_item/{item_id}").status_code == 200
    time.sleep(0.01)
    since = dt.datetime.now(dt.UTC)
    time.sleep(0.01)

    delete_item(admin, on_it)  # the agenda page's service
    db.session.commit()
    delete_item(admin, secret)
    db.session.commit()
    # No page deletes meetings or memberships (they are cancelled or ended); deleting their
    # body does, by cascade: the same hard delete the audit hook records.
    db.session.delete(member)
    db.session.commit()
    db.session.delete(db.session.get(Meeting, meeting_id))
    db.session.commit()

    checks = validators()
    wanted = {
        ("agenda_item", item_id, "AgendaItem"),
        ("meeting", meeting_id, "Meeting"),
        ("location", meeting_id, "Meeting"),
        ("membership", member_id, "Membership"),
    }
    for kind, ident, audited in wanted:
        url = f"/oparl/v1/{kind}/{ident}"
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        data = response.get_json()
        assert data["deleted"] is True and data["id"] == BASE + url
        when = dt.datetime.fromisoformat(data["modified"])
        assert abs(when - _deleted_at(db, audited, ident)) < dt.timedelta(seconds=1)
        assert "created" in data, (url, data)
        assert dt.datetime.fromisoformat(data["created"]) <= when
        schema = data["type"].rsplit("/", 1)[-1]
        errors = [e.message for e in checks[schema].iter_errors(data)]
        assert errors == [], (url, errors)
        # A tombstone carries no name or content.
        assert set(data) <= {"id", "type", "created", "modified", "deleted", "order"}

        assert BASE + url not in _ids(client, kind)
        assert BASE + url in _ids(client, kind, modified_since=since.isoformat())
        later = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)).isoformat()
        assert BASE + url not in _ids(client, kind, modified_since=later)

    # What was never public stays unknown, deleted or not.
    assert client.get(f"/oparl/v1/agenda_item/{secret_id}").status_code == 404
    assert f"{BASE}/oparl/v1/agenda_item/{secret_id}" not in _ids(
        client, "agenda_item", modified_since=since.isoformat()
    )
    # An id that never existed stays a 404.
    assert client.get("/oparl/v1/meeting/999999").status_code == 404


def test_deleted_papers_and_files_are_tombstones_only_where_they_were_public(
    client,
    oparl_demo,  # noqa: F811
    demo,
):
    db = demo
    checks = validators()
    since = dt.datetime.now(dt.UTC).isoformat()
    time.sleep(0.01)
    public_file, paper_file = oparl_demo[(True, False)], oparl_demo[(True, True)]
    secret_file = oparl_demo[(False, False)]
    public_paper, secret_paper = oparl_demo[(True, "paper")], oparl_demo[(False, "paper")]
    ids = {
        "public_file": public_file.id,
        "paper_file": paper_file.id,
        "secret_file": secret_file.id,
        "public_paper": public_paper.id,
        "secret_paper": secret_paper.id,
    }
    # No page removes papers or files yet; they go with their agenda item's meeting's body.
    for stored in (public_file, paper_file, secret_file, oparl_demo[(False, True)]):
        db.session.delete(stored)
    db.session.flush()
    db.session.delete(public_paper)
    db.session.delete(secret_paper)
    db.session.commit()

    for kind, ident, schema in (
        ("file", ids["public_file"], "File"),
        ("paper", ids["public_paper"], "Paper"),
    ):
        url = f"/oparl/v1/{kind}/{ident}"
        data = client.get(url).get_json()
        assert data["deleted"] is True and data["id"] == BASE + url
        assert [e.message for e in checks[schema].iter_errors(data)] == []
        assert "name" not in data and "fileName" not in data and "reference" not in data
        assert BASE + url in _ids(client, kind, modified_since=since)
        assert BASE + url not in _ids(client, kind)
    # A paper's own file and everything of a non-public item were never published.
    for kind, ident in (
        ("file", ids["paper_file"]),
        ("file", ids["secret_file"]),
        ("paper", ids["secret_paper"]),
    ):
        assert client.get(f"/oparl/v1/{kind}/{ident}").status_code == 404
        assert f"{BASE}/oparl/v1/{kind}/{ident}" not in _ids(client, kind, modified_since=since)
    assert client.get(f"/oparl/v1/file/{ids['public_file']}/download").status_code == 404


def test_an_agenda_item_made_non_public_is_a_tombstone_from_then_on(client, oparl_demo, demo):  # noqa: F811
    db = demo
    admin = db.session.scalars(sa.select(User).where(User.email == "admin@example.org")).one()
    sitting = db.session.scalars(
        sa.select(Meeting).where(Meeting.body_id == 1, Meeting.status == MeetingStatus.PLANNED)
    ).first()
    assert sitting is not None
    item = AgendaItem(meeting=sitting, position=80, number="8", title="Grundstück", is_public=True)
    db.session.add(item)
    db.session.commit()
    url = f"/oparl/v1/agenda_item/{item.id}"
    assert client.get(url).get_json()["name"] == "Grundstück"
    time.sleep(0.01)
    since = dt.datetime.now(dt.UTC).isoformat()
    time.sleep(0.01)

    update_item(admin, item, {"title": "Grundstück (vertraulich)", "is_public": False})
    db.session.commit()

    data = client.get(url).get_json()
    assert data["deleted"] is True and "name" not in data
    assert "vertraulich" not in json.dumps(data)
    assert [e.message for e in validators()["AgendaItem"].iter_errors(data)] == []
    assert BASE + url in _ids(client, "agenda_item", modified_since=since)
    assert BASE + url not in _ids(client, "agenda_item")

    update_item(admin, item, {"title": "Grundstück", "is_public": True})  # public again
    db.session.commit()
    assert client.get(url).get_json()["name"] == "Grundstück"
