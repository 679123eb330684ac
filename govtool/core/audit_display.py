"""The audit log as people read it: object types and fields by the names the pages use, values as
the pages show them (labels instead of codes, German dates), and people, users and organisations
by name instead of id (the erased placeholder for an erased person).

The log stores what the database held (class names, column names, codes, ids); everything here is
presentation, in the reader's language, so the stored entries never change with a translation.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect

from ..extensions import Model, db
from .audit import MASKED, REDACTED
from .formatting import format_date, format_datetime

# The stored action words ("erase": Art. 17 GDPR erasure; "backup"/"restore": core.backup).
ACTION_LABELS = {
    "insert": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "erase": _l("Erased (Art. 17 GDPR)"),
    "resend": _l("Sent again"),
    "backup": _l("Backup written"),
    "restore": _l("Restored from a backup"),
}

# The models by the names the pages give them (class name -> label).
OBJECT_TYPE_LABELS = {
    "ActionItem": _l("Action item"),
    "AgendaItem": _l("Agenda item"),
    "Agreement": _l("Agreement"),
    "AgreementAttachment": _l("Agreement attachment"),
    "AgreementComment": _l("Agreement comment"),
    "AgreementParty": _l("Agreement party"),
    "AgreementSignature": _l("Signature"),
    "AgreementTemplate": _l("Agreement template"),
    "AgreementVersion": _l("Agreement version"),
    "Backup": _l("Backup"),
    "Body": _l("Committee"),
    "CatalogueComment": _l("Catalogue comment"),
    "CatalogueDataItem": _l("Catalogue data item"),
    "CatalogueEntry": _l("Catalogue entry"),
    "CatalogueVersion": _l("Catalogue entry version"),
    "Decision": _l("Decision"),
    "Meeting": _l("Meeting"),
    "Membership": _l("Membership"),
    "MinutesAmendment": _l("Minutes correction"),
    "MinutesApproval": _l("Minutes approval"),
    "MinutesComment": _l("Minutes comment"),
    "Organisation": _l("Organisation"),
    "OutboxMessage": _l("Mail"),
    "Paper": _l("Paper"),
    "Participant": _l("Meeting participant"),
    "PartyDuty": _l("Duty of a party"),
    "Person": _l("Person"),
    "Region": _l("Region"),
    "StoredFile": _l("File"),
    "User": _l("User account"),
    "UserRole": _l("Role of a user account"),
}

# Field labels the forms do not give (bookkeeping columns, links set by the app).
FIELD_LABELS = {
    "id": _l("ID"),
    # a backup or restore (core.backup)
    "archive": _l("Archive file"),
    "backup_of": _l("Backup of"),
    "database_rows": _l("Rows"),
    "files": _l("Files"),
    "revision": _l("Database revision"),
    "created_at": _l("Created at"),
    "updated_at": _l("Changed at"),
    "status": _l("Status"),
    "number": _l("Number"),
    "position": _l("Position"),
    "user_id": _l("User account"),
    "person_id": _l("Person"),
    "organisation_id": _l("Organisation"),
    "owner_organisation_id": _l("Lead organisation"),
    "provider_id": _l("Providing organisation"),
    "created_by_id": _l("Created by"),
    "author_id": _l("Author"),
    "uploaded_by_id": _l("Uploaded by"),
    "submitted_by_id": _l("Submitted by"),
    "submitted_at": _l("Submitted at"),
    "decided_by_id": _l("Decided by"),
    "decided_at": _l("Decided at"),
    "reviewer_id": _l("Reviewer"),
    "approved_by_id": _l("Approved by"),
    "minutes_approved_by_id": _l("Minutes approved by"),
    "minutes_approved_at": _l("Minutes approved at"),
    "withdrawn_by_id": _l("Withdrawn by"),
    "withdrawn_at": _l("Withdrawn at"),
    "signed_at": _l("Signed at"),
    "meeting_id": _l("Meeting"),
    "body_id": _l("Committee"),
    "agreement_id": _l("Agreement"),
    "version_id": _l("Version"),
    "entry_id": _l("Catalogue entry"),
    "agenda_item_id": _l("Agenda item"),
    "template_id": _l("Template"),
    "party_id": _l("Party"),
    "paper_id": _l("Paper"),
    "decision_id": _l("Decision"),
    "membership_id": _l("Membership"),
    "parent_id": _l("Parent"),
    "region_id": _l("Region"),
    "contact_person_id": _l("Contact person"),
    "signatory_person_id": _l("Signatory"),
    "deputy_of_id": _l("Deputy of"),
    "responsible_person_id": _l("Responsible person"),
    "responsible_organisation_id": _l("Responsible organisation"),
    "provider_contact_id": _l("Contact at the provider"),
    "recipient_contact_id": _l("Contact at the recipient"),
    "rules_agreement_id": _l("Rules of procedure (agreement)"),
    "erased_at": _l("Erased at"),
    "is_active": _l("Active"),
    "is_active_flag": _l("Active"),
    "password_hash": _l("Password"),
    "must_change_password": _l("Must change the password"),
    "locale": _l("Language"),
    "email": _l("Email"),
    "role": _l("Role"),
    "locked_until": _l("Locked until"),
    "filename": _l("File name"),
    "original_name": _l("File name"),
    "content_type": _l("File type"),
    "mime_type": _l("File type"),
    "size": _l("Size (bytes)"),
    "content": _l("File content"),
    "sha256": _l("Checksum (SHA-256)"),
    "document_sha256": _l("Checksum of the document"),
    "signed_document_sha256": _l("Checksum of the signed document"),
    "sent_sha256": _l("Checksum of the sent document"),
    "document": _l("Document"),
    "signed_document": _l("Signed document"),
    "sent_document": _l("Sent document"),
    "sent_at": _l("Sent at"),
    "frozen_at": _l("Frozen at"),
    "revised_at": _l("Revised at"),
    "signatures_requested_at": _l("Signatures requested at"),
    "invitation_sent_at": _l("Invitation sent at"),
    "minutes_circulated_at": _l("Minutes circulated at"),
    "comment_period_end": _l("End of the comment period"),
    "closed_at": _l("Closed at"),
    "ical_uid": _l("Calendar UID"),
    "ical_sequence": _l("Calendar sequence"),
    "calendar_token": _l("Calendar feed key"),
    "response_token": _l("Answer link key"),
    "latest_number": _l("Latest version"),
    "approved_number": _l("Approved version"),
    "identifier": _l("Identifier"),
    "signer_name": _l("Name of the signatory"),
    "signer_function": _l("Function of the signatory"),
    "signatory_name": _l("Name of the signatory"),
    "signatory_function": _l("Function of the signatory"),
    "capacity": _l("Signed as"),
    "withdrawal_reason": _l("Reason for the withdrawal"),
    "reason": _l("Reason"),
    "year": _l("Year"),
    "sequence": _l("Sequence number"),
    "reference": _l("Reference"),
    "approver_name": _l("Approved by (name)"),
    "approver_role": _l("Approved as"),
    "method": _l("Method"),
    "is_before_deadline": _l("Before the deadline"),
    "is_signed_copy": _l("Signed copy"),
    "is_personal": _l("Personal data"),
    "is_guest": _l("Guest"),
    "organisation_name": _l("Organisation (name)"),
    "minutes_version": _l("Minutes version"),
    "checklist": _l("Checklist"),
    "variables": _l("Template fields"),
    "version": _l("Version"),
    "code": _l("Code"),
    "state_code": _l("Federal state"),
    "review_reminder_sent_on": _l("Review reminder sent on"),
}

# The form whose labels name a model's fields (beyond "<Model>Form").
_MODEL_FORMS = {
    "AgreementVersion": ("AgreementForm", "StandardTextForm"),
    "AgreementTemplate": ("TemplateUploadForm", "StandardTextForm"),
    "CatalogueEntry": ("EntryForm",),
    "CatalogueVersion": ("EntryForm",),
    "Participant": ("GuestForm", "ResponseForm"),
    "MinutesComment": ("CommentForm",),
    "AgreementComment": ("CommentForm",),
    "MinutesAmendment": ("AmendmentForm",),
    "AgendaItem": ("AgendaItemForm", "ItemMinutesForm"),
}

# Tables whose ids the log shows as names, one query per page for all of them: users and people
# by the person's name (the placeholder once erased), the others by the column named here.
_LABEL_COLUMNS = {
    "organisations": "name",
    "agreements": "number",
    "agreement_templates": "name",
    "bodies": "name",
    "catalogue_entries": "identifier",
    "meetings": "title",
    "regions": "name",
}
_NAMED_TABLES = ("users", "people", *_LABEL_COLUMNS)


def _humanise(key: str) -> str:
    words = re.sub(r"_id$", "", key).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


@functools.cache
def _form_labels() -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Field labels of every form, per form class name and (first seen) per field name."""
    from wtforms.fields.core import UnboundField

    from .forms import FlaskForm

    per_form: dict[str, dict[str, Any]] = {}
    anywhere: dict[str, Any] = {}

    def walk(cls: type) -> Iterable[type]:
        sub: type
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    for form in sorted(set(walk(FlaskForm)), key=lambda c: (c.__module__, c.__name__)):
        labels = per_form.setdefault(form.__name__, {})
        for name, value in vars(form).items():
            if isinstance(value, UnboundField):
                label = value.args[0] if value.args else value.kwargs.get("label")
                if label:
                    labels.setdefault(name, label)
                    anywhere.setdefault(name, label)
    return per_form, anywhere


def object_type_label(object_type: str) -> str:
    label = OBJECT_TYPE_LABELS.get(object_type)
    return str(label) if label is not None else object_type


def field_label(object_type: str, key: str) -> str:
    """The field as the model's form labels it, else the log's own label, else in words."""
    per_form, anywhere = _form_labels()
    for form in (f"{object_type}Form", *_MODEL_FORMS.get(object_type, ())):
        label = per_form.get(form, {}).get(key)
        if label:
            return str(label)
    label = FIELD_LABELS.get(key) or anywhere.get(key)
    return str(label) if label else _humanise(key)


@dataclass(frozen=True, slots=True)
class _Column:
    kind: str  # "enum", "bool", "date", "datetime", "fk", "text"
    enum_cls: type[enum.Enum] | None = None
    target: str = ""  # the referenced table (kind "fk")


@functools.cache
def _model_classes() -> dict[str, Any]:
    return {mapper.class_.__name__: mapper.class_ for mapper in Model.registry.mappers}


@functools.cache
def _table_classes() -> dict[str, Any]:
    return {
        str(getattr(mapper.local_table, "name", "")): mapper.class_
        for mapper in Model.registry.mappers
    }


@functools.cache
def _columns(object_type: str) -> dict[str, _Column]:
    cls = _model_classes().get(object_type)
    if cls is None:
        return {}
    columns = {}
    for attr in inspect(cls).column_attrs:
        column = attr.columns[0]
        keys = list(column.foreign_keys)
        kind = _Column(kind="text")
        if keys:
            kind = _Column(kind="fk", target=str(getattr(keys[0].column.table, "name", "")))
        elif isinstance(column.type, sa.Enum) and column.type.enum_class is not None:
            kind = _Column(kind="enum", enum_cls=column.type.enum_class)
        elif isinstance(column.type, sa.Boolean):
            kind = _Column(kind="bool")
        elif isinstance(column.type, sa.Date):
            kind = _Column(kind="date")
        elif isinstance(column.type, sa.DateTime) or "DateTime" in type(column.type).__name__:
            kind = _Column(kind="datetime")
        columns[attr.key] = kind
    return columns


@dataclass
class Names:
    """Names of the users, people and organisations a page of entries mentions, by table and id."""

    by_table: dict[str, dict[int, str]] = field(default_factory=dict)

    def get(self, table: str, key: Any) -> str | None:
        try:
            return self.by_table.get(table, {}).get(int(key))
        except (TypeError, ValueError):
            return None


def person_name(title: str | None, first: str | None, last: str | None, erased_at, pid) -> str:
    if erased_at is not None:
        return gettext("Erased person %(id)s", id=pid)
    return " ".join(p for p in (title, first, last) if p)


def load_names(ids: Mapping[str, set[int]]) -> Names:
    """One query for every id in `ids` (table -> ids) of the tables the log names."""
    from ..auth.models import User
    from ..directory.models import Person

    wanted = {
        table: sorted(v for v in ids.get(table, ()) if v is not None) for table in _NAMED_TABLES
    }
    if not any(wanted.values()):
        return Names()
    linked = sa.orm.aliased(Person)
    query: sa.CompoundSelect = sa.union_all(
        sa.select(
            sa.literal("users").label("tbl"),
            User.id,
            User.email.label("text"),
            linked.title,
            linked.first_name,
            linked.last_name,
            linked.erased_at,
            linked.id.label("pid"),
        )
        .outerjoin(linked, linked.id == User.person_id)
        .where(User.id.in_(wanted["users"])),
        sa.select(
            sa.literal("people"),
            Person.id,
            sa.literal(""),
            Person.title,
            Person.first_name,
            Person.last_name,
            Person.erased_at,
            Person.id,
        ).where(Person.id.in_(wanted["people"])),
        *(
            sa.select(
                sa.literal(table),
                Model.metadata.tables[table].c.id,
                sa.cast(Model.metadata.tables[table].c[column], sa.String),
                sa.null(),
                sa.null(),
                sa.null(),
                sa.null(),
                sa.null(),
            ).where(Model.metadata.tables[table].c.id.in_(wanted[table]))
            for table, column in _LABEL_COLUMNS.items()
        ),
    )
    names = Names({table: {} for table in _NAMED_TABLES})
    for row in db.session.execute(query):
        if row.tbl in _LABEL_COLUMNS:
            label = row.text
        elif row.pid is not None:
            label = person_name(row.title, row.first_name, row.last_name, row.erased_at, row.pid)
        else:
            label = row.text
        names.by_table[row.tbl][int(row.id)] = label or f"#{row.id}"
    return names


def referenced_ids(rows: Iterable[Any]) -> dict[str, set[int]]:
    """The ids of named tables a page of entries mentions (actors included)."""
    ids: dict[str, set[int]] = {table: set() for table in _NAMED_TABLES}
    for row in rows:
        if row.user_id is not None:
            ids["users"].add(row.user_id)
        table = _OBJECT_TABLES.get(row.object_type)
        if table and str(row.object_id).isdigit():
            ids[table].add(int(row.object_id))
        if row.object_type == "UserRole":
            user_part = str(row.object_id).split(",")[0]
            if user_part.isdigit():
                ids["users"].add(int(user_part))
        columns = _columns(row.object_type)
        for key, change in (row.changes or {}).items() if isinstance(row.changes, dict) else ():
            column = columns.get(key)
            if column is None or column.kind != "fk" or column.target not in ids:
                continue
            for value in _sides(change):
                if isinstance(value, int) and not isinstance(value, bool):
                    ids[column.target].add(value)
    return ids


_OBJECT_TABLES = {"User": "users", "Person": "people", "Organisation": "organisations"}


def _sides(change: Any) -> tuple[Any, Any]:
    if isinstance(change, dict):
        return change.get("old"), change.get("new")
    if isinstance(change, list | tuple) and len(change) == 2:
        return change[0], change[1]
    return None, change


def show_value(object_type: str, key: str, value: Any, names: Names, locale: str) -> str:
    """One stored value as the pages show it."""
    if value is None or value == "":
        return "–"
    if value in (MASKED, REDACTED):
        return str(value)
    column = _columns(object_type).get(key)
    if column is None:
        return _plain(value)
    if column.kind == "fk":
        name = names.get(column.target, value)
        if name:
            return name
        target = _table_classes().get(column.target)
        type_label = object_type_label(target.__name__) if target is not None else ""
        return f"{type_label} #{value}".strip()
    if column.kind == "enum" and column.enum_cls is not None:
        try:
            member = column.enum_cls(value)
        except ValueError:
            return str(value)
        return str(getattr(member, "label", None) or member.value)
    if column.kind == "bool" and isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if column.kind in ("date", "datetime") and isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if column.kind == "date" or len(value) == 10:
            return format_date(moment.date(), locale)
        return format_datetime(moment, locale)
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return str(value)


@dataclass(frozen=True, slots=True)
class FieldChange:
    label: str
    old: str
    new: str


def field_changes(
    object_type: str, action: str, changes: Any, names: Names, locale: str
) -> list[FieldChange]:
    """The changed fields of one entry, labelled and shown as the pages show them."""
    if not isinstance(changes, dict):
        return []
    result = []
    for key, change in changes.items():
        if key == "id":  # shown with the object
            continue
        old, new = _sides(change)
        result.append(
            FieldChange(
                label=field_label(object_type, key),
                old="" if action == "insert" else show_value(object_type, key, old, names, locale),
                new=show_value(object_type, key, new, names, locale),
            )
        )
    return result


def object_name(row: Any, names: Names) -> str:
    """What the entry is about, in words: the name for users, people, organisations; the role's
    label and its user for a role; else the label stored with the entry."""
    table = _OBJECT_TABLES.get(row.object_type)
    if table:
        name = names.get(table, row.object_id)
        if name:
            return name
    if row.object_type == "UserRole":
        user_part, _, role = str(row.object_id).partition(",")
        from ..auth.models import Role

        try:
            role_label = Role(role).label
        except ValueError:
            role_label = role
        who = names.get("users", user_part) or f"#{user_part}"
        return f"{role_label} – {who}"
    return row.summary or f"#{row.object_id}"


def actor_name(row: Any, names: Names) -> str:
    if row.user_id is None:
        return gettext("system")
    return names.get("users", row.user_id) or f"#{row.user_id}"
