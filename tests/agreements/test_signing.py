"""Signatures: named signatories and the capacity (i. V. / i. A.) of anyone else, the signed
document's signature page (read back with python-docx), its QR code, the verify page, the mails
when signatures are requested and the list of what waits for a user's signature."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

import pytest
import sqlalchemy as sa
import zxingcpp
from docx import Document
from PIL import Image

from govtool.agreements import services
from govtool.agreements.models import (
    AgreementSignature,
    SignatureCapacity,
    VersionStatus,
)
from govtool.agreements.signature_page import signed_copy, verification_url
from govtool.agreements.signing import verify_upload, waiting_for_signature
from govtool.core.errors import ValidationError
from govtool.core.mail import OutboxMessage
from govtool.extensions import db

from .factories import DEMO_PASSWORD, agreement_data, org, person_id, user

VOGT = "a.vogt@halle.example.org"  # Halle's Oberbürgermeister: a person without a login


def _awaiting_with_mayor():
    """HAL (named signatory: the Oberbürgermeister, who has no login) and BLK (named: the
    person of burgenlandkreis@), sent for signature."""
    data = agreement_data()
    data["parties"][0].update(
        signatory_person_id=person_id(VOGT), signatory_name="", signatory_function=""
    )
    agreement = services.create_agreement(user("halle@example.org"), data)
    services.request_signatures(user("halle@example.org"), agreement.latest_version)
    db.session.commit()
    return agreement


def _sign_all(agreement):
    """halle@ signs i. V. for the Oberbürgermeister, burgenlandkreis@ as the named signatory."""
    hal, blk = agreement.latest_version.parties
    services.sign(user("halle@example.org"), hal, DEMO_PASSWORD, capacity="iv", confirmed=True)
    services.sign(user("burgenlandkreis@example.org"), blk, DEMO_PASSWORD)
    db.session.commit()
    return agreement.latest_version


def _signature_page(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    """The paragraphs from the heading "Unterzeichnungsvermerk" on, and the tables after it."""
    document = Document(io.BytesIO(data))
    body = document.element.body
    heading = next(p for p in document.paragraphs if p.text == "Unterzeichnungsvermerk")
    paragraphs, tables, seen = [], [], False
    for child in body.iterchildren():
        if child is heading._element:
            seen = True
        if not seen:
            continue
        if child.tag.endswith("}p"):
            paragraphs.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif child.tag.endswith("}tbl"):
            table = next(t for t in document.tables if t._element is child)
            tables.append([[cell.text for cell in row.cells] for row in table.rows])
    return paragraphs, tables


def test_named_signatory_comes_from_the_person_and_fills_name_and_function(demo):
    agreement = _awaiting_with_mayor()
    hal = agreement.latest_version.parties[0]
    assert hal.signatory_name == "Dr. Alexander Vogt"
    assert hal.signatory_function == "Oberbürgermeister"


def test_signatory_must_belong_to_the_party(demo):
    data = agreement_data()
    data["parties"][0]["signatory_person_id"] = person_id("s.krause@blk.example.org")
    with pytest.raises(ValidationError, match="Stadt Halle"):
        services.create_agreement(user("halle@example.org"), data)


def test_someone_else_chooses_a_capacity_and_confirms_before_signing(demo, client, login):
    agreement = _awaiting_with_mayor()
    hal = agreement.latest_version.parties[0]
    login("halle@example.org", password=DEMO_PASSWORD)
    url = f"/agreements/{agreement.id}/versions/1/sign/{hal.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Dr. Alexander Vogt, Oberbürgermeister" in page
    assert 'name="capacity"' in page and 'value="iv"' in page and 'value="ia"' in page
    assert "checked" not in page  # no capacity is chosen for the signer

    no_capacity = client.post(url, data={"password": DEMO_PASSWORD})
    assert no_capacity.status_code == 422
    assert "i. V." in no_capacity.get_data(as_text=True)
    unconfirmed = client.post(url, data={"password": DEMO_PASSWORD, "capacity": "iv"})
    assert unconfirmed.status_code == 422
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AgreementSignature.id)).where(
                AgreementSignature.version_id == agreement.latest_version.id
            )
        )
        == 0
    )

    done = client.post(url, data={"password": DEMO_PASSWORD, "capacity": "iv", "confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    [signature] = agreement.latest_version.active_signatures
    assert signature.capacity is SignatureCapacity.DEPUTY
    assert (signature.signer_name, signature.signer_function) == (
        "Anja Richter",
        "Bildungsmanagerin",
    )
    detail = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "i. V. Anja Richter" in detail


def test_the_named_signatory_signs_without_a_capacity_mark(demo, client, login):
    agreement = _awaiting_with_mayor()
    blk = agreement.latest_version.parties[1]
    login("burgenlandkreis@example.org", password=DEMO_PASSWORD)
    url = f"/agreements/{agreement.id}/versions/1/sign/{blk.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="capacity"' not in page
    # a capacity sent anyway is not recorded: the named signatory signs as such
    assert client.post(url, data={"password": DEMO_PASSWORD, "capacity": "ia"}).status_code == 302
    db.session.expire_all()
    [signature] = agreement.latest_version.active_signatures
    assert signature.capacity is SignatureCapacity.AUTHORISED
    assert signature.signer_name == "Unterzeichner BLK"  # as the document names the signatory


def test_signed_document_has_a_signature_page_naming_every_signer_capacity_and_sha256(demo):
    version = _sign_all(_awaiting_with_mayor())
    assert version.status is VersionStatus.SIGNED
    data, is_draft = services.download_document(version)
    assert not is_draft and data == version.signed_document
    assert hashlib.sha256(data).hexdigest() == version.signed_document_sha256
    digest = version.document_sha256
    assert digest == hashlib.sha256(version.document).hexdigest()

    paragraphs, tables = _signature_page(data)
    rows = [dict((row[0], row[1]) for row in table) for table in tables if len(table[0]) == 2]
    signers = {row.get("Unterzeichnet von"): row for row in rows if "Unterzeichnet von" in row}
    hal = signers["Anja Richter, Bildungsmanagerin"]
    assert hal["Unterzeichnungsberechtigt (benannt)"] == "Dr. Alexander Vogt, Oberbürgermeister"
    assert hal["Eigenschaft"].startswith("i. V.")
    assert hal["Prüfwert der Fassung (SHA-256)"] == digest
    assert "Europe/Berlin" in hal["Datum und Uhrzeit"]
    assert "Passwort" in hal["Verfahren"]
    blk = signers["Unterzeichner BLK, Beigeordnete"]
    assert blk["Eigenschaft"].startswith("als unterzeichnungsberechtigte Person")
    assert blk["Prüfwert der Fassung (SHA-256)"] == digest
    assert "1. Stadt Halle (Saale)" in paragraphs and "2. Burgenlandkreis" in paragraphs
    assert verification_url(digest) in "\n".join(c for t in tables for r in t for c in r)

    # the signature blocks no longer show blank lines: who signed, when and in which capacity
    document = Document(io.BytesIO(data))
    block = next(
        t for t in document.tables if t.rows[0].cells[-1].text == "Ort, Datum und Unterschrift"
    )
    halle_cell, blk_cell = (row.cells[1].text for row in block.rows[1:])
    assert "____" not in halle_cell + blk_cell
    assert "i. V. Anja Richter" in halle_cell and "für Dr. Alexander Vogt" in halle_cell
    assert "Halle (Saale), den " in halle_cell and "elektronisch unterzeichnet am" in halle_cell
    assert "Unterzeichner BLK" in blk_cell and "i. V." not in blk_cell
    # each party signs where it sits: the district in its seat, not at the version's place
    assert blk_cell.startswith("Naumburg (Saale), den ")


def test_building_the_signed_document_again_gives_the_same_bytes(demo):
    version = _sign_all(_awaiting_with_mayor())
    assert signed_copy(version) == signed_copy(version) == version.signed_document


def test_qr_code_decodes_to_the_verification_address(demo, client, login):
    version = _sign_all(_awaiting_with_mayor())
    document = Document(io.BytesIO(version.signed_document))
    images = [
        part.blob
        for part in document.part.package.iter_parts()
        if str(part.partname).startswith("/word/media/")
    ]
    assert len(images) == 1
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(images[0])))
    address = verification_url(version.document_sha256)
    assert result.format == zxingcpp.BarcodeFormat.QRCode and result.text == address
    assert address.startswith("http") and f"sha256={version.document_sha256}" in address

    login("burgenlandkreis@example.org", password=DEMO_PASSWORD)
    path = "/" + address.split("/", 3)[3]
    page = client.get(path).get_data(as_text=True)
    assert version.agreement.number in page and "Anja Richter" in page


def _change_one_character(data: bytes, old: str, new: str) -> bytes:
    """The same DOCX with one character of the body text replaced, all else byte for byte."""
    assert len(old) == len(new) and sum(a != b for a, b in zip(old, new, strict=True)) == 1
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/document.xml":
                text = content.decode("utf-8")
                assert text.count(old) == 1
                content = text.replace(old, new).encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


def test_verify_page_accepts_the_signed_document_and_rejects_one_changed_character(
    demo, client, login
):
    agreement = _awaiting_with_mayor()
    version = _sign_all(agreement)
    login("halle@example.org", password=DEMO_PASSWORD)
    download = client.get(f"/agreements/{agreement.id}/versions/1/document.docx")
    assert download.data == version.signed_document

    def verify(data: bytes) -> str:
        return client.post(
            "/agreements/verify",
            data={"file": (io.BytesIO(data), "vereinbarung.docx")},
            content_type="multipart/form-data",
        ).get_data(as_text=True)

    page = verify(download.data)
    assert 'data-outcome="accepted"' in page and agreement.number in page

    changed = _change_one_character(
        download.data, "Gemeinsames Bildungsmonitoring", "Gemeinsames Bildungsmonitorinh"
    )
    assert verify_upload(changed).outcome == "changed"
    page = verify(changed)
    assert 'data-outcome="rejected"' in page and 'data-outcome="accepted"' not in page
    assert "Gemeinsames Bildungsmonitorinh" in page  # the first paragraph that differs

    # a character changed on the signature page itself (the capacity) is found as well
    tampered = _change_one_character(download.data, "i. V. Anja", "i. A. Anja")
    assert verify_upload(tampered).outcome == "changed"
    # the signed text without the signature page (the file of the SHA-256) is accepted too
    assert verify_upload(version.document).outcome == "original"


def test_requesting_signatures_mails_each_partys_signatory(demo):
    before = db.session.scalar(sa.select(sa.func.max(OutboxMessage.id))) or 0
    agreement = _awaiting_with_mayor()
    mails = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.id > before).order_by(OutboxMessage.id)
    ).all()
    # Halle's named signatory has no login: the directory's address; BLK's is a login
    assert {m.recipient for m in mails} == {VOGT, "burgenlandkreis@example.org"}
    parties = {p.organisation.short_name: p for p in agreement.latest_version.parties}
    for mail in mails:
        assert agreement.number in mail.subject
        short = "HAL" if mail.recipient == VOGT else "BLK"
        link = f"/agreements/{agreement.id}/versions/1/sign/{parties[short].id}"
        assert re.search(r"https?://\S+" + re.escape(link), mail.body)


def test_waiting_for_my_signature_lists_what_the_user_may_sign(demo, client, login):
    agreement = _awaiting_with_mayor()
    hal, blk = agreement.latest_version.parties
    assert [w.party_id for w in waiting_for_signature(user("halle@example.org"))] == [hal.id]
    rows = waiting_for_signature(user("burgenlandkreis@example.org"))
    assert [(w.party_id, w.is_named) for w in rows] == [(blk.id, True)]
    assert waiting_for_signature(user("sekretariat@example.org")) == []

    login("halle@example.org", password=DEMO_PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert "Warten auf meine Unterschrift" in page
    section = page[page.index("Warten auf meine Unterschrift") :]
    assert agreement.number in section
    assert f"/agreements/{agreement.id}/versions/1/sign/{hal.id}" in section

    services.sign(user("halle@example.org"), hal, DEMO_PASSWORD, capacity="ia", confirmed=True)
    db.session.commit()
    assert waiting_for_signature(user("halle@example.org")) == []
    page = client.get("/").get_data(as_text=True)
    section = page[page.index("Warten auf meine Unterschrift") :]
    assert agreement.number not in section.split("</section>")[0]


def test_ministry_dashboard_counts_only_agreements_it_is_party_to(demo, client, login):
    _awaiting_with_mayor()  # Halle and Burgenlandkreis only
    login("ministerium@example.org", password=DEMO_PASSWORD)
    page = client.get("/").get_data(as_text=True)
    panel = page[page.index("Vereinbarungen Ihrer Organisation") :].split("</section>")[0]
    assert "Unterzeichnung ausstehend" not in panel

    data = agreement_data(shorts=("MB-REF34", "HAL"))
    ministry = user("ministerium@example.org")
    own = services.create_agreement(ministry, data)
    services.request_signatures(ministry, own.latest_version)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    panel = page[page.index("Vereinbarungen Ihrer Organisation") :].split("</section>")[0]
    assert "Unterzeichnung ausstehend</a>: 1" in panel
    assert org("MB-REF34").id == ministry.organisation_id


def test_the_signed_text_downloads_as_the_file_of_the_recorded_sha256(demo, client, login):
    agreement = _awaiting_with_mayor()
    login("halle@example.org", password=DEMO_PASSWORD)
    url = f"/agreements/{agreement.id}/versions/1/signed-text.docx"
    assert client.get(url).status_code == 404  # nobody has signed yet
    version = _sign_all(agreement)
    response = client.get(url)
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() == version.document_sha256
    assert all(s.document_sha256 == version.document_sha256 for s in version.signatures)
    page = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert version.document_sha256 in page and version.signed_document_sha256 in page


def test_the_service_refuses_a_stand_in_signature_without_capacity_and_confirmation(demo):
    agreement = _awaiting_with_mayor()
    hal = agreement.latest_version.parties[0]
    halle = user("halle@example.org")
    for capacity, confirmed, field in (
        (None, True, "capacity"),
        ("xx", True, "capacity"),
        ("ia", False, "confirm"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.sign(halle, hal, DEMO_PASSWORD, capacity=capacity, confirmed=confirmed)
        assert refused.value.field == field
    assert agreement.latest_version.active_signatures == []
    signature = services.sign(halle, hal, DEMO_PASSWORD, capacity="ia", confirmed=True)
    assert signature.capacity is SignatureCapacity.BY_ORDER
