"""The catalogue form offers contact persons of the provider, the receiving organisations and the
user's own organisation, and its refresh buttons keep what was typed and save nothing."""

from __future__ import annotations

import re

import sqlalchemy as sa

from govtool.catalogue.models import CatalogueEntry
from govtool.demo import DEMO_PASSWORD
from govtool.directory.models import Organisation, Person
from govtool.extensions import db
from tests.html_helpers import option_values


def _org(short: str) -> Organisation:
    return db.session.scalar(sa.select(Organisation).where(Organisation.short_name == short))


def _people_of(short: str) -> set[str]:
    return {
        str(i)
        for i in db.session.scalars(
            sa.select(Person.id).where(
                Person.organisation_id == _org(short).id, Person.is_active.is_(True)
            )
        )
    }


def test_contacts_follow_provider_and_recipients(demo, client, login):
    login("halle@example.org", DEMO_PASSWORD)
    html = client.get("/catalogue/new").get_data(as_text=True)
    assert set(option_values(html, "provider_contact_id")) - {"0"} == _people_of("HAL")

    entries = db.session.scalar(sa.select(sa.func.count(CatalogueEntry.id)))
    response = client.post(
        "/catalogue/new",
        data={
            "title": "Noch nicht gespeichert",
            "provider_id": _org("HAL").id,
            "recipient_ids": [_org("BLK").id],
            "refresh": "contacts",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'value="Noch nicht gespeichert"' in html
    offered = set(option_values(html, "recipient_contact_id"))
    assert _people_of("BLK") <= offered and _people_of("HAL") <= offered
    assert db.session.scalar(sa.select(sa.func.count(CatalogueEntry.id))) == entries


def test_more_rows_adds_two_data_item_rows(demo, client, login):
    login("halle@example.org", DEMO_PASSWORD)
    rows = len(
        re.findall(r'id="items-\d+-name"', client.get("/catalogue/new").get_data(as_text=True))
    )
    response = client.post(
        "/catalogue/new",
        data={"title": "Zeilen", "items-0-name": "Schülerzahl", "refresh": "items"},
    )
    html = response.get_data(as_text=True)
    assert len(re.findall(r'id="items-\d+-name"', html)) == rows + 2
    assert 'value="Schülerzahl"' in html
