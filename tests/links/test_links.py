"""Each link both ways: agreement ↔ body, agreement ↔ catalogue entries, entry → agreement,
body → rules of procedure; the DOCX listing, the version comparison, exports and import."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from govtool.agreements import services as agreement_services
from govtool.agreements.rendering import render_version
from govtool.catalogue import exchange, importing
from govtool.catalogue import services as catalogue_services
from govtool.catalogue.models import CatalogueVersion, EntryStatus
from govtool.demo import load_demo
from govtool.extensions import db
from tests.agreements.factories import DEMO_PASSWORD, agreement_data, fully_signed, user

from .helpers import agreement, body, docx_text, entry


def _login(login, email):
    return login(email, password=DEMO_PASSWORD)


def test_demo_links_are_wired_and_loading_twice_changes_nothing(demo):
    bg = body("BG")
    assert bg.rules_agreement.number == "GO-2022-001"
    assert agreement("KV-2022-001").latest_version.body_id == bg.id
    covered = agreement("DV-2022-001").latest_version.catalogue_entries
    assert len(covered) >= 3
    assert all(e.status is EntryStatus.APPROVED for e in covered)
    assert all(e.approved_version.agreement.number == "DV-2022-001" for e in covered)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(CatalogueVersion))
    assert load_demo()["links"] == 0
    db.session.commit()
    assert len(agreement("DV-2022-001").latest_version.catalogue_entries) == len(covered)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CatalogueVersion)) == before


def test_agreement_links_its_body_and_the_body_lists_the_agreement(demo, client, login):
    _login(login, "admin@example.org")
    kv, bg = agreement("KV-2022-001"), body("BG")
    page = client.get(f"/agreements/{kv.id}").get_data(as_text=True)
    assert f'href="/bodies/{bg.id}"' in page
    page = client.get(f"/bodies/{bg.id}").get_data(as_text=True)
    assert f'href="/agreements/{kv.id}"' in page and "KV-2022-001" in page
    text = docx_text(render_version(kv.latest_version, draft=True))
    assert bg.name in text


def test_agreement_form_sets_body_and_entries(demo, client, login):
    _login(login, "halle@example.org")
    bg, approved, own_draft = body("BG"), entry("DX-2025-001"), entry("DX-2025-006")
    form = client.get("/agreements/new").get_data(as_text=True)
    assert bg.name in form and "DX-2025-001" in form and "DX-2025-006" in form
    assert "DX-2025-008" not in form  # the Burgenlandkreis' entry in review is not offered
    data = agreement_data()
    fields = {
        "template_id": data["template_id"],
        "title": "Datenaustausch Halle",
        "subject": "Daten",
        "notice_period_months": 3,
        "renewal": "none",
        "body_id": bg.id,
        "entry_ids": [approved.id, own_draft.id],
        "parties-0-organisation_id": data["parties"][0]["organisation_id"],
        "parties-0-role": "municipality",
    }
    response = client.post("/agreements/new", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    created = agreement_services.get_agreement(int(response.headers["Location"].rsplit("/", 1)[1]))
    version = created.latest_version
    assert version.body_id == bg.id
    assert [e.identifier for e in version.catalogue_entries] == ["DX-2025-001", "DX-2025-006"]
    page = client.get(f"/agreements/{created.id}").get_data(as_text=True)
    assert (
        f'href="/catalogue/{approved.id}"' in page and f'href="/catalogue/{own_draft.id}"' in page
    )


def test_data_sharing_document_lists_the_linked_entries(demo):
    dv = agreement("DV-2022-001")
    text = docx_text(render_version(dv.latest_version, draft=True))
    for linked in dv.latest_version.catalogue_entries:
        shown = linked.approved_version
        assert shown.title in text
        assert shown.purpose.splitlines()[0] in text
        if shown.legal_norm:
            assert shown.legal_norm in text
    assert "Art. 6 Abs. 1" in text or "gesetz" in text


def test_comparison_shows_added_and_removed_entries_and_changed_body(demo, client, login):
    first, second, third = entry("DX-2025-001"), entry("DX-2025-002"), entry("DX-2025-003")
    signed = fully_signed(entry_ids=[first.id, second.id])
    halle = user("halle@example.org")
    version = agreement_services.amend(halle, signed, "Datenaustausch erweitert")
    agreement_services.update_version(
        halle,
        version,
        {"title": version.title, "entry_ids": [second.id, third.id], "body_id": body().id},
    )
    db.session.commit()
    _login(login, "halle@example.org")
    page = client.get(f"/agreements/{signed.id}/compare?a=1&b=2").get_data(as_text=True)
    section = page.split('id="compare-entries"', 1)[1].split("</ul>", 1)[0]
    assert "<del>DX-2025-001" in section
    assert "<ins>DX-2025-003" in section
    assert "DX-2025-002" not in section
    assert body().name in page  # the body it sets up changed from none to the BG


def test_entry_links_its_agreement_and_the_agreement_lists_the_entry(demo, client, login):
    _login(login, "halle@example.org")  # a party to DV-2022-001
    dv, dx = agreement("DV-2022-001"), entry("DX-2025-001")
    page = client.get(f"/catalogue/{dx.id}").get_data(as_text=True)
    assert f'href="/agreements/{dv.id}"' in page
    page = client.get(f"/agreements/{dv.id}").get_data(as_text=True)
    listed = page.split('id="agreement-naming-entries"', 1)[1].split("</ul>", 1)[0]
    assert "DX-2025-001" in listed


def test_entry_form_sets_the_agreement(demo, client, login):
    _login(login, "halle@example.org")
    dv, own = agreement("DV-2022-001"), entry("DX-2025-006")
    form = client.get(f"/catalogue/{own.id}/edit").get_data(as_text=True)
    assert "DV-2022-001" in form
    version = own.latest_version
    fields = {"title": version.title, "agreement_id": dv.id, "legal_basis": "gdpr_6_1_e"}
    for name in ("controller_relationship", "personal_data_level", "spatial_level", "frequency"):
        fields[name] = getattr(version, name).value
    response = client.post(f"/catalogue/{own.id}/edit", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert entry("DX-2025-006").latest_version.agreement_id == dv.id


def test_export_carries_the_agreement_number_and_import_checks_it(demo):
    admin = user("admin@example.org")
    versions = catalogue_services.list_versions(admin)
    rows = list(csv.DictReader(io.StringIO(exchange.to_csv(versions, admin).decode("utf-8-sig"))))
    by_id = {r["identifier"]: r for r in rows}
    assert by_id["DX-2025-001"]["agreement"] == "DV-2022-001"
    assert "agreement_reference" not in rows[0]
    row = dict(by_id["DX-2025-001"], identifier="DX-2030-001", agreement="DV-2022-001")
    row2 = dict(by_id["DX-2025-001"], identifier="DX-2030-002", agreement="DV-1999-999")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=exchange.COLUMNS)
    writer.writeheader()
    writer.writerow(row)
    writer.writerow(row2)
    content = out.getvalue().encode()
    try:
        importing.import_file(admin, "import.csv", content)
    except importing.ImportFailed as failure:
        assert len(failure.errors) == 1
        assert "Row 3" in failure.errors[0] or "Zeile 3" in failure.errors[0]
        assert "agreement" in failure.errors[0] and "DV-1999-999" in failure.errors[0]
    else:
        raise AssertionError("an unknown agreement number must fail the import")
    db.session.rollback()
    imported = importing.import_file(
        admin, "import.csv", content.splitlines(True)[0] + content.splitlines(True)[1]
    )
    assert imported[0].latest_version.agreement.number == "DV-2022-001"


def test_body_links_its_rules_of_procedure_and_form_sets_them(demo, client, login):
    _login(login, "admin@example.org")
    bg, go = body("BG"), agreement("GO-2022-001")
    page = client.get(f"/bodies/{bg.id}").get_data(as_text=True)
    rules = page.split('id="body-rules"', 1)[1].split("</dd>", 1)[0]
    assert f'href="/agreements/{go.id}"' in rules
    page = client.get(f"/agreements/{go.id}").get_data(as_text=True)
    assert f'href="/bodies/{bg.id}"' in page.split('id="agreement-rules-of"', 1)[1]
    form = client.get(f"/bodies/{bg.id}/edit").get_data(as_text=True)
    assert "GO-2022-001" in form and "KV-2022-001" not in form  # only rules of procedure
