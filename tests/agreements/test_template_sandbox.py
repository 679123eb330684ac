"""Agreement templates run in a bounded sandbox; uploads are dry-run with sample data within a
size and a time budget; a stored template that cannot render answers 422, never 500."""

from __future__ import annotations

import hashlib
import io

import pytest
import sqlalchemy as sa
from docx import Document
from flask_babel import force_locale

from govtool.agreements import template_checks
from govtool.agreements.models import AgreementKind, AgreementTemplate
from govtool.extensions import db
from tests.agreements.factories import DEMO_PASSWORD, draft

NESTED_RANGE = "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
SUBCLASSES = "{{ ''.__class__.__mro__[1].__subclasses__() }}"


def _docx(*paragraphs: str) -> bytes:
    document = Document()
    document.add_paragraph("Vereinbarung {{ agreement.number }}")
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _upload(client, data: bytes):
    return client.post(
        "/agreements/templates/upload",
        data={
            "file": (io.BytesIO(data), "vorlage.docx"),
            "code": "",
            "name": "Neue Vorlage",
            "kind": "cooperation",
            "description": "",
        },
        content_type="multipart/form-data",
    )


@pytest.fixture()
def admin(demo, client, login):
    login("admin@example.org", password=DEMO_PASSWORD)
    client.post("/language", data={"locale": "en"})


@pytest.mark.parametrize(
    ("tag", "problem"),
    [
        ("{{ 10 ** 100000 }}", "A power exceeds the limits"),
        ("{{ lipsum(n=1000000) }}", "No agreement provides the variable lipsum"),
        (NESTED_RANGE, "range() of 100000 items"),
        (SUBCLASSES, "__class__"),
        ('{{ "x" * 1000000000 }}', "repeated string"),
        ('{{ "x"|center(1000000000) }}', "center()"),
    ],
    ids=["power", "lipsum", "nested-range", "subclasses", "string-times", "center"],
)
def test_upload_check_refuses_templates_that_cannot_render_safely(client, admin, tag, problem):
    before = db.session.scalar(sa.select(sa.func.count(AgreementTemplate.id)))
    response = _upload(client, _docx(f"Text: {tag}"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The template was refused" in page
    assert problem in page.replace("&#39;", "'").replace("&#34;", '"')
    assert db.session.scalar(sa.select(sa.func.count(AgreementTemplate.id))) == before


def test_template_refusal_is_german_and_said_once_on_the_german_page(demo, client, login):
    """Found in the browser: the sandbox's refusal was English on the German page, and the same
    sentence stood three times (error summary, check box, under the field)."""
    login("admin@example.org", password=DEMO_PASSWORD)
    response = _upload(client, _docx("Betrag: {{ 10 ** 100000 }}"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Eine Potenz überschreitet die Grenzen für Dokumentvorlagen" in page
    assert "Vorlage abgelehnt beim Platzhalter {{ 10 ** 100000 }}" in page
    assert "(Absatz: „Betrag: {{ 10 ** 100000 }}“)" in page
    assert "exceeds" not in page and "Template refused" not in page
    assert page.count("Eine Potenz") == 1  # listed once, in the check box
    assert "die Gründe stehen unter „Vorlagenprüfung“" in page


def test_output_and_time_budgets_of_the_dry_run(app, db, monkeypatch):
    big_output = _docx(
        "{% for i in range(1000) %}{% for j in range(1000) %}{{ 'abcdefghij' * 10 }}"
        "{% endfor %}{% endfor %}"
    )
    slow = _docx(
        "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
        "{% endfor %}{% endfor %}{% endfor %}"
    )
    monkeypatch.setattr(template_checks, "DRY_RUN_MAX_CHARS", 1_000_000)
    with app.test_request_context(), force_locale("en"):
        # Each budget checked alone: on a loaded machine a short time budget could otherwise
        # run out before the size budget does.
        monkeypatch.setattr(template_checks, "DRY_RUN_MAX_SECONDS", 120)
        assert (
            "more than 1,000,000 characters"
            in template_checks.check_template(big_output).errors[0].message
        )
        monkeypatch.setattr(template_checks, "DRY_RUN_MAX_SECONDS", 0.5)
        assert "longer than 0.5 s" in template_checks.check_template(slow).errors[0].message


def test_cli_check_uses_the_same_dry_run(app, db, tmp_path):
    path = tmp_path / "vorlage.docx"
    path.write_bytes(_docx(f"Text: {SUBCLASSES}"))
    result = app.test_cli_runner().invoke(args=["templates", "check", str(path)])
    assert result.exit_code == 1
    assert "ERROR" in result.output and "__class__" in result.output
    assert "OK." not in result.output


def test_sandbox_keeps_ordinary_arithmetic_and_filters(app, db):
    data = _docx(
        "{{ 2 ** 10 }} {{ 3 * 4 }} {{ 'ab' * 3 }} {{ range(5)|list|length }} "
        "{{ parties|map(attribute='short_name')|join(', ') }} {{ '%05.1f'|format(3.14159) }} "
        "{{ agreement.start_date|date }}"
    )
    with app.test_request_context():
        result = template_checks.check_template(data)
    assert result.ok, [i.message for i in result.errors]


def test_a_stored_template_that_cannot_render_answers_422(client, login, demo):
    data = _docx("{{ 10 ** 100000 }}")
    stored = AgreementTemplate(
        code="alt",
        name="Alte Vorlage",
        kind=AgreementKind.COOPERATION,
        version=1,
        description="",
        filename="alt.docx",
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        variables=["agreement"],
        is_active=True,
    )
    db.session.add(stored)
    db.session.commit()
    agreement = draft(template_id=stored.id)
    login("halle@example.org", password=DEMO_PASSWORD)
    client.post("/language", data={"locale": "en"})
    response = client.get(f"/agreements/{agreement.id}/versions/1/document.docx")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "cannot be produced from its template" in page and "A power" in page


@pytest.mark.parametrize(
    "tag",
    ["{{ lipsum(n=1000000) }}", NESTED_RANGE, "{{ 10 ** 100000 }}", SUBCLASSES],
    ids=["lipsum", "nested-range", "power", "subclasses"],
)
def test_every_render_uses_the_bounded_sandbox(app, tag):
    from govtool.agreements.rendering import sample_context
    from govtool.core.docx import TemplateRenderError, render_docx

    with pytest.raises(TemplateRenderError) as refused:
        render_docx(_docx(tag), sample_context())
    assert refused.value.status_code == 422
