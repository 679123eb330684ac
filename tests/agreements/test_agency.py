"""The support agency's role (Begleitagentur, e.g. TransMit): it sees only the agreements it is a
party to, signs the target agreements among them, and drafts nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from govtool.agreements import services
from govtool.agreements.models import Agreement, AgreementKind, VersionStatus
from govtool.agreements.signing import waiting_for_signature
from govtool.auth.models import Role
from govtool.core.permissions import can
from govtool.extensions import db

from .factories import DEMO_PASSWORD, agreement_data, org, template, user

TRANSMIT = "transmit@example.org"


def _party_to_transmit() -> set[str]:
    """Numbers of the demo agreements with TransMit among the parties of some version."""
    return {
        a.number
        for a in db.session.scalars(sa.select(Agreement))
        if any(p.organisation_id == org("TRANSMIT").id for v in a.versions for p in v.parties)
    }


def test_demo_has_a_transmit_login_with_the_agency_role(demo):
    transmit = user(TRANSMIT)
    assert transmit.roles == {Role.AGENCY}
    assert transmit.organisation.short_name == "TRANSMIT"
    assert transmit.check_password(DEMO_PASSWORD)
    # party to every municipality's target agreement of the demo
    targets = {
        a.number
        for a in db.session.scalars(
            sa.select(Agreement).where(Agreement.kind == AgreementKind.TARGET)
        )
    }
    assert {"ZV-2022-001", "ZV-2022-002", "ZV-2022-003"} <= targets <= _party_to_transmit()


def test_transmit_sees_only_the_agreements_it_is_party_to(demo, client, login):
    own = _party_to_transmit()
    others = {a.number: a.id for a in db.session.scalars(sa.select(Agreement))}
    assert own and set(others) - own
    login(TRANSMIT, password=DEMO_PASSWORD)
    listing = client.get("/agreements/?per_page=100").get_data(as_text=True)
    for number, agreement_id in others.items():
        if number in own:
            assert number in listing
            assert client.get(f"/agreements/{agreement_id}").status_code == 200
        else:
            assert number not in listing
            assert client.get(f"/agreements/{agreement_id}").status_code == 403
            url = f"/agreements/{agreement_id}/versions/1/document.docx"
            assert client.get(url).status_code == 403
    assert client.get("/agreements/new").status_code == 403


def test_a_new_agreement_of_others_stays_hidden_from_transmit(demo, client, login):
    hidden = services.create_agreement(user("halle@example.org"), agreement_data())
    db.session.commit()
    login(TRANSMIT, password=DEMO_PASSWORD)
    assert hidden.number not in client.get("/agreements/").get_data(as_text=True)
    assert client.get(f"/agreements/{hidden.id}").status_code == 403
    assert not can(user(TRANSMIT), "agreement.view", hidden)


def test_transmit_signs_the_target_agreement_waiting_for_it(demo, client, login):
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.number == "ZV-2026-001"))
    version = agreement.latest_version
    assert version.status is VersionStatus.AWAITING_SIGNATURES
    party = next(p for p in version.parties if p.organisation.short_name == "TRANSMIT")
    assert [w.party_id for w in waiting_for_signature(user(TRANSMIT))] == [party.id]

    login(TRANSMIT, password=DEMO_PASSWORD)
    dashboard = client.get("/").get_data(as_text=True)
    assert "ZV-2026-001" in dashboard[dashboard.index("Warten auf meine Unterschrift") :]
    url = f"/agreements/{agreement.id}/versions/1/sign/{party.id}"
    # Dr. Peter Becker is TransMit's named signatory: no capacity asked
    assert 'name="capacity"' not in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"password": DEMO_PASSWORD}).status_code == 302
    db.session.expire_all()
    assert version.status is VersionStatus.SIGNED
    assert waiting_for_signature(user(TRANSMIT)) == []


@pytest.mark.parametrize("code", ["kooperationsvereinbarung", "datenaustausch"])
def test_transmit_signs_no_other_kind_of_agreement(demo, code):
    data = agreement_data(shorts=("HAL", "TRANSMIT"), template_id=template(code).id)
    agreement = services.create_agreement(user("halle@example.org"), data)
    services.request_signatures(user("halle@example.org"), agreement.latest_version)
    db.session.commit()
    party = agreement.latest_version.parties[1]
    transmit = user(TRANSMIT)
    assert can(transmit, "agreement.view", agreement)
    assert not can(transmit, "agreement.sign", party)
    assert agreement.id not in {w.agreement_id for w in waiting_for_signature(transmit)}
    # on a target agreement between the same parties, it may
    target_data = agreement_data(
        shorts=("HAL", "TRANSMIT"), template_id=template("zielvereinbarung").id
    )
    target = services.create_agreement(user("halle@example.org"), target_data)
    services.request_signatures(user("halle@example.org"), target.latest_version)
    db.session.commit()
    assert can(transmit, "agreement.sign", target.latest_version.parties[1])
    assert not can(transmit, "agreement.edit", target.latest_version)
    assert not can(transmit, "agreement.submit", target.latest_version)
