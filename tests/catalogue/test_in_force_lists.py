"""Lists, exports and the dashboard on the demo data (issue 12): the version in force with a marker
of an open change, never a returned draft's values; counts of only what the user works on."""

from __future__ import annotations

import csv
import io
import re

import docx
import sqlalchemy as sa

from govtool.auth.models import User
from govtool.catalogue import exchange, services
from govtool.catalogue.models import CatalogueEntry, CatalogueVersion, VersionStatus
from govtool.catalogue.permissions import approval_needs_justification, approval_refusal
from govtool.core.permissions import can
from govtool.demo import DEMO_PASSWORD

READERS = (
    "ministerium@example.org",
    "admin@example.org",
    "halle@example.org",
    "burgenlandkreis@example.org",
)


def _entry(db, identifier: str) -> CatalogueEntry:
    return db.session.scalar(sa.select(CatalogueEntry).filter_by(identifier=identifier))


def _sign_in(client, email: str) -> None:
    client.post("/logout")
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def _row(page: str, identifier: str) -> str:
    rows = [r for r in re.findall(r"(?s)<tr>(.*?)</tr>", page) if f">{identifier}</a>" in r]
    assert len(rows) == 1, identifier
    return rows[0]


def test_demo_shows_a_returned_and_a_pending_change_over_the_version_in_force(demo):
    returned, pending = _entry(demo, "DX-2025-007"), _entry(demo, "DX-2025-004")
    assert returned.approved_version.frequency.value == "yearly"
    assert returned.latest_version.frequency.value == "half_yearly"
    assert returned.latest_version.status == VersionStatus.CHANGES_REQUESTED
    assert pending.has_pending_change
    assert pending.latest_version.status == VersionStatus.SUBMITTED
    # children's personal data, DPIA needed and in progress, waiting: approval refused
    children = _entry(demo, "DX-2025-009").latest_version
    assert children.status == VersionStatus.SUBMITTED and children.dpia_required
    assert approval_refusal(children) is not None
    # approved with the reviewer's recorded justification (no DPIA needed)
    justified = _entry(demo, "DX-2025-010").approved_version
    assert justified.approval_justification and not justified.dpia_required
    assert approval_needs_justification(justified)


def test_list_shows_the_version_in_force_with_a_marker_of_the_open_change(client, demo):
    for email in READERS:
        _sign_in(client, email)
        page = client.get("/catalogue/?per_page=100").get_data(as_text=True)
        row = _row(page, "DX-2025-007")
        assert "Jährlich" in row and "Halbjährlich" not in row, email
        assert "(Änderung zurückgegeben (Fassung 2))" in row, email
        assert "Freigegeben" in row, email
        row = _row(page, "DX-2025-004")
        assert "(Änderung in Prüfung (Fassung 2))" in row, email
        assert "nicht in Kraft" not in row
        row = _row(page, "DX-2025-001")
        assert "Änderung" not in row and "nicht in Kraft" not in row
    # filtering by frequency finds the version in force, not the returned draft
    page = client.get("/catalogue/?frequency=half_yearly").get_data(as_text=True)
    assert "DX-2025-007" not in page
    assert "DX-2025-007" in client.get("/catalogue/?frequency=yearly").get_data(as_text=True)


def test_an_entry_never_approved_is_listed_as_its_draft_to_its_provider_only(client, demo):
    _sign_in(client, "halle@example.org")
    page = client.get("/catalogue/?per_page=100").get_data(as_text=True)
    row = _row(page, "DX-2025-006")
    assert "Übergänge Kita – Grundschule" in row and "Entwurf" in row
    assert "(nicht in Kraft)" in row
    _sign_in(client, "burgenlandkreis@example.org")
    assert "DX-2025-006" not in client.get("/catalogue/?per_page=100").get_data(as_text=True)


def test_exports_carry_the_version_in_force_and_mark_the_open_change(demo):
    ministry = demo.session.scalar(sa.select(User).filter_by(email="ministerium@example.org"))
    versions = services.list_versions(ministry)
    rows = list(csv.DictReader(io.StringIO(exchange.to_csv(versions).decode("utf-8-sig"))))
    by_id = {r["identifier"]: r for r in rows}
    returned = by_id["DX-2025-007"]
    assert (returned["version"], returned["frequency"]) == ("1", "yearly")
    assert (returned["pending_version"], returned["pending_status"]) == ("2", "changes_requested")
    assert by_id["DX-2025-001"]["pending_version"] == ""
    assert by_id["DX-2025-009"]["version"] == "1"  # never approved: its draft, as its status says
    assert by_id["DX-2025-009"]["status"] == "submitted"

    document = docx.Document(io.BytesIO(exchange.to_docx(versions, ministry)))
    body = document.element.body
    text = "\n".join(t.text or "" for t in body.iter(docx.oxml.ns.qn("w:t")))
    section = text[text.index("DX-2025-007") : text.index("DX-2025-008")]
    assert "Änderung zurückgegeben (Fassung 2)" in section
    assert "Jährlich" in section and "Halbjährlich" not in section


def test_dashboard_counts_only_what_the_user_reviews_or_provides(client, demo):
    open_versions = demo.session.scalars(
        sa.select(CatalogueVersion).where(
            CatalogueVersion.status.in_((VersionStatus.SUBMITTED, VersionStatus.IN_REVIEW))
        )
    ).all()
    assert len(open_versions) >= 2
    for email in ("ministerium@example.org", "admin@example.org"):
        user = demo.session.scalar(sa.select(User).filter_by(email=email))
        mine = sum(can(user, "catalogue.review", v) for v in open_versions)
        _sign_in(client, email)
        page = client.get("/").get_data(as_text=True)
        assert f"{mine} Fassungen warten auf Ihre Prüfung." in page, email
    # the admin submitted the demo's open versions itself: none of them is for it to review
    assert "0 Fassungen warten auf Ihre Prüfung." in page
    _sign_in(client, "burgenlandkreis@example.org")
    page = client.get("/").get_data(as_text=True)
    assert "Einträge Ihrer Organisation: 0 in Prüfung, 1 zur Änderung zurückgegeben." in page
    assert "warten auf Ihre Prüfung" not in page
