"""The bounded unzip reader: bombs (honest and lying headers), too many parts, DTDs, and that
ordinary office files pass."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from docx import Document
from flask_babel import force_locale

from govtool.core.archives import ArchiveLimits, ArchiveRefused, check_archive, open_archive
from tests import bombs


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context(), force_locale("en"):
        yield


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    return out.getvalue()


def test_ordinary_docx_and_xlsx_pass():
    docx, xlsx = io.BytesIO(), io.BytesIO()
    Document().save(docx)
    workbook = openpyxl.Workbook()
    workbook.active.append(["a", "b", 1])
    workbook.save(xlsx)
    check_archive(docx.getvalue())
    check_archive(xlsx.getvalue())


def test_a_member_expanding_beyond_the_limit_is_refused_while_streaming():
    bomb = bombs.odt_bomb(size=80 * bombs.MB)
    with pytest.raises(ArchiveRefused) as refused:
        check_archive(bomb)
    assert refused.value.reason == "too_large" and refused.value.status_code == 422
    assert "zip bomb" in refused.value.message


def test_the_expansion_ratio_is_bounded_below_the_size_limits():
    bomb = _zip({"word/document.xml": b"\0" * (5 * bombs.MB)})  # ~1000:1
    with pytest.raises(ArchiveRefused, match="zip bomb"):
        check_archive(bomb)
    check_archive(bomb, ArchiveLimits(max_ratio=10_000))


def test_the_total_of_all_members_is_bounded():
    limits = ArchiveLimits(max_member_bytes=3 * bombs.MB, max_total_bytes=5 * bombs.MB)
    text = bytes(range(256)) * 8192  # 2 MB, hardly compressible
    with pytest.raises(ArchiveRefused, match="zip bomb"):
        check_archive(_zip({f"part{i}.bin": text for i in range(3)}), limits)


def test_a_header_that_lies_about_the_size_does_not_get_the_member_through():
    bomb = bombs.lie_about_size(bombs.odt_bomb(size=80 * bombs.MB), "mimetype")
    assert zipfile.ZipFile(io.BytesIO(bomb)).getinfo("mimetype").file_size == 1000
    with pytest.raises(ArchiveRefused):
        check_archive(bomb)


def test_too_many_members_are_refused():
    with pytest.raises(ArchiveRefused, match="more than 5 parts"):
        check_archive(_zip({f"p{i}.xml": b"<a/>" for i in range(6)}), ArchiveLimits(max_members=5))


def test_a_dtd_in_an_xml_part_is_refused():
    with pytest.raises(ArchiveRefused) as refused:
        check_archive(bombs.xlsx_with_dtd())
    assert refused.value.reason == "dtd" and "DTD" in refused.value.message


def test_reading_one_member_is_bounded_too():
    with open_archive(_zip({"mimetype": b"application/vnd.oasis.opendocument.text"})) as archive:
        assert archive.read("mimetype", max_bytes=200).startswith(b"application/")
    with open_archive(_zip({"big": b"x" * 1000})) as archive, pytest.raises(ArchiveRefused):
        archive.read("big", max_bytes=100)


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 broken", b"not a zip at all"])
def test_broken_packages_are_refused_as_unreadable(data):
    with pytest.raises(ArchiveRefused) as refused:
        check_archive(data)
    assert refused.value.reason == "unreadable"
