"""Use cases for agreements: draft, edit, review, sign, withdraw, amend, terminate, status."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import joinedload, load_only, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..auth.models import User
from ..bodies.models import Body
from ..catalogue.models import CatalogueEntry, CatalogueVersion
from ..core import numbering, uploads
from ..core.bounds import check_date
from ..core.errors import Conflict, NotFound, ValidationError
from ..core.links import links
from ..core.locking import claim
from ..core.models import utcnow
from ..core.permissions import can, ensure, filter_condition, filter_scope, where
from ..core.search import like_pattern
from ..core.throttle import verify_password
from ..core.uploads import check_file_type, check_filename
from ..directory.models import Organisation, Person
from ..extensions import db
from . import signing, standard_text, versions
from .models import (
    VERSION_FIELDS,
    Agreement,
    AgreementAttachment,
    AgreementComment,
    AgreementKind,
    AgreementParty,
    AgreementSignature,
    AgreementStatus,
    AgreementTemplate,
    AgreementVersion,
    PartyDuty,
    PartyRole,
    Renewal,
    SignatureCapacity,
    VersionStatus,
    version_entries,
)
from .permissions import edit_starts_new_version, is_overseer, may_withdraw_signature
from .rendering import render_version


def _today() -> dt.date:
    return utcnow().date()


# --- Reading -----------------------------------------------------------------------------------


def visible_filter(user: User) -> sa.ColumnElement[bool]:
    """SQL condition for the agreements `user` may see (the filter of the agreement.view rule)."""
    return where(user, "agreement.view")


def _member_or_empty(enum_cls, value: str) -> str:
    """The value if it names a member of `enum_cls` (a filter), else "" (the filter is ignored)."""
    try:
        return enum_cls(value).value if value else ""
    except ValueError:
        return ""


def agreement_query(
    user: User, status: str = "", search: str = "", kind: str = ""
) -> tuple[sa.Select, sa.Select]:
    """One page of the agreement list for `user`, filtered, as plain rows of the columns the
    list shows (id, number, title, kind, status, owner organisation's name) and the total
    counted up to :cap rows as a column (core.views.RowsWithTotalPagination; parameters limit,
    offset, cap). Also returns the select of the filtered ids, for a count when the page has
    no rows. An unknown status or kind is ignored."""
    return _agreement_list_query(
        filter_scope("agreement.view", user),
        _member_or_empty(AgreementStatus, status),
        _member_or_empty(AgreementKind, kind),
        search.strip(),
    )


@functools.lru_cache(maxsize=256)
def _agreement_list_query(seen: int | str, status: str, kind: str, search: str) -> tuple:
    # Built once per (visibility, filters): selects are immutable, and building one costs about
    # as much as running it. The key holds everything the statement depends on.
    conditions = [filter_condition("agreement.view", seen)]
    if status:
        conditions.append(Agreement.status == AgreementStatus(status))
    if kind:
        conditions.append(Agreement.kind == AgreementKind(kind))
    if search:
        pattern = like_pattern(search)
        conditions.append(
            sa.or_(
                Agreement.title.ilike(pattern, escape="\\"),
                Agreement.number.ilike(pattern, escape="\\"),
            )
        )
    counted = sa.select(Agreement.id).where(*conditions)
    total = (
        sa.select(sa.func.count())
        .select_from(counted.limit(sa.bindparam("cap")).subquery())
        .scalar_subquery()
    )
    query = (
        sa.select(
            Agreement.id,
            Agreement.number,
            Agreement.title,
            Agreement.kind,
            Agreement.status,
            Organisation.name.label("owner_name"),
            total.label("total"),
        )
        .outerjoin(Organisation, Organisation.id == Agreement.owner_organisation_id)
        .where(*conditions)
        .order_by(Agreement.number.desc())
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
    )
    return query, counted


def get_agreement(agreement_id: int) -> Agreement | None:
    """An agreement with versions, parties, duties, signatures and comments loaded."""
    return db.session.scalar(
        sa.select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(
            selectinload(Agreement.versions).options(
                joinedload(AgreementVersion.template),
                joinedload(AgreementVersion.body),
                selectinload(AgreementVersion.catalogue_entries).selectinload(
                    CatalogueEntry.versions
                ),
                selectinload(AgreementVersion.parties).options(
                    joinedload(AgreementParty.organisation),
                    joinedload(AgreementParty.contact_person),
                    selectinload(AgreementParty.duties),
                ),
                selectinload(AgreementVersion.signatures).options(
                    joinedload(AgreementSignature.user), joinedload(AgreementSignature.organisation)
                ),
                selectinload(AgreementVersion.comments).joinedload(AgreementComment.author),
            )
        )
    )


def _presence_columns() -> list[sa.Label]:
    """EXISTS columns, correlated to the agreement, for the detail page's smaller sections."""
    of_agreement = AgreementVersion.agreement_id == Agreement.id
    checks = {
        "has_comments": sa.exists()
        .where(AgreementComment.version_id == AgreementVersion.id)
        .where(of_agreement),
        "has_entries": sa.exists()
        .where(version_entries.c.version_id == AgreementVersion.id)
        .where(of_agreement),
        "has_attachments": sa.exists().where(AgreementAttachment.agreement_id == Agreement.id),
        "has_rules_of": sa.exists().where(Body.rules_agreement_id == Agreement.id),
        "has_naming": sa.exists().where(CatalogueVersion.agreement_id == Agreement.id),
    }
    return [check.correlate(Agreement).label(name) for name, check in checks.items()]


@functools.cache
def _page_statements() -> dict[str, sa.Select]:
    """The detail page's queries, built once (with bound parameters) instead of per request."""
    ids: sa.BindParameter[list[int]] = sa.bindparam("version_ids", expanding=True)
    return {
        # the agreement with its versions, and whether there is anything for the page's
        # smaller sections at all: their queries run only when there is
        "agreement": sa.select(Agreement, *_presence_columns())
        .where(Agreement.id == sa.bindparam("agreement_id"))
        .options(joinedload(Agreement.versions).joinedload(AgreementVersion.template)),
        "all_parties": sa.select(AgreementParty)
        .where(AgreementParty.version_id.in_(ids))
        .options(load_only(AgreementParty.version_id, AgreementParty.organisation_id))
        .order_by(AgreementParty.position, AgreementParty.id),
        # one row per duty (or one for a party without duties)
        "parties": sa.select(
            AgreementParty, Organisation.name, Organisation.short_name, PartyDuty.text
        )
        .join(Organisation, Organisation.id == AgreementParty.organisation_id)
        .outerjoin(PartyDuty, PartyDuty.party_id == AgreementParty.id)
        .where(AgreementParty.version_id == sa.bindparam("version_id"))
        .order_by(AgreementParty.position, AgreementParty.id, PartyDuty.position, PartyDuty.id),
        "signatures": sa.select(AgreementSignature, Organisation.name, User.email, Person)
        .join(Organisation, Organisation.id == AgreementSignature.organisation_id)
        .join(User, User.id == AgreementSignature.user_id)
        .outerjoin(Person, Person.id == User.person_id)
        .where(AgreementSignature.version_id.in_(ids))
        .order_by(AgreementSignature.signed_at, AgreementSignature.id),
        "comments": sa.select(
            AgreementComment.version_id,
            AgreementComment.text,
            AgreementComment.created_at,
            User.email,
            Person,
        )
        .join(User, User.id == AgreementComment.author_id)
        .outerjoin(Person, Person.id == User.person_id)
        .where(AgreementComment.version_id.in_(ids))
        .order_by(AgreementComment.created_at, AgreementComment.id),
        "entries": sa.select(CatalogueEntry)
        .join(version_entries, version_entries.c.entry_id == CatalogueEntry.id)
        .where(version_entries.c.version_id == sa.bindparam("version_id"))
        .options(joinedload(CatalogueEntry.versions), joinedload(CatalogueEntry.provider))
        .order_by(CatalogueEntry.identifier),
        "bodies": sa.select(Body.id, Body.name, Body.rules_agreement_id)
        .where(
            sa.or_(
                Body.rules_agreement_id == sa.bindparam("agreement_id"),
                Body.id == sa.bindparam("body_id"),
            )
        )
        .order_by(Body.name, Body.id),
        "attachments": sa.select(
            AgreementAttachment.id, AgreementAttachment.filename, AgreementAttachment.is_signed_copy
        )
        .where(AgreementAttachment.agreement_id == sa.bindparam("agreement_id"))
        .order_by(AgreementAttachment.created_at, AgreementAttachment.id),
    }


def get_agreement_for_page(
    agreement_id: int, user: User | None = None
) -> tuple[Agreement | None, dict]:
    """An agreement with its versions (and their templates) in one query, for the detail page,
    and which of the page's smaller sections (comments, linked catalogue entries, attachments,
    rules of procedure, entries naming it) have anything at all; load_page_details then loads
    what the page shows of one version.

    For a user whose organisation neither oversees nor owns it, the parties of all versions are
    loaded too (organisation ids only, one query), so that the permission rules asking whether
    the user's organisation is a party answer from memory instead of one query each."""
    statements = _page_statements()
    row = (
        db.session.execute(statements["agreement"], {"agreement_id": agreement_id})
        .unique()
        .one_or_none()
    )
    if row is None:
        return None, {}
    agreement, present = row[0], row._asdict()
    if (
        agreement is not None
        and user is not None
        and user.organisation_id is not None
        and agreement.owner_organisation_id != user.organisation_id
        and not is_overseer(user)
    ):
        all_versions = list(agreement.versions)
        parties = db.session.scalars(
            statements["all_parties"], {"version_ids": [v.id for v in all_versions]}
        ).all()
        _set_by_version(parties, all_versions, "parties")
    return agreement, present


def _set_by_version(rows, of_versions: list[AgreementVersion], key: str) -> None:
    """Set each version's `key` collection (as loaded) from rows carrying a version_id."""
    grouped: dict[int, list] = {v.id: [] for v in of_versions}
    for row in rows:
        grouped[row.version_id].append(row)
    for version in of_versions:
        set_committed_value(version, key, grouped[version.id])


def _display_name(row) -> str:
    """User.display_name from a row with the user's e-mail and person (None without one)."""
    return row.Person.full_name if row.Person is not None else row.email


def load_page_details(
    user: User, agreement: Agreement, version: AgreementVersion, present: dict
) -> dict[str, Any]:
    """What the detail page shows, in a fixed number of queries without per-row work: the shown
    version's parties (with organisation names and duties) and catalogue entries, every
    version's signatures (with who signed for whom) and comments (the timeline counts them),
    the attachments, the body the version sets up, the bodies whose rules of procedure the
    agreement is and the catalogue entries naming it. A section that `present` (from
    get_agreement_for_page) says is empty is not queried. Parties, signatures and entries are
    set on the version as loaded, so the permission rules read them without further queries;
    names come as columns, not objects."""
    statements = _page_statements()
    all_versions = list(agreement.versions)
    version_ids = {"version_ids": [v.id for v in all_versions]}
    parties: list[tuple[AgreementParty, str, str, list[str]]] = []
    for party, name, short_name, duty in db.session.execute(
        statements["parties"], {"version_id": version.id}
    ):
        if not parties or parties[-1][0] is not party:
            parties.append((party, name, short_name, []))
        if duty is not None:
            parties[-1][3].append(duty)
    set_committed_value(version, "parties", [p[0] for p in parties])
    signed_by: dict[int, tuple[str, str]] = {}
    signatures = []
    for row in db.session.execute(statements["signatures"], version_ids):
        signatures.append(row[0])
        signed_by[row[0].id] = (row.name, _display_name(row))
    _set_by_version(signatures, all_versions, "signatures")
    # every version's comments, each with the version (Fassung) it was made on
    comments: list[versions.ShownComment] = []
    comment_counts: dict[int, int] = {}
    if not present["has_comments"]:  # known empty: the rules asking for them need no query
        for each in all_versions:
            set_committed_value(each, "comments", [])
    else:
        numbers = {v.id: v.number for v in all_versions}
        for row in db.session.execute(statements["comments"], version_ids):
            comment_counts[row.version_id] = comment_counts.get(row.version_id, 0) + 1
            comments.append(
                versions.ShownComment(
                    numbers[row.version_id], _display_name(row), row.created_at, row.text
                )
            )
    entries: Iterable[Any] = []
    if present["has_entries"]:
        entries = db.session.scalars(statements["entries"], {"version_id": version.id}).unique()
    set_committed_value(version, "catalogue_entries", list(entries))
    bodies: Sequence[sa.Row[Any]] = []
    if present["has_rules_of"] or version.body_id:
        bodies = db.session.execute(
            statements["bodies"], {"agreement_id": agreement.id, "body_id": version.body_id or 0}
        ).all()
    attachments: Sequence[sa.Row[Any]] = []
    if present["has_attachments"]:
        attachments = db.session.execute(
            statements["attachments"], {"agreement_id": agreement.id}
        ).all()
    return {
        "parties": parties,
        "signed_by": signed_by,
        "comments": comments,
        "comment_counts": comment_counts,
        "commented_before": versions.commented_before(agreement, version.number, comment_counts),
        "attachments": attachments,
        "body": next((b for b in bodies if b.id == version.body_id), None),
        "rules_of_bodies": [b for b in bodies if b.rules_agreement_id == agreement.id],
        "naming_entries": entries_naming(user, agreement) if present["has_naming"] else [],
    }


def entries_naming(user: User, agreement: Agreement) -> list[sa.Row]:
    """The catalogue entries whose version shown to the user names this agreement (rows of
    entry_id, identifier, status, title), through links/ and so the catalogue's visibility rule."""
    return links.entry_rows_naming(user, agreement)


def get_version(agreement: Agreement, number: int) -> AgreementVersion:
    for version in agreement.versions:
        if version.number == number:
            return version
    raise NotFound(gettext("This version does not exist."))


def template_choices() -> list[tuple[int, str]]:
    templates = db.session.scalars(
        sa.select(AgreementTemplate)
        .where(AgreementTemplate.is_active.is_(True))
        .order_by(AgreementTemplate.name, AgreementTemplate.version.desc())
    )
    return [(t.id, str(t)) for t in templates]


def organisation_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(Organisation.is_active.is_(True))
        .order_by(Organisation.name)
    )
    return [(row.id, row.name) for row in rows]


def attachments_of(agreement: Agreement) -> list[AgreementAttachment]:
    return list(
        db.session.scalars(
            sa.select(AgreementAttachment)
            .where(AgreementAttachment.agreement_id == agreement.id)
            .order_by(AgreementAttachment.created_at)
        )
    )


# --- Drafting -----------------------------------------------------------------------------------


def next_number(kind: AgreementKind, year: int) -> str:
    """KV-2022-001: prefix by kind, the year, and the next sequence number (core.numbering:
    parallel drafts take turns, so no two get the same number)."""
    prefix = f"{kind.prefix}-{year}-"
    return numbering.next_with_prefix("agreement", Agreement.number, prefix)


def _template(template_id: int | None) -> AgreementTemplate:
    template = db.session.get(AgreementTemplate, template_id or 0)
    if template is None:
        raise ValidationError(gettext("Choose a template."), field="template_id")
    return template


def _validate_version(data: dict[str, Any]) -> None:
    if not (data.get("title") or "").strip():
        raise ValidationError(gettext("Enter a title."), field="title")
    if "subject" in data and not (data["subject"] or "").strip():
        raise ValidationError(gettext("Enter the subject of the agreement."), field="subject")
    start = check_date(data.get("start_date"), "start_date")
    end = check_date(data.get("end_date"), "end_date")
    if start and end and end < start:
        raise ValidationError(gettext("The term cannot end before it starts."), field="end_date")
    months = data.get("notice_period_months")
    if months is not None and not 0 <= int(months) <= 60:
        raise ValidationError(
            gettext("The notice period must be between 0 and 60 months."),
            field="notice_period_months",
        )


def _check_parties(user: User, parties: list[dict[str, Any]]) -> list[tuple[Organisation, dict]]:
    """The filled-in party entries with their organisations; the drafter's must be among them."""
    seen: set[int] = set()
    cleaned = []
    for entry in parties:
        organisation_id = entry.get("organisation_id") or 0
        if not organisation_id:
            continue
        if organisation_id in seen:
            raise ValidationError(gettext("Each organisation can be a party only once."))
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None:
            raise ValidationError(gettext("Unknown organisation."))
        seen.add(organisation_id)
        cleaned.append((organisation, entry))
    if not cleaned:
        raise ValidationError(gettext("Add at least one party."))
    if not is_overseer(user) and user.organisation_id not in seen:
        raise ValidationError(
            gettext("Your own organisation must be one of the parties."),
        )
    return cleaned


def _set_parties(version: AgreementVersion, cleaned: list[tuple[Organisation, dict]]) -> None:
    """Make the version's parties and duties match `cleaned`, updating rows in place so that
    the signature history of a party (withdrawn signatures) stays linked to it."""
    existing = {p.organisation_id: p for p in version.parties}
    keep = set()
    for position, (organisation, entry) in enumerate(cleaned):
        party = existing.get(organisation.id)
        if party is None:
            party = AgreementParty(organisation=organisation)
            version.parties.append(party)
        keep.add(organisation.id)
        role = entry.get("role") or PartyRole.OTHER
        party.position = position
        party.role = PartyRole(role) if isinstance(role, str) else role
        party.contact_person_id = entry.get("contact_person_id") or None
        party.signatory_name = (entry.get("signatory_name") or "").strip()
        party.signatory_function = (entry.get("signatory_function") or "").strip()
        _set_signatory_person(party, organisation, entry.get("signatory_person_id") or None)
        duties = entry.get("duties") or []
        if isinstance(duties, str):
            duties = duties.splitlines()
        texts = [d.strip() for d in duties if d and d.strip()]
        if [d.text for d in party.duties] != texts:
            for duty in list(party.duties):
                party.duties.remove(duty)
            db.session.flush()
            party.duties = [PartyDuty(position=i, text=t) for i, t in enumerate(texts)]
    for organisation_id, party in existing.items():
        if organisation_id not in keep:
            for signature in version.signatures:
                if signature.party_id == party.id:
                    signature.party_id = None
            version.parties.remove(party)
    version.parties.sort(key=lambda p: p.position)


def _set_signatory_person(
    party: AgreementParty, organisation: Organisation, person_id: int | None
) -> None:
    """The authorised signatory as a person of the party's organisation (or of a department of
    it); their name and function fill the typed fields left empty."""
    party.signatory_person_id = None
    if person_id is None:
        return
    person = db.session.get(Person, person_id)
    chain = set()
    node: Organisation | None = person.organisation if person is not None else None
    for _ in range(10):
        if node is None:
            break
        chain.add(node.id)
        node = node.parent
    if person is None or person.is_erased or organisation.id not in chain:
        raise ValidationError(
            gettext(
                "The authorised signatory of %(name)s must be a person of that organisation.",
                name=organisation.name,
            )
        )
    party.signatory_person_id = person.id
    if not party.signatory_name:
        party.signatory_name = person.full_name
    if not party.signatory_function:
        party.signatory_function = person.function


def _apply_links(user: User, version: AgreementVersion, data: dict[str, Any]) -> None:
    """The body the agreement sets up and the catalogue entries it covers, checked by links/
    against what the user may see."""
    links.apply_agreement_links(user, version, data)


def _apply_fields(version: AgreementVersion, data: dict[str, Any]) -> None:
    for name in VERSION_FIELDS:
        if name in data:
            value = data[name]
            if name == "renewal":
                value = Renewal(value) if isinstance(value, str) else value or Renewal.NONE
            elif name == "notice_period_months":
                value = int(value or 0)
            elif isinstance(value, str):
                value = value.strip()
            setattr(version, name, value)


def create_agreement(user: User, data: dict[str, Any]) -> Agreement:
    """Draft a new agreement from a template (version 1); the drafter's organisation owns it."""
    ensure(user, "agreement.create")
    template = _template(data.get("template_id"))
    # fields left empty start from the template's standard text (the draft's first content)
    data = standard_text.fill(template, data)
    _validate_version(data)
    parties = _check_parties(user, data.get("parties") or [])
    year = (data.get("start_date") or _today()).year
    agreement = Agreement(
        number=next_number(template.kind, year),
        title=data["title"].strip(),
        kind=template.kind,
        status=AgreementStatus.DRAFT,
        owner_organisation_id=user.organisation_id,
        created_by_id=user.id,
    )
    version = AgreementVersion(number=1, template=template, title=agreement.title)
    _apply_fields(version, data)
    _apply_links(user, version, data)
    agreement.versions.append(version)
    db.session.add(agreement)
    _set_parties(version, parties)
    db.session.flush()
    return agreement


def update_version(
    user: User, version: AgreementVersion, data: dict[str, Any], expected_version: int | None = None
) -> AgreementVersion:
    """Change a version's text and parties; refused once anyone has signed it, and with a
    Conflict when someone saved it since the form was loaded at `expected_version`. A text
    that went out or was commented on is not changed: the edit goes into the next version,
    which is returned (else `version` itself)."""
    if version.is_frozen:
        raise Conflict(
            gettext(
                "This version has been signed and cannot be changed. Withdraw all signatures first."
            )
        )
    ensure(user, "agreement.edit", version)
    _validate_version(data)
    parties = _check_parties(user, data["parties"]) if "parties" in data else None
    if edit_starts_new_version(version):
        version = versions.start_next_version(version, expected_version)
    else:
        claim(version, expected_version)
    if data.get("template_id"):
        version.template = _template(data["template_id"])
    _apply_fields(version, data)
    _apply_links(user, version, data)
    version.agreement.title = version.title
    if parties is not None:
        _set_parties(version, parties)
    db.session.flush()
    refresh_status(version.agreement)
    return version


def submit_for_review(
    user: User, version: AgreementVersion, now: dt.datetime | None = None
) -> None:
    """Draft → in review: the parties comment on this version, whose text and DOCX are kept
    as sent; an earlier version still in consultation is closed (agreements.versions)."""
    ensure(user, "agreement.submit", version)
    if version.status is not VersionStatus.DRAFT:
        raise Conflict(gettext("Only a draft can be sent for review."))
    version.status = VersionStatus.IN_REVIEW
    versions.mark_sent(version, for_signature=False, now=now)
    refresh_status(version.agreement)


def request_signatures(
    user: User, version: AgreementVersion, now: dt.datetime | None = None
) -> None:
    """Draft/in review → awaiting signatures, after checking that the text is complete."""
    ensure(user, "agreement.submit", version)
    if not version.parties:
        raise ValidationError(gettext("Add at least one party."))
    if not version.start_date or not version.end_date:
        raise ValidationError(gettext("Enter the start and end of the term before signing."))
    missing = [p.organisation.name for p in version.parties if not p.signatory_name]
    if missing:
        raise ValidationError(
            gettext("Name the signatory for: %(names)s.", names=", ".join(missing))
        )
    version.status = VersionStatus.AWAITING_SIGNATURES
    version.signatures_requested_at = now or utcnow()
    versions.mark_sent(version, for_signature=True, now=version.signatures_requested_at)
    refresh_status(version.agreement)
    signing.notify_signatories(version)


def add_comment(user: User, version: AgreementVersion, text: str) -> AgreementComment:
    """A comment on this version (kept with the version)."""
    ensure(user, "agreement.comment", version)
    text = (text or "").strip()
    if not text:
        raise ValidationError(gettext("Enter a comment."), field="text")
    comment = AgreementComment(
        version=version, author_id=user.id, organisation_id=user.organisation_id, text=text
    )
    db.session.add(comment)
    db.session.flush()
    return comment


# --- Documents and signatures ----------------------------------------------------------------


def signed_document(version: AgreementVersion) -> bytes:
    """The exact DOCX the parties sign: rendered once when the first party signs, then kept."""
    if version.document is None:
        data = render_version(version, draft=False)
        version.document = data
        version.document_sha256 = hashlib.sha256(data).hexdigest()
        version.frozen_at = utcnow()
    return version.document


def download_document(version: AgreementVersion, user: User | None = None) -> tuple[bytes, bool]:
    """(DOCX bytes, is_draft): once all parties signed, the signed document (the signed text
    with the signature blocks filled in and the signature page, agreements.signature_page), else
    a DRAFT copy listing the catalogue entries `user` may see."""
    if version.status in (VersionStatus.SIGNED, VersionStatus.SUPERSEDED) and version.document:
        return signing.signed_document_of(version), False
    sent = versions.sent_copy(version)
    if sent is not None:  # the text as it went out, byte for byte
        return sent, True
    return render_version(version, draft=True, user=user), True


def signed_text(version: AgreementVersion) -> bytes:
    """The stored signed text (the file of the version's SHA-256); NotFound before anyone
    signed."""
    if version.document is None or not version.active_signatures:
        raise NotFound(gettext("This version has not been signed yet."))
    return version.document


def sign(
    user: User,
    party: AgreementParty,
    password: str,
    now: dt.datetime | None = None,
    capacity: SignatureCapacity | str | None = None,
    confirmed: bool = False,
):
    """Sign for `party` after re-entering the password; freezes the version on first signature.
    Whoever is not the party's named signatory signs i. V. or i. A. (`capacity`, `confirmed`)."""
    ensure(user, "agreement.sign", party)
    chosen = signing.check_capacity(user, party, capacity, confirmed)
    if not verify_password(user, password):
        raise ValidationError(gettext("The password is not correct."), field="password")
    version = party.version
    if version.signature_for(party) is not None:
        raise Conflict(gettext("This party has already signed this version."))
    signed_document(version)
    signer_name, signer_function = signing.signer_record(user, party, chosen)
    signature = AgreementSignature(
        version=version,
        party=party,
        user_id=user.id,
        organisation_id=party.organisation_id,
        signed_at=now or utcnow(),
        document_sha256=version.document_sha256,
        capacity=chosen,
        signer_name=signer_name,
        signer_function=signer_function,
    )
    db.session.add(signature)
    db.session.flush()
    if version.all_signed:
        for earlier in version.agreement.versions:
            if earlier is not version and earlier.status is VersionStatus.SIGNED:
                earlier.status = VersionStatus.SUPERSEDED
        version.status = VersionStatus.SIGNED
        signing.keep_signed_document(version)
    refresh_status(version.agreement)
    return signature


def withdraw_signatures(
    user: User,
    version: AgreementVersion,
    reason: str,
    confirmed: bool,
    now: dt.datetime | None = None,
) -> int:
    """Withdraw the user's own party's signature (with confirmation) while the version awaits
    signatures; the other parties' signatures stay. When none is left, the version is
    unfrozen and goes back into review so it can be changed."""
    ensure(user, "agreement.withdraw_signatures", version)
    if not confirmed:
        raise ValidationError(
            gettext("Confirm that your signature of this version is withdrawn."), field="confirm"
        )
    if not (reason or "").strip():
        raise ValidationError(gettext("Give a reason."), field="reason")
    moment = now or utcnow()
    own = [s for s in version.active_signatures if may_withdraw_signature(user, s)]
    for signature in own:
        signature.withdrawn_at = moment
        signature.withdrawn_by_id = user.id
        signature.withdrawal_reason = reason.strip()
    if not version.active_signatures:
        version.status = VersionStatus.IN_REVIEW
        version.document = None
        version.document_sha256 = None
        version.frozen_at = None
    db.session.flush()
    refresh_status(version.agreement)
    return len(own)


def verify_document(data: bytes) -> tuple[str, list[AgreementVersion]]:
    """The document's SHA-256 and the signed versions whose DOCX has exactly these bytes."""
    digest = hashlib.sha256(data).hexdigest()
    versions = db.session.scalars(
        sa.select(AgreementVersion)
        .options(
            joinedload(AgreementVersion.agreement),
            selectinload(AgreementVersion.signatures).joinedload(AgreementSignature.organisation),
        )
        .where(
            sa.or_(
                AgreementVersion.document_sha256 == digest,
                AgreementVersion.id.in_(
                    sa.select(AgreementSignature.version_id).where(
                        AgreementSignature.document_sha256 == digest,
                        AgreementSignature.withdrawn_at.is_(None),
                    )
                ),
            )
        )
    ).all()
    return digest, [v for v in versions if v.active_signatures]


# --- Amendments, termination, status -----------------------------------------------------------


def amend(user: User, agreement: Agreement, change_note: str = "") -> AgreementVersion:
    """Start an amendment (Änderungsfassung): the next version, from the newest one, which at
    least one party has signed (agreement.amend). The signatures of that version stay; if it is
    not signed by all yet, its signing goes on until the amendment is sent for signature (see
    permissions.py and agreements.versions.mark_sent)."""
    ensure(user, "agreement.amend", agreement)
    version = versions.copy_version(agreement.latest_version, change_note)
    db.session.flush()
    refresh_status(agreement)
    return version


def terminate(user: User, agreement: Agreement, on: dt.date | None, reason: str) -> None:
    """Record a termination (Kündigung) with its date and reason."""
    ensure(user, "agreement.terminate", agreement)
    if on is None:
        raise ValidationError(gettext("Enter the date the termination takes effect."), field="on")
    check_date(on, "on")
    if not (reason or "").strip():
        raise ValidationError(gettext("Give a reason."), field="reason")
    agreement.terminated_on = on
    agreement.termination_reason = reason.strip()
    refresh_status(agreement)


def compute_status(agreement: Agreement, today: dt.date) -> AgreementStatus:
    """The agreement's status from its versions, term and termination."""
    if agreement.terminated_on and agreement.terminated_on <= today:
        return AgreementStatus.TERMINATED
    in_force = agreement.version_in_force
    if in_force is not None:
        if in_force.end_date and in_force.end_date < today:
            return AgreementStatus.EXPIRED
        if in_force.start_date and in_force.start_date > today:
            return AgreementStatus.SIGNED
        return AgreementStatus.IN_FORCE
    return {
        VersionStatus.IN_REVIEW: AgreementStatus.IN_REVIEW,
        VersionStatus.AWAITING_SIGNATURES: AgreementStatus.AWAITING_SIGNATURES,
    }.get(versions.open_status(agreement), AgreementStatus.DRAFT)


def refresh_status(agreement: Agreement, today: dt.date | None = None) -> AgreementStatus:
    status = compute_status(agreement, today or _today())
    if agreement.status is not status:
        agreement.status = status
    db.session.flush()
    return status


def refresh_all_statuses(today: dt.date | None = None) -> int:
    """Daily: move agreements whose term started or ended; returns how many changed."""
    changed = 0
    agreements = db.session.scalars(
        sa.select(Agreement)
        .where(
            Agreement.status.in_(
                [AgreementStatus.SIGNED, AgreementStatus.IN_FORCE, AgreementStatus.EXPIRED]
            )
        )
        .options(selectinload(Agreement.versions).selectinload(AgreementVersion.signatures))
    ).all()
    for agreement in agreements:
        before = agreement.status
        if refresh_status(agreement, today) is not before:
            changed += 1
    return changed


# --- Attachments ------------------------------------------------------------------------------


def add_attachment(
    user: User,
    agreement: Agreement,
    filename: str,
    content: bytes,
    content_type: str,
    is_signed_copy: bool = False,
    version: AgreementVersion | None = None,
    max_bytes: int = 25 * 1024 * 1024,
) -> AgreementAttachment:
    """Attach a file of an allowed type (checked by content); a wet-ink signed copy must be a PDF
    scan. The stored MIME type comes from the allow-list, not from the browser."""
    ensure(user, "agreement.attach", agreement)
    if not content:
        raise ValidationError(gettext("The file is empty."), field="file")
    if len(content) > max_bytes:
        raise ValidationError(gettext("The file is too large."), field="file")
    if is_signed_copy and not content.startswith(b"%PDF"):
        raise ValidationError(
            gettext("The signed copy must be a scanned PDF document."), field="file"
        )
    filename = check_filename((filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    content_type = check_file_type(
        filename, content, uploads.ATTACHMENT_TYPES, uploads.ATTACHMENT_TYPES_TEXT
    )
    attachment = AgreementAttachment(
        agreement_id=agreement.id,
        version_id=version.id if version else None,
        is_signed_copy=is_signed_copy,
        filename=filename,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by_id=user.id,
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def may_sign_any(user: User, version: AgreementVersion) -> list[AgreementParty]:
    """The parties of this version the user may sign for and that have not signed yet."""
    return [
        p
        for p in version.parties
        if version.signature_for(p) is None and can(user, "agreement.sign", p)
    ]
