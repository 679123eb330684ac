"""Every benchmarked page runs at most 15 SQL statements, and the same number on a generated data
set twice as large: a page that loads rows one query at a time fails here.

The data set is the benchmark's generator (bench/seed.py) cut down to 2 and 4 networks.
"""

from __future__ import annotations

import pytest

from bench.harness import count_statements
from bench.seed import BENCH_PASSWORD, bench_targets, seed
from govtool.extensions import db as _db
from tests.conftest import clean_tables

MAX_STATEMENTS = 15
SMALL, LARGE = 2, 4  # networks

# page name -> (bench user, URL built from bench_targets())
PAGES = {
    "dashboard_secretary": ("secretary", lambda t: "/"),
    "dashboard_admin": ("admin", lambda t: "/"),
    "body": ("secretary", lambda t: f"/bodies/{t['body_id']}"),
    "body_add_member_search": ("secretary", lambda t: f"/bodies/{t['body_id']}/members/new?q=a"),
    "meeting_30_items": ("secretary", lambda t: f"/meetings/{t['meeting_30_items_id']}"),
    "meeting_30_items_member": ("member", lambda t: f"/meetings/{t['meeting_30_items_id']}"),
    "minutes": ("secretary", lambda t: f"/meetings/{t['minutes_meeting_id']}"),
    "minutes_docx": ("secretary", lambda t: f"/meetings/{t['minutes_meeting_id']}/minutes.docx"),
    "action_items": ("secretary", lambda t: "/actions/"),
    "action_items_by_responsible": ("secretary", lambda t: "/actions/?status=&responsible=a"),
    "agreements_list": ("municipality", lambda t: "/agreements/"),
    "agreements_list_ministry": ("ministry", lambda t: "/agreements/"),
    "agreement_detail": ("municipality", lambda t: f"/agreements/{t['agreement_id']}"),
    "catalogue_list_filtered": (
        "member",
        lambda t: "/catalogue/?status=approved&frequency=yearly&q=Schul",
    ),
    "catalogue_list_ministry": ("ministry", lambda t: "/catalogue/"),
    "catalogue_list_by_organisation_name": (
        "ministry",
        lambda t: "/catalogue/?provider_name=a&recipient_name=e",
    ),
    "catalogue_dcat": ("member", lambda t: "/catalogue/dcat.jsonld"),
    "audit_log": ("admin", lambda t: "/audit/"),
}

_measured: dict[int, dict[str, int]] = {}


def _measure(app, networks: int) -> dict[str, int]:
    """Seed `networks` networks into the emptied database and count each page's statements."""
    with app.app_context():
        clean_tables()
        seed(networks=networks)
        targets = bench_targets()
    counts: dict[str, int] = {}
    clients = {}
    for name, (role, url_of) in PAGES.items():
        client = clients.get(role)
        if client is None:
            client = clients[role] = app.test_client()
            response = client.post(
                "/login",
                data={"email": f"{role}@bench.example.org", "password": BENCH_PASSWORD},
            )
            assert response.status_code == 302, f"bench login {role} failed"
        url = url_of(targets)
        client.get(url)  # warm per-process caches (templates, translations)
        with app.app_context():
            engine = _db.engine
        with count_statements(engine) as counter:
            response = client.get(url)
        assert response.status_code == 200, f"{name}: {url} gave {response.status_code}"
        counts[name] = counter.count
    return counts


@pytest.fixture()
def measured(app, db):
    if not _measured:
        _measured[SMALL] = _measure(app, SMALL)
        _measured[LARGE] = _measure(app, LARGE)
        for name in PAGES:  # the figures for the report (pytest -s shows them)
            print(f"{name}: {_measured[SMALL][name]} / {_measured[LARGE][name]}")  # noqa: T201
    return _measured


@pytest.mark.parametrize("page", list(PAGES))
def test_statement_count_is_small_and_constant(measured, page):
    small, large = measured[SMALL][page], measured[LARGE][page]
    assert small <= MAX_STATEMENTS, f"{page}: {small} statements (at most {MAX_STATEMENTS})"
    assert large == small, f"{page}: {small} statements with {SMALL} networks, {large} with {LARGE}"


def test_seeded_data_is_visible_to_bench_users(app, db):
    """The generator gives each bench user something to see (rows, not empty pages)."""
    seed(networks=SMALL)
    targets = bench_targets()
    assert all(targets[key] for key in ("body_id", "meeting_30_items_id", "minutes_meeting_id"))
    assert targets["agreement_id"] and targets["catalogue_entry_id"]
    assert targets["open_action_item_ids"]
    client = app.test_client()
    client.post("/login", data={"email": "secretary@bench.example.org", "password": BENCH_PASSWORD})
    page = client.get(f"/meetings/{targets['meeting_30_items_id']}").get_data(as_text=True)
    assert "TOP 30" in page
    assert "Berufsorientierung" in page
    minutes = client.get(f"/meetings/{targets['minutes_meeting_id']}").get_data(as_text=True)
    assert "present" in minutes or "anwesend" in minutes
