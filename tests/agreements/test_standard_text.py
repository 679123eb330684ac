"""A template's standard text (preamble, subject, objectives, clauses, duties by role) is what a
new draft starts from: on the server (the created draft, the form's "take over" button, without
JavaScript), maintained by template administrators (issue 12)."""

from __future__ import annotations

import io

import sqlalchemy as sa
from docx import Document

from govtool.agreements import services, template_store
from govtool.agreements.models import Agreement
from govtool.agreements.shipped_texts import SHIPPED_TEXTS
from govtool.auth.models import Role
from govtool.extensions import db
from tests.html_helpers import form_with
from tests.links.helpers import docx_text

from ..factories import make_user
from .factories import DEMO_PASSWORD, agreement_data, org, template, user

COOPERATION = SHIPPED_TEXTS["kooperationsvereinbarung"]


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Agreement.id)))


def test_a_new_draft_starts_from_the_templates_standard_text(demo):
    data = agreement_data(subject="Eigener Gegenstand", objectives="", duties={"HAL": ["Eigene"]})
    data["parties"][1]["duties"] = []  # Burgenlandkreis: empty, from its role's standard duties
    agreement = services.create_agreement(user("halle@example.org"), data)
    db.session.commit()
    version = agreement.latest_version
    assert version.preamble == COOPERATION["preamble"]
    assert version.objectives == COOPERATION["objectives"]
    assert version.extra_clauses == COOPERATION["extra_clauses"]
    assert version.subject == "Eigener Gegenstand"  # what was typed is kept
    halle, blk = version.parties
    assert [d.text for d in halle.duties] == ["Eigene"]
    assert [d.text for d in blk.duties] == COOPERATION["duties"]["municipality"]
    # and the document carries the preamble
    text = docx_text(services.download_document(version, user("halle@example.org"))[0])
    assert "Präambel" in text and COOPERATION["preamble"][:60] in text


def test_the_form_takes_over_the_standard_text_without_javascript(demo, client, login):
    login("halle@example.org", password=DEMO_PASSWORD)
    page = client.get("/agreements/new").get_data(as_text=True)
    assert 'id="standard-texts"' in page and "agreement_form.js" in page
    form = form_with(page, "template_id")
    form["template_id"] = [str(template().id)]
    form["title"] = ["Kooperation mit Standardtext"]
    form["objectives"] = ["Eigene Ziele"]
    form["parties-0-organisation_id"] = [str(org("HAL").id)]
    form["parties-0-role"] = ["municipality"]
    before = _count()
    response = client.post("/agreements/new", data={**form, "refresh": "template"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and _count() == before  # shown again, nothing saved
    filled = {
        k: [v.strip() for v in values] for k, values in form_with(html, "template_id").items()
    }
    assert filled["preamble"] == [COOPERATION["preamble"]]
    assert filled["extra_clauses"] == [COOPERATION["extra_clauses"]]
    assert filled["parties-0-duties"] == ["\n".join(COOPERATION["duties"]["municipality"])]
    assert filled["objectives"] == ["Eigene Ziele"]  # what was typed is kept
    assert filled["parties-1-duties"] == [""]  # no organisation chosen: left alone
    # saving the form as filled in drafts the agreement with that text
    filled["parties-0-signatory_name"] = ["Anja Richter"]
    assert client.post("/agreements/new", data=filled).status_code == 302
    agreement = db.session.scalar(sa.select(Agreement).order_by(Agreement.id.desc()))
    assert agreement.latest_version.preamble == COOPERATION["preamble"]
    assert agreement.latest_version.objectives == "Eigene Ziele"


def test_an_empty_subject_without_standard_text_is_a_field_error(demo, client, login):
    target = template("zielvereinbarung")
    target.standard_subject = ""
    db.session.commit()
    login("halle@example.org", password=DEMO_PASSWORD)
    form = form_with(client.get("/agreements/new").get_data(as_text=True), "template_id")
    form.update(
        template_id=[str(target.id)],
        title=["Ohne Gegenstand"],
        subject=[""],
        **{"parties-0-organisation_id": [str(org("HAL").id)]},
    )
    before = _count()
    response = client.post("/agreements/new", data=form)
    assert response.status_code == 422 and _count() == before
    assert 'id="subject-error"' in response.get_data(as_text=True)


def test_template_admins_edit_the_standard_text_and_new_drafts_start_from_it(demo, client, login):
    cooperation = template()
    existing = services.create_agreement(user("halle@example.org"), agreement_data())
    db.session.commit()
    url = f"/agreements/templates/{cooperation.id}/standard-text"
    login("sekretariat@example.org", password=DEMO_PASSWORD)
    assert client.get(url).status_code == 403
    assert client.post(url, data={"preamble": "x"}).status_code == 403
    client.post("/logout")
    login("admin@example.org", password=DEMO_PASSWORD)
    assert 'href="' + url + '"' in client.get("/agreements/templates/").get_data(as_text=True)
    form = form_with(client.get(url).get_data(as_text=True), "preamble")
    assert [t.strip() for t in form["preamble"]] == [COOPERATION["preamble"]]
    form["preamble"] = ["Neue Präambel."]
    form["duties_municipality"] = ["liefert Daten\n\nberichtet jährlich\n"]
    assert client.post(url, data=form).status_code == 302
    db.session.expire_all()
    assert cooperation.standard_preamble == "Neue Präambel."
    assert cooperation.standard_duties["municipality"] == ["liefert Daten", "berichtet jährlich"]
    assert cooperation.standard_duties["land"] == COOPERATION["duties"]["land"]
    # an agreement already drafted keeps its text; a new one starts from the new text
    assert existing.latest_version.preamble == COOPERATION["preamble"]
    data = agreement_data(duties={"HAL": [], "BLK": []})
    new = services.create_agreement(user("halle@example.org"), data)
    assert new.latest_version.preamble == "Neue Präambel."
    assert [d.text for d in new.latest_version.parties[0].duties] == [
        "liefert Daten",
        "berichtet jährlich",
    ]


def test_a_new_upload_of_a_template_keeps_its_standard_text(demo):
    old = template("zielvereinbarung")
    document = Document()
    document.add_paragraph("Zielvereinbarung {{ agreement.number }} {{ agreement.preamble }}")
    data = io.BytesIO()
    document.save(data)
    admin = make_user("admin-s@example.org", roles=(Role.ADMIN,))
    new = template_store.store_template(
        admin,
        filename="ziel-v2.docx",
        data=data.getvalue(),
        name=old.name,
        kind=old.kind,
        code=old.code,
    )
    assert new.version == old.version + 1
    assert new.standard_preamble == old.standard_preamble != ""
    assert new.standard_duties == old.standard_duties


def test_a_document_without_preamble_has_no_preamble_heading(demo):
    agreement = services.create_agreement(user("halle@example.org"), agreement_data())
    version = agreement.latest_version
    version.preamble = ""
    text = docx_text(services.download_document(version, user("halle@example.org"))[0])
    assert "Präambel" not in text
