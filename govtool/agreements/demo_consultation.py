"""Demo data: a Kooperationsvereinbarung in consultation ("In Abstimmung"). Version 1 was made
from the template's standard text and sent to the parties, Halle and the Burgenlandkreis
commented on it, and the ministry works their comments into version 2, still a draft: the
comments stay with version 1, whose text and DOCX stay as sent (idempotent)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ..auth.models import User
from ..directory.models import Organisation
from ..extensions import db
from .models import Agreement, PartyRole

TITLE = "Kooperation im kommunalen Bildungsmanagement – Verstetigung 2027–2029"
SUBJECT = (
    "Gegenstand dieser Vereinbarung ist die Verstetigung der im Modellvorhaben „Kooperation im "
    "kommunalen Bildungsmanagement“ (2022–2025) aufgebauten Zusammenarbeit von Land und "
    "Modellkommunen: Bildungsmonitoring, Begleitgremium und gemeinsame Berichterstattung werden "
    "als Regelaufgaben fortgeführt."
)
PARTIES = [("MB-REF34", PartyRole.LAND), ("HAL", PartyRole.MUNICIPALITY)]
PARTIES += [("BLK", PartyRole.MUNICIPALITY), ("BK", PartyRole.MUNICIPALITY)]
SENT_AT = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)
COMMENTS = [
    (
        "halle@example.org",
        dt.datetime(2026, 11, 20, 13, 40, tzinfo=dt.UTC),
        "§ 3, Pflichten der Modellkommunen: Wir bitten, jährlich statt halbjährlich im "
        "Begleitgremium zu berichten. Ein halbjährlicher Bericht bindet Personal, das wir für das "
        "Monitoring selbst brauchen.",
    ),
    (
        "burgenlandkreis@example.org",
        dt.datetime(2026, 11, 24, 8, 15, tzinfo=dt.UTC),
        "Bitte die Frist für die Datenbereitstellung nennen (Vorschlag: jährlich zum 31. März) "
        "und ergänzen, dass das Landesschulamt beratend im Begleitgremium mitwirkt.",
    ),
]
# What version 2 changes in every municipality's duties, and the clause it adds.
DUTY_CHANGES = {
    "wirkt im Begleitgremium mit und berichtet halbjährlich über den Stand": (
        "wirkt im Begleitgremium mit und berichtet jährlich über den Stand"
    ),
    "stellt die vereinbarten Daten für das Bildungsmonitoring fristgerecht bereit": (
        "stellt die vereinbarten Daten für das Bildungsmonitoring jährlich zum 31. März bereit"
    ),
}
ADDED_CLAUSE = "Das Landesschulamt wirkt beratend im Begleitgremium mit."
CHANGE_NOTE = (
    "Hinweise aus der Abstimmung von Fassung 1 eingearbeitet: jährlicher Bericht (Stadt Halle), "
    "Frist 31. März und Landesschulamt im Begleitgremium (Burgenlandkreis)."
)


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _party_data(version) -> list[dict]:
    return [
        {
            "organisation_id": p.organisation_id,
            "role": p.role,
            "contact_person_id": p.contact_person_id,
            "signatory_name": p.signatory_name,
            "signatory_function": p.signatory_function,
            "duties": [DUTY_CHANGES.get(d.text, d.text) for d in p.duties],
        }
        for p in version.parties
    ]


def load_demo_consultation() -> dict[str, int]:
    """The agreement in consultation with comments on version 1 and a draft version 2."""
    from . import services
    from .demo import load_templates

    if db.session.scalar(sa.select(Agreement.id).where(Agreement.title == TITLE)):
        return {"agreements": 0}
    ministry = _user("ministerium@example.org")
    commenters = [(_user(email), at, text) for email, at, text in COMMENTS]
    if ministry is None or any(user is None for user, _, _ in commenters):
        return {"agreements": 0}  # the demo logins were removed: leave it out
    load_templates()
    orgs = {o.short_name: o for o in db.session.scalars(sa.select(Organisation))}
    template = services.template_choices()
    cooperation = next(
        t_id for t_id, name in template if name.startswith("Kooperationsvereinbarung")
    )
    parties = []
    for short, role in PARTIES:
        organisation = orgs[short]
        contact = organisation.contact_person
        parties.append(
            {
                "organisation_id": organisation.id,
                "role": role,
                "contact_person_id": contact.id if contact else None,
                "signatory_name": contact.full_name if contact else "N. N.",
                "signatory_function": contact.function if contact else "",
                "duties": [],  # from the template's standard duties
            }
        )
    # version 1: the template's standard text with its own subject and term
    agreement = services.create_agreement(
        ministry,
        {
            "template_id": cooperation,
            "title": TITLE,
            "subject": SUBJECT,
            "start_date": dt.date(2027, 1, 1),
            "end_date": dt.date(2029, 12, 31),
            "notice_period_months": 6,
            "renewal": "by_agreement",
            "place": "Magdeburg",
            "parties": parties,
        },
    )
    first = agreement.latest_version
    services.submit_for_review(ministry, first, now=SENT_AT)
    for user, at, text in commenters:
        assert user is not None
        services.add_comment(user, first, text).created_at = at
    # version 2: the ministry works the comments in; version 1 stays as sent
    services.update_version(
        ministry,
        first,
        {
            "title": first.title,
            "extra_clauses": f"{first.extra_clauses}\n{ADDED_CLAUSE}".strip(),
            "change_note": CHANGE_NOTE,
            "parties": _party_data(first),
        },
    )
    db.session.flush()
    return {"agreements": 1}
