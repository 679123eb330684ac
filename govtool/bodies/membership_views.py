"""The members of a body: add a member (with a person search) and end a membership."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.forms import NONE_CHOICE, commit_or_show
from ..core.permissions import can, require
from ..core.views import get_or_404
from ..extensions import db
from ..links import directory as directory_services
from . import services
from .forms import MembershipForm
from .models import Body, Membership
from .views import bp


def _membership_form(body: Body, search: str = "") -> tuple[MembershipForm, int]:
    """The add-member form with choices limited to relevant rows: people found by name (at most
    SEARCH_LIMIT), their organisations and those already represented, the current members as
    deputies. Returns the form and how many people the search found."""
    form = MembershipForm()
    found = directory_services.person_search(search) if search else []
    people = [(pid, label) for pid, label, _ in found]
    chosen = form.person_id.data if request.method == "POST" else 0
    if chosen and chosen not in {pid for pid, _ in people}:
        people += directory_services.people_of_organisations([], [chosen])
    current = [m for m in body.memberships if m.is_current()]
    organisation_ids = {org for _, _, org in found}
    organisation_ids |= {m.organisation_id for m in current}
    organisation_ids |= {body.organisation_id, form.organisation_id.data}
    form.person_id.choices = [NONE_CHOICE, *people]
    form.organisation_id.choices = [
        NONE_CHOICE,
        *directory_services.organisation_choices_for(organisation_ids),
    ]
    deputies = sorted(
        {m.person_id: m.person.full_name for m in current}.items(), key=lambda row: row[1]
    )
    form.deputy_of_id.choices = [NONE_CHOICE, *deputies]
    return form, len(found)


def _render_membership_form(body: Body, form: MembershipForm, search: str, found: int, status=200):
    return render_template(
        "bodies/membership_form.html",
        body=body,
        form=form,
        search=search,
        found=found,
        limit=directory_services.SEARCH_LIMIT,
    ), status


@bp.get("/bodies/<int:body_id>/members/new")
@login_required
def membership_new(body_id: int):
    body = services.get_body_detail(body_id)
    if body is None:
        abort(404)
    require(can(current_user, "body.edit", body))
    search = request.args.get("q", "").strip()[:100]
    form, found = _membership_form(body, search)
    return _render_membership_form(body, form, search, found)


@bp.post("/bodies/<int:body_id>/members")
@login_required
def membership_add(body_id: int):
    body = services.get_body_detail(body_id)
    if body is None:
        abort(404)
    require(can(current_user, "body.edit", body))
    search = request.form.get("q", "").strip()[:100]
    form, found = _membership_form(body, search)
    if form.validate_on_submit():
        saved, _ = commit_or_show(
            form, lambda: services.add_membership(current_user, body, form.data)
        )
        if saved:
            flash(gettext("Member added."), "success")
            return redirect(url_for(".body_detail", body_id=body.id))
    flash(gettext("The member could not be added; please check the form."), "danger")
    return _render_membership_form(body, form, search, found, 422)


@bp.post("/bodies/<int:body_id>/members/<int:membership_id>/end")
@login_required
def membership_end(body_id: int, membership_id: int):
    membership = get_or_404(Membership, membership_id)
    if membership.body_id != body_id:
        abort(404)
    require(can(current_user, "body.edit", membership.body))
    services.end_membership(current_user, membership)
    db.session.commit()
    flash(gettext("Membership ended; it stays in the history."), "success")
    return redirect(url_for(".members", body_id=body_id))
