"""Data subjects' rights for people in the directory: access (Art. 15 GDPR) and erasure (Art. 17).

The access export finds its rows generically from db.metadata (every table with a foreign key to
people.id or users.id), so tables that later areas add are covered without changes here.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import force_locale, gettext

from ..core.audit import MASKED, AuditEntry, record_entry, redact_audit_entries
from ..core.errors import Conflict, ValidationError
from ..core.models import utcnow
from ..core.permissions import ensure
from ..extensions import Model, db

if TYPE_CHECKING:
    from ..auth.models import User
from .models import Organisation, Person

EXPORT_FORMAT = "govtool-gdpr-access/1"
# The person's own data that the erasure clears (and redacts in the audit log).
PERSONAL_FIELDS = ("title", "first_name", "last_name", "function", "email", "phone")
# Linked users' fields that the audit log holds as personal data.
USER_PERSONAL_FIELDS = ("email",)


def linked_users(person: Person) -> list:
    """The user accounts linked to `person`, oldest first."""
    from ..auth.models import User

    return list(
        db.session.scalars(sa.select(User).where(User.person_id == person.id).order_by(User.id))
    )


# --- Art. 15: access -------------------------------------------------------------------------


def _export_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_export_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _export_value(v) for k, v in value.items()}
    return str(value)


def _select(table: sa.Table) -> sa.Select:
    """All columns of `table`, binary ones as their length: files are named, not exported."""
    return sa.select(
        *(
            sa.func.length(column).label(column.name)
            if isinstance(column.type, sa.LargeBinary)
            else column
            for column in table.columns
        )
    )


def _secret_columns() -> dict[str, set[str]]:
    """Per table, the columns the audit log masks (password hashes, response tokens): secrets
    of the system, not data about the person, so the export leaves them out too."""
    secrets: dict[str, set[str]] = {}
    for mapper in Model.registry.mappers:
        masked = set(getattr(mapper.class_, "__audit_mask__", ()))
        for table in mapper.tables:
            secrets.setdefault(table.name, set()).update(masked)
    return secrets


def _row(table: sa.Table, row: sa.Row, secrets: set[str]) -> dict[str, Any]:
    values = row._mapping
    result = {}
    for column in table.columns:
        if column.name in secrets:
            continue
        value = values[column.name]
        if isinstance(column.type, sa.LargeBinary):
            result[column.name] = {"omitted": "binary", "size": value}
        else:
            result[column.name] = _export_value(value)
    return result


def _referencing_tables(targets: set[str]) -> list[tuple[sa.Table, list[tuple[sa.Column, str]]]]:
    """Tables with a foreign key to the id of one of `targets`, with those columns."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [
            (fk.parent, fk.column.table.name)
            for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name)
            if fk.column.table.name in targets and fk.column.name == "id"
        ]
        if columns:
            found.append((table, columns))
    return found


AUDIT_ACTIVITY_FIELDS = ("id", "created_at", "action", "object_type", "object_id")


def _audit_row(table: sa.Table, row: sa.Row) -> dict[str, Any]:
    """An audit entry without the changes the log masked (a password hash changed: no data)."""
    entry = _row(table, row, set())
    entry["changes"] = {
        key: change
        for key, change in (entry["changes"] or {}).items()
        if not (isinstance(change, dict) and all(v in (MASKED, None) for v in change.values()))
    }
    return entry


def export_person_data(user: User, person: Person) -> dict[str, Any]:
    """Everything govtool holds about `person`: the person row, linked user accounts, every row
    that refers to them, grouped by table, and the audit entries about them (Art. 15 GDPR)."""
    ensure(user, "person.export", person)
    secrets = _secret_columns()
    people = db.metadata.tables["people"]
    users = db.metadata.tables["users"]
    person_row = db.session.execute(_select(people).where(people.c.id == person.id)).one()
    user_rows = db.session.execute(
        _select(users).where(users.c.person_id == person.id).order_by(users.c.id)
    ).all()
    user_ids = [row.id for row in user_rows]
    ids = {"people": [person.id], "users": user_ids}

    audit = AuditEntry.__table__
    tables: dict[str, list[dict[str, Any]]] = {}
    for table, columns in _referencing_tables({"people", "users"}):
        if table.name == "users":
            continue  # listed as "users" above
        conditions = [column.in_(ids[target]) for column, target in columns if ids[target]]
        if not conditions:
            continue
        order = list(table.primary_key.columns) or list(table.columns)[:1]
        rows = db.session.execute(_select(table).where(sa.or_(*conditions)).order_by(*order))
        if table is audit:
            # Changes the user made: when and to what, not the content, which is mostly other
            # people's data (Art. 15(4) GDPR). Entries about the person follow in full below.
            found = [
                {key: _row(table, row, set())[key] for key in AUDIT_ACTIVITY_FIELDS} for row in rows
            ]
        else:
            found = [_row(table, row, secrets.get(table.name, set())) for row in rows]
        if found:
            tables[table.name] = found

    about = [sa.and_(audit.c.object_type == "Person", audit.c.object_id == str(person.id))]
    if user_ids:
        about.append(
            sa.and_(audit.c.object_type == "User", audit.c.object_id.in_(map(str, user_ids)))
        )
        about += [
            sa.and_(audit.c.object_type == "UserRole", audit.c.object_id.startswith(f"{uid},"))
            for uid in user_ids
        ]
    audit_rows = db.session.execute(_select(audit).where(sa.or_(*about)).order_by(audit.c.id))
    return {
        "format": EXPORT_FORMAT,
        "legal_basis": "Art. 15 GDPR",
        "generated_at": utcnow().isoformat(),
        "person": _row(people, person_row, secrets.get("people", set())),
        "users": [_row(users, row, secrets.get("users", set())) for row in user_rows],
        "tables": tables,
        "audit_entries_about_person": [_audit_row(audit, row) for row in audit_rows],
    }


# --- Art. 17: erasure ------------------------------------------------------------------------


def _default_locale() -> str:
    if has_app_context():
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "de")
    return "de"


def erase_person(user: User, person: Person, reason: str) -> Person:
    """Erase the personal data of `person` (Art. 17 GDPR) and of the user accounts linked to it.

    Cleared: name, title, function, email and phone (the person then reads "Erased person 123";
    the last name holds that placeholder in the default language for pages that read columns);
    linked users are deactivated, get an undeliverable address and an unusable password and lose
    their roles; the person stops being an organisation's designated contact; meeting invitee
    rows lose name and email; the audit log's entries about them and every former name or email in
    it read "[gelöscht]". One new audit entry records who erased, when and why.

    Kept on purpose: minutes, decisions, signed agreement documents and the signatory names in
    them are official records (Art. 17(3)(b) and (e) GDPR, archival duties); memberships, action
    items and agreement contacts stay as historical facts and show the placeholder.
    """
    from ..auth.sessions import revoke_sessions
    from ..bodies.minutes_models import Participant

    ensure(user, "person.erase", person)
    if person.is_erased:
        raise Conflict(gettext("The data of this person has already been erased."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("Please give a reason for the erasure."), field="reason")
    linked = linked_users(person)
    if any(account.id == getattr(user, "id", None) for account in linked):
        raise Conflict(gettext("You cannot erase your own data."))

    former = {
        person.full_name,
        f"{person.first_name} {person.last_name}",
        f"{person.last_name}, {person.first_name}",
        person.email,
        *(account.email for account in linked),
    }
    for field in PERSONAL_FIELDS:
        setattr(person, field, "")
    person.erased_at = utcnow()
    person.is_active = False
    # Stored text, in the default language: pages that list people from plain rows (names as
    # columns, no Person object) then show the placeholder as well, not an empty name.
    with force_locale(_default_locale()):
        placeholder = person.full_name
    person.last_name = placeholder
    for account in linked:
        account.email = f"geloescht-{account.id}@invalid"
        account.password_hash = ""  # check_password() refuses an empty hash
        account.is_active_flag = False
        account.set_roles(set())
        revoke_sessions(account)
    for organisation in db.session.scalars(
        sa.select(Organisation).where(Organisation.contact_person_id == person.id)
    ):
        organisation.contact_person_id = None
    # Invitee rows copy name and email from the person.
    for participant in db.session.scalars(
        sa.select(Participant).where(Participant.person_id == person.id)
    ):
        participant.name = placeholder
        participant.email = ""
    db.session.flush()  # writes the audit entries of the changes above (with the old values)

    connection = db.session.connection()
    record_entry(
        connection,
        getattr(user, "id", None),
        "erase",
        "Person",
        str(person.id),
        "Art. 17 DSGVO",
        {
            "erased_at": {"old": None, "new": person.erased_at},
            "reason": {"old": None, "new": reason},
            "users": {"old": None, "new": [account.id for account in linked]},
        },
    )
    # Redact after recording, so that a former name typed into the reason is caught as well.
    redact_audit_entries(
        connection,
        objects=[("Person", str(person.id)), *(("User", str(a.id)) for a in linked)],
        fields=(*PERSONAL_FIELDS, *USER_PERSONAL_FIELDS),
        values=former,
    )
    return person
