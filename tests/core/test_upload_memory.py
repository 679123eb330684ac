"""Issue 10's memory test: zip bombs and entity bombs posted to every zip-based upload are refused
with a 4xx, and the server process's peak memory grows by less than 100 MB.

Peak memory (ru_maxrss) only ever grows, so it is measured in a fresh process: a small script
run with sys.executable creates the app on a temporary SQLite database, signs in and posts the
bombs through the test client, printing the peak before and after.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import io, json, resource, sys, tempfile
from pathlib import Path

import datetime as dt
from govtool import TestConfig, create_app
from govtool.auth.models import Role
from govtool.bodies import agenda
from govtool.bodies.models import MembershipRole
from govtool.extensions import db
from govtool.i18n import compile_catalogues
from tests import bombs
from tests.bodies.factories import make_body, make_meeting, make_member_user
from tests.catalogue.factories import make_world
from tests.factories import DEFAULT_PASSWORD

tmp = Path(tempfile.mkdtemp(prefix="govtool-bombs-"))


class Config(TestConfig):
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp / 'db.sqlite3'}"
    UPLOAD_DIR = tmp / "uploads"


compile_catalogues()
app = create_app(Config)
with app.app_context():
    db.create_all()
    world = make_world()
    body = make_body()
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    meeting = make_meeting(body, dt.date.today() + dt.timedelta(days=40))
    item = agenda.add_item(secretary, meeting, {"title": "Bericht", "is_public": True})
    db.session.commit()
    ids = {"meeting": meeting.id, "item": item.id, "secretary": secretary.email}

# Built before the first measurement: each is about 1 MB, made in chunks.
odt = bombs.odt_bomb()
xlsx = bombs.xlsx_with_huge_cell()
lying = bombs.lie_about_size(bombs.xlsx_with_huge_cell(), "xl/worksheets/sheet1.xml")
dtd = bombs.xlsx_with_dtd()
docx = bombs.docx_bomb()


def sign_in(client, email):
    client.post("/login", data={"email": email, "password": DEFAULT_PASSWORD})


def post(client, url, field, data, filename, **extra):
    return client.post(
        url, data={field: (io.BytesIO(data), filename), **extra},
        content_type="multipart/form-data",
    ).status_code


files_url = f"/meetings/{ids['meeting']}/items/{ids['item']}/files"
papers_url = f"/meetings/{ids['meeting']}/items/{ids['item']}/papers"
secretary = app.test_client()
sign_in(secretary, ids["secretary"])
importer = app.test_client()
sign_in(importer, "halle@example.org")
admin = app.test_client()
sign_in(admin, "admin@example.org")
# Warm up: the same code paths with harmless files, so imports and caches are not counted.
post(secretary, files_url, "upload-file", b"%PDF-1.4 warm-up", "warm.pdf")
post(importer, "/catalogue/import", "file", bombs.xlsx_with_huge_cell(10), "warm.xlsx")

before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
statuses = {
    "odt file": post(secretary, files_url, "upload-file", odt, "bericht.odt"),
    "odt paper": post(
        secretary, papers_url, "paper-file", odt, "vorlage.odt",
        **{"paper-title": "Vorlage", "paper-paper_type": "report"},
    ),
    "xlsx import": post(importer, "/catalogue/import", "file", xlsx, "katalog.xlsx"),
    "lying xlsx import": post(importer, "/catalogue/import", "file", lying, "katalog.xlsx"),
    "dtd xlsx import": post(importer, "/catalogue/import", "file", dtd, "katalog.xlsx"),
    "docx template": post(
        admin, "/agreements/templates/upload", "file", docx, "vorlage.docx",
        **{"code": "", "name": "Bombe", "kind": "cooperation", "description": ""},
    ),
}
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"before_kb": before, "after_kb": after, "statuses": statuses}))
"""


def test_bombs_are_refused_without_growing_peak_memory_by_100_mb():
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    for name, status in result["statuses"].items():
        assert 400 <= status < 500, (name, status)
    growth_mb = (result["after_kb"] - result["before_kb"]) / 1024  # ru_maxrss is in KiB on Linux
    print(
        f"bombs refused with {sorted(set(result['statuses'].values()))}; peak memory grew by "
        f"{growth_mb:.1f} MB (limit 100 MB)"
    )
    assert growth_mb < 100, result
