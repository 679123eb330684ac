"""Body calendars in a real browser over the demo data: the body page offers the public and the
members' feed as webcal:// links with names that say what they are (axe-core clean in both
languages), and the public feed answers a client without any sign-in."""

from __future__ import annotations

import urllib.request

import icalendar
import sqlalchemy as sa

from govtool.bodies.models import Body
from govtool.demo import DEMO_PASSWORD


def test_body_page_offers_webcal_links_and_the_public_feed_needs_no_sign_in(
    page, demo, browser_login, axe_check, live_server
):
    body = demo.session.scalar(sa.select(Body).where(Body.short_name == "BG"))
    assert body.public_calendar  # the demo's steering committee publishes its dates
    browser_login("ministerium@example.org", DEMO_PASSWORD)
    page.goto(f"/bodies/{body.id}")
    public = page.get_by_role("link", name="Öffentlichen Kalender von BG abonnieren (webcal)")
    href = public.get_attribute("href")
    assert href is not None and href.startswith("webcal://")
    assert href.endswith(f"/bodies/{body.id}/public.ics")
    members = page.get_by_role("link", name="Kalender für Mitglieder von BG abonnieren (webcal)")
    assert (members.get_attribute("href") or "").startswith("webcal://")
    axe_check("body page (de)")
    page.get_by_role("button", name="English").click()
    page.goto(f"/bodies/{body.id}")
    page.get_by_role("link", name="Subscribe to the public calendar of BG (webcal)").wait_for()
    axe_check("body page (en)")

    with urllib.request.urlopen(f"{live_server}/bodies/{body.id}/public.ics") as response:
        assert response.status == 200
        data = response.read()
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["METHOD"] == "PUBLISH" and calendar.walk("VEVENT")
    assert b"ATTENDEE" not in data and b"mailto:" not in data
