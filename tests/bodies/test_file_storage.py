"""Meeting files through the app's store: the same tests on the local directory and on a real
S3-compatible server (SeaweedFS); two app instances sharing one bucket; a lost object is 404, an
unreachable store 503 (never 500), and the same processes recover when it is back."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tracemalloc
import zipfile

import pytest

from govtool import TestConfig, create_app
from govtool.auth.models import Role
from govtool.bodies import agenda
from govtool.bodies.agenda_models import StoredFile
from govtool.bodies.models import MembershipRole
from govtool.core.storage import EXTENSION_KEY, S3Store, store_from_url
from tests.conftest import IsolatedClient
from tests.factories import DEFAULT_PASSWORD
from tests.support.tcp_proxy import TcpProxy

from .factories import make_body, make_meeting, make_member_user


@pytest.fixture()
def world(db):
    body = make_body(name="Begleitgremium Dateien", short_name="BGD")
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    meeting = make_meeting(body, dt.date.today() + dt.timedelta(days=40))
    item = agenda.add_item(secretary, meeting, {"title": "Bericht", "is_public": True})
    db.session.commit()
    return {"meeting_id": meeting.id, "item_id": item.id, "secretary": secretary.email}


def _pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + os.urandom(size) + b"\n%%EOF\n"


def _upload(client, world, data: bytes, name: str = "Bericht 2026.pdf"):
    return client.post(
        f"/meetings/{world['meeting_id']}/items/{world['item_id']}/files",
        data={"upload-file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _sign_in(client, email: str) -> None:
    answer = client.post("/login", data={"email": email, "password": DEFAULT_PASSWORD})
    assert answer.status_code == 302


def test_an_upload_downloads_with_identical_bytes(world, client, login, db, app_file_store):
    data = _pdf(3 * 1024 * 1024)
    login(world["secretary"])
    assert _upload(client, world, data).status_code == 302
    stored = db.session.query(StoredFile).one()
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)
    assert list(app_file_store.iter_keys()) == [agenda.file_key(stored.sha256)]

    download = client.get(f"/meetings/{world['meeting_id']}/files/{stored.id}")
    assert download.status_code == 200 and download.is_streamed
    assert hashlib.sha256(download.data).hexdigest() == stored.sha256 and download.data == data
    assert download.headers["Content-Length"] == str(len(data))
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"Bericht 2026.pdf\"; filename*=UTF-8''Bericht%202026.pdf"
    )
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    oparl = client.get(f"/oparl/v1/file/{stored.id}/download")
    assert oparl.status_code == 200 and oparl.data == data
    described = client.get(f"/oparl/v1/file/{stored.id}").get_json()
    assert described["sha512Checksum"] == hashlib.sha512(data).hexdigest()

    archive = client.get(f"/meetings/{world['meeting_id']}/attachments.zip")
    assert archive.status_code == 200 and archive.is_streamed
    assert archive.headers["Content-Length"] == str(len(archive.data))
    with zipfile.ZipFile(io.BytesIO(archive.data)) as opened:
        (name,) = opened.namelist()
        assert name.endswith("/Bericht 2026.pdf") and opened.read(name) == data


def test_the_same_content_is_stored_once(world, client, login, db, app_file_store):
    data = _pdf(10_000)
    login(world["secretary"])
    _upload(client, world, data, "a.pdf")
    _upload(client, world, data, "b.pdf")
    assert db.session.query(StoredFile).count() == 2
    assert len(list(app_file_store.iter_keys())) == 1


def test_a_lost_object_is_404_not_500(world, client, login, db, app_file_store):
    login(world["secretary"])
    _upload(client, world, _pdf(1000))
    stored = db.session.query(StoredFile).one()
    app_file_store.delete(agenda.file_key(stored.sha256))
    assert client.get(f"/meetings/{world['meeting_id']}/files/{stored.id}").status_code == 404
    assert client.get(f"/oparl/v1/file/{stored.id}/download").status_code == 404
    assert client.get(f"/oparl/v1/file/{stored.id}").status_code == 200  # no checksum, no error
    assert client.get(f"/meetings/{world['meeting_id']}/attachments.zip").status_code == 404


def test_two_app_instances_on_one_bucket_see_each_others_files(
    world, client, login, db, app, database_url, s3_server
):
    """What two application servers do: upload through one, download through the other."""
    url = s3_server.storage_url(f"shared-{os.urandom(4).hex()}")

    class SecondServer(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        GOVTOOL_STORAGE_URL = url
        GOVTOOL_S3_ACCESS_KEY = s3_server.config["GOVTOOL_S3_ACCESS_KEY"]
        GOVTOOL_S3_SECRET_KEY = s3_server.config["GOVTOOL_S3_SECRET_KEY"]
        UPLOAD_DIR = app.config["UPLOAD_DIR"] / "not-used"

    second = create_app(SecondServer)
    assert isinstance(second.extensions[EXTENSION_KEY], S3Store)
    second.test_client_class = IsolatedClient
    previous = app.extensions[EXTENSION_KEY]
    app.extensions[EXTENSION_KEY] = store_from_url(url, s3_server.config)
    try:
        first_data, second_data = _pdf(200_000), _pdf(300_000)
        login(world["secretary"])
        assert _upload(client, world, first_data, "eins.pdf").status_code == 302
        other = second.test_client()
        _sign_in(other, world["secretary"])
        assert _upload(other, world, second_data, "zwei.pdf").status_code == 302
        ids = dict(db.session.query(StoredFile.original_name, StoredFile.id).all())
        base = f"/meetings/{world['meeting_id']}/files"
        assert other.get(f"{base}/{ids['eins.pdf']}").data == first_data
        assert client.get(f"{base}/{ids['zwei.pdf']}").data == second_data
        assert not any(SecondServer.UPLOAD_DIR.glob("**/*"))  # nothing on the local disk
    finally:
        app.extensions[EXTENSION_KEY] = previous
        with second.app_context():
            from govtool.extensions import db as second_db

            second_db.engine.dispose()


def test_an_unreachable_store_is_503_and_recovers(world, client, login, db, app, s3_server):
    proxy = TcpProxy("127.0.0.1", s3_server.port)
    previous = app.extensions[EXTENSION_KEY]
    app.extensions[EXTENSION_KEY] = s3_server.store(
        f"cut-{os.urandom(4).hex()}", endpoint=f"http://{proxy.address}"
    )
    try:
        data = _pdf(50_000)
        login(world["secretary"])
        assert _upload(client, world, data, "vorher.pdf").status_code == 302
        stored = db.session.query(StoredFile).one()
        download = f"/meetings/{world['meeting_id']}/files/{stored.id}"

        proxy.cut()
        page = client.get(download)
        assert page.status_code == 503 and page.mimetype == "text/html"
        assert "Dateiablage" in page.text
        refused = _upload(client, world, _pdf(1000), "waehrend.pdf")
        assert refused.status_code == 503 and "Dateiablage" in refused.text
        db.session.expire_all()
        assert db.session.query(StoredFile).count() == 1  # nothing half-saved
        oparl = client.get(f"/oparl/v1/file/{stored.id}/download")
        assert oparl.status_code == 503 and oparl.is_json
        assert client.get(f"/meetings/{world['meeting_id']}/attachments.zip").status_code == 503
        assert client.get(f"/meetings/{world['meeting_id']}").status_code == 200  # pages work

        proxy.restore()
        assert client.get(download).data == data
        assert _upload(client, world, _pdf(1000), "nachher.pdf").status_code == 302
    finally:
        app.extensions[EXTENSION_KEY] = previous
        proxy.close()


def test_a_large_download_is_streamed_not_held_in_memory(world, client, login, db, app_file_store):
    data = _pdf(20 * 1024 * 1024)
    login(world["secretary"])
    assert _upload(client, world, data).status_code == 302
    stored = db.session.query(StoredFile).one()
    url = f"/meetings/{world['meeting_id']}/files/{stored.id}"
    client.get(url).close()  # the store's client set up, as in a running server
    digest = hashlib.sha256()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        response = client.get(url, buffered=False)
        assert response.headers["Content-Length"] == str(len(data))
        for chunk in response.response:
            digest.update(chunk)
        response.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del data
    assert digest.hexdigest() == stored.sha256
    print(f"20 MiB download: peak {(peak - before) / 2**20:.1f} MiB")
    assert peak - before < 4 * 1024 * 1024
