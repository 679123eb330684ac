"""Daily reminders: terms ending within 90 days, versions waiting over 14 days for signatures."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..auth.models import User
from ..core.cli_hooks import skip_bad_row
from ..core.mail import remind
from ..extensions import db
from .models import Agreement, AgreementParty, AgreementStatus, AgreementVersion, VersionStatus
from .services import refresh_all_statuses

TERM_WARNING_DAYS = 90
SIGNATURE_WAIT_DAYS = 14


def _recipients(agreement: Agreement, version: AgreementVersion, only_unsigned: bool) -> list[str]:
    org_ids = {agreement.owner_organisation_id}
    for party in version.parties:
        if not only_unsigned or version.signature_for(party) is None:
            org_ids.add(party.organisation_id)
    org_ids.discard(None)
    emails = db.session.scalars(
        sa.select(User.email).where(
            User.organisation_id.in_(org_ids), User.is_active_flag.is_(True)
        )
    ).all()
    return sorted(set(emails))


def agreement_reminders(now: dt.datetime, dry_run: bool = False) -> list[str]:
    """Reminder source for `govtool reminders send`; one line per reminder."""
    today = now.date()
    refresh_all_statuses(today)
    lines = []
    ending = (
        db.session.scalars(
            sa.select(Agreement)
            .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
            .where(
                Agreement.status == AgreementStatus.IN_FORCE,
                AgreementVersion.status == VersionStatus.SIGNED,
                AgreementVersion.end_date.between(
                    today, today + dt.timedelta(days=TERM_WARNING_DAYS)
                ),
            )
            .options(selectinload(Agreement.versions).selectinload(AgreementVersion.parties))
        )
        .unique()
        .all()
    )
    for agreement in ending:
        with skip_bad_row(f"agreement {agreement.id}"):
            version = agreement.version_in_force
            # the query selected the agreement by its signed version's end date
            assert version is not None and version.end_date is not None
            recipients = _recipients(agreement, version, only_unsigned=False)
            days = (version.end_date - today).days
            ends = f"{version.end_date:%d.%m.%Y}"
            unit = "day" if days == 1 else "days"
            line = f"agreements: {agreement.number} term ends {ends} ({days} {unit})"
            sent_to = remind(
                f"agreement:{agreement.id}:term-ends:{version.end_date}",
                recipients,
                f"Laufzeit endet: {agreement.number} {agreement.title}",
                f"Die Vereinbarung {agreement.number} „{agreement.title}“ endet am "
                f"{version.end_date:%d.%m.%Y}. Bitte entscheiden Sie über eine Fortschreibung "
                "oder das Auslaufen.",
                today,
                dry_run,
            )
            if sent_to or not recipients:
                lines.append(f"{line} -> {', '.join(sent_to) or 'nobody'}")
    waiting = db.session.scalars(
        sa.select(AgreementVersion)
        .where(
            AgreementVersion.status == VersionStatus.AWAITING_SIGNATURES,
            AgreementVersion.signatures_requested_at < now - dt.timedelta(days=SIGNATURE_WAIT_DAYS),
        )
        .options(
            joinedload(AgreementVersion.agreement),
            selectinload(AgreementVersion.parties).joinedload(AgreementParty.organisation),
            selectinload(AgreementVersion.signatures),
        )
    ).all()
    for version in waiting:
        with skip_bad_row(f"agreement version {version.id}"):
            agreement = version.agreement
            open_parties = [
                p.organisation.short_name
                for p in version.parties
                if version.signature_for(p) is None
            ]
            recipients = _recipients(agreement, version, only_unsigned=True)
            line = (
                f"agreements: {agreement.number} v{version.number} waiting for signatures of "
                f"{', '.join(open_parties)}"
            )
            sent_to = remind(
                f"agreement-version:{version.id}:signatures",
                recipients,
                f"Unterzeichnung ausstehend: {agreement.number}",
                f"Die Fassung {version.number} der Vereinbarung {agreement.number} "
                f"„{agreement.title}“ wartet seit mehr als {SIGNATURE_WAIT_DAYS} Tagen auf die "
                f"Unterzeichnung durch: {', '.join(open_parties)}.",
                today,
                dry_run,
            )
            if sent_to or not recipients:
                lines.append(f"{line} -> {', '.join(sent_to) or 'nobody'}")
    return lines
