"""People in the directory, as the directory's pages show them to the caller.

Which people: the directory's own list query and its "person.view" rule (nothing decided here).
Which fields: those the person pages show (name, title, function, organisation, email, phone,
active). An erased person (Art. 17 GDPR) is listed as on the pages: the placeholder name and
nothing else about them, whatever the row still holds.
"""

from __future__ import annotations

from flask_login import current_user
from marshmallow import fields, validate

from ..core.permissions import where
from ..directory import services as directory_services
from ..directory.models import Person
from ..extensions import db
from .blueprints import api_blueprint
from .pagination import LINK_HEADERS, PageArgs, paginated
from .reads import visible_or_404
from .schemas import PersonSchema

bp = api_blueprint("api_people", __name__, "People")


class PeopleArgs(PageArgs):
    """The filters of the person list page."""

    q = fields.String(
        load_default="",
        validate=validate.Length(max=200),
        metadata={"description": "name, email or function contains"},
    )
    organisation = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "people of this organisation only"},
    )
    include_inactive = fields.Boolean(
        load_default=False, metadata={"description": "also inactive and erased people"}
    )


@bp.route("/people")
@bp.arguments(PeopleArgs, location="query")
@bp.response(200, PersonSchema(many=True), headers=LINK_HEADERS)
def people(args):
    statement = directory_services.person_query(
        args["q"], args["organisation"], args["include_inactive"]
    ).where(where(current_user, "person.view"))
    statement = statement.order_by(Person.id)  # a stable page order for equal names
    items, _, headers = paginated(statement, args)
    return items, 200, headers


@bp.route("/people/<int:person_id>")
@bp.response(200, PersonSchema)
def person(person_id: int):
    return visible_or_404(db.session.get(Person, person_id), "person.view")
