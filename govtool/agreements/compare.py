"""What changed between two versions: field by field, duties per party, clause text word by word."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ..core.formatting import format_date
from .models import AgreementVersion

COMPARED_FIELDS = (
    ("title", _l("Title"), False),
    ("preamble", _l("Preamble"), True),
    ("subject", _l("Subject"), True),
    ("objectives", _l("Objectives"), True),
    ("start_date", _l("Start of term"), False),
    ("end_date", _l("End of term"), False),
    ("notice_period_months", _l("Notice period (months)"), False),
    ("renewal", _l("Renewal"), False),
    ("place", _l("Place of signing"), False),
    ("extra_clauses", _l("Extra clauses"), True),
    ("body", _l("Body it sets up"), False),
)


@dataclass
class WordChange:
    op: str  # "equal", "insert", "delete"
    text: str


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    words: list[WordChange] = field(default_factory=list)


@dataclass
class PartyChange:
    organisation: str
    status: str  # "added", "removed", "changed"
    details: list[FieldChange] = field(default_factory=list)
    duties_added: list[str] = field(default_factory=list)
    duties_removed: list[str] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "label"):
        return str(value.label)
    if hasattr(value, "strftime"):
        return format_date(value)
    return str(value)


def word_diff(old: str, new: str) -> list[WordChange]:
    """A word-level diff (whitespace kept with the words)."""
    a, b = re.findall(r"\S+\s*", old or ""), re.findall(r"\S+\s*", new or "")
    out: list[WordChange] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(WordChange("equal", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(WordChange("delete", "".join(a[i1:i2])))
            if j2 > j1:
                out.append(WordChange("insert", "".join(b[j1:j2])))
    return out


def compare_versions(old: AgreementVersion, new: AgreementVersion):
    """(field changes, party changes) from `old` to `new`."""
    fields = []
    for name, label, is_text in COMPARED_FIELDS:
        before, after = _text(getattr(old, name)), _text(getattr(new, name))
        if before != after:
            change = FieldChange(str(label), before, after)
            if is_text:
                change.words = word_diff(before, after)
            fields.append(change)
    if old.template_id != new.template_id:
        fields.append(FieldChange(str(_l("Template")), str(old.template), str(new.template)))
    parties = []
    old_parties = {p.organisation_id: p for p in old.parties}
    new_parties = {p.organisation_id: p for p in new.parties}
    for org_id, party in new_parties.items():
        if org_id not in old_parties:
            parties.append(
                PartyChange(
                    party.organisation.name, "added", duties_added=[d.text for d in party.duties]
                )
            )
            continue
        old_party = old_parties[org_id]
        party_change = PartyChange(party.organisation.name, "changed")
        for name, label in (
            ("role", _l("Role")),
            ("signatory_name", _l("Signatory")),
            ("signatory_function", _l("Signatory's function")),
            ("contact_person", _l("Contact person")),
        ):
            a, b = _text(getattr(old_party, name)), _text(getattr(party, name))
            if a != b:
                party_change.details.append(FieldChange(str(label), a, b))
        old_duties = [d.text for d in old_party.duties]
        new_duties = [d.text for d in party.duties]
        matcher = difflib.SequenceMatcher(None, old_duties, new_duties, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op != "equal":
                party_change.duties_removed += old_duties[i1:i2]
                party_change.duties_added += new_duties[j1:j2]
        if party_change.details or party_change.duties_added or party_change.duties_removed:
            parties.append(party_change)
    for org_id, party in old_parties.items():
        if org_id not in new_parties:
            parties.append(
                PartyChange(
                    party.organisation.name,
                    "removed",
                    duties_removed=[d.text for d in party.duties],
                )
            )
    return fields, parties


def compare_entries(old: AgreementVersion, new: AgreementVersion):
    """(added, removed) catalogue entries from `old` to `new`, by identifier."""
    before = {e.id: e for e in old.catalogue_entries}
    after = {e.id: e for e in new.catalogue_entries}
    added = [e for i, e in after.items() if i not in before]
    removed = [e for i, e in before.items() if i not in after]
    return (
        sorted(added, key=lambda e: e.identifier),
        sorted(removed, key=lambda e: e.identifier),
    )
