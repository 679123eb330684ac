"""Lists count their rows only up to a few pages ahead, so a list's cost does not grow with the
table; the page then says "more than" and ends its page links in a gap."""

from __future__ import annotations

import re

from govtool.auth.models import Role
from govtool.core.views import COUNT_AHEAD_PAGES
from tests.factories import make_organisation, make_user


def _login_admin(db, login):
    admin = make_user(roles=(Role.ADMIN,))
    db.session.commit()
    login(admin.email)


def test_small_list_shows_the_exact_total(db, client, login):
    for _ in range(7):
        make_organisation()
    _login_admin(db, login)
    html = client.get("/organisations/?per_page=5").get_data(as_text=True)
    total = db.session.execute(db.text("select count(*) from organisations")).scalar()
    assert f"{total} Einträge" in html and "mehr als" not in html
    assert 'aria-current="page"' in html and ">2</a>" in html


def test_large_list_counts_only_a_few_pages_ahead(db, client, login):
    per_page = 5
    cap = per_page * COUNT_AHEAD_PAGES
    for _ in range(cap + 7):
        make_organisation()
    _login_admin(db, login)
    html = client.get(f"/organisations/?per_page={per_page}").get_data(as_text=True)
    assert f"mehr als {cap} Einträge" in html
    numbers = [int(n) for n in re.findall(r"</span>(\d+)</a>", html)]
    assert numbers == [1, 2, 3]  # no "last page" that would be a guess
    assert "page=2" in html and "…" in html  # a next link and the gap
    # further on, the count reaches further ahead (the cap follows the page)
    later = client.get(f"/organisations/?per_page={per_page}&page=3").get_data(as_text=True)
    assert "Einträge" in later and "page=4" in later
    last = client.get(f"/organisations/?per_page={per_page}&page=12").get_data(as_text=True)
    total = db.session.execute(db.text("select count(*) from organisations")).scalar()
    assert f"{total} Einträge" in last and "mehr als" not in last
