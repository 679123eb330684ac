"""Every route, as every demo role, with real ids, ids that do not exist, garbage query strings and
garbage form posts, and numbers and dates out of range (ids beyond int4 and 20 digits, pages, form
ids, the years 1 and 9999) in the URL, the query string and the forms: the answer is a page or a
4xx, never a server error (PostgreSQL shows int4 overflows, SQLite 64-bit ones: run it on both).

The routes are read from the app's URL map, so a new route is covered without editing this file."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from govtool.demo import DEMO_PASSWORD

ROLES = [
    "admin@example.org",
    "sekretariat@example.org",
    "halle@example.org",
    "ministerium@example.org",
]

# For the most specific argument of a rule: one row naming it and the ids it belongs to.
ANCHORS = {
    "item_id": "SELECT id AS item_id, meeting_id FROM agenda_items ORDER BY id",
    "file_id": "SELECT f.id AS file_id, a.meeting_id FROM stored_files f "
    "JOIN agenda_items a ON a.id = f.agenda_item_id ORDER BY f.id",
    "party_id": "SELECT p.id AS party_id, v.agreement_id, v.number FROM agreement_parties p "
    "JOIN agreement_versions v ON v.id = p.version_id ORDER BY p.id",
    "attachment_id": "SELECT id AS attachment_id, agreement_id FROM agreement_attachments",
    "membership_id": "SELECT id AS membership_id, body_id FROM body_memberships ORDER BY id",
    "meeting_id": "SELECT id AS meeting_id FROM meetings ORDER BY start_at DESC",
    "body_id": "SELECT id AS body_id FROM bodies ORDER BY id",
    "agreement_id": "SELECT id AS agreement_id FROM agreements ORDER BY id",
    "entry_id": "SELECT id AS entry_id FROM catalogue_entries ORDER BY id",
    "organisation_id": "SELECT id AS organisation_id FROM organisations ORDER BY id",
    "person_id": "SELECT id AS person_id FROM people ORDER BY id",
    "user_id": "SELECT id AS user_id FROM users ORDER BY id",
    "template_id": "SELECT id AS template_id FROM agreement_templates ORDER BY id",
    "action_id": "SELECT id AS action_id FROM action_items ORDER BY id",
    "paper_id": "SELECT id AS paper_id FROM papers ORDER BY id",
    "token_id": "SELECT id AS token_id FROM api_tokens ORDER BY id",
    "message_id": "SELECT id AS message_id FROM outbox_messages ORDER BY id",
    "prepared_id": "SELECT id AS prepared_id FROM prepared_files ORDER BY id",
}
NUMBER_ANCHORS = {
    "agreement_id": "SELECT agreement_id, number FROM agreement_versions ORDER BY id",
    "entry_id": "SELECT entry_id, number FROM catalogue_versions ORDER BY id",
}
GARBAGE_QUERY = (
    "?page=-3&per_page=abc&q=%27%22%3Cscript%3E%E2%80%AE&status=bogus&level=%E2%82%AC&sort=;drop"
    "&year=99999&body=abc&organisation=-1&from=31.02.2026&until=gestern&next=//evil.example"
)
GARBAGE_FORM = {
    "name": "x" * 5000,
    "title": "",
    "email": "no-at-sign",
    "number": "abc",
    "date": "31.02.2026",
    "start_at": "gestern",
    "start_date": "2026-13-45",
    "end_date": "1900-01-01",
    "status": "bogus",
    "role": "emperor",
    "kind": "nonsense",
    "votes_yes": "-5",
    "votes_no": "1e9",
    "votes_abstain": "NaN",
    "position": "first",
    "organisation_id": "999999",
    "person_id": "abc",
    "body_id": "-1",
    "version": "not-a-number",
    "password": "",
    "text": "\u202e\U0001f600" * 3000,
    "locale": "xx",
    "next": "https://evil.example/",
}
# Out of range: beyond int4, beyond int64, zero and negative. Every URL id of every route gets two
# of them per role, each number two roles (the converter answers 404 before any view runs).
BAD_NUMBERS = ("2147483648", "99999999999999999999", "0", "-1")
# A list's page beyond the last sane one is a 404; sent to the routes without arguments (the lists).
BAD_PAGE = "?page=99999999999999999999"
# Every integer and date argument the views read, out of range (31.02.2026 is in GARBAGE_QUERY).
BAD_QUERY = (
    "?per_page=99999999999999999999&body=2147483648"
    "&organisation=99999999999999999999&person=-1&region=2147483648&provider=99999999999999999999"
    "&recipient=0&user=2147483648&version=99999999999999999999&a=2147483648&b=-1&year=0"
    "&parties=99999999999999999999&object=99999999999999999999"
    "&from=0001-01-01&to=9999-12-31&until=9999-12-31"
)
FORM_PREFIXES = ("", "minutes-", "decision-", "action-", "comment-", "paper-", "upload-", "pw-")


def _bad_form() -> dict:
    """Every field name of every form of the app (with the prefixes the pages use), an id or an
    integer field given a 20-digit number, a date field the year 9999."""
    import wtforms
    from wtforms import DateField, IntegerField, SelectFieldBase

    values = {
        "parties-0-organisation_id": "99999999999999999999",
        "parties-0-contact_person_id": "2147483648",
        "items-0-name": "x" * 300,
        "version": "99999999999999999999",
    }
    stack = [wtforms.Form]
    seen = set()
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        stack.extend(cls.__subclasses__())
        if not cls.__module__.startswith("govtool."):
            continue
        for name, unbound in vars(cls).items():
            field_class = getattr(unbound, "field_class", None)
            if field_class is None:
                continue
            if issubclass(field_class, DateField):
                value = "9999-12-31"
            elif issubclass(field_class, (IntegerField, SelectFieldBase)) or name.endswith("_id"):
                value = "99999999999999999999"
            else:
                continue
            for prefix in FORM_PREFIXES:
                values.setdefault(prefix + name, value)
    return values


SKIPPED_POSTS = {"/logout"}  # signs the client out; tested in tests/auth


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.endswith("static"):
            continue
        yield rule


def _real_values(session, rule) -> dict | None:
    args = set(rule.arguments)
    if not args:
        return {}
    if "number" in args:
        base = next(a for a in ("agreement_id", "entry_id") if a in args)
        if not ({"party_id"} & args):
            row = session.execute(sa.text(NUMBER_ANCHORS[base])).mappings().first()
            return dict(row) if row else None
    for anchor, query in ANCHORS.items():
        if anchor in args:
            row = session.execute(sa.text(query)).mappings().first()
            if row is None:
                return None
            values = dict(row)
            for arg in args - values.keys():
                values[arg] = "x" if arg in {"token", "fmt"} else 1
            return values
    return {arg: "csv" if arg == "fmt" else "x" for arg in args}


def _bogus_values(rule) -> dict:
    return {arg: "x%00..%2F" if arg in {"token", "fmt"} else 999999 for arg in rule.arguments}


@pytest.mark.parametrize("email", ROLES)
def test_no_route_answers_with_a_server_error(app, client, login, demo, email):
    from govtool.extensions import db

    login(email, DEMO_PASSWORD)
    failures = []
    answered: dict[int, int] = {}
    answered_last = [0]
    out_of_range_answers: list[int] = []

    def check(method: str, url: str, **kwargs) -> None:
        try:
            response = client.open(url, method=method, **kwargs)
        except Exception as error:  # an unhandled exception is a 500 in production
            failures.append(f"{method} {url}: {type(error).__name__}: {error}")
            db.session.rollback()
            return
        answered[response.status_code] = answered.get(response.status_code, 0) + 1
        answered_last[0] = response.status_code
        if response.status_code >= 500:
            failures.append(f"{method} {url}: {response.status_code}")

    bad_form = _bad_form()
    for rule in _routes(app):
        with app.test_request_context():
            from flask import url_for

            real = _real_values(db.session, rule)
            urls = [url_for(rule.endpoint, **_bogus_values(rule))]
            if real is not None:
                urls.insert(0, url_for(rule.endpoint, **real))
            ids = [a for a in rule.arguments if a not in {"token", "fmt"}]
            out_of_range = [
                url_for(rule.endpoint, **{**(real or _bogus_values(rule)), **dict.fromkeys(ids, n)})
                for n in BAD_NUMBERS[ROLES.index(email) % 2 :: 2]
                if ids
            ]
        for url in urls:
            if "GET" in rule.methods:
                check("GET", url)
                if url is urls[0]:
                    check("GET", url + GARBAGE_QUERY)
                    check("GET", url + BAD_QUERY)
                    if not rule.arguments:
                        check("GET", url + BAD_PAGE)
            if "POST" in rule.methods and rule.rule not in SKIPPED_POSTS:
                check("POST", url, data=GARBAGE_FORM)
                if url is urls[0]:
                    check("POST", url, data=bad_form)
        for url in out_of_range:
            method = "GET" if "GET" in rule.methods else "POST"
            if method == "POST" and rule.rule in SKIPPED_POSTS:
                continue
            check(method, url)
            out_of_range_answers.append(answered_last[0])
    assert not failures, "\n".join(failures)
    # The real ids resolved: many pages opened, and bogus ids were refused (not silently served).
    assert answered.get(200, 0) >= 25, answered
    assert answered.get(404, 0) >= 25, answered
    # An id out of range names nothing: no such URL matches a route (the bounded `int` converter).
    assert out_of_range_answers and set(out_of_range_answers) <= {404, 405}, out_of_range_answers
