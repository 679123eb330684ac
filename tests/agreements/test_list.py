"""The agreement list: filters, visibility per organisation, rows from a statement built once per
(visibility, filters)."""

from __future__ import annotations

import re

from govtool.agreements import services
from govtool.auth.models import Role
from govtool.directory.models import Organisation
from govtool.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user

from .factories import DEMO_PASSWORD, draft, fully_signed


def _numbers(html: str, *numbers: str) -> list[str]:
    return [n for n in numbers if n in html]


def test_filters_by_status_kind_and_search_and_ignores_unknown_values(demo, client, login):
    signed = fully_signed(title="Kooperation in Kraft")
    drafted = draft(title="Entwurf Nummer zwei")
    login("halle@example.org", password=DEMO_PASSWORD)
    both = (signed.number, drafted.number)
    assert _numbers(client.get("/agreements/").get_data(as_text=True), *both) == list(both)
    in_force = client.get("/agreements/?status=in_force").get_data(as_text=True)
    assert _numbers(in_force, *both) == [signed.number]
    drafts = client.get("/agreements/?status=draft&kind=cooperation").get_data(as_text=True)
    assert _numbers(drafts, *both) == [drafted.number]
    found = client.get("/agreements/?q=nummer zwei").get_data(as_text=True)
    assert _numbers(found, *both) == [drafted.number]
    assert _numbers(client.get("/agreements/?q=100%").get_data(as_text=True), *both) == []
    unknown = client.get("/agreements/?status=kaputt&kind=kaputt&page=x")
    assert unknown.status_code == 200
    assert _numbers(unknown.get_data(as_text=True), *both) == list(both)
    # a page past the end has no row to carry the total: it is counted separately
    total = re.search(r"(\d+) Einträge", client.get("/agreements/").get_data(as_text=True))
    past_the_end = client.get("/agreements/?page=9")
    assert past_the_end.status_code == 200
    assert f"{total.group(1)} Einträge" in past_the_end.get_data(as_text=True)


def test_the_organisation_with_id_1_does_not_share_the_overseers_list(demo, client, login):
    """The cached list statement is keyed by what the user sees; as a key True equals 1."""
    hidden = draft(by="burgenlandkreis@example.org", shorts=("BLK", "BK"))
    organisation = db.session.get(Organisation, 1)
    assert organisation is not None
    make_user("kommune1@example.org", roles=(Role.MUNICIPALITY,), organisation=organisation)
    db.session.commit()
    login("admin@example.org", password=DEMO_PASSWORD)
    assert hidden.number in client.get("/agreements/").get_data(as_text=True)
    client.post("/logout")
    login("kommune1@example.org", password=DEFAULT_PASSWORD)
    assert hidden.number not in client.get("/agreements/").get_data(as_text=True)
    rows_all, _ = services._agreement_list_query("all", "", "", "")
    rows_org, _ = services._agreement_list_query(1, "", "", "")
    assert rows_all is not rows_org
