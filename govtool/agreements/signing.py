"""Signing agreement versions: in which capacity someone signs, the signed document with its
signature page (Unterzeichnungsvermerk), checking an uploaded document, the mails when
signatures are requested and the versions waiting for a user's signature.

What is hashed, and why one changed character is found:

* The version's SHA-256 ("Prüfwert der Fassung") is the SHA-256 of the bytes of the DOCX that is
  rendered once, at the first signature, and stored (AgreementVersion.document): the text every
  party signs. Each signature records it; the signature page prints it.
* The signed document ("Ausfertigung", built in agreements.signature_page) is that stored DOCX
  with the signature blocks filled in (who signed, in which capacity, when) and the signature
  page appended. It is built from the stored bytes and the signature records alone (the
  signer's name and function as recorded at signing) plus the verification address, and saved
  with fixed zip timestamps: building it twice gives the same bytes. It is built and stored
  with its SHA-256 when the last party signs (AgreementVersion.signed_document), so later
  changes to the software or the configured address do not change a document already issued.
* The verify page accepts a file whose SHA-256 (of all its bytes) is that of a signed text or of
  a signed document. Any change of the file fails, one character of the text included. For a file
  that carries a signature page but does not match, the page says why: it reads the version's
  SHA-256 from the signature page and compares the file's text with that version's signed
  document paragraph by paragraph (body, then headers and footers; field results such as page
  numbers left out), naming the first paragraph that differs, or saying that the text is the same
  but the file was saved again or changed otherwise (formatting, images).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from sqlalchemy.orm import joinedload, selectinload

from ..auth.models import User
from ..core.archives import check_archive
from ..core.errors import ValidationError
from ..core.mail import send_mail
from ..core.permissions import can
from ..core.urls import external_url
from ..extensions import db
from .models import (
    Agreement,
    AgreementParty,
    AgreementSignature,
    AgreementVersion,
    SignatureCapacity,
    VersionStatus,
)
from .permissions import is_authorised_signatory, signing_candidates_condition
from .rendering import KIND_TEXT
from .signature_page import (
    SIGNATURE_PAGE_TITLE,
    document_text,
    signed_copy,
)

_SHA256 = re.compile(r"\b[0-9a-f]{64}\b")
SIGNED_STATUSES = (VersionStatus.SIGNED, VersionStatus.SUPERSEDED)


# --- Capacity ---------------------------------------------------------------------------------


def required_capacity(user: User, party: AgreementParty) -> bool:
    """True when `user` is not the party's authorised signatory and so must say whether they
    sign i. V. or i. A."""
    return not is_authorised_signatory(user, party)


def check_capacity(
    user: User, party: AgreementParty, capacity: SignatureCapacity | str | None, confirmed: bool
) -> SignatureCapacity:
    """The capacity the signature is recorded with: none for the authorised signatory; for
    anyone else i. V. or i. A., chosen and confirmed, else a ValidationError at the field."""
    if not required_capacity(user, party):
        return SignatureCapacity.AUTHORISED
    try:
        chosen = SignatureCapacity(capacity or "")
    except ValueError:
        chosen = SignatureCapacity.AUTHORISED
    if chosen is SignatureCapacity.AUTHORISED:
        raise ValidationError(
            gettext(
                "You are not the authorised signatory named for this party: choose whether you "
                "sign i. V. (in Vertretung) or i. A. (im Auftrag)."
            ),
            field="capacity",
        )
    if not confirmed:
        raise ValidationError(
            gettext("Confirm that you sign in place of the named signatory."), field="confirm"
        )
    return chosen


def signer_record(
    user: User, party: AgreementParty, capacity: SignatureCapacity
) -> tuple[str, str]:
    """(name, function) kept on the signature: the party's named signatory as the document names
    them when they sign themselves, else the signing user's own name and function."""
    if capacity is SignatureCapacity.AUTHORISED and party.signatory_name:
        return party.signatory_name, party.signatory_function
    person = user.person
    return user.display_name, person.function if person is not None else ""


# --- Checking an upload ---------------------------------------------------------------------------


@dataclasses.dataclass
class Verification:
    """What the verify page found. `outcome`: "original" (byte-identical to a signed text),
    "signed" (byte-identical to a signed document); rejected: "changed" (it carries a version's
    signature page but its text differs from that version's signed document), "resaved" (same
    text, other bytes), "unknown" (nothing matches) or "unreadable" (not a DOCX)."""

    digest: str
    outcome: str
    versions: list[AgreementVersion]
    difference: tuple[int, str, str] | None = None  # paragraph number, expected, found

    @property
    def accepted(self) -> bool:
        return self.outcome in ("original", "signed")


def _load_versions(*conditions: sa.ColumnElement[bool]) -> list[AgreementVersion]:
    """Versions matching `conditions` that still have a signature, with what the page shows."""
    versions = db.session.scalars(
        sa.select(AgreementVersion)
        .options(
            joinedload(AgreementVersion.agreement),
            selectinload(AgreementVersion.parties).joinedload(AgreementParty.organisation),
            selectinload(AgreementVersion.signatures).joinedload(AgreementSignature.organisation),
        )
        .where(*conditions)
        .order_by(AgreementVersion.id)
    ).all()
    return [v for v in versions if v.active_signatures]


def _first_difference(expected: list[str], found: list[str]) -> tuple[int, str, str]:
    for index in range(max(len(expected), len(found))):
        want = expected[index] if index < len(expected) else ""
        got = found[index] if index < len(found) else ""
        if want != got:
            return index + 1, want[:200], got[:200]
    return 0, "", ""


def signed_document_of(version: AgreementVersion) -> bytes:
    """The signed document as issued: the stored one, else (a version signed before documents
    were stored) built now."""
    if version.signed_document is not None:
        return version.signed_document
    return signed_copy(version)


def keep_signed_document(version: AgreementVersion) -> None:
    """Store the signed document and its SHA-256 (when the last party has signed)."""
    data = signed_copy(version)
    version.signed_document = data
    version.signed_document_sha256 = hashlib.sha256(data).hexdigest()


def verify_upload(data: bytes) -> Verification:
    """Check an uploaded file against the signed versions (see the module's docstring)."""
    digest = hashlib.sha256(data).hexdigest()
    original = _load_versions(AgreementVersion.document_sha256 == digest)
    if original:
        return Verification(digest, "original", original)
    signed = _load_versions(
        AgreementVersion.signed_document_sha256 == digest,
        AgreementVersion.status.in_(SIGNED_STATUSES),
    )
    if signed:
        return Verification(digest, "signed", signed)
    try:
        check_archive(data)
        found = document_text(data)
    except Exception:  # not a readable DOCX (zip, XML or parts broken)
        return Verification(digest, "unreadable", [])
    if SIGNATURE_PAGE_TITLE not in found:
        return Verification(digest, "unknown", [])
    page = "\n".join(found[found.index(SIGNATURE_PAGE_TITLE) :])
    for claimed in dict.fromkeys(_SHA256.findall(page)):
        versions = _load_versions(
            AgreementVersion.document_sha256 == claimed,
            AgreementVersion.status.in_(SIGNED_STATUSES),
        )
        for version in versions:
            issued = signed_document_of(version)
            if version.signed_document is None and hashlib.sha256(issued).hexdigest() == digest:
                return Verification(digest, "signed", [version])  # built now, same bytes
            expected = document_text(issued)
            if expected == found:
                return Verification(digest, "resaved", [version])
            return Verification(digest, "changed", [version], _first_difference(expected, found))
    return Verification(digest, "unknown", [])


def versions_for_code(digest: str) -> list[AgreementVersion]:
    """The signed versions a verification address (?sha256=…) names."""
    if not _SHA256.fullmatch(digest or ""):
        return []
    return _load_versions(AgreementVersion.document_sha256 == digest)


# --- Requests for signatures ----------------------------------------------------------------------


def signatory_recipients(party: AgreementParty) -> list[str]:
    """Who is told that the party is to sign: the named signatory (their login's address, else
    the directory's), and when there is none, the party organisation's users who may sign."""
    person = party.signatory_person
    addresses: list[str] = []
    if person is not None and not person.is_erased:
        addresses = list(
            db.session.scalars(
                sa.select(User.email).where(
                    User.person_id == person.id, User.is_active_flag.is_(True)
                )
            )
        ) or ([person.email] if person.email else [])
    if addresses:
        return sorted(set(addresses))
    users = db.session.scalars(
        sa.select(User)
        .where(User.organisation_id == party.organisation_id, User.is_active_flag.is_(True))
        .order_by(User.email)
    ).all()
    return [u.email for u in users if can(u, "agreement.sign", party)]


def notify_signatories(version: AgreementVersion) -> int:
    """Mail each party's signatory the link to sign (after the version was sent for signature);
    returns how many mails went out. Mails are German, as the documents are."""
    agreement = version.agreement
    sent = 0
    with force_locale("de"):
        for party in version.parties:
            recipients = signatory_recipients(party)
            if not recipients:
                continue
            url = external_url(
                "agreements.sign",
                agreement_id=agreement.id,
                number=version.number,
                party_id=party.id,
            )
            subject = gettext(
                "[%(number)s] Waiting for your signature: %(title)s",
                number=agreement.number,
                title=version.title,
            )
            body = gettext(
                'Hello,\n\nversion %(version)d of %(kind)s %(number)s "%(title)s" has been sent '
                "for signature. %(organisation)s names %(signatory)s as its authorised "
                "signatory.\n\nRead and sign it here (you confirm your signature with your "
                "password; whoever signs in place of the named signatory states whether they "
                "sign i. V. or i. A.):\n%(url)s\n",
                version=version.number,
                kind=KIND_TEXT[agreement.kind.value],
                number=agreement.number,
                title=version.title,
                organisation=party.organisation.name,
                signatory=", ".join(
                    p for p in (party.signatory_name, party.signatory_function) if p
                )
                or "–",
                url=url,
            )
            sent += len(send_mail(recipients, subject, body))
    return sent


# --- Waiting for my signature ---------------------------------------------------------------------


@dataclasses.dataclass
class Waiting:
    """One party a user may sign for that has not signed yet."""

    agreement_id: int
    number: str
    title: str
    version: int
    party_id: int
    organisation: str
    requested_at: Any
    is_named: bool  # the user is the party's named signatory


def waiting_for_signature(user: User, limit: int = 20) -> list[Waiting]:
    """The parties awaiting a signature that `user` may give (the agreement.sign rule), the ones
    naming the user first, oldest request first; one query."""
    condition = signing_candidates_condition(user)
    if condition is None:
        return []
    active = sa.select(AgreementSignature.id).where(
        AgreementSignature.party_id == AgreementParty.id,
        AgreementSignature.withdrawn_at.is_(None),
    )
    parties = db.session.scalars(
        sa.select(AgreementParty)
        .join(AgreementVersion, AgreementVersion.id == AgreementParty.version_id)
        .join(Agreement, Agreement.id == AgreementVersion.agreement_id)
        .where(
            AgreementVersion.status == VersionStatus.AWAITING_SIGNATURES,
            condition,
            ~sa.exists(active),
        )
        .options(
            joinedload(AgreementParty.organisation),
            joinedload(AgreementParty.version).joinedload(AgreementVersion.agreement),
        )
        .order_by(AgreementVersion.signatures_requested_at, AgreementParty.id)
        .limit(limit)
    ).all()
    rows = []
    for party in parties:
        if not can(user, "agreement.sign", party):
            continue
        version = party.version
        rows.append(
            Waiting(
                agreement_id=version.agreement_id,
                number=version.agreement.number,
                title=version.title,
                version=version.number,
                party_id=party.id,
                organisation=party.organisation.name,
                requested_at=version.signatures_requested_at,
                is_named=is_authorised_signatory(user, party),
            )
        )
    rows.sort(key=lambda row: not row.is_named)
    return rows


def waiting_panel(user: User) -> dict:
    """The dashboard panel "Waiting for my signature", for every user."""
    return {
        "template": "agreements/_waiting_panel.html",
        "title": gettext("Waiting for my signature"),
        "waiting": waiting_for_signature(user),
    }
