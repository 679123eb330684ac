"""Pages for organisations and people."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.args import arg_int
from ..core.downloads import download
from ..core.forms import NONE_CHOICE, commit_or_show
from ..core.permissions import can, require
from ..core.views import get_or_404, paginate
from ..extensions import db
from . import services
from .forms import KIND_CHOICES, ConfirmForm, EraseForm, OrganisationForm, PersonForm
from .models import Organisation, Person

bp = Blueprint("directory", __name__)


def _organisation_form(organisation: Organisation | None = None) -> OrganisationForm:
    form = OrganisationForm(obj=organisation)
    exclude = organisation.id if organisation else None
    form.parent_id.choices = [NONE_CHOICE, *services.organisation_choices(exclude)]
    form.region_id.choices = [NONE_CHOICE, *services.region_choices()]
    # The contact person works there: a new organisation has nobody yet.
    form.contact_person_id.choices = [
        NONE_CHOICE,
        *(services.person_choices(organisation.id) if organisation else []),
    ]
    if organisation is not None and request.method == "GET":
        form.kind.data = organisation.kind.value
    return form


@bp.get("/organisations/")
@login_required
def organisations():
    search = request.args.get("q", "")
    kind = request.args.get("kind", "")
    region_id = arg_int("region")
    include_inactive = request.args.get("inactive") == "1"
    page = paginate(services.organisation_query(search, kind, region_id, include_inactive))
    return render_template(
        "directory/organisation_list.html",
        page=page,
        search=search,
        kind=kind,
        region_id=region_id,
        include_inactive=include_inactive,
        kinds=KIND_CHOICES,
        regions=services.region_choices(),
        can_create=can(current_user, "organisation.create"),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def organisation_create():
    require(can(current_user, "organisation.create"))
    form = _organisation_form()
    if form.validate_on_submit():
        saved, organisation = commit_or_show(
            form, lambda: services.create_organisation(current_user, form.data)
        )
        if saved:
            flash(gettext("Organisation %(name)s created.", name=organisation.name), "success")
            return redirect(url_for(".organisation_detail", organisation_id=organisation.id))
    return render_template("directory/organisation_form.html", form=form, organisation=None)


@bp.get("/organisations/<int:organisation_id>")
@login_required
def organisation_detail(organisation_id: int):
    organisation = services.get_organisation_detail(organisation_id)
    if organisation is None:
        abort(404)
    require(can(current_user, "organisation.view", organisation))
    return render_template(
        "directory/organisation_detail.html",
        organisation=organisation,
        can_edit=can(current_user, "organisation.edit", organisation),
        can_deactivate=can(current_user, "organisation.deactivate", organisation),
        can_add_person=can(current_user, "person.create", organisation),
        confirm_form=ConfirmForm(),
    )


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def organisation_edit(organisation_id: int):
    organisation = get_or_404(Organisation, organisation_id)
    require(can(current_user, "organisation.edit", organisation))
    form = _organisation_form(organisation)
    if form.validate_on_submit():
        saved, _ = commit_or_show(
            form, lambda: services.update_organisation(current_user, organisation, form.data)
        )
        if saved:
            flash(gettext("Changes saved."), "success")
            return redirect(url_for(".organisation_detail", organisation_id=organisation.id))
    return render_template("directory/organisation_form.html", form=form, organisation=organisation)


@bp.post("/organisations/<int:organisation_id>/active")
@login_required
def organisation_set_active(organisation_id: int):
    organisation = get_or_404(Organisation, organisation_id)
    require(can(current_user, "organisation.deactivate", organisation))
    active = request.form.get("active") == "1"
    services.set_organisation_active(current_user, organisation, active)
    db.session.commit()
    if active:
        flash(gettext("Organisation reactivated."), "success")
    else:
        flash(gettext("Organisation deactivated."), "success")
    return redirect(url_for(".organisation_detail", organisation_id=organisation.id))


def _person_form(person: Person | None = None) -> PersonForm:
    form = PersonForm(obj=person)
    if person is None and request.method == "GET":
        form.organisation_id.data = arg_int("organisation", 0)
    form.organisation_id.choices = [NONE_CHOICE, *services.organisation_choices()]
    return form


@bp.get("/people/")
@login_required
def people():
    search = request.args.get("q", "")
    organisation_id = arg_int("organisation")
    include_inactive = request.args.get("inactive") == "1"
    page = paginate(services.person_query(search, organisation_id, include_inactive))
    return render_template(
        "directory/person_list.html",
        page=page,
        search=search,
        organisation_id=organisation_id,
        include_inactive=include_inactive,
        organisations=services.organisation_choices(),
        can_create=can(current_user, "person.create"),
    )


@bp.route("/people/new", methods=["GET", "POST"])
@login_required
def person_create():
    require(can(current_user, "person.create"))
    form = _person_form()
    if form.validate_on_submit():
        saved, person = commit_or_show(
            form, lambda: services.create_person(current_user, form.data)
        )
        if saved:
            flash(gettext("%(name)s added.", name=person.full_name), "success")
            return redirect(url_for(".person_detail", person_id=person.id))
    return render_template("directory/person_form.html", form=form, person=None)


@bp.get("/people/<int:person_id>")
@login_required
def person_detail(person_id: int):
    person = get_or_404(Person, person_id)
    require(can(current_user, "person.view", person))
    erased = person.is_erased
    return render_template(
        "directory/person_detail.html",
        person=person,
        can_edit=not erased and can(current_user, "person.edit", person),
        can_export=can(current_user, "person.export", person),
        can_erase=not erased and can(current_user, "person.erase", person),
        confirm_form=ConfirmForm(),
    )


def _erased_conflict(person: Person):
    """409: an erased person's row stays for the records, but nothing about it changes again."""
    message = gettext("The data of this person has been erased; it cannot be changed.")
    return render_template("errors/error.html", code=409, message=message), 409


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
def person_edit(person_id: int):
    person = get_or_404(Person, person_id)
    require(can(current_user, "person.edit", person))
    if person.is_erased:
        return _erased_conflict(person)
    form = _person_form(person)
    if form.validate_on_submit():
        saved, _ = commit_or_show(
            form, lambda: services.update_person(current_user, person, form.data)
        )
        if saved:
            flash(gettext("Changes saved."), "success")
            return redirect(url_for(".person_detail", person_id=person.id))
    return render_template("directory/person_form.html", form=form, person=person)


@bp.post("/people/<int:person_id>/active")
@login_required
def person_set_active(person_id: int):
    person = get_or_404(Person, person_id)
    require(can(current_user, "person.deactivate", person))
    if person.is_erased:
        return _erased_conflict(person)
    active = request.form.get("active") == "1"
    services.set_person_active(current_user, person, active)
    db.session.commit()
    flash(gettext("Person reactivated.") if active else gettext("Person deactivated."), "success")
    return redirect(url_for(".person_detail", person_id=person.id))


@bp.get("/people/<int:person_id>/data.json")
@login_required
def person_export(person_id: int):
    """Art. 15 GDPR: everything about the person as a JSON download."""
    person = get_or_404(Person, person_id)
    require(can(current_user, "person.export", person))
    data = services.export_person_data(current_user, person)
    return download(
        json.dumps(data, ensure_ascii=False, indent=2),
        f"person-{person.id}-data.json",
        "application/json",
        headers={"Cache-Control": "no-store"},
    )


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
@login_required
def person_erase(person_id: int):
    """Art. 17 GDPR: a confirmation page, then the erasure."""
    person = get_or_404(Person, person_id)
    require(can(current_user, "person.erase", person))
    if person.is_erased:
        return _erased_conflict(person)
    form = EraseForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            saved, _ = commit_or_show(
                form, lambda: services.erase_person(current_user, person, form.reason.data)
            )
            if saved:
                flash(gettext("The data of this person has been erased."), "success")
                return redirect(url_for(".person_detail", person_id=person.id))
        status = 422
    return render_template(
        "directory/person_erase.html",
        form=form,
        person=person,
        accounts=services.linked_users(person),
    ), status
