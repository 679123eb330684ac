"""An agreement's DOCX lists only the catalogue entries its reader may see, as its page does."""

from __future__ import annotations

from tests.agreements.factories import DEMO_PASSWORD, draft, fully_signed, template
from tests.links.helpers import docx_text, entry


def _document(client, login, email, agreement) -> str:
    login(email, password=DEMO_PASSWORD)
    version = agreement.latest_version.number
    response = client.get(f"/agreements/{agreement.id}/versions/{version}/document.docx")
    assert response.status_code == 200
    client.post("/logout")
    return docx_text(response.data)


def test_draft_document_hides_another_municipalitys_draft_entry(demo, client, login):
    approved, halle_draft = entry("DX-2025-001"), entry("DX-2025-006")
    assert halle_draft.approved_version is None  # Halle's own work in progress
    shown, hidden = approved.approved_version, halle_draft.latest_version
    agreement = draft(
        template_id=template("datenaustausch").id, entry_ids=[approved.id, halle_draft.id]
    )

    halle = _document(client, login, "halle@example.org", agreement)
    assert shown.title in halle and hidden.title in halle and hidden.purpose[:40] in halle

    # The Burgenlandkreis is a party but may not see Halle's draft: the page hides the link ...
    login("burgenlandkreis@example.org", password=DEMO_PASSWORD)
    page = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert f'href="/catalogue/{halle_draft.id}"' not in page
    client.post("/logout")
    # ... and so does the document.
    blk = _document(client, login, "burgenlandkreis@example.org", agreement)
    assert shown.title in blk
    assert hidden.title not in blk and hidden.purpose[:40] not in blk
    assert halle_draft.identifier not in blk


def test_signed_document_lists_only_approved_entries(demo):
    approved, halle_draft = entry("DX-2025-001"), entry("DX-2025-006")
    agreement = fully_signed(
        template_id=template("datenaustausch").id, entry_ids=[approved.id, halle_draft.id]
    )
    text = docx_text(agreement.latest_version.document)
    assert approved.approved_version.title in text
    assert halle_draft.latest_version.title not in text
