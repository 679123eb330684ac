"""axe-core over the pages the flow tests do not reach, as admin with the demo data, in both
languages: no serious or critical WCAG violation."""

from __future__ import annotations

import pytest

from govtool.demo import DEMO_PASSWORD

PAGES = [
    "/people/",
    "/people/new",
    "/users/",
    "/users/new",
    "/audit/",
    "/admin/mail/",
    "/profile",
    "/organisations/1",
    "/bodies/1/members/new?q=Richter",
    "/bodies/1/members",
    "/bodies/1/meetings",
    "/bodies/1/decisions",
    "/actions/?responsible=Halle",
    "/catalogue/?provider_name=Halle",
    "/agreements/templates/",
    "/agreements/verify",
    "/agreements/1/compare",
    "/password/forgot",
    "/api/v1/",  # the API reference, rendered from the OpenAPI document
]


@pytest.mark.parametrize("locale", ["de", "en"])
def test_remaining_pages_have_no_serious_violations(page, demo, browser_login, axe_check, locale):
    browser_login("admin@example.org", DEMO_PASSWORD)
    if locale == "en":
        page.get_by_role("button", name="English").click()
    problems = []
    for path in PAGES:
        response = page.goto(path)
        assert response is not None and response.status in (200, 302), (path, response.status)
        try:
            axe_check(path)
        except AssertionError as error:
            problems.append(str(error))
    assert problems == []
