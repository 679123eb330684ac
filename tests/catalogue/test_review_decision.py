"""The reviewer's decision (issue 12): no preselected decision, "Prüfung beginnen" opens the
decision form, and personal data without a completed DPIA is refused (a DPIA is needed) or
approved only with an explicit confirmation and a recorded justification (none is needed)."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from govtool.catalogue import services, workflow
from govtool.catalogue.models import CatalogueEntry, EntryStatus, VersionStatus
from govtool.core.audit import AuditEntry, acting_as
from govtool.core.errors import Conflict, ValidationError
from govtool.core.mail import OutboxMessage
from tests.catalogue.factories import make_entry, make_world
from tests.html_helpers import form_with

ALL_CHECKS = [key for key, _ in workflow.CHECKLIST]
PERSONAL_CHECKS = [key for key in ALL_CHECKS if key != "small_numbers"]  # what the page offers
REFUSED = "Vor Abschluss der DSFA kann sie nicht freigegeben werden (Art. 35 Abs. 1 DSGVO)"
JUSTIFICATION = "Schwellwertanalyse vom 04.02.2025: kein hohes Risiko, Art. 35 Abs. 10 DSGVO."

CHILDREN = {
    "data_subjects": "Kinder im Jahr vor der Einschulung",
    "personal_data_level": "personal",
    "items": [{"name": "Name des Kindes", "is_personal": True}, {"name": "Förderbedarf"}],
}


@pytest.fixture()
def world(db):
    world = make_world()
    db.session.commit()
    return world


def _submitted(world, db, **overrides) -> CatalogueEntry:
    halle = world["users"]["halle"]
    with acting_as(halle):
        entry = make_entry(halle, world["halle"], [world["ministry"]], **overrides)
        workflow.submit(halle, entry)
    db.session.commit()
    return entry


def _reload(db, entry_id: int) -> CatalogueEntry:
    db.session.expire_all()
    return db.session.get(CatalogueEntry, entry_id)


class _DecisionControls(HTMLParser):
    """The controls named "decision" of a page: radio buttons (and whether checked), selects."""

    def __init__(self):
        super().__init__()
        self.radios: list[tuple[str, bool]] = []
        self.selects = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("name") != "decision":
            return
        if tag == "input" and a.get("type") == "radio":
            self.radios.append((a.get("value"), "checked" in a))
        elif tag == "select":
            self.selects += 1


def _decision_controls(html: str) -> _DecisionControls:
    parser = _DecisionControls()
    parser.feed(html)
    return parser


def test_decision_form_has_no_preselected_decision(world, db, client, login):
    entry = _submitted(world, db)
    login("ministerium@example.org")
    response = client.get(f"/catalogue/{entry.id}/decide")
    assert response.status_code == 200
    controls = _decision_controls(response.get_data(as_text=True))
    assert controls.selects == 0  # a select always sends a value
    assert [value for value, _ in controls.radios] == ["approve", "request_changes", "reject"]
    assert not any(checked for _, checked in controls.radios)
    # as a browser sends the untouched form: no decision at all
    assert "decision" not in form_with(response.get_data(as_text=True), "comment")


def test_decision_without_a_choice_is_refused_and_keeps_what_was_typed(world, db, client, login):
    entry = _submitted(world, db)
    login("ministerium@example.org")
    response = client.post(
        f"/catalogue/{entry.id}/decide",
        data={"checklist": ["purpose", "legal_basis"], "comment": "Rechtsnorm geprüft, passt."},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Bitte wählen Sie eine Entscheidung." in page
    sent = form_with(page, "comment")
    assert [text.strip() for text in sent["comment"]] == ["Rechtsnorm geprüft, passt."]
    assert sent["checklist"] == ["purpose", "legal_basis"]
    assert not any(checked for _, checked in _decision_controls(page).radios)
    again = _reload(db, entry.id)
    assert again.latest_version.status == VersionStatus.SUBMITTED
    assert again.approved_number is None


def test_start_review_opens_the_decision_form(world, db, client, login):
    entry = _submitted(world, db)
    login("ministerium@example.org")
    page = client.get(f"/catalogue/{entry.id}/decide").get_data(as_text=True)
    assert f'action="/catalogue/{entry.id}/start-review"' in page
    response = client.post(f"/catalogue/{entry.id}/start-review")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/catalogue/{entry.id}/decide#decide")
    assert _reload(db, entry.id).latest_version.status == VersionStatus.IN_REVIEW
    followed = client.get(response.headers["Location"])
    assert followed.status_code == 200
    assert "Sie prüfen jetzt diesen Eintrag." in followed.get_data(as_text=True)
    assert 'name="decision"' in followed.get_data(as_text=True)
    # started already: the form again, with the reason, not the entry page
    response = client.post(f"/catalogue/{entry.id}/start-review")
    assert response.headers["Location"].endswith(f"/catalogue/{entry.id}/decide")


def test_start_review_of_an_own_submission_is_forbidden(world, db, client, login):
    admin = world["users"]["admin"]
    with acting_as(admin):
        entry = make_entry(admin, world["halle"], [world["ministry"]])
        workflow.submit(admin, entry)
    db.session.commit()
    login("admin@example.org")
    assert client.post(f"/catalogue/{entry.id}/start-review").status_code == 403
    login("halle@example.org")
    assert client.post(f"/catalogue/{entry.id}/start-review").status_code == 403


# ---------------------------------------------------------------- DPIA needed, not completed


def test_approving_personal_data_whose_needed_dpia_is_not_completed_is_refused(
    world, db, client, login
):
    entry = _submitted(world, db, **CHILDREN, dpia_required=True, dpia_outcome="DSFA in Arbeit")
    login("ministerium@example.org")
    page = client.get(f"/catalogue/{entry.id}/decide").get_data(as_text=True)
    assert "Freigabe nicht möglich:" in page and REFUSED in page
    assert 'name="justification"' not in page  # no justification can cure it
    response = client.post(
        f"/catalogue/{entry.id}/decide",
        data={
            "decision": "approve",
            "checklist": PERSONAL_CHECKS,
            "comment": "Bitte trotzdem.",
            # a crafted post with the confirmation changes nothing
            "confirm_without_dpia": "y",
            "justification": "Eilt.",
        },
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert REFUSED in page
    assert [text.strip() for text in form_with(page, "comment")["comment"]] == ["Bitte trotzdem."]
    again = _reload(db, entry.id)
    assert again.approved_number is None and again.status == EntryStatus.SUBMITTED
    assert again.latest_version.approval_justification == ""
    with pytest.raises(Conflict):
        workflow.approve(
            world["users"]["ministry"],
            again,
            checklist=PERSONAL_CHECKS,
            confirmed=True,
            justification="Eilt.",
        )


def test_once_the_dpia_is_completed_the_entry_is_approved_without_justification(
    world, db, client, login
):
    entry = _submitted(world, db, **CHILDREN, dpia_required=True, dpia_outcome="DSFA in Arbeit")
    login("ministerium@example.org")
    response = client.post(
        f"/catalogue/{entry.id}/decide",
        data={"decision": "request_changes", "comment": "Bitte DSFA abschließen."},
    )
    assert response.status_code == 302
    halle = world["users"]["halle"]
    entry = _reload(db, entry.id)
    with acting_as(halle):
        with pytest.raises(ValidationError) as future:
            services.update_entry(
                halle, entry, {"dpia_completed_on": dt.date.today() + dt.timedelta(days=1)}
            )
        assert future.value.field == "dpia_completed_on"
        services.update_entry(
            halle,
            entry,
            {"dpia_completed_on": "2026-11-30", "dpia_outcome": "Restrisiko gering."},
        )
        workflow.submit(halle, entry)
    db.session.commit()
    page = client.get(f"/catalogue/{entry.id}/decide").get_data(as_text=True)
    assert REFUSED not in page and 'name="justification"' not in page
    assert "30.11.2026" in page
    response = client.post(
        f"/catalogue/{entry.id}/decide", data={"decision": "approve", "checklist": PERSONAL_CHECKS}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    again = _reload(db, entry.id)
    assert again.approved_number == 1 and again.approved_version.approval_justification == ""


# ---------------------------------------------------------------- no DPIA needed: justify


def test_approving_personal_data_without_dpia_needs_confirmation_and_justification(
    world, db, client, login
):
    entry = _submitted(world, db, **CHILDREN, dpia_required=False)
    login("ministerium@example.org")
    url = f"/catalogue/{entry.id}/decide"
    page = client.get(url).get_data(as_text=True)
    assert 'name="confirm_without_dpia"' in page and 'name="justification"' in page

    # without the confirmation: 422, nothing recorded, what was typed is kept
    data = {"decision": "approve", "checklist": PERSONAL_CHECKS, "justification": JUSTIFICATION}
    response = client.post(url, data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "bestätigen Sie dies ausdrücklich" in page
    assert [text.strip() for text in form_with(page, "comment")["justification"]] == [JUSTIFICATION]
    assert _reload(db, entry.id).approved_number is None

    # confirmed, but no justification: 422
    response = client.post(url, data=dict(data, confirm_without_dpia="y", justification=" "))
    assert response.status_code == 422
    assert "Bitte begründen Sie die Freigabe" in response.get_data(as_text=True)
    assert _reload(db, entry.id).approved_number is None

    # confirmed and justified: approved, the justification recorded with the review
    response = client.post(url, data=dict(data, confirm_without_dpia="y"))
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = _reload(db, entry.id)
    version = entry.approved_version
    assert entry.status == EntryStatus.APPROVED
    assert version.approval_justification == JUSTIFICATION
    assert version.decided_by.email == "ministerium@example.org"
    assert [c.body for c in version.comments if c.kind == "justification"] == [JUSTIFICATION]
    # in the audit log, with who and the value
    logged = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.object_type == "CatalogueVersion", AuditEntry.object_id == str(version.id)
        )
    ).all()
    recorded = [
        e for e in logged if e.changes.get("approval_justification", {}).get("new") == JUSTIFICATION
    ]
    assert len(recorded) == 1 and recorded[0].action == "update"
    assert recorded[0].user.email == "ministerium@example.org"
    # on the entry's history, for every reader of the register
    login("blk@example.org")
    page = client.get(f"/catalogue/{entry.id}").get_data(as_text=True)
    assert "Freigegeben ohne abgeschlossene DSFA. Begründung:" in page and JUSTIFICATION in page
    # and in the provider's mail
    body = db.session.scalar(
        sa.select(OutboxMessage.body)
        .where(OutboxMessage.recipient == "halle@example.org")
        .order_by(OutboxMessage.id.desc())
    )
    assert JUSTIFICATION in body


def test_justification_is_asked_only_where_the_rule_asks_for_it(world, db):
    ministry = world["users"]["ministry"]
    entry = _submitted(world, db)  # aggregated data: no DPIA question
    with acting_as(ministry):
        workflow.approve(
            ministry,
            entry,
            checklist=[k for k in ALL_CHECKS if k != "dpia"],  # aggregated
            confirmed=True,
            justification="nicht gefragt",
        )
    assert entry.approved_version.approval_justification == ""
    assert not [c for c in entry.approved_version.comments if c.kind == "justification"]
    personal = _submitted(world, db, **CHILDREN, dpia_required=False)
    with acting_as(ministry), pytest.raises(ValidationError) as refused:
        workflow.approve(ministry, personal, checklist=PERSONAL_CHECKS)
    assert refused.value.field == "confirm_without_dpia"


def test_a_data_item_marked_personal_cannot_hide_behind_a_level_without_personal_data(world, db):
    """The DPIA rule cannot be passed by a level of "none" beside a personal data item."""
    halle = world["users"]["halle"]
    items = [{"name": "Name des Kindes", "is_personal": True}]
    with acting_as(halle):
        entry = make_entry(
            halle, world["halle"], [world["ministry"]], personal_data_level="none", items=items
        )
        with pytest.raises(ValidationError) as refused:
            workflow.submit(halle, entry)
    assert refused.value.field == "personal_data_level"
    version = entry.latest_version
    assert version.has_personal_data and "dpia" in dict(workflow.checklist_items(version))
