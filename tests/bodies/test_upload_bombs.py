"""Agenda files and papers: zip-based office files are opened through the bounded reader."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from govtool.auth.models import Role
from govtool.bodies import agenda
from govtool.bodies.agenda_models import Paper, StoredFile
from govtool.bodies.models import MembershipRole
from govtool.core.storage import EXTENSION_KEY
from tests import bombs

from .factories import make_body, make_meeting, make_member_user


@pytest.fixture()
def world(db):
    body = make_body()
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    meeting = make_meeting(body, dt.date.today() + dt.timedelta(days=40))
    item = agenda.add_item(secretary, meeting, {"title": "Bericht", "is_public": True})
    db.session.commit()
    return {"secretary": secretary, "meeting": meeting, "item": item}


def _odt(text: bytes = b"<office:document-content/>") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", text)
    return out.getvalue()


@pytest.mark.parametrize(
    ("url", "field", "extra"),
    [
        ("files", "upload-file", {}),
        ("papers", "paper-file", {"paper-title": "Vorlage", "paper-paper_type": "report"}),
    ],
)
def test_odt_bomb_paper_and_file_are_refused_and_nothing_is_written(
    world, client, login, db, app, url, field, extra
):
    login(world["secretary"].email)
    client.post("/language", data={"locale": "en"})
    before = set(app.extensions[EXTENSION_KEY].iter_keys())
    meeting, item = world["meeting"], world["item"]
    response = client.post(
        f"/meetings/{meeting.id}/items/{item.id}/{url}",
        data={field: (io.BytesIO(bombs.odt_bomb(200 * bombs.MB)), "bericht.odt"), **extra},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "zip bomb" in response.get_data(as_text=True)
    assert db.session.query(StoredFile).count() == 0
    assert db.session.query(Paper).count() == 0
    assert set(app.extensions[EXTENSION_KEY].iter_keys()) == before


def test_an_ordinary_odt_is_still_accepted(world, db):
    stored = agenda.attach_file(world["secretary"], world["item"], "bericht.odt", _odt())
    assert stored.mime_type == "application/vnd.oasis.opendocument.text"
