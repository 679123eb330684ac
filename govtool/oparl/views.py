"""OParl 1.1 endpoints (read-only, anonymous): /oparl/v1/system and the objects below it.

Every answer is JSON in UTF-8 without BOM with `Access-Control-Allow-Origin: *`; an unknown or
unpublished object is a 404 and a bad filter a 400, both with a JSON message."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort
from flask_babel import force_locale
from werkzeug.exceptions import HTTPException

from ..bodies.agenda import open_file
from ..bodies.agenda_models import AgendaItem, Paper, StoredFile
from ..bodies.models import Body, Meeting, Membership
from ..core.audit import AuditEntry
from ..core.downloads import download, download_stream
from ..core.storage import ObjectMissing, StoreUnavailable
from ..directory.models import Organisation, Person
from ..extensions import db
from . import lists, meeting_files, scope, serialise, tombstones
from .permissions import file_is_public, item_is_public, paper_is_public

bp = Blueprint("oparl", __name__, url_prefix="/oparl/v1")

LIST_KINDS = (
    "organization",
    "person",
    "membership",
    "meeting",
    "location",
    "agenda_item",
    "paper",
    "file",
    "legislative_term",
)


def answer(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status=status, content_type="application/json; charset=utf-8")


def _error(status: int, message: str) -> Response:
    return answer({"error": {"status": status, "message": message}}, status)


@bp.after_request
def allow_every_origin(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.errorhandler(400)
@bp.errorhandler(404)
@bp.errorhandler(405)
@bp.errorhandler(503)  # the file storage unreachable (the app's page would be HTML)
@bp.errorhandler(HTTPException)
def json_error(error: HTTPException) -> Response:
    return _error(error.code or 500, error.description or error.name)


@bp.errorhandler(lists.ListError)
def bad_filter(error: lists.ListError) -> Response:
    return _error(400, str(error))


def _get(model: type, ident: int, visible=lambda obj: True):
    obj = db.session.get(model, ident)
    if obj is None or not visible(obj):
        abort(404, description="This object does not exist or is not public.")
    return obj


def _gone(kind: str, model: type, ident: int) -> Response | None:
    """The tombstone of a deleted published object (tombstones.py), or None."""
    obj = db.session.get(model, ident)
    if obj is not None and not (kind == "agenda_item" and not item_is_public(obj)):
        return None
    entry = tombstones.find(kind, ident)
    if entry is None:
        return None
    with force_locale("de"):
        return answer(tombstones.render(kind, entry))


def _root(body_id: int) -> Body:
    body = _get(Body, body_id)
    if body.parent_id is not None:
        abort(404, description="This OParl body does not exist.")
    return body


def _render(kind: str, root: Body, embed: bool):
    def render(row) -> dict[str, Any]:
        if isinstance(row, AuditEntry):
            return tombstones.render(kind, row)
        if kind == "organization":
            if isinstance(row, Body):
                return serialise.organization(row)
            return serialise.institution(row, root)
        if kind == "person":
            return serialise.person(row, root, embed=embed)
        if kind == "meeting":
            return serialise.meeting(row, embed=embed)
        if kind == "location":
            return serialise.location(row)
        if kind == "legislative_term":
            return serialise.legislative_term(row)
        return getattr(serialise, kind)(row)

    return render


@bp.route("/<path:rest>")
def unknown(rest: str):
    """Any other address under /oparl/v1 is a JSON 404, like an unknown object."""
    abort(404, description="There is no such OParl address.")


@bp.get("/system")
def system():
    with force_locale("de"):
        return answer(serialise.system())


@bp.get("/body")
def body_list():
    args = lists.read_arguments()
    selects = [db.select(Body).where(Body.parent_id.is_(None))]
    with force_locale("de"):
        return answer(
            lists.page(
                selects,
                args,
                lambda **values: serialise.url("body_list", **values),
                serialise.body,
            )
        )


@bp.get("/body/<int:body_id>")
def body(body_id: int):
    with force_locale("de"):
        return answer(serialise.body(_root(body_id)))


@bp.get("/body/<int:body_id>/<kind>")
def list_of(body_id: int, kind: str):
    if kind not in LIST_KINDS:
        abort(404, description="There is no such list.")
    root = _root(body_id)
    args = lists.read_arguments()

    def link(**values) -> str:
        return serialise.url("list_of", body_id=body_id, kind=kind, **values)

    render = _render(kind, root, embed=not args["omit_internal"])
    with force_locale("de"):
        selects = scope.selects(kind, root)
        deleted = tombstones.select(kind, root, args)
        if deleted is not None:
            selects.append(deleted)
        return answer(lists.page(selects, args, link, render))


@bp.get("/organization/<int:body_id>")
def organization(body_id: int):
    with force_locale("de"):
        return answer(serialise.organization(_get(Body, body_id)))


@bp.get("/institution/<int:organisation_id>")
def institution(organisation_id: int):
    organisation = _get(Organisation, organisation_id)
    root = scope.published_institution(organisation.id)
    if root is None:
        abort(404, description="This object does not exist or is not public.")
    with force_locale("de"):
        return answer(serialise.institution(organisation, root))


@bp.get("/person/<int:person_id>")
def person(person_id: int):
    someone = _get(Person, person_id)
    root = scope.published_person(someone.id)
    if root is None:
        abort(404, description="This object does not exist or is not public.")
    with force_locale("de"):
        return answer(serialise.person(someone, root))


@bp.get("/membership/<int:membership_id>")
def membership(membership_id: int):
    if (gone := _gone("membership", Membership, membership_id)) is not None:
        return gone
    with force_locale("de"):
        return answer(serialise.membership(_get(Membership, membership_id)))


@bp.get("/meeting/<int:meeting_id>")
def meeting(meeting_id: int):
    if (gone := _gone("meeting", Meeting, meeting_id)) is not None:
        return gone
    with force_locale("de"):
        return answer(serialise.meeting(_get(Meeting, meeting_id)))


@bp.get("/location/<int:meeting_id>")
def location(meeting_id: int):
    if (gone := _gone("location", Meeting, meeting_id)) is not None:
        return gone
    sitting = _get(Meeting, meeting_id, lambda m: bool(m.location))
    return answer(serialise.location(sitting))


@bp.get("/legislative_term/<int:body_id>")
def legislative_term(body_id: int):
    return answer(serialise.legislative_term(_root(body_id)))


@bp.get("/agenda_item/<int:item_id>")
def agenda_item(item_id: int):
    if (gone := _gone("agenda_item", AgendaItem, item_id)) is not None:
        return gone
    with force_locale("de"):
        return answer(serialise.agenda_item(_get(AgendaItem, item_id, item_is_public)))


@bp.get("/paper/<int:paper_id>")
def paper(paper_id: int):
    if (gone := _gone("paper", Paper, paper_id)) is not None:
        return gone
    with force_locale("de"):
        return answer(serialise.paper(_get(Paper, paper_id, paper_is_public)))


@bp.get("/file/<int:file_id>")
def file(file_id: int):
    if (gone := _gone("file", StoredFile, file_id)) is not None:
        return gone
    return answer(serialise.file(_get(StoredFile, file_id, file_is_public)))


@bp.get("/file/<int:file_id>/download")
def file_download(file_id: int):
    stored = _get(StoredFile, file_id, file_is_public)
    try:
        stream = open_file(stored)
    except ObjectMissing:
        abort(404, description="The file's content is missing.")
    except StoreUnavailable:
        abort(503, description="The file storage cannot be reached; please try again later.")
    return download_stream(stream, stored.original_name, stored.mime_type)


def _meeting_document(meeting_id: int, kind: str):
    sitting = _get(Meeting, meeting_id)
    document = meeting_files.published(sitting, kind)
    if document is None:
        abort(404, description="This object does not exist or is not public.")
    return sitting, document


@bp.get("/meeting/<int:meeting_id>/<kind>")
def meeting_document(meeting_id: int, kind: str):
    """The public invitation or minutes of a meeting as an OParl File."""
    with force_locale("de"):
        return answer(meeting_files.file_object(*_meeting_document(meeting_id, kind)))


@bp.get("/meeting/<int:meeting_id>/<kind>/download")
def meeting_document_download(meeting_id: int, kind: str):
    sitting, document = _meeting_document(meeting_id, kind)
    data = meeting_files.content(sitting, document)
    name = meeting_files.file_name(sitting, document)
    return download(data, name, meeting_files.documents.DOCX_MIME)
