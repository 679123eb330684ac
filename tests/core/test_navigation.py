"""Main navigation: one entry per endpoint however many apps a process creates; entries follow
permissions; the current area is marked for assistive technology."""

from __future__ import annotations

from govtool import create_app
from govtool.config import TestConfig
from govtool.core.navigation import NAV_ITEMS
from govtool.demo import DEMO_PASSWORD


def test_creating_another_app_does_not_duplicate_entries(app):
    before = [item.endpoint for item in NAV_ITEMS]
    create_app(TestConfig)
    after = [item.endpoint for item in NAV_ITEMS]
    assert after == before
    assert len(after) == len(set(after))
    assert after[0] == "main.dashboard"


def test_entries_follow_permissions_and_mark_the_current_area(client, login, demo):
    login("halle@example.org", DEMO_PASSWORD)
    page = client.get("/bodies/").get_data(as_text=True)
    nav = page[page.index('<nav class="main-nav') : page.index("</nav>")]
    assert 'href="/bodies/"' in nav
    assert 'aria-current="page"' in nav.split('href="/bodies/"')[1].split("</a>")[0]
    assert 'href="/audit/"' not in nav  # the audit log is for administrators only
