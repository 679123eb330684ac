"""Look-alike identifiers (core.identifiers): `DX-2025-003` with a zero-width space, with
non-breaking hyphens or behind a right-to-left override cannot sit beside the real one; each
typed identifier is normalised (NFKC, hyphens) and refused with a 422 outside the pattern."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from govtool.agreements import template_store
from govtool.auth.models import User
from govtool.bodies import services as bodies
from govtool.catalogue import importing
from govtool.catalogue import services as catalogue
from govtool.catalogue.models import CatalogueEntry
from govtool.core.errors import ValidationError
from govtool.core.identifiers import clean_identifier, normalise_identifier
from govtool.demo import DEMO_PASSWORD
from govtool.directory import services as directory
from govtool.links import services as links
from tests.html_helpers import form_with

ZERO_WIDTH = "DX-2025-003\u200b"
NB_HYPHENS = "DX\u20112025\u2011003"
RTL = "\u202eDX-2025-003"
LOOK_ALIKES = [ZERO_WIDTH, RTL, "DX-2025-003\u00ad", "DX-2025-ОО3", "DX 2025 003", "-DX"]


def _user(email: str) -> User:
    from govtool.extensions import db

    return db.session.scalar(sa.select(User).where(User.email == email))


def test_normalising_maps_hyphens_and_full_width_forms():
    assert normalise_identifier(NB_HYPHENS) == "DX-2025-003"
    assert normalise_identifier("DX\u20132025\u2212003") == "DX-2025-003"
    assert normalise_identifier(" ＤＸ－２０２５－００３ ") == "DX-2025-003"
    assert clean_identifier("KV-2022-001") == "KV-2022-001"


@pytest.mark.parametrize("value", LOOK_ALIKES)
def test_look_alikes_are_refused_with_a_message(value):
    with pytest.raises(ValidationError) as refused:
        clean_identifier(value)
    assert refused.value.status_code == 422 and refused.value.field == "identifier"
    assert "A–Z" in refused.value.message


def _new_entry_form(client):
    return form_with(client.get("/catalogue/new").get_data(as_text=True), "identifier")


@pytest.mark.parametrize("typed", [ZERO_WIDTH, RTL, NB_HYPHENS])
def test_catalogue_form_refuses_a_look_alike_of_an_existing_identifier(demo, client, login, typed):
    login("halle@example.org", password=DEMO_PASSWORD)
    form = _new_entry_form(client)
    form.update(identifier=[typed], title=["Doppelgänger"])
    before = _count()
    response = client.post("/catalogue/new", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "DX-2025-003" in html  # the message names the real form or the example
    assert _count() == before


def test_catalogue_form_stores_the_normalised_identifier(demo, client, login, db):
    login("halle@example.org", password=DEMO_PASSWORD)
    form = _new_entry_form(client)
    form.update(identifier=["DX\u20112030\u2011001"], title=["Neu"])
    assert client.post("/catalogue/new", data=form).status_code == 302
    assert db.session.scalar(
        sa.select(CatalogueEntry.id).where(CatalogueEntry.identifier == "DX-2030-001")
    )


def _count() -> int:
    from govtool.extensions import db

    return db.session.scalar(sa.select(sa.func.count(CatalogueEntry.id)))


def test_import_refuses_look_alikes_and_sees_them_as_duplicates(demo, db):
    admin = _user("admin@example.org")
    header = "identifier;provider;title\n"
    for rows in (
        f"{ZERO_WIDTH};HAL;Doppelgänger\n",
        f"DX-2030-010;HAL;Eins\n{'DX‑2030‑010'};HAL;Zwei\n",
    ):
        data = (header + rows).encode()
        with pytest.raises(importing.ImportFailed) as failed:
            importing.import_file(admin, "import.csv", data)
        assert failed.value.rows_read
    db.session.rollback()
    assert not db.session.scalar(
        sa.select(CatalogueEntry.id).where(CatalogueEntry.identifier.like("DX-2030-%"))
    )


def test_short_names_and_template_codes_are_identifiers(demo, db):
    admin = _user("admin@example.org")
    with pytest.raises(ValidationError) as refused:
        directory.create_organisation(
            admin, {"name": "Halle Doppelgänger", "short_name": "HAL\u200b", "kind": "municipality"}
        )
    assert refused.value.field == "short_name"
    with pytest.raises(ValidationError) as refused:
        bodies.create_body(admin, {"name": "Gremium", "short_name": "B\u200bG", "kind": "other"})
    assert refused.value.field == "short_name"
    with pytest.raises(ValidationError) as refused:
        template_store.store_template(
            admin, filename="x.docx", data=b"", name="Vorlage", kind="other", code="koop\u202e"
        )
    assert refused.value.field == "code"


def test_agreement_number_with_non_breaking_hyphens_finds_the_agreement(demo):
    admin = _user("admin@example.org")
    found = links.agreement_by_number(admin, "KV\u20112022\u2011001")
    assert found is not None and found.number == "KV-2022-001"


def test_generated_identifiers_pass_the_same_check(db):
    generated = catalogue.next_identifier(2026)
    assert clean_identifier(generated) == generated == "DX-2026-001"
