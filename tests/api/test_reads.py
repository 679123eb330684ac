"""The read endpoints over the demo data: the pages' permission rules, pagination with Link
headers, problem+json for bad input."""

from __future__ import annotations

import re

import sqlalchemy as sa
from click.testing import CliRunner

from govtool.agreements.models import Agreement
from govtool.catalogue.models import CatalogueEntry, EntryStatus
from govtool.cli import demo_load_command
from govtool.core.audit import AuditEntry
from govtool.extensions import db
from tests.api.conftest import bearer


def test_a_municipality_cannot_read_another_municipalitys_draft_agreement(client, demo, token_for):
    draft = db.session.scalar(sa.select(Agreement).where(Agreement.number == "ZV-2022-002"))
    assert draft.status.value == "draft"  # Burgenlandkreis's draft with its support agency
    owner = bearer(token_for("burgenlandkreis@example.org", scope="read"))
    other = bearer(token_for("halle@example.org", scope="read"))
    response = client.get(f"/api/v1/agreements/{draft.id}", headers=owner)
    assert response.status_code == 200
    assert response.json["versions"][0]["status"] == "draft"
    response = client.get(f"/api/v1/agreements/{draft.id}", headers=other)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    listed = client.get("/api/v1/agreements?per_page=100", headers=other).json
    assert draft.id not in {a["id"] for a in listed}
    assert listed  # Halle's own agreements are there


def test_agreement_versions_carry_the_signature_state(client, demo, token_for):
    signed = db.session.scalar(sa.select(Agreement).where(Agreement.number == "DV-2025-001"))
    response = client.get(
        f"/api/v1/agreements/{signed.id}", headers=bearer(token_for("admin@example.org"))
    )
    version = response.json["versions"][0]
    assert version["status"] == "signed"
    assert version["signatures"] and all(s["signed_at"] for s in version["signatures"])


def test_lists_are_paginated_with_link_headers(client, demo, token_for):
    headers = bearer(token_for("admin@example.org", scope="read"))
    total = int(client.get("/api/v1/organisations", headers=headers).headers["X-Total-Count"])
    assert total > 4
    seen = []
    url = "/api/v1/organisations?per_page=2"
    pages = 0
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert len(response.json) <= 2
        seen += [o["id"] for o in response.json]
        links = dict(
            (rel, target)
            for target, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["Link"])
        )
        assert {"first", "last"} <= set(links)
        assert ("prev" in links) == (pages > 0)
        url = links.get("next", "").replace("http://localhost", "")
        pages += 1
    assert len(seen) == total == len(set(seen))
    assert pages == -(-total // 2)


def test_bad_input_is_a_4xx_problem(client, demo, token_for):
    headers = bearer(token_for("halle@example.org"))
    for url in (
        "/api/v1/organisations?per_page=1000",
        "/api/v1/organisations?page=0",
        "/api/v1/organisations?page=abc",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 422, url
        assert response.mimetype == "application/problem+json"
        assert response.json["errors"]["query"]
    assert client.get("/api/v1/bodies/999999", headers=headers).status_code == 404
    assert client.get("/api/v1/nothing", headers=headers).status_code == 404
    assert client.get("/api/v1/nothing", headers=headers).mimetype == "application/problem+json"
    response = client.post(
        "/api/v1/catalogue/entries",
        headers={**headers, "Content-Type": "application/json"},
        data="{not json",
    )
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"
    response = client.post("/api/v1/catalogue/entries", headers=headers, json={"title": 5})
    assert response.status_code == 422
    assert "title" in response.json["errors"]["json"]


def test_a_catalogue_draft_is_created_and_submitted_as_the_user(client, demo, token_for):
    from govtool.auth.models import User

    halle = db.session.scalar(sa.select(User).where(User.email == "halle@example.org"))
    headers = bearer(token_for(halle))
    response = client.post(
        "/api/v1/catalogue/entries",
        headers=headers,
        json={"title": "Schulwegunfälle", "description": "Unfälle auf dem Schulweg"},
    )
    assert response.status_code == 201, response.json
    entry_id = response.json["id"]
    assert response.json["entry_status"] == "draft"
    entry = db.session.get(CatalogueEntry, entry_id)
    assert entry.provider_id == halle.organisation_id and entry.status is EntryStatus.DRAFT
    audited = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.object_type == "CatalogueEntry", AuditEntry.object_id == str(entry_id)
        )
    ).all()
    assert audited and {a.user_id for a in audited} == {halle.id}
    # the draft is incomplete: submitting names what is missing, as the page does
    response = client.post(f"/api/v1/catalogue/entries/{entry_id}/submit", headers=headers, json={})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    # another municipality neither sees nor submits it
    other = bearer(token_for("burgenlandkreis@example.org"))
    assert client.get(f"/api/v1/catalogue/entries/{entry_id}", headers=other).status_code == 404
    response = client.post(f"/api/v1/catalogue/entries/{entry_id}/submit", headers=other, json={})
    assert response.status_code == 404


def test_demo_load_prints_a_fresh_token_for_the_ministry(app, client, db):
    runner = app.test_cli_runner() if hasattr(app, "test_cli_runner") else CliRunner()
    tokens = []
    for _ in range(2):
        result = runner.invoke(demo_load_command)
        assert result.exit_code == 0, result.output
        tokens.append(re.search(r"ministerium@example.org .*: (gvt_\S+)", result.output).group(1))
    assert tokens[0] != tokens[1]
    response = client.get("/api/v1/agreements", headers=bearer(tokens[1]))
    assert response.status_code == 200 and response.json


def test_openapi_document_and_reference_page(client, db):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "/api/v1/catalogue/entries" in spec["paths"]
    problem = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(problem) == ["application/problem+json"]
    page = client.get("/api/v1/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "GET /api/v1/agreements/{agreement_id}" in html
    # local assets only: no script, style or font from elsewhere
    assert not re.search(r'(src|href)="(https?:)?//', html)
