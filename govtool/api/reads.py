"""Read endpoints: the same services and permission rules as the pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..agreements import services as agreement_services
from ..agreements.models import Agreement, AgreementVersion
from ..bodies import services as body_services
from ..bodies.models import Meeting
from ..catalogue import services as catalogue_services
from ..core.errors import NotFound
from ..core.permissions import can, where
from ..directory import services as directory_services
from ..extensions import db
from .blueprints import api_blueprint
from .pagination import LINK_HEADERS, PageArgs, paginated
from .schemas import (
    AgreementDetailSchema,
    AgreementSchema,
    BodySchema,
    CatalogueEntrySchema,
    MeetingDetailSchema,
    MeetingSchema,
    OrganisationSchema,
)

bp = api_blueprint("api_read", __name__, "Reading")


class Extended:
    """An object with more attributes for its schema (e.g. the agenda the caller may see)."""

    def __init__(self, obj, **extra):
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name: str):
        return getattr(self._obj, name)


def visible_or_404(obj, action: str):
    """The object when the caller may see it; a 404 otherwise (an unseen object is not told
    apart from a missing one)."""
    if obj is None or not can(current_user, action, obj):
        raise NotFound(gettext("No such object."))
    return obj


@bp.route("/organisations")
@bp.arguments(PageArgs, location="query")
@bp.response(200, OrganisationSchema(many=True), headers=LINK_HEADERS)
def organisations(args):
    items, _, headers = paginated(directory_services.organisation_query(), args)
    return items, 200, headers


@bp.route("/organisations/<int:organisation_id>")
@bp.response(200, OrganisationSchema)
def organisation(organisation_id: int):
    found = directory_services.get_organisation_detail(organisation_id)
    return visible_or_404(found, "organisation.view")


@bp.route("/bodies")
@bp.arguments(PageArgs, location="query")
@bp.response(200, BodySchema(many=True), headers=LINK_HEADERS)
def bodies(args):
    statement = body_services.body_list_query().order_by(None).order_by(sa.text("bodies.id"))
    items, _, headers = paginated(statement, args)
    return items, 200, headers


@bp.route("/bodies/<int:body_id>")
@bp.response(200, BodySchema)
def body(body_id: int):
    return visible_or_404(body_services.get_body_detail(body_id), "body.view")


@bp.route("/bodies/<int:body_id>/meetings")
@bp.arguments(PageArgs, location="query")
@bp.response(200, MeetingSchema(many=True), headers=LINK_HEADERS)
def meetings(args, body_id: int):
    visible_or_404(body_services.get_body_detail(body_id), "body.view")
    statement = (
        sa.select(Meeting)
        .where(Meeting.body_id == body_id)
        .order_by(Meeting.start_at.desc(), Meeting.id.desc())
    )
    items, _, headers = paginated(statement, args)
    return items, 200, headers


@bp.route("/meetings/<int:meeting_id>")
@bp.response(200, MeetingDetailSchema)
def meeting(meeting_id: int):
    found = visible_or_404(body_services.meeting_detail(meeting_id), "meeting.view")
    agenda = [
        item
        for item in sorted(found.agenda_items, key=lambda item: item.position)
        if can(current_user, "agenda_item.view", item)
    ]
    return Extended(found, agenda=agenda)


@bp.route("/agreements")
@bp.arguments(PageArgs, location="query")
@bp.response(200, AgreementSchema(many=True), headers=LINK_HEADERS)
def agreements(args):
    statement = (
        sa.select(Agreement)
        .where(where(current_user, "agreement.view"))
        .order_by(Agreement.number, Agreement.id)
    )
    items, _, headers = paginated(statement, args)
    return items, 200, headers


@bp.route("/agreements/<int:agreement_id>")
@bp.response(200, AgreementDetailSchema)
def agreement(agreement_id: int):
    found = visible_or_404(agreement_services.get_agreement(agreement_id), "agreement.view")
    versions = db.session.scalars(
        sa.select(AgreementVersion)
        .where(AgreementVersion.agreement_id == found.id)
        .options(selectinload(AgreementVersion.parties), selectinload(AgreementVersion.signatures))
        .order_by(AgreementVersion.number)
    ).all()
    return Extended(found, versions=versions)


@bp.route("/catalogue/entries")
@bp.arguments(PageArgs, location="query")
@bp.response(200, CatalogueEntrySchema(many=True), headers=LINK_HEADERS)
def catalogue_entries(args):
    statement = (
        catalogue_services.version_query(current_user)
        .order_by(None)
        .order_by(sa.text("catalogue_entries.id"))
    )
    items, _, headers = paginated(statement, args)
    return items, 200, headers


@bp.route("/catalogue/entries/<int:entry_id>")
@bp.response(200, CatalogueEntrySchema)
def catalogue_entry(entry_id: int):
    entry = visible_or_404(catalogue_services.get_entry(entry_id), "catalogue.view")
    version = catalogue_services.visible_version(current_user, entry)
    if version is None:
        raise NotFound(gettext("No such object."))
    return version
