"""Adding a member: a person search limited to SEARCH_LIMIT matches instead of a select of every
person, and choices limited to the rows that matter for the body."""

from __future__ import annotations

import re

from govtool.auth.models import Role
from govtool.bodies.models import Membership, MembershipRole
from govtool.directory.services import SEARCH_LIMIT
from tests.factories import make_organisation, make_person

from .factories import make_body, make_member_user


def _options(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {select_id}"
    return re.findall(r'<option[^>]*value="([1-9]\d*)"', select.group(1))


def _setup(db):
    body = make_body(name="Steuerungsgruppe Suche", short_name="SGS")
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    db.session.commit()
    return body, secretary


def test_body_page_links_to_the_add_member_page_without_listing_everyone(db, client, login):
    body, secretary = _setup(db)
    make_person(first_name="Zacharias", last_name="Fremdling")
    db.session.commit()
    login(secretary.email)
    page = client.get(f"/bodies/{body.id}").get_data(as_text=True)
    assert f"/bodies/{body.id}/members/new" in page
    assert "Fremdling" not in page and "<select" not in page


def test_person_search_offers_at_most_the_limit_and_only_matching_names(db, client, login):
    body, secretary = _setup(db)
    organisation = make_organisation(name="Kreis Suchland", short_name="KSL")
    unrelated = make_organisation(name="Ganz Anderes Amt", short_name="GAA")
    matches = [
        make_person(first_name="Petra", last_name=f"Sucher{i:03d}", organisation=organisation)
        for i in range(SEARCH_LIMIT + 5)
    ]
    other = make_person(first_name="Otto", last_name="Anders", organisation=unrelated)
    db.session.commit()
    login(secretary.email)

    empty = client.get(f"/bodies/{body.id}/members/new").get_data(as_text=True)
    assert _options(empty, "person_id") == []  # nothing until a name is searched
    assert str(unrelated.id) not in _options(empty, "organisation_id")

    page = client.get(f"/bodies/{body.id}/members/new?q=sucher").get_data(as_text=True)
    offered = _options(page, "person_id")
    assert len(offered) == SEARCH_LIMIT
    assert offered[0] == str(matches[0].id) and str(other.id) not in offered
    assert "Sucher000, Petra (KSL)" in page
    assert "Bitte grenzen Sie die Suche ein" in page
    organisations = _options(page, "organisation_id")
    assert str(organisation.id) in organisations and str(unrelated.id) not in organisations
    # deputies are chosen among the current members of the body
    assert _options(page, "deputy_of_id") == [str(secretary.person_id)]

    full_name = client.get(f"/bodies/{body.id}/members/new?q=Otto+Anders").get_data(as_text=True)
    assert _options(full_name, "person_id") == [str(other.id)]
    assert "1 Person gefunden" in full_name


def test_member_found_by_search_is_added_and_a_bad_choice_is_a_422(db, client, login):
    body, secretary = _setup(db)
    person = make_person(first_name="Greta", last_name="Gefunden")
    inactive = make_person(first_name="Ina", last_name="Inaktiv", is_active=False)
    db.session.commit()
    login(secretary.email)
    url = f"/bodies/{body.id}/members"
    bad = client.post(url, data={"q": "Inaktiv", "person_id": str(inactive.id), "role": "member"})
    assert bad.status_code == 422
    assert "Add member" in bad.get_data(as_text=True) or "Mitglied" in bad.get_data(as_text=True)
    bad_deputy = client.post(
        url,
        data={
            "q": "Gefunden",
            "person_id": str(person.id),
            "role": "deputy_member",
            "deputy_of_id": "999999",
        },
    )
    assert bad_deputy.status_code == 422
    assert 'value="Gefunden"' in bad_deputy.get_data(as_text=True)  # the search is kept
    good = client.post(
        url,
        data={
            "q": "Gefunden",
            "person_id": str(person.id),
            "role": "deputy_member",
            "deputy_of_id": str(secretary.person_id),
        },
    )
    assert good.status_code == 302
    membership = db.session.query(Membership).filter_by(person_id=person.id).one()
    assert membership.deputy_of_id == secretary.person_id


def test_only_editors_open_the_add_member_page(db, client, login):
    body, _ = _setup(db)
    member, _ = make_member_user(body, MembershipRole.MEMBER)
    db.session.commit()
    login(member.email)
    assert client.get(f"/bodies/{body.id}/members/new?q=a").status_code == 403
    assert client.get("/bodies/999999/members/new").status_code == 404
