"""The agreement form offers contact persons of the organisations in the form (not the whole
directory), and its "more parties" / "update contact choices" buttons keep what was typed."""

from __future__ import annotations

import re

import sqlalchemy as sa

from govtool.agreements.models import Agreement
from govtool.directory.models import Person
from govtool.extensions import db
from tests.html_helpers import option_values

from .factories import DEMO_PASSWORD, org


def _people_of(short: str) -> set[str]:
    return {
        str(i)
        for i in db.session.scalars(
            sa.select(Person.id).where(
                Person.organisation_id == org(short).id, Person.is_active.is_(True)
            )
        )
    }


def test_new_form_offers_the_own_organisations_people_only(demo, client, login):
    login("halle@example.org", DEMO_PASSWORD)
    html = client.get("/agreements/new").get_data(as_text=True)
    offered = set(option_values(html, "parties-0-contact_person_id")) - {"0"}
    assert offered == _people_of("HAL")
    assert not offered & _people_of("BLK")


def test_update_contact_choices_keeps_the_input_and_offers_the_chosen_organisation(
    demo, client, login
):
    login("halle@example.org", DEMO_PASSWORD)
    agreements_before = db.session.scalar(sa.select(sa.func.count(Agreement.id)))
    response = client.post(
        "/agreements/new",
        data={
            "title": "Noch nicht gespeichert",
            "parties-0-organisation_id": org("HAL").id,
            "parties-0-role": "municipality",
            "parties-1-organisation_id": org("BLK").id,
            "parties-1-role": "municipality",
            "refresh": "contacts",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Noch nicht gespeichert"' in html
    offered = set(option_values(html, "parties-1-contact_person_id"))
    assert _people_of("BLK") <= offered and _people_of("HAL") <= offered
    assert db.session.scalar(sa.select(sa.func.count(Agreement.id))) == agreements_before


def test_more_parties_adds_two_slots_and_keeps_the_input(demo, client, login):
    login("halle@example.org", DEMO_PASSWORD)
    slots = len(
        re.findall(
            r'id="parties-\d+-organisation_id"',
            client.get("/agreements/new").get_data(as_text=True),
        )
    )
    response = client.post(
        "/agreements/new",
        data={
            "title": "Drei Kommunen",
            **{f"parties-{i}-role": "municipality" for i in range(slots)},
            "refresh": "parties",
        },
    )
    html = response.get_data(as_text=True)
    assert len(re.findall(r'id="parties-\d+-organisation_id"', html)) == slots + 2
    assert 'value="Drei Kommunen"' in html
