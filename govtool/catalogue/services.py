"""Catalogue use cases: create and change entries (as versions), list, search, compare versions.

The review workflow (submit, decide, suspend) lives in workflow.py; exports in exchange.py, the
import in importing.py; the DCAT-AP.de export in dcat.py; the data-flow map in flowmap.py.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Hashable
from dataclasses import astuple, dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.elements import False_, True_

from ..core import numbering
from ..core.args import int_from
from ..core.bounds import MAX_LINE, MAX_TEXT, check_date, is_id
from ..core.errors import Conflict, ValidationError
from ..core.identifiers import clean_identifier, normalise_identifier
from ..core.links import links
from ..core.locking import claim
from ..core.permissions import ensure, filter_condition, filter_scope
from ..core.search import like_pattern
from ..directory.models import Organisation, Person
from ..extensions import db
from .models import (
    CatalogueDataItem,
    CatalogueEntry,
    CatalogueVersion,
    ControllerRelationship,
    EntryStatus,
    Frequency,
    LegalBasis,
    PersonalDataLevel,
    SpatialLevel,
    VersionStatus,
    version_recipients,
)

if TYPE_CHECKING:
    from ..auth.models import User


@dataclass(frozen=True)
class Field:
    """One content field of a version: its name, label and kind (for forms, diff, exports)."""

    name: str
    label: Any
    kind: str = "str"  # str, text, int, bool, date, enum, person, agreement
    enum: type | None = None


CONTENT_FIELDS: tuple[Field, ...] = (
    Field("title", _l("Title")),
    Field("description", _l("Description"), "text"),
    Field("provider_contact_id", _l("Contact person (provider)"), "person"),
    Field("recipient_contact_id", _l("Contact person (recipients)"), "person"),
    Field(
        "controller_relationship",
        _l("Controller relationship"),
        "enum",
        ControllerRelationship,
    ),
    Field("data_subjects", _l("Categories of data subjects"), "text"),
    Field("personal_data_level", _l("Personal-data level"), "enum", PersonalDataLevel),
    Field("small_number_threshold", _l("Small-number rule: suppress cells under"), "int"),
    Field("purpose", _l("Purpose"), "text"),
    Field("legal_basis", _l("Legal basis"), "enum", LegalBasis),
    Field("legal_norm", _l("Norm cited")),
    Field("dpia_required", _l("DPIA needed"), "bool"),
    Field("dpia_completed_on", _l("DPIA completed on"), "date"),
    Field("dpia_outcome", _l("DPIA outcome"), "text"),
    Field("spatial_coverage", _l("Spatial coverage")),
    Field("spatial_level", _l("Spatial level"), "enum", SpatialLevel),
    Field("period_start", _l("Period covered from"), "date"),
    Field("period_end", _l("Period covered to"), "date"),
    Field("frequency", _l("Frequency"), "enum", Frequency),
    Field("data_format", _l("Format")),
    Field("data_schema", _l("Schema")),
    Field("transfer_channel", _l("Transfer channel")),
    Field("retention_provider", _l("Retention and deletion (provider)"), "text"),
    Field("retention_recipient", _l("Retention and deletion (recipients)"), "text"),
    Field("security_measures", _l("Security measures"), "text"),
    Field("onward_recipients", _l("Onward recipients"), "text"),
    Field("agreement_id", _l("Authorising agreement"), "agreement"),
    Field("keywords", _l("Keywords")),
    Field("theme", _l("Theme (EU data theme)")),
)
FIELDS_BY_NAME = {f.name: f for f in CONTENT_FIELDS}
MAX_LENGTHS = {
    "title": 300,
    "legal_norm": 300,
    "spatial_coverage": 200,
    "data_format": 100,
    "data_schema": 300,
    "transfer_channel": 200,
    "keywords": 500,
    "theme": 10,
}


# ---------------------------------------------------------------- reading


def _shown_versions(user: User) -> Hashable:
    """Which version of an entry this user sees in lists: the scope of the catalogue.view_drafts
    filter (None: every entry's work in progress is visible; else the providers whose entries
    show it; empty or DENIED: the approved version everywhere)."""
    return filter_scope("catalogue.view_drafts", user)


def _shown_number(user: User):
    """SQL: which version of an entry this user sees in lists (see _shown_number_for)."""
    return _shown_number_for(_shown_versions(user))


# The number of the version a list shows to those who see the entry's work in progress: the
# version in force, else (never approved) the latest draft. A pending change is not in force; a
# list shows it as a marker beside the version in force, never its values (issue 12).
_IN_FORCE_OR_DRAFT = sa.func.coalesce(CatalogueEntry.approved_number, CatalogueEntry.latest_number)


def _shown_number_for(shown: Hashable):
    """The version in force (approved_number) of every entry; where catalogue.view_drafts holds,
    an entry never approved shows its latest version (else NULL: its row drops out of a list, as
    catalogue.view says)."""
    drafts = _drafts_visible_for(shown)
    if isinstance(drafts, True_):
        return _IN_FORCE_OR_DRAFT
    if isinstance(drafts, False_):
        return CatalogueEntry.approved_number
    return sa.case((drafts, _IN_FORCE_OR_DRAFT), else_=CatalogueEntry.approved_number)


def _drafts_visible_for(shown: Hashable):
    """catalogue.view_drafts as SQL for the visibility scope `shown` (a constant where it is)."""
    return filter_condition("catalogue.view_drafts", shown)


# What a list says beside the version in force while a change of it is open (issue 12: lists
# show the version in force, and mark the change instead of showing its values).
_PENDING = {
    VersionStatus.DRAFT: _l("Change in preparation (version %(n)d)"),
    VersionStatus.SUBMITTED: _l("Change in review (version %(n)d)"),
    VersionStatus.IN_REVIEW: _l("Change in review (version %(n)d)"),
    VersionStatus.CHANGES_REQUESTED: _l("Change returned (version %(n)d)"),
    VersionStatus.REJECTED: _l("Change rejected (version %(n)d)"),
}


def pending_marker(number: int, status: VersionStatus | str) -> str:
    """The marker of an open change (version `number` in `status`) beside the version in force."""
    label = _PENDING.get(VersionStatus(status))
    return str(label) % {"n": number} if label is not None else ""


def pending_change(entry: CatalogueEntry) -> CatalogueVersion | None:
    """The open change of an entry in force. Every reader of the entry may know that a change
    is open and where it stands (the marker); its content is work in progress, shown only as
    catalogue.view_drafts allows."""
    return entry.latest_version if entry.has_pending_change else None


@dataclass
class ListFilters:
    search: str = ""
    provider_id: int | None = None
    recipient_id: int | None = None
    provider_name: str = ""
    recipient_name: str = ""
    status: str = ""
    level: str = ""
    legal_basis: str = ""
    frequency: str = ""

    @classmethod
    def from_args(cls, args) -> ListFilters:
        return cls(
            search=(args.get("q") or "").strip()[:200],
            provider_id=int_from(args, "provider"),
            recipient_id=int_from(args, "recipient"),
            provider_name=(args.get("provider_name") or "").strip()[:200],
            recipient_name=(args.get("recipient_name") or "").strip()[:200],
            status=args.get("status", "") or "",
            level=args.get("level", "") or "",
            legal_basis=args.get("legal_basis", "") or "",
            frequency=args.get("frequency", "") or "",
        )

    def as_args(self) -> dict[str, Any]:
        args = {
            "q": self.search,
            "provider": self.provider_id,
            "recipient": self.recipient_id,
            "provider_name": self.provider_name,
            "recipient_name": self.recipient_name,
            "status": self.status,
            "level": self.level,
            "legal_basis": self.legal_basis,
            "frequency": self.frequency,
        }
        return {k: v for k, v in args.items() if v}


def _enum_or_none(enum_cls, value: str):
    try:
        return enum_cls(value) if value else None
    except ValueError:
        return None  # an unknown value from the URL filters nothing


def version_query(user: User, filters: ListFilters | None = None) -> sa.Select:
    """The versions the user sees in the list (one per entry), filtered, eagerly loaded."""
    query = (
        sa.select(CatalogueVersion)
        .join(CatalogueEntry, CatalogueEntry.id == CatalogueVersion.entry_id)
        .where(CatalogueVersion.number == _shown_number(user))
        .options(
            joinedload(CatalogueVersion.entry).joinedload(CatalogueEntry.provider),
            joinedload(CatalogueVersion.entry).selectinload(CatalogueEntry.versions),
            selectinload(CatalogueVersion.recipients),
        )
    )
    return _filtered(query, filters or ListFilters())


# the entry's latest version, beside the version a list row shows (aliased once, not per request)
# (a Core alias: columns of an ORM aliased() were adapted again on every use)
_LATEST = CatalogueVersion.__table__.alias("latest_version")


# Separators of the recipients' aggregate (name, short name; pairs): control characters that
# organisation names do not contain
UNIT, RECORD = "\x1f", "\x1e"


def list_page_query(user: User, filters: ListFilters) -> tuple[sa.Select, sa.Select]:
    """One page of the list as version_query filters it, as plain rows of the columns the page
    shows, in one query: provider and latest version's status joined (the marker of an open
    change), the recipients aggregated as "name UNIT short name" pairs separated by RECORD
    (unordered: recipient_short_names sorts them), and the total counted up to :cap rows as a
    column. Parameters: limit, offset, cap.
    Statuses, level and frequency come as stored strings, not enum members.

    Also returns the select of the filtered ids, for a count when the page has no rows."""
    return _list_page_query(_shown_versions(user), astuple(filters))


def recipient_short_names(aggregate: str | None) -> list[str]:
    """The short names from a row of list_page_query, in the order of the organisations' names."""
    if not aggregate:
        return []
    pairs = sorted(pair.split(UNIT, 1) for pair in aggregate.split(RECORD))
    return [short for _, short in pairs]


@functools.lru_cache(maxsize=256)
def _list_page_query(shown: Hashable, filter_values: tuple) -> tuple:
    # Built once per (visibility, filters): selects are immutable, and building this one took as
    # long as running it. The key holds everything the statement depends on.
    filters = ListFilters(*filter_values)
    latest = _LATEST
    organisations = Organisation.__table__
    shown_number = CatalogueVersion.number == _shown_number_for(shown)

    def stored(column):
        return sa.type_coerce(column, sa.String)

    counted = _filtered(
        sa.select(CatalogueVersion.id)
        .join(CatalogueEntry, CatalogueEntry.id == CatalogueVersion.entry_id)
        .where(shown_number),
        filters,
    ).order_by(None)
    total = (
        sa.select(sa.func.count())
        .select_from(counted.limit(sa.bindparam("cap")).subquery())
        .scalar_subquery()
    )
    recipients = (
        sa.select(
            sa.func.aggregate_strings(
                organisations.c.name + UNIT + organisations.c.short_name, RECORD
            )
        )
        .select_from(
            version_recipients.join(
                organisations, organisations.c.id == version_recipients.c.organisation_id
            )
        )
        .where(version_recipients.c.version_id == CatalogueVersion.id)
        .scalar_subquery()
    )
    query = (
        sa.select(
            CatalogueEntry.id,
            CatalogueEntry.identifier,
            stored(CatalogueEntry.status).label("status"),
            CatalogueEntry.latest_number,
            CatalogueEntry.approved_number,
            CatalogueVersion.title,
            stored(CatalogueVersion.personal_data_level).label("personal_data_level"),
            stored(CatalogueVersion.frequency).label("frequency"),
            Organisation.short_name.label("provider"),
            stored(latest.c.status).label("latest_status"),
            recipients.label("recipients"),
            total.label("total"),
        )
        .select_from(CatalogueVersion)
        .join(CatalogueEntry, CatalogueEntry.id == CatalogueVersion.entry_id)
        .join(Organisation, Organisation.id == CatalogueEntry.provider_id)
        .join(
            latest,
            sa.and_(
                latest.c.entry_id == CatalogueEntry.id,
                latest.c.number == CatalogueEntry.latest_number,
            ),
        )
        .where(shown_number)
    )
    query = _filtered(query, filters).limit(sa.bindparam("limit")).offset(sa.bindparam("offset"))
    return query, counted


def _filtered(query: sa.Select, filters: ListFilters) -> sa.Select:
    """The list's filters and order on a select that joins versions and their entries."""
    if filters.search:
        pattern = like_pattern(filters.search)
        query = query.where(
            sa.or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        CatalogueEntry.identifier,
                        CatalogueVersion.title,
                        CatalogueVersion.description,
                        CatalogueVersion.purpose,
                        CatalogueVersion.keywords,
                    )
                )
            )
        )
    if filters.provider_id:
        query = query.where(CatalogueEntry.provider_id == filters.provider_id)
    if filters.recipient_id:
        query = query.where(
            CatalogueVersion.recipients.any(Organisation.id == filters.recipient_id)
        )
    if filters.provider_name:
        query = query.where(
            CatalogueEntry.provider_id.in_(_organisations_named(filters.provider_name))
        )
    if filters.recipient_name:
        query = query.where(
            CatalogueVersion.recipients.any(
                Organisation.id.in_(_organisations_named(filters.recipient_name))
            )
        )
    for value, enum_cls, column in (
        (filters.status, EntryStatus, CatalogueEntry.status),
        (filters.level, PersonalDataLevel, CatalogueVersion.personal_data_level),
        (filters.legal_basis, LegalBasis, CatalogueVersion.legal_basis),
        (filters.frequency, Frequency, CatalogueVersion.frequency),
    ):
        if value:
            member = _enum_or_none(enum_cls, value)
            query = query.where(column == member) if member else query.where(sa.false())
    return query.order_by(CatalogueEntry.identifier)


def _organisations_named(term: str) -> sa.Select:
    """Ids of organisations whose name or short name contains `term` (a filter, not a select
    of every organisation)."""
    pattern = like_pattern(term)
    return sa.select(Organisation.id).where(
        sa.or_(
            Organisation.name.ilike(pattern, escape="\\"),
            Organisation.short_name.ilike(pattern, escape="\\"),
        )
    )


def list_versions(user: User, filters: ListFilters | None = None) -> list[CatalogueVersion]:
    """All versions of the filtered list (for exports), with their data items loaded."""
    query = version_query(user, filters).options(
        selectinload(CatalogueVersion.items),
        joinedload(CatalogueVersion.provider_contact),
        joinedload(CatalogueVersion.recipient_contact),
        joinedload(CatalogueVersion.agreement),
    )
    return list(db.session.scalars(query).unique())


def count_versions(user: User, filters: ListFilters | None = None) -> int:
    """How many rows an export of the filtered list has (to choose: now, or prepared by a job)."""
    ids = version_query(user, filters).with_only_columns(CatalogueVersion.id).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(ids)) or 0


def get_entry(entry_id: int) -> CatalogueEntry | None:
    """One entry with its versions, their recipients, items and comments, for the entry page."""
    return db.session.scalars(
        sa.select(CatalogueEntry)
        .where(CatalogueEntry.id == entry_id)
        .options(
            joinedload(CatalogueEntry.provider),
            selectinload(CatalogueEntry.versions).selectinload(CatalogueVersion.recipients),
            selectinload(CatalogueEntry.versions).selectinload(CatalogueVersion.items),
            selectinload(CatalogueEntry.versions).selectinload(CatalogueVersion.comments),
            selectinload(CatalogueEntry.versions).joinedload(CatalogueVersion.agreement),
            selectinload(CatalogueEntry.versions).joinedload(CatalogueVersion.decided_by),
        )
    ).first()


def visible_version(user: User, entry: CatalogueEntry) -> CatalogueVersion | None:
    """The version a user sees by default: the latest for the provider and reviewers."""
    from ..core.permissions import can

    if can(user, "catalogue.view_drafts", entry):
        return entry.latest_version
    return entry.approved_version


def visible_versions(user: User, entry: CatalogueEntry) -> list[CatalogueVersion]:
    from ..core.permissions import can

    if can(user, "catalogue.view_drafts", entry):
        return list(entry.versions)
    return [
        v for v in entry.versions if v.status in (VersionStatus.APPROVED, VersionStatus.SUPERSEDED)
    ]


def review_queue() -> list[CatalogueVersion]:
    """Versions waiting for a decision, oldest submission first."""
    return list(
        db.session.scalars(
            sa.select(CatalogueVersion)
            .where(CatalogueVersion.status.in_((VersionStatus.SUBMITTED, VersionStatus.IN_REVIEW)))
            .options(
                joinedload(CatalogueVersion.entry).joinedload(CatalogueEntry.provider),
                joinedload(CatalogueVersion.submitted_by),
                selectinload(CatalogueVersion.recipients),
            )
            .order_by(CatalogueVersion.submitted_at, CatalogueVersion.id)
        ).unique()
    )


# ---------------------------------------------------------------- writing


def _parse_date(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    elif not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            message = gettext("Please enter a date as YYYY-MM-DD.")
            raise ValidationError(message, field=field) from None
    return check_date(value, field)


def _parse_id(value, field: str, unknown: str) -> int | None:
    """A row id from a form or an import (0: none); a number no row can have is unknown, not an
    overflow in the query that looks it up."""
    if value in (None, "", 0):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(unknown, field=field) from None
    if not is_id(number):
        raise ValidationError(unknown, field=field)
    return number


def _parse_enum(enum_cls, value, field: str):
    if isinstance(value, enum_cls):
        return value
    try:
        return enum_cls(str(value).strip())
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise ValidationError(
            gettext("Unknown value %(value)s; allowed: %(allowed)s.", value=value, allowed=allowed),
            field=field,
        ) from None


def _parse_bool(value, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("", "0", "no", "nein", "false", "n"):
        return False
    if text in ("1", "yes", "ja", "true", "y", "j"):
        return True
    raise ValidationError(gettext("Please answer yes or no."), field=field)


def clean_content(data: dict[str, Any]) -> dict[str, Any]:
    """Type and check the content fields present in `data`; raises ValidationError per field."""
    values: dict[str, Any] = {}
    for field in CONTENT_FIELDS:
        if field.name not in data:
            continue
        raw = data[field.name]
        value: Any  # the field kind's Python type
        if field.kind in ("str", "text"):
            value = (raw or "").strip() if isinstance(raw, str) else str(raw or "")
            limit = MAX_LENGTHS.get(field.name) or (MAX_TEXT if field.kind == "text" else MAX_LINE)
            if limit and len(value) > limit:
                raise ValidationError(
                    gettext("At most %(n)d characters, please.", n=limit), field=field.name
                )
        elif field.kind == "int":
            if raw in (None, ""):
                value = None
            else:
                try:
                    value = int(raw)
                except (TypeError, ValueError):
                    raise ValidationError(
                        gettext("Please enter a whole number."), field=field.name
                    ) from None
                if value < 1 or value > 1000:
                    raise ValidationError(
                        gettext("Please enter a number from 1 to 1000."), field=field.name
                    )
        elif field.kind == "bool":
            value = _parse_bool(raw, field.name)
        elif field.kind == "date":
            value = _parse_date(raw, field.name)
        elif field.kind == "enum":
            value = _parse_enum(field.enum, raw, field.name)
        elif field.kind == "person":
            value = _parse_id(raw, field.name, gettext("Unknown person."))
            if value is not None and db.session.get(Person, value) is None:
                raise ValidationError(gettext("Unknown person."), field=field.name)
        elif field.kind == "agreement":
            value = _parse_id(raw, field.name, gettext("Unknown agreement."))
        values[field.name] = value
    if "title" in values and not values["title"]:
        raise ValidationError(gettext("Please enter a title."), field="title")
    start, end = values.get("period_start"), values.get("period_end")
    if start and end and end < start:
        raise ValidationError(
            gettext("The period cannot end before it starts."), field="period_end"
        )
    completed = values.get("dpia_completed_on")
    if completed is not None and completed > dt.date.today():
        raise ValidationError(
            gettext("A DPIA cannot be completed in the future."), field="dpia_completed_on"
        )
    if "theme" in values and not values["theme"]:
        values["theme"] = "EDUC"
    return values


def clean_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Data items in order; empty rows are dropped, a row without a name is an error."""
    cleaned = []
    for index, item in enumerate(items or [], start=1):
        name = (item.get("name") or "").strip()
        description = (item.get("description") or "").strip()
        unit = (item.get("unit") or "").strip()
        if not (name or description or unit):
            continue
        if not name:
            raise ValidationError(gettext("Data item %(n)d needs a name.", n=index), field="items")
        if len(name) > 200 or len(unit) > 200:
            raise ValidationError(
                gettext("Data item %(n)d: at most 200 characters, please.", n=index),
                field="items",
            )
        cleaned.append(
            {
                "name": name,
                "description": description,
                "unit": unit,
                "is_personal": _parse_bool(item.get("is_personal"), "items"),
            }
        )
    return cleaned


def _recipients(ids, provider_id: int | None) -> list[Organisation]:
    wanted = sorted({int(i) for i in ids or [] if i})
    if not wanted:
        return []
    found = db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(wanted))).all()
    if len(found) != len(wanted):
        raise ValidationError(gettext("Unknown receiving organisation."), field="recipient_ids")
    if provider_id in wanted:
        raise ValidationError(
            gettext("The provider cannot also be a recipient."), field="recipient_ids"
        )
    return list(found)


def next_identifier(year: int | None = None) -> str:
    """The next identifier of the form DX-2026-014 (core.numbering: no two alike)."""
    year = year or dt.date.today().year
    prefix = f"DX-{year}-"
    return numbering.next_with_prefix("catalogue", CatalogueEntry.identifier, prefix)


def _check_identifier(identifier: str) -> str:
    """A typed identifier, normalised and checked (core.identifiers) and free; else the next."""
    if not normalise_identifier(identifier):
        return next_identifier()
    identifier = clean_identifier(identifier, "identifier", 40, "DX-2025-003")
    clash = db.session.scalar(
        sa.select(CatalogueEntry.id).where(
            sa.func.lower(CatalogueEntry.identifier) == identifier.lower()
        )
    )
    if clash:
        raise ValidationError(
            gettext("The identifier %(identifier)s is already taken.", identifier=identifier),
            field="identifier",
        )
    return identifier


def check_identifier(identifier: str) -> str:
    """A typed identifier as create_entry would store it (normalised, well formed, not taken),
    else ValidationError(field="identifier"): the import checks every row before saving any."""
    return _check_identifier(identifier)


def _apply(
    version: CatalogueVersion, data: dict[str, Any], provider_id: int, user: User | None = None
) -> None:
    values = clean_content(data)
    if "agreement_id" in values and user is not None:
        values["agreement_id"] = links.check_entry_agreement(
            user, values["agreement_id"], current_id=version.agreement_id
        )
    for key, value in values.items():
        setattr(version, key, value)
    if "recipient_ids" in data:
        version.recipients = _recipients(data["recipient_ids"], provider_id)
    if "items" in data:
        version.items = [
            CatalogueDataItem(position=position, **item)
            for position, item in enumerate(clean_items(data["items"]), start=1)
        ]


def create_entry(user: User, data: dict[str, Any]) -> CatalogueEntry:
    """Propose a new entry: version 1 as a draft of the user's (or a chosen) provider."""
    provider_id = data.get("provider_id") or user.organisation_id
    provider = db.session.get(Organisation, int(provider_id)) if provider_id else None
    if provider is None:
        raise ValidationError(
            gettext("Please choose the providing organisation."), field="provider_id"
        )
    ensure(user, "catalogue.create", provider)
    entry = CatalogueEntry(
        identifier=_check_identifier(data.get("identifier", "")),
        provider=provider,
        status=EntryStatus.DRAFT,
        latest_number=1,
        created_by_id=getattr(user, "id", None),
    )
    version = CatalogueVersion(
        number=1, status=VersionStatus.DRAFT, created_by_id=getattr(user, "id", None)
    )
    entry.versions.append(version)
    _apply(version, data, provider.id, user)
    db.session.add(entry)
    db.session.flush()
    return entry


def copy_version(version: CatalogueVersion, number: int, user: User) -> CatalogueVersion:
    """A new draft with the content of `version` (the start of an amendment)."""
    copy = CatalogueVersion(
        number=number, status=VersionStatus.DRAFT, created_by_id=getattr(user, "id", None)
    )
    for field in CONTENT_FIELDS:
        setattr(copy, field.name, getattr(version, field.name))
    copy.recipients = list(version.recipients)
    copy.items = [
        CatalogueDataItem(
            position=item.position,
            name=item.name,
            description=item.description,
            unit=item.unit,
            is_personal=item.is_personal,
        )
        for item in version.items
    ]
    return copy


def working_version(user: User, entry: CatalogueEntry) -> CatalogueVersion:
    """The version a change goes into: the open draft, or a new one after an approved version."""
    ensure(user, "catalogue.edit", entry)
    latest = entry.latest_version
    if latest.is_editable:
        return latest
    if latest.status in (VersionStatus.SUBMITTED, VersionStatus.IN_REVIEW):
        raise Conflict(
            gettext("Version %(n)d is in review; wait for the decision.", n=latest.number)
        )
    number = numbering.draw(
        f"catalogue_version:{entry.id}", lambda: max(v.number for v in entry.versions)
    )
    new = copy_version(latest, number, user)
    entry.versions.append(new)
    entry.latest_number = new.number
    sync_status(entry)
    return new


def update_entry(
    user: User, entry: CatalogueEntry, data: dict[str, Any], expected_version: int | None = None
) -> CatalogueVersion:
    """Change an entry; an approved version stays frozen and in force, the change is a new one.
    Conflict when someone saved the entry since the form was loaded at `expected_version`."""
    ensure(user, "catalogue.edit", entry)
    claim(entry, expected_version)
    version = working_version(user, entry)
    _apply(version, data, entry.provider_id, user)
    db.session.flush()
    return version


def sync_status(entry: CatalogueEntry) -> None:
    """Derive the entry's status from its versions (suspension and retirement are kept)."""
    if entry.status in (EntryStatus.SUSPENDED, EntryStatus.RETIRED):
        return
    if entry.approved_number is not None:
        entry.status = EntryStatus.APPROVED
    else:
        entry.status = EntryStatus(entry.latest_version.status.value)


# ---------------------------------------------------------------- comparing


def display_value(version: CatalogueVersion, field: Field, user: User | None = None) -> str:
    """The field as shown; an agreement the `user` may not see is shown as empty."""
    value = getattr(version, field.name)
    if value is None or value == "":
        return ""
    if field.kind == "agreement":
        from ..core.permissions import can

        agreement = version.agreement
        if agreement is None or (user is not None and not can(user, "agreement.view", agreement)):
            return ""
        return f"{agreement.number} – {agreement.title}"
    if field.kind == "enum":
        return value.label
    if field.kind == "bool":
        return gettext("yes") if value else gettext("no")
    if field.kind == "date":
        return value.strftime("%d.%m.%Y")
    if field.kind == "person":
        person = getattr(version, field.name.removesuffix("_id"))
        return person.full_name if person else str(value)
    return str(value)


def snapshot(version: CatalogueVersion, user: User | None = None) -> dict[str, tuple[str, str]]:
    """Every field of a version as (label, shown text), recipients and data items included;
    with a `user`, links they may not see are left empty."""
    shown = {f.name: (str(f.label), display_value(version, f, user)) for f in CONTENT_FIELDS}
    shown["recipients"] = (
        gettext("Receiving organisations"),
        ", ".join(o.name for o in version.recipients),
    )
    personal = gettext("personal")
    shown["items"] = (
        gettext("Data items"),
        "\n".join(
            f"{i.position}. {i.name}"
            + (f" [{i.unit}]" if i.unit else "")
            + (f" ({personal})" if i.is_personal else "")
            + (f": {i.description}" if i.description else "")
            for i in version.items
        ),
    )
    return shown


def diff_versions(
    old: CatalogueVersion, new: CatalogueVersion, user: User | None = None
) -> list[tuple[str, str, str]]:
    """The fields that differ between two versions: (label, old text, new text)."""
    before, after = snapshot(old, user), snapshot(new, user)
    return [
        (label, before[key][1], text)
        for key, (label, text) in after.items()
        if before[key][1] != text
    ]
