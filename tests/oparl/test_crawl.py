"""OParl 1.1 over the demo data: a crawl from /oparl/v1/system follows every URL, validates
every object against the OParl 1.1 schemas, checks every list's pagination with a page size of 2,
and finds nothing that is not public."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from govtool.bodies.agenda import file_key
from govtool.bodies.agenda_models import AgendaItem, Paper, PaperType, StoredFile
from govtool.bodies.models import Meeting, MeetingStatus, Membership
from govtool.core.storage import current_store
from govtool.directory.models import Organisation, Person

SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared/standards/oparl-1.1/schema"
OPARL = "https://schema.oparl.org/1.1/"
BASE = "https://oparl.example.org"
SECRET = "GEHEIM-NICHT-OEFFENTLICH"

# a property of an object names an object of this type ...
REF_TYPES = {
    "person": "Person",
    "organization": "Organization",
    "onBehalfOf": "Organization",
    "subOrganizationOf": "Organization",
    "underDirectionOf": "Organization",
    "mainOrganization": "Organization",
    "meeting": "Meeting",
    "meetings": "Meeting",
    "membership": "Membership",
    "agendaItem": "AgendaItem",
    "body": "Body",
    "system": "System",
}
# ... except in Body and System, where it names a list of objects of this type
LIST_TYPES = {
    "organization": "Organization",
    "person": "Person",
    "meeting": "Meeting",
    "paper": "Paper",
    "agendaItem": "AgendaItem",
    "file": "File",
    "locationList": "Location",
    "legislativeTermList": "LegislativeTerm",
    "membership": "Membership",
    "body": "Body",
}


def validators():
    if not SCHEMAS.is_dir():
        pytest.skip(f"the OParl 1.1 schemas are not at {SCHEMAS} (../shared/standards)")
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource

    schemas = {p.stem: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    registry = Registry()
    for schema in schemas.values():
        resource = Resource.from_contents(schema)
        registry = registry.with_resources(
            [(schema["$id"], resource), (schema["$id"] + ".json", resource)]
        )
    return {
        name: Draft7Validator(
            schema, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER
        )
        for name, schema in schemas.items()
    }


@pytest.fixture()
def oparl_demo(demo, app, monkeypatch, tmp_path):
    """The demo data plus a public and a non-public item, each with a paper and files."""
    monkeypatch.setitem(app.config, "GOVTOOL_BASE_URL", BASE)
    monkeypatch.setitem(app.config, "GOVTOOL_OPARL_PAGE_SIZE", 2)
    db = demo
    approved = db.session.scalars(
        sa.select(Meeting).where(Meeting.status == MeetingStatus.MINUTES_APPROVED)
    ).first()
    internal = db.session.scalars(
        sa.select(Meeting).where(Meeting.status != MeetingStatus.MINUTES_APPROVED)
    ).first()
    assert approved is not None and internal is not None
    for item in internal.agenda_items:  # minutes not approved: internal
        item.result = f"{SECRET} internes Protokoll"
    org = db.session.scalars(sa.select(Organisation)).first()
    created = {}
    for public in (True, False):
        label = "public" if public else SECRET
        item = AgendaItem(
            meeting=approved,
            position=90 + public,
            number=f"9{int(public)}",
            title=f"TOP {label}",
            is_public=public,
        )
        paper = Paper(
            agenda_item=item,
            reference=f"BG-V-{label}",
            title=f"Vorlage {label}",
            paper_type=PaperType.REPORT,
            organisation_id=org.id,
        )
        db.session.add_all([item, paper])
        db.session.flush()
        for name, paper_id in ((f"anlage-{label}.pdf", None), (f"vorlage-{label}.pdf", paper.id)):
            data = f"%PDF-1.4 {name}".encode()
            sha = hashlib.sha256(data).hexdigest()
            current_store().put(file_key(sha), data)
            stored = StoredFile(
                meeting_id=approved.id,
                agenda_item_id=item.id,
                paper_id=paper_id,
                sha256=sha,
                original_name=name,
                mime_type="application/pdf",
                size=len(data),
            )
            db.session.add(stored)
            db.session.flush()
            created[(public, paper_id is not None)] = stored
        created[(public, "item")] = item
        created[(public, "paper")] = paper
    db.session.commit()
    return created


def _get(client, url: str):
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, url
    response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert response.status_code == 200, (url, response.status_code)
    return response


def _refs(obj, parent_type: str | None = None):
    """(property, url) of every URL in an object and its embedded objects."""
    if isinstance(obj, dict):
        kind = obj.get("type", "").removeprefix(OPARL) or parent_type
        for key, value in obj.items():
            if key in ("id", "type"):
                continue
            if isinstance(value, str) and value.startswith(BASE):
                yield kind, key, value
            else:
                yield from _refs(value, kind)
    elif isinstance(obj, list):
        for value in obj:
            if isinstance(value, str) and value.startswith(BASE):
                yield parent_type, None, value
            else:
                yield from _refs(value, parent_type)


def _embedded(obj):
    """The object and every object embedded in it."""
    if isinstance(obj, dict):
        if "type" in obj:
            yield obj
        for value in obj.values():
            yield from _embedded(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _embedded(value)


def crawl(client):
    """Every object and list reachable from the system; list pages followed by their links."""
    check = validators()
    seen: dict[str, dict] = {}
    expected: dict[str, tuple[str, str]] = {f"{BASE}/oparl/v1/system": ("object", "System")}
    todo = deque(expected)
    texts, objects, downloads = [], {}, {}
    while todo:
        url = todo.popleft()
        response = _get(client, url)
        shape, kind = expected[url]
        if shape == "bytes":
            downloads[url] = response.data
            continue
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.content_type == "application/json; charset=utf-8"
        assert not response.data.startswith(b"\xef\xbb\xbf")
        texts.append(response.get_data(as_text=True))
        data = response.get_json()
        seen[url] = data

        def want(target: str, shape: str, kind: str) -> None:
            if target in expected:
                assert expected[target][1] == kind or shape == "bytes", (target, kind)
                return
            expected[target] = (shape, kind)
            todo.append(target)

        if shape == "list":
            pagination, links = data["pagination"], data["links"]
            assert len(data["data"]) <= 2 == pagination["elementsPerPage"]
            assert ("next" in links) == (pagination["currentPage"] < pagination["totalPages"])
            ids = [o["id"] for o in data["data"]]
            assert len(ids) == len(set(ids))
            for link in links.values():
                want(link, "list", kind)
            items = data["data"]
        else:
            assert data["id"] == url
            items = [data]
        for item in items:
            assert item["type"] == OPARL + kind, (url, item["type"])
            for obj in _embedded(item):
                name = obj["type"].removeprefix(OPARL)
                errors = [e.message for e in check[name].iter_errors(obj)]
                assert errors == [], (obj["id"], errors)
                objects[obj["id"]] = obj
                want(obj["id"], "object", name)
            for owner, key, target in _refs(item):
                if key in ("accessUrl", "downloadUrl"):
                    want(target, "bytes", "File")
                elif owner in ("Body", "System") and key in LIST_TYPES:
                    want(target, "list", LIST_TYPES[key])
                elif key in REF_TYPES:
                    want(target, "object", REF_TYPES[key])
                elif key is None or key in ("website", "web"):
                    continue  # app pages (not OParl); arrays of URLs: below
                else:
                    raise AssertionError(f"unexpected URL property {owner}.{key}: {target}")
            for _owner, key, target in _refs_in_arrays(item):
                want(target, "object", REF_TYPES[key])
    return objects, "\n".join(texts), seen, downloads


def _refs_in_arrays(obj):
    """(owner, property, url) for arrays of URLs such as Organization.membership."""
    if isinstance(obj, dict):
        kind = obj.get("type", "").removeprefix(OPARL)
        for key, value in obj.items():
            if isinstance(value, list):
                for entry in value:
                    if isinstance(entry, str) and entry.startswith(BASE):
                        yield kind, key, entry
                    else:
                        yield from _refs_in_arrays(entry)
            elif isinstance(value, dict):
                yield from _refs_in_arrays(value)


def test_crawl_validates_every_object_and_publishes_only_the_public(client, oparl_demo, demo):
    objects, text, _, downloads = crawl(client)
    by_type: dict[str, list[dict]] = {}
    for obj in objects.values():
        by_type.setdefault(obj["type"].removeprefix(OPARL), []).append(obj)
    assert {
        "System",
        "Body",
        "Organization",
        "Person",
        "Membership",
        "Meeting",
        "AgendaItem",
        "Paper",
        "File",
        "Location",
        "LegislativeTerm",
    } <= set(by_type)
    assert all(o["id"].startswith("https://") for o in objects.values())

    # nothing non-public: items, papers, files, internal minutes
    assert SECRET not in text
    public_file = oparl_demo[(True, False)]
    paper_file = oparl_demo[(True, True)]
    stored = [o for o in by_type["File"] if "/oparl/v1/file/" in o["id"]]
    file_ids = {o["id"].rsplit("/", 1)[1] for o in stored}
    assert file_ids == {str(public_file.id)}  # a paper's file is for members only
    (published,) = stored
    assert published["sha512Checksum"] == hashlib.sha512(b"%PDF-1.4 anlage-public.pdf").hexdigest()
    assert published["size"] == public_file.size and published["mimeType"] == "application/pdf"
    assert paper_file.original_name not in text
    assert {p["reference"] for p in by_type["Paper"]} == {"BG-V-public"}
    assert all(item["public"] for item in by_type["AgendaItem"])
    for meeting in demo.session.scalars(sa.select(Meeting)):
        items = [
            o for o in by_type["AgendaItem"] if o["meeting"].endswith(f"/meeting/{meeting.id}")
        ]
        if meeting.status is not MeetingStatus.MINUTES_APPROVED:
            assert all("result" not in o and "resolutionText" not in o for o in items)
    assert any("resolutionText" in o for o in by_type["AgendaItem"])

    # the public invitation and minutes of the demo meetings, reached and downloaded
    meetings = {o["id"]: o for o in by_type["Meeting"]}
    for meeting in demo.session.scalars(sa.select(Meeting)):
        obj = meetings[f"{BASE}/oparl/v1/meeting/{meeting.id}"]
        assert ("invitation" in obj) == (meeting.invitation_sent_at is not None)
        assert ("resultsProtocol" in obj) == (meeting.status is MeetingStatus.MINUTES_APPROVED)
        for key in ("invitation", "resultsProtocol"):
            if key in obj:
                assert obj[key]["id"] in objects and obj[key]["downloadUrl"] in downloads
                data = downloads[obj[key]["downloadUrl"]]
                assert hashlib.sha512(data).hexdigest() == obj[key]["sha512Checksum"]
                assert len(data) == obj[key]["size"] and data.startswith(b"PK")
    assert any("resultsProtocol" in o for o in meetings.values())

    # no contact data of people (or of organisations) anywhere
    for person in demo.session.scalars(sa.select(Person)):
        for datum in (person.email, person.phone):
            assert not datum or datum not in text, datum
    for org in demo.session.scalars(sa.select(Organisation)):
        assert not org.email or org.email not in text
    for person in by_type["Person"]:
        assert not {"email", "phone", "location", "locationObject", "life"} & set(person)

    states = {o["meetingState"] for o in by_type["Meeting"]}
    assert {"terminiert", "durchgeführt"} <= states
    working_groups = [o for o in by_type["Organization"] if "subOrganizationOf" in o]
    assert working_groups and all(o["organizationType"] == "Gremium" for o in working_groups)
    assert all("onBehalfOf" in m and "votingRight" in m for m in by_type["Membership"])


def test_lists_page_through_every_object_once_in_order(client, oparl_demo):
    body = client.get("/oparl/v1/body/1").get_json()
    for key in ("organization", "person", "meeting", "membership", "agendaItem"):
        url, ids, total = body[key], [], None
        while url:
            page = _get(client, url).get_json()
            total = page["pagination"]["totalElements"]
            ids += [o["id"] for o in page["data"]]
            url = page["links"].get("next")
        assert len(ids) == len(set(ids)) == total > 2, key
    meetings = [int(i.rsplit("/", 1)[1]) for i in ids]
    assert meetings == sorted(meetings)


def test_modified_since_returns_exactly_the_objects_changed_after_a_time(client, oparl_demo, demo):
    time.sleep(0.01)
    since = dt.datetime.now(dt.UTC)
    time.sleep(0.01)
    meeting = demo.session.scalars(sa.select(Meeting).order_by(Meeting.id.desc())).first()
    meeting.title = "Geänderte Sitzung"
    member = sa.select(Membership.person_id)
    person = demo.session.scalars(sa.select(Person).where(Person.id.in_(member))).first()
    person.last_name = "Geändert"
    demo.session.commit()
    stamp = since.isoformat()

    def ids(kind: str, **args) -> set[str]:
        url = f"/oparl/v1/body/1/{kind}"
        found = set()
        response = client.get(url, query_string=args)
        while True:
            assert response.status_code == 200
            page = response.get_json()
            found |= {o["id"] for o in page["data"]}
            if "next" not in page["links"]:
                return found
            assert all(f"{name}=" in page["links"]["next"] for name in args)
            response = _get(client, page["links"]["next"])

    assert ids("meeting", modified_since=stamp) == {f"{BASE}/oparl/v1/meeting/{meeting.id}"}
    assert ids("person", modified_since=stamp) == {f"{BASE}/oparl/v1/person/{person.id}"}
    everything = ids("meeting")
    assert ids("meeting", modified_until=stamp) == everything - ids("meeting", modified_since=stamp)
    assert len(everything) > 2


@pytest.mark.parametrize(
    "query", ["modified_since=gestern", "created_until=2026-13-01", "page=0", "limit=x", "page=-1"]
)
def test_bad_filter_values_are_a_400_with_a_json_message(client, oparl_demo, query):
    response = client.get(f"/oparl/v1/body/1/meeting?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_non_public_objects_answer_404(client, oparl_demo):
    hidden = [
        f"/oparl/v1/agenda_item/{oparl_demo[(False, 'item')].id}",
        f"/oparl/v1/paper/{oparl_demo[(False, 'paper')].id}",
        f"/oparl/v1/file/{oparl_demo[(False, False)].id}",
        f"/oparl/v1/file/{oparl_demo[(True, True)].id}/download",
        "/oparl/v1/meeting/999999",
        "/oparl/v1/body/1/nothing",
        "/oparl/v1/no/such/thing",
    ]
    for url in hidden:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.get_json()["error"]["status"] == 404


def test_omit_internal_leaves_out_embedded_objects_and_is_carried_on(client, oparl_demo):
    page = client.get("/oparl/v1/body/1/meeting?omit_internal=true").get_json()
    assert all("agendaItem" not in m for m in page["data"])
    assert "omit_internal=true" in page["links"]["next"]
