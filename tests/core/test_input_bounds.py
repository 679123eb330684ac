"""Out-of-range input anywhere is a 4xx, never a 500 (issue 10): ids in URLs, pages, integers and
dates in the query string, ids and dates in forms, long texts; and one bad stored row cannot stop
`govtool reminders send`. Each test starts from the issue's reproduction."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import sqlalchemy as sa
import wtforms
from flask import Flask
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound
from wtforms.validators import Length, NumberRange

from govtool.auth.models import Role
from govtool.bodies import agenda
from govtool.bodies import services as body_services
from govtool.bodies.minutes_models import ActionItem, Decision
from govtool.bodies.models import Meeting, MeetingStatus, Membership, MembershipRole
from govtool.catalogue import services as catalogue_services
from govtool.core import bounds, cli_hooks
from govtool.core.args import MAX_PAGE, int_from
from govtool.core.errors import ValidationError
from govtool.core.forms import DateInRange, FlaskForm, Form
from govtool.demo import DEMO_PASSWORD
from tests.bodies.factories import make_body, make_meeting, make_member_user
from tests.factories import make_person

ADMIN = "admin@example.org"
HUGE = "99999999999999999999"  # beyond int64: OverflowError on SQLite
INT4_PLUS_ONE = "2147483648"  # beyond int4: NumericValueOutOfRange on PostgreSQL


def _first_id(db, table: str) -> int:
    return db.session.execute(sa.text(f"SELECT min(id) FROM {table}")).scalar()


# ---------------------------------------------------------------- ids in the URL


@pytest.mark.parametrize(
    "path",
    [
        f"/agreements/{HUGE}",
        f"/agreements/{INT4_PLUS_ONE}",
        "/agreements/0",
        f"/meetings/{HUGE}/minutes.docx",
        f"/bodies/{INT4_PLUS_ONE}/members",
        f"/catalogue/{HUGE}",
    ],
)
def test_url_id_out_of_range_is_404(client, login, demo, path):
    login(ADMIN, DEMO_PASSWORD)
    assert client.get(path).status_code == 404


def test_int_converter_takes_ids_from_1_to_int4_max(app: Flask):
    urls = app.url_map.bind("localhost")
    assert urls.match("/agreements/2147483647")[1] == {"agreement_id": 2147483647}
    assert urls.match("/agreements/1")[1] == {"agreement_id": 1}
    for bad in ("2147483648", HUGE, "0", "-1"):
        with pytest.raises(NotFound):
            urls.match(f"/agreements/{bad}")


# ---------------------------------------------------------------- the query string


@pytest.mark.parametrize("path", ["/agreements/", "/audit/", "/actions/", "/organisations/"])
def test_page_beyond_the_maximum_is_404_and_below_one_the_first_page(client, login, demo, path):
    login(ADMIN, DEMO_PASSWORD)
    assert client.get(f"{path}?page={HUGE}").status_code == 404
    assert client.get(f"{path}?page={MAX_PAGE + 1}").status_code == 404
    assert client.get(f"{path}?page={MAX_PAGE}").status_code == 200  # an empty page
    assert client.get(f"{path}?page=-3&per_page={HUGE}").status_code == 200


def test_body_decisions_page_beyond_the_maximum_is_404(client, login, demo, db):
    login(ADMIN, DEMO_PASSWORD)
    body_id = _first_id(db, "bodies")
    assert client.get(f"/bodies/{body_id}/decisions?page={HUGE}").status_code == 404
    assert client.get(f"/bodies/{body_id}/decisions?per_page=-1").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        f"/actions/?body={HUGE}&person={INT4_PLUS_ONE}&organisation=-1",
        f"/organisations/?region={HUGE}",
        f"/people/?organisation={INT4_PLUS_ONE}",
        f"/people/new?organisation={HUGE}",
        f"/catalogue/?provider={HUGE}&recipient={INT4_PLUS_ONE}",
        f"/catalogue/export.csv?provider={HUGE}",
        f"/audit/?user={HUGE}",
        f"/agreements/new?parties={HUGE}",
    ],
)
def test_query_ids_out_of_range_filter_nothing(client, login, demo, path):
    login(ADMIN, DEMO_PASSWORD)
    assert client.get(path).status_code == 200


def test_version_and_year_out_of_range_are_404(client, login, demo, db):
    login(ADMIN, DEMO_PASSWORD)
    agreement_id = _first_id(db, "agreements")
    entry_id = _first_id(db, "catalogue_entries")
    body_id = _first_id(db, "bodies")
    for url in (
        f"/agreements/{agreement_id}?version={HUGE}",
        f"/agreements/{agreement_id}/compare?a={INT4_PLUS_ONE}",
        f"/catalogue/{entry_id}?version={HUGE}",
        f"/bodies/{body_id}/meetings?year=99999",
        f"/bodies/{body_id}/meetings?year={HUGE}",
    ):
        assert client.get(url).status_code == 404, url


def test_int_from_bounds_clamps_and_defaults():
    args = MultiDict({"a": HUGE, "b": "-1", "c": "12", "d": "abc", "e": " 7 "})
    assert int_from(args, "a") is None
    assert int_from(args, "b", 0) == 0
    assert int_from(args, "c") == 12
    assert int_from(args, "d", 5) == 5
    assert int_from(args, "e") == 7
    assert int_from(args, "a", 4, 1, 12, clamp=True) == 12
    assert int_from(args, "b", 4, 1, 12, clamp=True) == 1


@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31", "from=31.02.2026"])
def test_audit_date_out_of_range_is_ignored_with_a_message(client, login, demo, query):
    login(ADMIN, DEMO_PASSWORD)
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 200
    assert "Filter wurde nicht angewandt" in response.text


def test_audit_date_filter_reads_german_and_iso_dates(client, login, demo):
    login(ADMIN, DEMO_PASSWORD)
    for query in ("from=01.01.2000&to=31.12.2199", "from=2000-01-01&to=2199-12-31"):
        response = client.get(f"/audit/?{query}")
        assert response.status_code == 200
        assert "Filter wurde nicht angewandt" not in response.text


def test_parse_date_reads_iso_and_german_and_nothing_else():
    assert bounds.parse_date("2026-02-28") == dt.date(2026, 2, 28)
    assert bounds.parse_date(" 1.3.2026 ") == dt.date(2026, 3, 1)
    for bad in ("31.02.2026", "2026-13-01", "gestern", "", "2026/01/01"):
        with pytest.raises(ValueError):
            bounds.parse_date(bad)


def test_report_docx_with_a_date_out_of_range_is_422(client, login, demo, db):
    login(ADMIN, DEMO_PASSWORD)
    body_id = _first_id(db, "bodies")
    response = client.get(f"/bodies/{body_id}/report.docx?from=0001-01-01")
    assert response.status_code == 422
    assert 'id="from-error"' in response.text


# ---------------------------------------------------------------- ids and dates in forms


@pytest.fixture()
def office(db):
    """A body, its secretary (a login) and a held meeting with one agenda item."""
    body = make_body()
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    meeting = make_meeting(body, dt.date.today() - dt.timedelta(days=3))
    meeting.status = MeetingStatus.HELD
    item = agenda.add_item(secretary, meeting, {"title": "Bericht", "is_public": True})
    db.session.commit()
    return {"body": body, "secretary": secretary, "meeting": meeting, "item": item}


def test_member_with_a_20_digit_person_id_is_a_field_error(client, login, db, office):
    login(office["secretary"].email)
    before = db.session.scalar(sa.select(sa.func.count(Membership.id)))
    response = client.post(
        f"/bodies/{office['body'].id}/members",
        data={"person_id": HUGE, "role": "member", "organisation_id": INT4_PLUS_ONE},
    )
    assert response.status_code == 422
    assert 'id="person_id-error"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(Membership.id))) == before


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1989-12-31", "31.12.9999"])
def test_meeting_date_out_of_range_is_a_field_error_and_nothing_saved(
    client, login, db, office, day
):
    login(office["secretary"].email)
    body_id = office["body"].id
    response = client.post(
        f"/bodies/{body_id}/meetings/new",
        data={"kind": "regular", "date": day, "start_time": "10:00", "end_time": "12:00"},
    )
    assert response.status_code == 422
    assert 'id="date-error"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 1  # the fixture's


def test_meeting_in_german_notation_and_19_years_ahead_is_accepted(client, login, db, office):
    login(office["secretary"].email)
    ahead = dt.date.today() + dt.timedelta(days=365 * 19)
    response = client.post(
        f"/bodies/{office['body'].id}/meetings/new",
        data={
            "kind": "regular",
            "date": ahead.strftime("%d.%m.%Y"),
            "start_time": "10:00",
            "end_time": "12:00",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.max(Meeting.start_at))).date() == ahead


def test_services_refuse_meeting_dates_out_of_range(db, office):
    """The CLI and imports reach the services without a form: the same range holds there."""
    data = {"date": dt.date(9999, 12, 31), "start_time": dt.time(10), "end_time": dt.time(12)}
    with pytest.raises(ValidationError) as raised:
        body_services.create_meeting(office["secretary"], office["body"], data)
    assert raised.value.field == "date" and raised.value.status_code == 422
    with pytest.raises(ValidationError):
        body_services.update_meeting(
            office["secretary"], office["meeting"], {"date": dt.date(1989, 12, 31)}
        )


def test_services_refuse_document_dates_out_of_range(db, office):
    with pytest.raises(ValidationError) as raised:
        catalogue_services.clean_content({"period_start": "0001-01-01"})
    assert raised.value.field == "period_start"
    with pytest.raises(ValidationError) as raised:
        catalogue_services.clean_content({"provider_contact_id": HUGE})
    assert raised.value.field == "provider_contact_id"
    with pytest.raises(ValidationError) as raised:
        body_services.add_membership(
            office["secretary"],
            office["body"],
            {"role": "member", "person_id": make_person().id, "end_date": dt.date(2200, 1, 1)},
        )
    assert raised.value.field == "end_date"
    with pytest.raises(ValidationError) as raised:
        bounds.check_date(dt.date(1899, 12, 31), "on")
    assert raised.value.field == "on"
    assert bounds.check_date(dt.date(2199, 12, 31), "on") == dt.date(2199, 12, 31)


def test_action_item_due_in_9999_is_a_field_error(client, login, db, office):
    login(office["secretary"].email)
    meeting, item = office["meeting"], office["item"]
    person = make_person()
    db.session.commit()
    response = client.post(
        f"/meetings/{meeting.id}/items/{item.id}/actions",
        data={
            "action-task": "Bericht schreiben",
            "action-responsible_person_id": person.id,
            "action-due_date": "9999-12-31",
        },
    )
    assert response.status_code == 422
    assert "Bitte geben Sie ein Datum zwischen dem 01.01.1900 und dem 31.12.2199 ein." in (
        response.text
    )
    assert db.session.scalar(sa.select(sa.func.count(ActionItem.id))) == 0


# ---------------------------------------------------------------- every form is bounded


def _govtool_forms() -> list[type]:
    found, stack = [], [wtforms.Form]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("govtool.") and cls not in (FlaskForm, Form):
            found.append(cls)
    return found


def test_every_form_derives_from_the_bounded_base_forms(app):
    forms = _govtool_forms()
    assert len(forms) > 30
    unbounded = [
        f"{f.__module__}.{f.__name__}" for f in forms if not issubclass(f, FlaskForm | Form)
    ]
    assert unbounded == []


def _fields(form):
    for field in form:
        if isinstance(field, wtforms.FieldList):
            for entry in field:
                yield from _fields(entry.form) if hasattr(entry, "form") else [entry]
        else:
            yield field


def test_every_field_of_every_form_has_a_bound(app):
    problems = []
    with app.test_request_context():
        for form_class in _govtool_forms():
            if issubclass(form_class, FlaskForm):
                form = form_class(meta={"csrf": False})
            else:
                form = form_class()
            for field in _fields(form):
                name = f"{form_class.__name__}.{field.name}"
                validators = field.validators
                if isinstance(field, wtforms.StringField):
                    maxima = [v.max for v in validators if isinstance(v, Length)]
                    if not maxima or max(maxima) < 1 or max(maxima) > bounds.MAX_TEXT:
                        problems.append(f"{name}: no maximum length")
                elif isinstance(field, wtforms.IntegerField):
                    ranges = [v for v in validators if isinstance(v, NumberRange)]
                    if not any(
                        r.min is not None
                        and r.max is not None
                        and bounds.MIN_INT <= r.min
                        and r.max <= bounds.MAX_INT
                        for r in ranges
                    ):
                        problems.append(f"{name}: no int4 range")
                elif isinstance(field, wtforms.DateField):
                    if not any(isinstance(v, DateInRange) for v in validators):
                        problems.append(f"{name}: no date range")
                elif isinstance(field, wtforms.SelectFieldBase) and field.coerce is int:
                    problems.append(f"{name}: unbounded int choice")
    assert problems == []


def test_one_line_fields_default_to_255_and_text_areas_to_50000(app):
    from govtool.catalogue.forms import DataItemForm, EntryForm

    with app.test_request_context():
        item = DataItemForm(MultiDict({"description": "x" * 256}))
        assert not item.validate()
        # a sub-form's message in the page's language (German by default), as the page form's
        assert item.errors["description"] == ["Feld kann nicht länger als 255 Zeichen sein."]
        entry = EntryForm(meta={"csrf": False})
        (length,) = [v for v in entry.purpose.validators if isinstance(v, Length)]
        assert length.max == bounds.MAX_TEXT
        assert 'maxlength="50000"' in entry.purpose()


# ---------------------------------------------------------------- long texts


def _decisions(db) -> list[int]:
    return [len(text) for text in db.session.scalars(sa.select(Decision.text))]


def test_decision_text_of_10_mb_is_refused_and_nothing_saved(client, login, db, office):
    """The issue's 10 MB decision text made a 21 MB audit page: refused before any form reads it
    (MAX_FORM_MEMORY_SIZE, 413), and above the field's maximum a field error (422)."""
    login(office["secretary"].email)
    url = f"/meetings/{office['meeting'].id}/items/{office['item'].id}/decisions"
    huge = client.post(url, data={"decision-text": "x" * 10_000_000, "decision-result": "adopted"})
    assert huge.status_code == 413
    too_long = client.post(
        url, data={"decision-text": "ä" * (bounds.MAX_TEXT + 1), "decision-result": "adopted"}
    )
    assert too_long.status_code == 422
    assert _decisions(db) == []
    allowed = client.post(
        url, data={"decision-text": "ä" * bounds.MAX_TEXT, "decision-result": "adopted"}
    )
    assert allowed.status_code == 302
    assert _decisions(db) == [bounds.MAX_TEXT]


def test_multipart_text_part_beyond_the_form_memory_limit_is_413(client, login, db, office):
    login(office["secretary"].email)
    url = f"/meetings/{office['meeting'].id}/items/{office['item'].id}/decisions"
    response = client.post(
        url,
        data={"decision-text": "x" * (3 * 1024 * 1024), "decision-result": "adopted"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert _decisions(db) == []


# ---------------------------------------------------------------- reminders


def _overdue_action(db, office) -> ActionItem:
    person = make_person(email="verantwortlich@example.org")
    action = ActionItem(
        body_id=office["body"].id,
        meeting_id=office["meeting"].id,
        task="Bericht nachreichen",
        responsible_person_id=person.id,
        due_date=dt.date.today() - dt.timedelta(days=2),
    )
    db.session.add(action)
    db.session.flush()
    return action


def test_reminders_skip_a_meeting_dated_9999_and_send_the_rest(app, db, office, caplog):
    """A meeting row dated 9999-12-31 (written straight to the database, as before the range
    check) crashed `govtool reminders send` for the whole installation."""
    bad = make_meeting(office["body"], dt.date.today() + dt.timedelta(days=10))
    db.session.execute(
        sa.update(Meeting)
        .where(Meeting.id == bad.id)
        .values(
            start_at=dt.datetime(9999, 12, 31, 9, tzinfo=dt.UTC),
            end_at=dt.datetime(9999, 12, 31, 11, tzinfo=dt.UTC),
            status=MeetingStatus.INVITED,
        )
    )
    _overdue_action(db, office)
    db.session.commit()
    db.session.expire_all()
    with caplog.at_level(logging.ERROR, logger="govtool.reminders"):
        result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert isinstance(result.exception, SystemExit), result.exception  # not an OverflowError
    assert result.exit_code == 1  # cron reports the skipped row
    assert "verantwortlich@example.org" in result.output  # the others' reminders went out
    assert f"meeting {bad.id}" in result.output
    assert f"skipped meeting {bad.id}" in caplog.text


def test_reminders_go_on_when_one_area_fails(app, db, office, monkeypatch, caplog):
    def broken(now, dry_run=False):
        raise RuntimeError("broken area")

    bodies_source = next(s for s in cli_hooks.REMINDER_SOURCES if s.__name__ == "bodies_reminders")
    monkeypatch.setattr(cli_hooks, "REMINDER_SOURCES", [broken, bodies_source])
    _overdue_action(db, office)
    db.session.commit()
    with caplog.at_level(logging.ERROR, logger="govtool.reminders"):
        result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 1
    assert "verantwortlich@example.org" in result.output
    assert "broken" in result.output and "broken area" in caplog.text


def test_cli_render_with_a_20_digit_id_is_a_usage_error(app, db, tmp_path):
    out = tmp_path / "x.docx"
    result = app.test_cli_runner().invoke(args=["agreements", "render", HUGE, "--out", str(out)])
    assert result.exit_code == 2  # click's usage error, not an OverflowError
    assert "range" in result.output and not out.exists()
