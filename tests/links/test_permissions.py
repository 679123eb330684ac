"""A link never reveals what the user may not see, and forms refuse hidden targets with a 4xx."""

from __future__ import annotations

import pytest

from govtool.agreements import services as agreement_services
from govtool.auth.models import Role
from govtool.bodies import services as body_services
from govtool.catalogue import services as catalogue_services
from govtool.core.errors import ValidationError
from govtool.extensions import db
from tests.agreements.factories import DEMO_PASSWORD, agreement_data, user
from tests.factories import DEFAULT_PASSWORD, make_organisation, make_user

from .helpers import agreement, body, entry


def _login(login, email):
    return login(email, password=DEMO_PASSWORD)


def _agreement_fields(client_data: dict, **extra) -> dict:
    return {
        "template_id": client_data["template_id"],
        "title": "Vereinbarung",
        "subject": "Daten",
        "notice_period_months": 3,
        "renewal": "none",
        "parties-0-organisation_id": client_data["parties"][0]["organisation_id"],
        "parties-0-role": "municipality",
        **extra,
    }


def test_draft_entry_of_another_municipality_stays_off_the_agreement_page(demo, client, login):
    halle_draft = entry("DX-2025-006")  # Halle's own draft
    shared = agreement_services.create_agreement(
        user("halle@example.org"),
        agreement_data(shorts=("HAL", "BLK"), entry_ids=[halle_draft.id, entry("DX-2025-001").id]),
    )
    db.session.commit()
    _login(login, "burgenlandkreis@example.org")
    page = client.get(f"/agreements/{shared.id}").get_data(as_text=True)
    assert "DX-2025-001" in page
    assert "DX-2025-006" not in page and halle_draft.latest_version.title not in page
    client.post("/logout")
    _login(login, "halle@example.org")
    assert "DX-2025-006" in client.get(f"/agreements/{shared.id}").get_data(as_text=True)


def test_agreement_form_refuses_a_hidden_entry_with_422(demo, client, login):
    _login(login, "halle@example.org")
    hidden = entry("DX-2025-008")  # the Burgenlandkreis' entry, changes requested
    response = client.post(
        "/agreements/new", data=_agreement_fields(agreement_data(), entry_ids=[hidden.id])
    )
    assert response.status_code == 422
    assert agreement("KV-2022-002") is None
    with pytest.raises(ValidationError) as caught:
        agreement_services.create_agreement(
            user("halle@example.org"), agreement_data(entry_ids=[hidden.id])
        )
    assert caught.value.field == "entry_ids"


def test_agreement_form_refuses_an_unknown_body_with_422(demo, client, login):
    _login(login, "halle@example.org")
    response = client.post("/agreements/new", data=_agreement_fields(agreement_data(), body_id=999))
    assert response.status_code == 422
    with pytest.raises(ValidationError):
        agreement_services.create_agreement(user("halle@example.org"), agreement_data(body_id=999))


def test_entry_page_hides_an_agreement_the_user_may_not_see(demo, client, login):
    _login(login, "burgenlandkreis@example.org")  # not a party to DV-2022-001
    dv, dx = agreement("DV-2022-001"), entry("DX-2025-001")
    page = client.get(f"/catalogue/{dx.id}").get_data(as_text=True)
    assert "DV-2022-001" not in page and f"/agreements/{dv.id}" not in page
    export = client.get("/catalogue/export.csv").get_data(as_text=True)
    assert "DV-2022-001" not in export


def test_entry_form_refuses_a_hidden_agreement_with_422(demo, client, login):
    dv = agreement("DV-2022-001")
    blk_user = user("burgenlandkreis@example.org")
    own = catalogue_services.create_entry(
        blk_user,
        {"provider_id": blk_user.organisation_id, "title": "Förderdaten", "items": []},
    )
    db.session.commit()
    _login(login, "burgenlandkreis@example.org")
    version = own.latest_version
    fields = {"title": version.title, "agreement_id": dv.id}
    for name in (
        "controller_relationship",
        "personal_data_level",
        "legal_basis",
        "spatial_level",
        "frequency",
    ):
        fields[name] = getattr(version, name).value
    response = client.post(f"/catalogue/{own.id}/edit", data=fields)
    assert response.status_code == 422
    db.session.expire_all()
    assert own.latest_version.agreement_id is None
    with pytest.raises(ValidationError):
        catalogue_services.update_entry(blk_user, own, {"agreement_id": dv.id})


def test_body_page_shows_rules_text_to_users_who_may_not_see_the_agreement(demo, client, login):
    outsider_org = make_organisation(name="Stadt Außen", short_name="AUS")
    make_user("aussen@example.org", (Role.MUNICIPALITY,), organisation=outsider_org)
    db.session.commit()
    login("aussen@example.org", password=DEFAULT_PASSWORD)
    bg, go = body("BG"), agreement("GO-2022-001")
    page = client.get(f"/bodies/{bg.id}").get_data(as_text=True)
    rules = page.split('id="body-rules"', 1)[1].split("</dd>", 1)[0]
    assert "GO-2022-001" not in rules and f"/agreements/{go.id}" not in rules
    assert bg.rules_of_procedure.split()[0] in rules
    founding = page.split('id="body-agreements"', 1)[1].split("</dd>", 1)[0]
    assert "KV-2022-001" not in founding


def test_body_form_refuses_a_wrong_kind_or_hidden_rules_agreement(demo, client, login):
    _login(login, "admin@example.org")
    bg, kv = body("BG"), agreement("KV-2022-001")
    response = client.post(
        f"/bodies/{bg.id}/edit",
        data={
            "name": bg.name,
            "short_name": bg.short_name,
            "kind": bg.kind.value,
            "cadence": bg.cadence.value,
            "quorum_percent": 50,
            "invitation_period_days": 14,
            "papers_period_days": 7,
            "minutes_draft_days": 14,
            "comment_period_days": 14,
            "state_code": "ST",
            "rules_agreement_id": kv.id,
        },
    )
    assert response.status_code == 422
    with pytest.raises(ValidationError) as caught:
        body_services.update_body(user("admin@example.org"), bg, {"rules_agreement_id": kv.id})
    assert caught.value.field == "rules_agreement_id"
