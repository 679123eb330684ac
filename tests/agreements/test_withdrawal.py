"""A party withdraws only its own signature, and only until every party has signed (the finding:
one party withdrew all signatures, the ministry's included, and the version went back into
review)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from govtool.agreements import services
from govtool.agreements.models import Agreement, AgreementStatus, VersionStatus
from govtool.agreements.permissions import may_withdraw_signature
from govtool.core.errors import PermissionDenied
from govtool.core.permissions import can
from govtool.extensions import db

from .factories import DEMO_PASSWORD, awaiting, user

HALLE, MINISTRY = "halle@example.org", "ministerium@example.org"


def _party(version, short: str):
    return next(p for p in version.parties if p.organisation.short_name == short)


@pytest.fixture()
def signed_by_ministry_and_halle(demo):
    """Halle, the ministry and Burgenlandkreis are parties; the ministry and Halle signed."""
    agreement = awaiting(shorts=("HAL", "MB-REF34", "BLK"))
    version = agreement.latest_version
    services.sign(user(MINISTRY), _party(version, "MB-REF34"), DEMO_PASSWORD)
    services.sign(user(HALLE), _party(version, "HAL"), DEMO_PASSWORD)
    db.session.commit()
    return agreement


def _withdraw_page(client, login, email, agreement):
    login(email, password=DEMO_PASSWORD)
    return client.post(
        f"/agreements/{agreement.id}/versions/1/withdraw",
        data={"reason": "Tippfehler", "confirm": "y"},
    )


def test_halle_withdraws_only_its_own_signature_and_the_ministrys_stays(
    signed_by_ministry_and_halle, client, login
):
    agreement = signed_by_ministry_and_halle
    assert _withdraw_page(client, login, HALLE, agreement).status_code == 302
    db.session.expire_all()
    version = agreement.latest_version
    active = {s.organisation.short_name for s in version.active_signatures}
    assert active == {"MB-REF34"}
    # still frozen and awaiting signatures: not back in review, the signed bytes unchanged
    assert version.status is VersionStatus.AWAITING_SIGNATURES
    assert version.document_sha256 and version.is_frozen
    # Halle may sign again; the ministry's signature is not Halle's to withdraw
    assert not can(user(HALLE), "agreement.withdraw_signatures", version)
    assert _withdraw_page(client, login, HALLE, agreement).status_code == 403


def test_the_ministry_withdraws_its_own_and_the_last_withdrawal_reopens_the_text(
    signed_by_ministry_and_halle,
):
    version = signed_by_ministry_and_halle.latest_version
    assert services.withdraw_signatures(user(MINISTRY), version, "Prüfung", True) == 1
    assert {s.organisation.short_name for s in version.active_signatures} == {"HAL"}
    assert version.is_frozen
    assert services.withdraw_signatures(user(HALLE), version, "Prüfung", True) == 1
    assert version.active_signatures == []
    assert version.status is VersionStatus.IN_REVIEW and version.is_editable


def test_secretariat_that_manages_but_does_not_sign_cannot_withdraw(signed_by_ministry_and_halle):
    version = signed_by_ministry_and_halle.latest_version
    secretariat = user("sekretariat@example.org")
    assert not any(may_withdraw_signature(secretariat, s) for s in version.active_signatures)
    with pytest.raises(PermissionDenied):
        services.withdraw_signatures(secretariat, version, "Prüfung", True)


def test_no_withdrawal_once_every_party_signed(demo, client, login):
    """The demo's DV-2025-001 is signed by the ministry and Halle and in force."""
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.number == "DV-2025-001"))
    assert agreement.status is AgreementStatus.IN_FORCE
    response = _withdraw_page(client, login, HALLE, agreement)
    assert response.status_code == 403
    db.session.expire_all()
    version = agreement.latest_version
    assert version.status is VersionStatus.SIGNED
    assert {s.organisation.short_name for s in version.active_signatures} == {"HAL", "MB-REF34"}


def test_unconfirmed_withdrawal_names_the_checkbox_in_the_summary_without_a_stray_full_stop(
    signed_by_ministry_and_halle, client, login
):
    """Seen in the browser: the error summary wrote a sentence label as "… zurückgezogen wird.:"."""
    login(HALLE, password=DEMO_PASSWORD)
    response = client.post(
        f"/agreements/{signed_by_ministry_and_halle.id}/versions/1/withdraw",
        data={"reason": "Falsche Fassung unterschrieben"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "unter dieser Fassung zurückgezogen wird</a>: Bestätigen Sie" in page
    assert "wird.</a>:" not in page
