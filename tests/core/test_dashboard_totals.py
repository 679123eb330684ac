"""Dashboard totals are counted up to a cap and shown as "mehr als 1.000" beyond it, so the
dashboard costs the same whatever the size of the directory and the catalogue."""

from __future__ import annotations

import sqlalchemy as sa

from govtool.core.formatting import format_count
from govtool.demo import DEMO_PASSWORD
from govtool.directory.models import Person
from govtool.extensions import db


def test_directory_total_is_exact_below_the_cap_and_capped_above(client, login, demo, app):
    login("sekretariat@example.org", DEMO_PASSWORD)
    active = db.session.scalar(
        sa.select(sa.func.count(Person.id)).where(Person.is_active.is_(True))
    )
    page = client.get("/").get_data(as_text=True)
    assert f"{active} Personen." in page

    db.session.execute(
        sa.insert(Person),
        [{"first_name": "Test", "last_name": f"Person {n}"} for n in range(1001)],
    )
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "mehr als 1.000 Personen." in page


def test_count_label_in_both_languages(app):
    with app.test_request_context():
        assert format_count(1000, locale="de") == "1.000"
        assert format_count(1001, cap=1000, locale="de").endswith("1.000")
        assert format_count(7, locale="en") == "7"
