"""Hostile office files built on the fly: zip bombs (honest and lying headers), DTD entity bombs.

Members are written in chunks, so building a 1 GiB bomb costs a few seconds of CPU but no memory.
"""

from __future__ import annotations

import io
import struct
import zipfile

from docx import Document
from openpyxl import Workbook

MB = 1024 * 1024
GB = 1024 * MB
_ZEROS = b"\0" * MB


def _stream_member(package: zipfile.ZipFile, name: str, head: bytes, size: int, tail: bytes):
    """Write a member of `head`, `size` filler bytes and `tail`, chunk by chunk."""
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    filler = b"A" * MB if tail else _ZEROS
    with package.open(info, "w", force_zip64=size >= 2 * GB - MB) as member:
        member.write(head)
        left = size
        while left > 0:
            member.write(filler[: min(left, MB)])
            left -= MB
        member.write(tail)


def odt_bomb(size: int = 1 * GB) -> bytes:
    """An .odt paper whose `mimetype` member unpacks to `size` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        _stream_member(package, "mimetype", b"application/vnd.oasis.opendocument.text", size, b"")
        package.writestr("content.xml", b"<office:document-content/>")
    return out.getvalue()


def _workbook_members() -> dict[str, bytes]:
    out = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["identifier", "provider", "title"])
    workbook.save(out)
    with zipfile.ZipFile(out) as package:
        return {n: package.read(n) for n in package.namelist()}


def xlsx_with_huge_cell(size: int = 512 * MB) -> bytes:
    """An .xlsx import whose first sheet holds one inline-string cell of `size` characters."""
    members = _workbook_members()
    sheet = "xl/worksheets/sheet1.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            if name != sheet:
                package.writestr(name, data)
        head = (
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        )
        tail = b"</t></is></c></row></sheetData></worksheet>"
        _stream_member(package, sheet, head, size, tail)
    return out.getvalue()


def lie_about_size(data: bytes, name: str, declared: int = 1000) -> bytes:
    """The same zip, but member `name` claims (in local and central headers) to expand to
    `declared` bytes: a reader trusting the header would never see how big it really is."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        info = package.getinfo(name)
    if info.file_size >= 0xFFFFFFFF or info.compress_size >= 0xFFFFFFFF:
        raise ValueError("use a member below 4 GiB (no zip64 sizes)")
    local = info.header_offset
    assert patched[local : local + 4] == b"PK\x03\x04"
    # The central entry repeats the local header's fields from "version needed" to the sizes.
    fields = bytes(patched[local + 4 : local + 22])
    central = bytes(patched).find(fields, local + 30 + info.compress_size) - 6
    assert patched[central : central + 4] == b"PK\x01\x02"
    struct.pack_into("<I", patched, local + 22, declared)
    struct.pack_into("<I", patched, central + 24, declared)
    return bytes(patched)


def docx_bomb(size: int = 1 * GB) -> bytes:
    """A .docx whose extra media part unpacks to `size` bytes."""
    base = io.BytesIO()
    Document().save(base)
    with zipfile.ZipFile(base) as package:
        members = {n: package.read(n) for n in package.namelist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
        _stream_member(package, "word/media/image1.bin", b"", size, b"")
    return out.getvalue()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b"]>\n"
)


def xlsx_with_dtd(part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """An .xlsx whose `part` starts with a billion-laughs DTD and uses its entity."""
    members = _workbook_members()
    original = members[part].decode("utf-8")
    body = original.split("?>", 1)[1] if original.startswith("<?xml") else original
    body = (
        body.replace(
            "<sheetData>",
            '<sheetData><row r="5"><c r="A5" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
            1,
        )
        if "sheetData" in body
        else body
    )
    members[part] = BILLION_LAUGHS + body.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    return out.getvalue()
