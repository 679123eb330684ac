"""The body page shows current members, the next and last meetings and the latest decisions; the
member history (with the end-membership forms), all meetings by year and all decisions have their
own pages. The action list decides editing per row as the action.edit rule does."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from govtool.auth.models import Role
from govtool.bodies import agenda, minutes
from govtool.bodies.models import MeetingStatus, MembershipRole
from govtool.core.permissions import can
from tests.factories import make_organisation, make_person, make_user

from .factories import make_body, make_meeting, make_member_user, make_membership


@pytest.fixture()
def body_world(db):
    body = make_body(name="Gremium Seiten", short_name="GS")
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    member, _ = make_member_user(body, MembershipRole.MEMBER)
    former = make_membership(
        body,
        make_person(last_name="Ehemalig"),
        start_date=dt.date(2019, 1, 1),
        end_date=dt.date(2020, 12, 31),
    )
    outsider = make_user(roles=(Role.MUNICIPALITY,), organisation=make_organisation())
    today = dt.date.today()
    # 8 past meetings (one per year back) and 7 upcoming ones (every 20 days)
    past = [
        make_meeting(body, today.replace(month=6, day=1) - dt.timedelta(days=365 * i + 400))
        for i in range(8)
    ]
    upcoming = [make_meeting(body, today + dt.timedelta(days=20 * (i + 1))) for i in range(7)]
    meeting = past[0]
    for i in range(12):
        meeting.status = MeetingStatus.HELD  # a decision moves it to draft minutes
        item = agenda.add_item(secretary, meeting, {"title": f"Punkt {i}", "is_public": True})
        minutes.add_decision(secretary, item, {"text": f"Beschluss Nummer {i}", "result": "noted"})
    db.session.commit()
    return {
        "body": body,
        "secretary": secretary,
        "member": member,
        "former": former,
        "outsider": outsider,
        "past": past,
        "upcoming": upcoming,
    }


def test_body_page_shows_current_members_and_links_the_history(body_world, client, login):
    body = body_world["body"]
    login(body_world["member"].email)
    html = client.get(f"/bodies/{body.id}").get_data(as_text=True)
    assert body_world["member"].person.last_name in html
    assert "Ehemalig" not in html  # former members are on the history page
    assert f'href="/bodies/{body.id}/members"' in html
    assert "/end" not in html  # no end-membership forms on the body page
    history = client.get(f"/bodies/{body.id}/members").get_data(as_text=True)
    assert "Ehemalig" in history and "31.12.2020" in history
    assert "/end" not in history  # members do not end memberships


def test_editors_end_memberships_on_the_members_page(body_world, client, login, db):
    body = body_world["body"]
    member_seat = body_world["member"].person_id
    login(body_world["secretary"].email)
    html = client.get(f"/bodies/{body.id}/members").get_data(as_text=True)
    ends = re.findall(rf'action="/bodies/{body.id}/members/(\d+)/end"', html)
    assert len(ends) == 2  # the two current members; the former one has no button
    from govtool.bodies.models import Membership

    seat = db.session.query(Membership).filter_by(person_id=member_seat).one()
    response = client.post(f"/bodies/{body.id}/members/{seat.id}/end")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/bodies/{body.id}/members")
    assert "Mitglied hinzufügen" in html or "Add member" in html


def test_body_page_shows_next_and_last_meetings_and_links_all_by_year(body_world, client, login):
    body = body_world["body"]
    login(body_world["outsider"].email)
    html = client.get(f"/bodies/{body.id}").get_data(as_text=True)
    shown = set(map(int, re.findall(r'href="/meetings/(\d+)"', html)))
    upcoming = [m.id for m in body_world["upcoming"]]
    past = [m.id for m in body_world["past"]]
    assert set(upcoming[:5]) <= shown and not set(upcoming[5:]) & shown
    assert set(past[:5]) <= shown and not set(past[5:]) & shown
    assert f'href="/bodies/{body.id}/meetings"' in html
    oldest = body_world["past"][-1]
    year = oldest.start_local.year
    page = client.get(f"/bodies/{body.id}/meetings?year={year}").get_data(as_text=True)
    assert f'href="/meetings/{oldest.id}"' in page
    assert f'href="/meetings/{upcoming[0]}"' not in page or upcoming[0] == oldest.id
    assert 'aria-current="page"' in page
    default = client.get(f"/bodies/{body.id}/meetings")
    assert default.status_code == 200


@pytest.mark.parametrize("year", ["abc", "99999", "0"])
def test_meetings_by_year_rejects_bad_years(body_world, client, login, year):
    login(body_world["member"].email)
    response = client.get(f"/bodies/{body_world['body'].id}/meetings?year={year}")
    assert response.status_code == 404


def test_new_pages_404_for_unknown_bodies(body_world, client, login):
    login(body_world["secretary"].email)
    for path in ("members", "meetings", "decisions"):
        assert client.get(f"/bodies/999999/{path}").status_code == 404


def test_latest_decisions_on_the_body_page_and_all_on_their_own_page(body_world, client, login):
    body = body_world["body"]
    login(body_world["member"].email)
    html = client.get(f"/bodies/{body.id}").get_data(as_text=True)
    assert html.count("Beschluss Nummer") == 10
    assert f'href="/bodies/{body.id}/decisions"' in html
    page = client.get(f"/bodies/{body.id}/decisions?per_page=5").get_data(as_text=True)
    assert page.count("Beschluss Nummer") == 5 and "?per_page=5&amp;page=2" in page.replace(
        "page=2&amp;per_page=5", "per_page=5&amp;page=2"
    )
    last = client.get(f"/bodies/{body.id}/decisions?per_page=5&page=3").get_data(as_text=True)
    assert last.count("Beschluss Nummer") == 2
    client.post("/logout")
    login(body_world["outsider"].email)
    assert "Beschluss Nummer" not in client.get(f"/bodies/{body.id}").get_data(as_text=True)
    assert client.get(f"/bodies/{body.id}/decisions").status_code == 403


def test_action_list_offers_the_status_form_exactly_where_action_edit_allows(
    body_world, client, login, db
):
    secretary, member = body_world["secretary"], body_world["member"]
    body_world["past"][0].status = MeetingStatus.HELD
    item = agenda.add_item(
        secretary, body_world["past"][0], {"title": "Aufgaben", "is_public": True}
    )
    own = minutes.add_action_item(
        secretary, item, {"task": "Eigene Aufgabe", "responsible_person_id": member.person_id}
    )
    other = minutes.add_action_item(
        secretary, item, {"task": "Fremde Aufgabe", "responsible_person_id": secretary.person_id}
    )
    db.session.commit()
    for user in (member, secretary):
        login(user.email)
        html = client.get("/actions/").get_data(as_text=True)
        for action in (own, other):
            has_form = f'action="/actions/{action.id}/status"' in html
            assert has_form == can(user, "action.edit", action), (user.email, action.task)
        client.post("/logout")
    login(member.email)
    assert client.post(f"/actions/{other.id}/status", data={"status": "done"}).status_code == 403
