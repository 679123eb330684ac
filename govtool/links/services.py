"""Links between the areas: which bodies, agreements and catalogue entries a user may link to,
the checks the services run before saving a link, and the reverse lists the pages show.

Every list and choice here goes through the owning area's visibility rule, so a link never reveals
an agreement or a draft entry the user may not see. An id the user may not see is refused with the
same message as an unknown one (no hint that it exists).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import joinedload

from ..agreements import services as agreement_services
from ..agreements.models import Agreement, AgreementKind, AgreementVersion
from ..bodies.models import Body
from ..catalogue import services as catalogue_services
from ..catalogue.models import CatalogueEntry, CatalogueVersion, EntryStatus
from ..catalogue.permissions import proposing_for
from ..core.errors import ValidationError
from ..core.identifiers import normalise_identifier
from ..core.permissions import can
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User

# ---------------------------------------------------------------- bodies


def body_choices(user: User) -> list[tuple[int, str]]:
    """The bodies an agreement can set up: those the user may see."""
    bodies = db.session.scalars(sa.select(Body).order_by(Body.name))
    return [(b.id, b.name) for b in bodies if can(user, "body.view", b)]


def check_body(user: User, body_id) -> Body | None:
    """The body to link, or None; unknown or hidden bodies are a field error."""
    if not body_id:
        return None
    body = db.session.get(Body, int(body_id))
    if body is None or not can(user, "body.view", body):
        raise ValidationError(gettext("Unknown body."), field="body_id")
    return body


# ---------------------------------------------------------------- agreements


def agreement_choices(
    user: User, kind: AgreementKind | None = None, current: Agreement | None = None
) -> list[tuple[int, str]]:
    """Agreements the user may see (of one kind if given), newest number first."""
    query = (
        sa.select(Agreement.id, Agreement.number, Agreement.title)
        .where(agreement_services.visible_filter(user))
        .order_by(Agreement.number.desc())
    )
    if kind is not None:
        query = query.where(Agreement.kind == kind)
    rows = [(row.id, f"{row.number} – {row.title}") for row in db.session.execute(query)]
    if current is not None and current.id not in {r[0] for r in rows}:
        if can(user, "agreement.view", current):
            rows.insert(0, (current.id, f"{current.number} – {current.title}"))
    return rows


def check_agreement(
    user: User,
    agreement_id,
    field: str,
    kind: AgreementKind | None = None,
    current_id: int | None = None,
) -> int | None:
    """The agreement id to store. Unknown, hidden or wrong-kind agreements are a field error.
    A link the user cannot see stays when they leave the field empty (they cannot undo it)."""
    agreement_id = int(agreement_id or 0) or None
    if agreement_id is None:
        if current_id:
            current = db.session.get(Agreement, current_id)
            if current is not None and not can(user, "agreement.view", current):
                return current_id
        return None
    if agreement_id == current_id:
        return agreement_id
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None or not can(user, "agreement.view", agreement):
        raise ValidationError(gettext("Unknown agreement."), field=field)
    if kind is not None and agreement.kind is not kind:
        raise ValidationError(
            gettext("Choose an agreement of the kind: %(kind)s.", kind=kind.label), field=field
        )
    return agreement_id


def check_rules_agreement(user: User, agreement_id, current_id: int | None = None) -> int | None:
    """A body's rules of procedure: a visible agreement of kind rules of procedure."""
    return check_agreement(
        user,
        agreement_id,
        "rules_agreement_id",
        kind=AgreementKind.RULES_OF_PROCEDURE,
        current_id=current_id,
    )


def rules_agreement_choices(user: User, current: Agreement | None = None) -> list[tuple[int, str]]:
    """The agreements a body may name as its rules of procedure (kind rules of procedure)."""
    return agreement_choices(user, AgreementKind.RULES_OF_PROCEDURE, current=current)


def check_entry_agreement(user: User, agreement_id, current_id: int | None = None) -> int | None:
    """The agreement a catalogue entry names as authorising it: any visible agreement."""
    return check_agreement(user, agreement_id, "agreement_id", current_id=current_id)


def apply_agreement_links(user: User, version: AgreementVersion, data: dict) -> None:
    """The body the agreement sets up and the catalogue entries it covers, checked against what
    the user may see."""
    if "body_id" in data:
        body = check_body(user, data["body_id"])
        version.body_id = body.id if body else None
    if "entry_ids" in data:
        version.catalogue_entries = check_entries(
            user, data["entry_ids"], version if version.id else None
        )


def agreement_by_number(user: User, number: str) -> Agreement | None:
    """The agreement with this number if the user may see it (import of catalogue rows)."""
    number = normalise_identifier(number)  # a non-breaking hyphen still finds KV-2022-001
    if not number:
        return None
    agreement = db.session.scalar(
        sa.select(Agreement).where(sa.func.upper(Agreement.number) == number.upper())
    )
    if agreement is None or not can(user, "agreement.view", agreement):
        return None
    return agreement


def agreements_setting_up(user: User, body: Body) -> list[Agreement]:
    """The agreements (visible to the user) with a version that sets up this body."""
    setting_up = sa.select(AgreementVersion.agreement_id).where(AgreementVersion.body_id == body.id)
    return list(
        db.session.scalars(
            sa.select(Agreement)
            .where(Agreement.id.in_(setting_up), agreement_services.visible_filter(user))
            .order_by(Agreement.number)
        )
    )


def bodies_with_rules(agreement: Agreement) -> list[Body]:
    """The bodies whose rules of procedure this agreement is (bodies are visible to all)."""
    return list(
        db.session.scalars(
            sa.select(Body).where(Body.rules_agreement_id == agreement.id).order_by(Body.name)
        )
    )


def visible_agreement(user: User, agreement: Agreement | None) -> Agreement | None:
    """The agreement if the user may see it, else None (a link must not reveal it)."""
    return agreement if agreement is not None and can(user, "agreement.view", agreement) else None


# ---------------------------------------------------------------- catalogue entries


def _choosable_filter(user: User) -> sa.ColumnElement[bool]:
    """Approved entries, and the entries of the user's own organisation (its drafts too)."""
    condition = CatalogueEntry.status == EntryStatus.APPROVED
    own = proposing_for(user)
    if own:
        condition = sa.or_(
            condition,
            sa.and_(
                CatalogueEntry.provider_id.in_(own), CatalogueEntry.status != EntryStatus.RETIRED
            ),
        )
    return condition


def _entry_rows(condition) -> list[tuple[int, str]]:
    shown = sa.func.coalesce(CatalogueEntry.approved_number, CatalogueEntry.latest_number)
    rows = db.session.execute(
        sa.select(CatalogueEntry.id, CatalogueEntry.identifier, CatalogueVersion.title)
        .join(
            CatalogueVersion,
            sa.and_(
                CatalogueVersion.entry_id == CatalogueEntry.id, CatalogueVersion.number == shown
            ),
        )
        .where(condition)
        .order_by(CatalogueEntry.identifier)
    )
    return [(row.id, f"{row.identifier} – {row.title}") for row in rows]


def entry_choices(user: User, version: AgreementVersion | None = None) -> list[tuple[int, str]]:
    """Entries a drafter can list in an agreement, plus visible ones already linked."""
    condition = _choosable_filter(user)
    if version is not None:
        linked = [e.id for e in version.catalogue_entries if can(user, "catalogue.view", e)]
        if linked:
            condition = sa.or_(condition, CatalogueEntry.id.in_(linked))
    return _entry_rows(condition)


def check_entries(
    user: User, entry_ids: Iterable, version: AgreementVersion | None = None
) -> list[CatalogueEntry]:
    """The entries to link; any id the user may not choose is a field error. Linked entries the
    user cannot see stay linked (they do not appear in the form, so they cannot be removed)."""
    wanted = sorted({int(i) for i in entry_ids or [] if i})
    allowed = {row[0] for row in entry_choices(user, version)} if wanted else set()
    refused = [i for i in wanted if i not in allowed]
    if refused:
        raise ValidationError(gettext("Unknown catalogue entry."), field="entry_ids")
    entries = list(
        db.session.scalars(sa.select(CatalogueEntry).where(CatalogueEntry.id.in_(wanted)))
    )
    if version is not None:
        hidden = [e for e in version.catalogue_entries if not can(user, "catalogue.view", e)]
        entries += [e for e in hidden if e.id not in wanted]
    return sorted(entries, key=lambda e: e.identifier)


def shown_entries(
    user: User, entries: Iterable[CatalogueEntry]
) -> list[tuple[CatalogueEntry, CatalogueVersion]]:
    """(entry, the version the user sees) for the linked entries the user may see."""
    shown = []
    for entry in entries:
        if can(user, "catalogue.view", entry):
            version = catalogue_services.visible_version(user, entry)
            if version is not None:
                shown.append((entry, version))
    return shown


def entries_naming(user: User, agreement: Agreement) -> list[CatalogueVersion]:
    """Catalogue entries whose version shown to the user names this agreement."""
    query = catalogue_services.version_query(user).where(
        CatalogueVersion.agreement_id == agreement.id
    )
    return list(db.session.scalars(query).unique())


def entry_rows_naming(user: User, agreement: Agreement) -> list[sa.Row]:
    """The catalogue entries whose version shown to the user names this agreement, as rows
    (entry_id, identifier, status, title): the catalogue's own list query (its visibility rule),
    reduced to the columns the agreement page shows."""
    query = (
        catalogue_services.version_query(user)
        .where(CatalogueVersion.agreement_id == agreement.id)
        .with_only_columns(
            CatalogueEntry.id.label("entry_id"),
            CatalogueEntry.identifier,
            CatalogueEntry.status,
            CatalogueVersion.title,
        )
    )
    return list(db.session.execute(query).all())


def document_version(entry: CatalogueEntry) -> CatalogueVersion:
    """The version an agreement document lists: the approved one, else the latest."""
    return entry.approved_version or entry.latest_version


def document_entries(
    user: User | None, entries: Iterable[CatalogueEntry]
) -> list[tuple[CatalogueEntry, CatalogueVersion]]:
    """(entry, version to print) for the linked entries an agreement document lists for `user`:
    the catalogue's visibility rule decides, as on the page. Those who see the entry's work in
    progress get the approved version, else the latest; others only an approved version. With
    `user` None (the signed document every party and reader gets) only approved versions."""
    shown = []
    for entry in entries:
        version: CatalogueVersion | None
        if user is not None and can(user, "catalogue.view_drafts", entry):
            version = document_version(entry)
        elif user is None or can(user, "catalogue.view", entry):
            version = entry.approved_version
        else:
            version = None
        if version is not None:
            shown.append((entry, version))
    return shown


def load_entry_versions(entries: list[CatalogueEntry]) -> None:
    """Load the versions of linked entries in one query (DOCX rendering, comparison)."""
    ids = [e.id for e in entries]
    if ids:
        db.session.scalars(
            sa.select(CatalogueEntry)
            .where(CatalogueEntry.id.in_(ids))
            .options(joinedload(CatalogueEntry.versions))
        ).unique().all()
