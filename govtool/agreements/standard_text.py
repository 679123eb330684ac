"""The standard text of an agreement template (preamble, subject, objectives, clauses, duties by
party role): what a new draft starts from, and what template administrators maintain.

The text is filled in on the server (a new draft's empty fields, or the new-agreement form when
asked to), so it works without JavaScript; agreement_form.js fills the form as soon as a template
is chosen. Only a new draft starts from it: an agreement keeps its own text, whatever the
template's standard text becomes later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..core.permissions import ensure
from ..extensions import db
from .models import AgreementTemplate, PartyRole

if TYPE_CHECKING:
    from ..auth.models import User

# version field -> template column
TEXT_FIELDS = {
    "preamble": "standard_preamble",
    "subject": "standard_subject",
    "objectives": "standard_objectives",
    "extra_clauses": "standard_clauses",
}


def _blank(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return not any((v or "").strip() for v in value)
    return not (value or "").strip()


def role_value(role: Any) -> str:
    return role.value if isinstance(role, PartyRole) else str(role or "")


def duties_for(template: AgreementTemplate, role: Any) -> list[str]:
    """The template's standard duties of a party in `role`, in order."""
    duties = (template.standard_duties or {}).get(role_value(role)) or []
    return [str(d) for d in duties if str(d).strip()]


def has_text(template: AgreementTemplate) -> bool:
    return any(getattr(template, column) for column in TEXT_FIELDS.values()) or any(
        (template.standard_duties or {}).values()
    )


def fill(template: AgreementTemplate, data: dict[str, Any]) -> dict[str, Any]:
    """A copy of a new draft's `data` whose empty fields (and the empty duties of each chosen
    party, by its role) hold the template's standard text; what was typed is kept."""
    filled = dict(data)
    for name, column in TEXT_FIELDS.items():
        if _blank(filled.get(name)) and getattr(template, column):
            filled[name] = getattr(template, column)
    parties = []
    for entry in data.get("parties") or []:
        entry = dict(entry)
        if entry.get("organisation_id") and _blank(entry.get("duties")):
            entry["duties"] = duties_for(template, entry.get("role"))
        parties.append(entry)
    if "parties" in data:
        filled["parties"] = parties
    return filled


def fill_form(form, template: AgreementTemplate | None) -> None:
    """The new-agreement form with the template's standard text in its empty fields (the
    "take over the standard text" button; the same as agreement_form.js does in the browser)."""
    if template is None:
        return
    for name, column in TEXT_FIELDS.items():
        if _blank(form[name].data) and getattr(template, column):
            form[name].data = getattr(template, column)
    for entry in form.parties:
        if entry.organisation_id.data and _blank(entry.duties.data):
            entry.duties.data = "\n".join(duties_for(template, entry.role.data))


def form_texts() -> dict[int, dict[str, Any]]:
    """The standard text of every active template, by id, for agreement_form.js."""
    templates = db.session.scalars(
        sa.select(AgreementTemplate).where(AgreementTemplate.is_active.is_(True))
    )
    return {
        t.id: {
            **{name: getattr(t, column) for name, column in TEXT_FIELDS.items()},
            "duties": {role: "\n".join(duties_for(t, role)) for role in (t.standard_duties or {})},
        }
        for t in templates
        if has_text(t)
    }


def carry_over(previous: AgreementTemplate | None, template: AgreementTemplate) -> None:
    """A new upload of a template keeps the standard text of its previous version."""
    if previous is None:
        return
    for column in TEXT_FIELDS.values():
        setattr(template, column, getattr(previous, column))
    template.standard_duties = dict(previous.standard_duties or {})


def set_text(template: AgreementTemplate, texts: dict[str, Any]) -> None:
    """Set the standard text from `texts` (version field names; "duties" by role value, each a
    list of lines or one text with a duty per line)."""
    for name, column in TEXT_FIELDS.items():
        if name in texts:
            setattr(template, column, (texts[name] or "").strip())
    if "duties" in texts:
        duties = {}
        for role in PartyRole:
            value = texts["duties"].get(role.value) or []
            lines = value.splitlines() if isinstance(value, str) else value
            cleaned = [line.strip() for line in lines if line and line.strip()]
            if cleaned:
                duties[role.value] = cleaned
        template.standard_duties = duties


def update(user: User, template: AgreementTemplate, texts: dict[str, Any]) -> None:
    """A template administrator changes the standard text (new drafts start from it; existing
    agreements keep theirs)."""
    ensure(user, "agreement_template.manage")
    set_text(template, texts)
    db.session.flush()
