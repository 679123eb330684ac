"""Versions (Fassungen) of an agreement: a text that went out is frozen, an edit starts the next.

Every text sent for consultation ("In Abstimmung") or for signature keeps its wording and the DOCX
as it was sent (with its SHA-256); a text someone commented on keeps its wording too, so each
comment stays with the words it was made on. Editing such a version starts the next one as a
draft; the rules of when which version is edited, closed or signed are in permissions.py (see
its docstring), the use cases that call these helpers in services.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from flask_babel import gettext

from ..core import numbering
from ..core.errors import Conflict
from ..core.locking import claim
from ..core.models import utcnow
from ..extensions import db
from .models import (
    VERSION_FIELDS,
    Agreement,
    AgreementParty,
    AgreementVersion,
    PartyDuty,
    VersionStatus,
)
from .permissions import edit_starts_new_version, is_latest
from .rendering import render_version

# What the next version takes over from the one it starts from (the change note is its own).
COPIED_FIELDS = (
    *(name for name in VERSION_FIELDS if name != "change_note"),
    "template_id",
    "body_id",
)


def copy_version(source: AgreementVersion, change_note: str = "") -> AgreementVersion:
    """The next version of `source`'s agreement as a draft with `source`'s text, parties, duties
    and catalogue entries (copies: `source` itself is not touched)."""
    agreement = source.agreement
    number = numbering.draw(
        f"agreement_version:{agreement.id}",
        lambda: max((v.number for v in agreement.versions), default=0),
    )
    version = AgreementVersion(number=number, status=VersionStatus.DRAFT)
    for name in COPIED_FIELDS:
        setattr(version, name, getattr(source, name))
    version.change_note = change_note.strip()
    version.catalogue_entries = list(source.catalogue_entries)
    for party in source.parties:
        copy = AgreementParty(
            organisation_id=party.organisation_id,
            position=party.position,
            role=party.role,
            contact_person_id=party.contact_person_id,
            signatory_name=party.signatory_name,
            signatory_function=party.signatory_function,
            signatory_person_id=party.signatory_person_id,
        )
        copy.duties = [PartyDuty(position=d.position, text=d.text) for d in party.duties]
        version.parties.append(copy)
    agreement.versions.append(version)
    return version


def close(version: AgreementVersion, now: dt.datetime | None = None) -> None:
    """Mark `version` as replaced by a later one (REVISED): nothing of it changes, it is no
    longer commented on or signed, and it never enters into force."""
    version.status = VersionStatus.REVISED
    version.revised_at = now or utcnow()


def start_next_version(
    version: AgreementVersion, expected_version: int | None = None
) -> AgreementVersion:
    """An edit of a frozen version (edit_starts_new_version): claim it (so of two editors who
    loaded it only one starts the next version), copy it into the next version and return that
    one for the edit. A text in consultation stays open until the new version is sent out; a
    commented draft or a text awaiting signatures nobody has given yet is closed now."""
    if not is_latest(version) or not edit_starts_new_version(version):
        raise Conflict(gettext("Only the newest version can be edited."))
    claim(version, expected_version)
    following = copy_version(version)
    if version.status is not VersionStatus.IN_REVIEW:
        close(version)
    db.session.flush()  # an id, so the edit's links are checked against what it already lists
    return following


def record_sent_text(version: AgreementVersion, now: dt.datetime | None = None) -> None:
    """Keep the DOCX of the text as it first went out (the draft copy everyone gets, listing
    approved catalogue entries only) with its SHA-256; kept when it goes out again unchanged."""
    if version.sent_document is not None:
        return
    data = render_version(version, draft=True)
    version.sent_document = data
    version.sent_sha256 = hashlib.sha256(data).hexdigest()
    version.sent_at = now or utcnow()


def mark_sent(
    version: AgreementVersion, *, for_signature: bool, now: dt.datetime | None = None
) -> list[AgreementVersion]:
    """`version` went out: keep its DOCX and close the earlier versions it replaces: a
    consultation still open always, an earlier signing only when this version is sent for
    signature (then two texts would wait for signatures). Returns the closed versions."""
    moment = now or utcnow()
    record_sent_text(version, moment)
    closing = {VersionStatus.DRAFT, VersionStatus.IN_REVIEW}
    if for_signature:
        closing.add(VersionStatus.AWAITING_SIGNATURES)
    closed = [
        earlier
        for earlier in version.agreement.versions
        if earlier.number < version.number and earlier.status in closing
    ]
    for earlier in closed:
        close(earlier, moment)
    return closed


def sent_copy(version: AgreementVersion) -> bytes | None:
    """The DOCX as the version went out, while it is not signed by all (then the signed
    document is the one to give out); None for a draft never sent."""
    if version.status in (VersionStatus.DRAFT, VersionStatus.SIGNED, VersionStatus.SUPERSEDED):
        return None
    return version.sent_document


def open_status(agreement: Agreement) -> VersionStatus:
    """The furthest step of any version still open, for the agreement's status when none is in
    force: awaiting signatures before in consultation before draft (an amendment or a next
    version may be drafted while an earlier one is still signed or consulted)."""
    statuses = {v.status for v in agreement.versions}
    for status in (VersionStatus.AWAITING_SIGNATURES, VersionStatus.IN_REVIEW):
        if status in statuses:
            return status
    return VersionStatus.DRAFT


# --- Comments and comparison -----------------------------------------------------------------


@dataclass
class ShownComment:
    """A comment as the detail page lists it: with the version (Fassung) it was made on."""

    version_number: int
    author: str
    created_at: dt.datetime
    text: str


def commented_before(
    agreement: Agreement, number: int, counts: dict[int, int] | None = None
) -> AgreementVersion | None:
    """The newest version before `number` that has comments (from `counts` by version id when
    the page counted them, else from the loaded comments): what "changes since the commented
    version" compares with."""
    for version in reversed(agreement.versions):
        if version.number >= number:
            continue
        has = counts.get(version.id, 0) if counts is not None else len(version.comments)
        if has:
            return version
    return None


def default_comparison(agreement: Agreement, a: int | None, b: int | None) -> tuple[int, int]:
    """The versions the compare page shows when not asked: the newest against the newest
    commented one before it (what changed since the parties commented), else the one before."""
    numbers = [v.number for v in agreement.versions]
    newer = b or numbers[-1]
    if a:
        return a, newer
    commented = commented_before(agreement, newer)
    if commented is not None:
        return commented.number, newer
    earlier = [n for n in numbers if n < newer]
    return (earlier[-1] if earlier else newer), newer
