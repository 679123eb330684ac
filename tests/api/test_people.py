"""GET /api/v1/people and /api/v1/people/<id>: the people the directory's pages show the token's
user, with the fields those pages show, and an erased person only as the placeholder."""

from __future__ import annotations

import re

import sqlalchemy as sa

from govtool.auth.models import User
from govtool.directory import services as directory_services
from govtool.directory.models import Person
from govtool.extensions import db
from tests.api.conftest import bearer
from tests.factories import make_person

MUNICIPALITY = "halle@example.org"


def _api_people(client, headers, query: str = "") -> list[dict]:
    """Every page of the list, following the Link headers."""
    url, found = f"/api/v1/people?per_page=7{query}", []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.json
        found += response.json
        nxt = re.search(r'<([^>]+)>; rel="next"', response.headers["Link"])
        url = nxt.group(1) if nxt else None
    return found


def _page_people(client, query: str = "") -> set[int]:
    """The person ids the directory's list page links to, over all its pages."""
    ids: set[int] = set()
    for page in range(1, 50):
        html = client.get(f"/people/?page={page}&per_page=100{query}").get_data(as_text=True)
        found = {int(i) for i in re.findall(r'href="/people/(\d+)"', html)}
        if not found or found <= ids:
            break
        ids |= found
    return ids


def test_a_municipality_sees_exactly_what_the_person_pages_show_it(client, demo, token_for, login):
    user = db.session.scalar(sa.select(User).where(User.email == MUNICIPALITY))
    inactive = make_person(first_name="Ina", last_name="Ktiv", is_active=False)
    db.session.commit()
    headers = bearer(token_for(user, scope="read"))
    listed = _api_people(client, headers)
    listed_all = _api_people(client, headers, "&include_inactive=true")
    login(MUNICIPALITY, "demo-passwort")
    assert {p["id"] for p in listed} == _page_people(client)
    assert {p["id"] for p in listed_all} == _page_people(client, "&inactive=1")
    assert inactive.id in {p["id"] for p in listed_all} - {p["id"] for p in listed}
    assert len(listed_all) == len({p["id"] for p in listed_all})  # no person twice across pages
    # the fields the detail page shows that user, contact data included
    someone = db.session.get(Person, listed[0]["id"])
    detail = client.get(f"/api/v1/people/{someone.id}", headers=headers)
    assert detail.status_code == 200
    assert detail.json == listed[0]
    page = client.get(f"/people/{someone.id}").get_data(as_text=True)
    assert detail.json["name"] == someone.full_name and someone.full_name in page
    for shown in ("email", "phone", "function"):
        assert detail.json[shown] == getattr(someone, shown)
        if detail.json[shown]:
            assert detail.json[shown] in page
    # the list's filters are the page's
    org = someone.organisation_id
    if org:
        only = _api_people(client, headers, f"&organisation={org}")
        assert {p["id"] for p in only} == _page_people(client, f"&organisation={org}")
        assert {p["organisation_id"] for p in only} == {org}


def test_an_unknown_person_is_a_404_problem(client, demo, token_for):
    headers = bearer(token_for(MUNICIPALITY, scope="read"))
    missing = (db.session.scalar(sa.select(sa.func.max(Person.id))) or 0) + 1000
    response = client.get(f"/api/v1/people/{missing}", headers=headers)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404
    response = client.get("/api/v1/people?per_page=0", headers=headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert client.get("/api/v1/people").status_code == 401  # no token, no people


def test_an_erased_person_does_not_leak(client, demo, token_for):
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
    person = make_person(
        title="Dr.",
        first_name="Gundula",
        last_name="Vergessen",
        function="Kämmerin",
        email="gundula.vergessen@example.org",
        phone="0345 123456",
    )
    db.session.commit()
    directory_services.erase_person(admin, person, "Antrag nach Art. 17 DSGVO")
    db.session.commit()
    for who in (MUNICIPALITY, "admin@example.org"):
        headers = bearer(token_for(who, scope="read"))
        detail = client.get(f"/api/v1/people/{person.id}", headers=headers)
        assert detail.status_code == 200
        assert detail.json["erased_at"]
        assert detail.json["name"] == person.full_name  # the placeholder
        assert not any(
            detail.json[f]
            for f in ("title", "first_name", "last_name", "function", "email", "phone")
        )
        assert detail.json["is_active"] is False
        listed = _api_people(client, headers, "&include_inactive=true")
        assert [p for p in listed if p["id"] == person.id] == [detail.json]
        everyone = str(listed)
        search = client.get("/api/v1/people?q=Vergessen&include_inactive=true", headers=headers)
        assert search.json == []
        for secret in ("Gundula", "Vergessen", "gundula.vergessen", "0345 123456", "Kämmerin"):
            assert secret not in detail.get_data(as_text=True)
            assert secret not in everyone
