"""Pages for agreements: list, draft, detail with timeline, sign, compare, verify, documents."""

from __future__ import annotations

import time
from typing import Any

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
from ..core.errors import EditConflict
from ..core.forms import (
    NONE_CHOICE,
    on_domain_error,
    refresh_requested,
)
from ..core.locking import choice_labels, commit_or_conflict, conflict_view, expected_version
from ..core.permissions import can, require
from ..core.views import RowsWithTotalPagination, page_args
from ..extensions import db
from ..links import directory as directory_services
from ..links import services as links
from . import services, signing, standard_text
from .compare import compare_entries, compare_versions
from .forms import (
    MAX_PARTY_SLOTS,
    PARTY_SLOTS,
    AgreementForm,
    VerifyForm,
)
from .models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    AgreementTemplate,
)
from .permissions import edit_starts_new_version
from .rendering import soffice_path
from .versions import default_comparison

bp = Blueprint("agreements", __name__, url_prefix="/agreements")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


_PDF_CHECK: dict[str, Any] = {"at": -1e9, "available": False}
PDF_CHECK_SECONDS = 60


def _pdf_available() -> bool:
    """Whether LibreOffice is installed, looked up on the PATH at most once a minute (the
    lookup stats a dozen directories; the detail page asks on every visit)."""
    now = time.monotonic()
    if now - _PDF_CHECK["at"] > PDF_CHECK_SECONDS:
        _PDF_CHECK.update(at=now, available=soffice_path() is not None)
    return _PDF_CHECK["available"]


def _load(agreement_id: int) -> Agreement:
    agreement = services.get_agreement(agreement_id)
    if agreement is None:
        abort(404)
    require(can(current_user, "agreement.view", agreement))
    return agreement


def _version(agreement: Agreement, number: int):
    """The version numbered `number`; a missing one is a NotFound, answered with the 404 page."""
    return services.get_version(agreement, number)


@bp.get("/")
@login_required
def index():
    user = current_user._get_current_object()
    require(can(user, "agreement.list"))
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    search = request.args.get("q", "")
    rows, counted = services.agreement_query(user, status, search, kind)
    number, per_page = page_args()
    page = RowsWithTotalPagination(
        select=rows,
        count_select=counted,
        session=db.session,
        page=number,
        per_page=per_page,
        error_out=False,
    )
    return render_template(
        "agreements/list.html",
        page=page,
        status=status,
        kind=kind,
        search=search,
        # each label translated once per request, not once per row
        status_labels={s: s.label for s in AgreementStatus},
        kind_labels={k: k.label for k in AgreementKind},
        can_create=can(user, "agreement.create"),
        can_templates=can(user, "agreement_template.view"),
    )


def _agreement_form(version=None) -> AgreementForm:
    slots = arg_int("parties", PARTY_SLOTS, 1, MAX_PARTY_SLOTS, clamp=True)
    form = AgreementForm(obj=version) if version is not None else AgreementForm()
    if refresh_requested() == "parties":  # "more parties": the posted entries and two empty slots
        for _ in range(min(2, MAX_PARTY_SLOTS - len(form.parties))):
            form.parties.append_entry()
    if request.method == "GET":
        if version is not None:
            form.renewal.data = version.renewal.value
            while len(form.parties) > 0:
                form.parties.pop_entry()
            for party in version.parties:
                form.parties.append_entry(
                    {
                        "organisation_id": party.organisation_id,
                        "role": party.role.value,
                        "contact_person_id": party.contact_person_id or 0,
                        "signatory_person_id": party.signatory_person_id or 0,
                        "signatory_name": party.signatory_name,
                        "signatory_function": party.signatory_function,
                        "duties": "\n".join(d.text for d in party.duties),
                    }
                )
        elif current_user.organisation_id and not form.parties[0].organisation_id.data:
            form.parties[0].organisation_id.data = current_user.organisation_id
        while len(form.parties) < max(slots, len(form.parties)):
            form.parties.append_entry()
    organisations = [NONE_CHOICE, *services.organisation_choices()]
    # Contact persons: the people of the organisations chosen in the form, of the user's own and
    # the contacts already stored; not the whole directory, which runs to thousands in a state.
    people = [
        NONE_CHOICE,
        *directory_services.people_of_organisations(
            [entry.organisation_id.data for entry in form.parties] + [current_user.organisation_id],
            [
                person_id
                for party in version.parties
                for person_id in (party.contact_person_id, party.signatory_person_id)
                if person_id
            ]
            if version
            else [],
        ),
    ]
    for entry in form.parties:
        entry.organisation_id.choices = organisations
        entry.contact_person_id.choices = people
        entry.signatory_person_id.choices = people
    form.template_id.choices = [NONE_CHOICE, *services.template_choices()]
    form.body_id.choices = [NONE_CHOICE, *links.body_choices(current_user)]
    form.entry_ids.choices = links.entry_choices(current_user, version)
    if request.method == "GET" and version is not None:
        form.body_id.data = version.body_id or 0
        form.entry_ids.data = [e.id for e in version.catalogue_entries]
    return form


def _new_form_page(form: AgreementForm):
    """The new-agreement form with every template's standard text for agreement_form.js."""
    return render_template(
        "agreements/form.html",
        form=form,
        agreement=None,
        version=None,
        standard_texts=standard_text.form_texts(),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(can(current_user, "agreement.create"))
    form = _agreement_form()
    if refresh_requested():
        if refresh_requested() == "template":  # "take over the standard text", without script
            template = db.session.get(AgreementTemplate, form.template_id.data or 0)
            standard_text.fill_form(form, template)
        return _new_form_page(form)
    if form.validate_on_submit():
        on_domain_error(lambda status: (_new_form_page(form), status), form)
        agreement = services.create_agreement(current_user, form.service_data())
        db.session.commit()
        flash(gettext("Agreement %(number)s drafted.", number=agreement.number), "success")
        return redirect(url_for(".detail", agreement_id=agreement.id))
    status = 422 if request.method == "POST" else 200
    return _new_form_page(form), status


def _detail_texts() -> dict[str, str]:
    """The detail page's texts repeated per party, version or signature, translated once; the
    template fills them in with |format (the values are escaped on output)."""
    return {
        "signed_by": gettext("signed by %(name)s on %(when)s"),
        "sign_for": gettext("Sign for %(name)s"),
        "not_signed": gettext("not signed"),
        "version": gettext("Version %(number)d"),
        "created": gettext("created %(when)s"),
        "docx": gettext("DOCX"),
        "signed_for": gettext("Signed for %(org)s by %(name)s on %(when)s"),
        "withdrawn": gettext("withdrawn on %(when)s: %(reason)s"),
        "on_version": gettext("on version %(number)d"),
        "changes_since": gettext("Changes since version %(number)d (commented)"),
        "revised": gettext("replaced on %(when)s"),
    }


@bp.get("/<int:agreement_id>")
@login_required
def detail(agreement_id: int):
    user = current_user._get_current_object()
    agreement, present = services.get_agreement_for_page(agreement_id, user)
    if agreement is None:
        abort(404)
    require(can(user, "agreement.view", agreement))
    number = arg_int("version", strict=True)
    version = _version(agreement, number) if number else agreement.latest_version
    details = services.load_page_details(user, agreement, version, present)
    # Each permission decided once here, not per use in the template.
    may = {
        "edit": can(user, "agreement.edit", version),
        "edit_new": can(user, "agreement.edit", version) and edit_starts_new_version(version),
        "submit": can(user, "agreement.submit", version),
        "withdraw": can(user, "agreement.withdraw_signatures", version)
        and bool(version.active_signatures),
        "amend": can(user, "agreement.amend", agreement),
        "terminate": can(user, "agreement.terminate", agreement),
        "comment": can(user, "agreement.comment", version),
        "attach": can(user, "agreement.attach", agreement),
    }
    return render_template(
        "agreements/detail.html",
        agreement=agreement,
        version=version,
        may=may,
        texts=_detail_texts(),
        signable=services.may_sign_any(user, version),
        has_pdf=_pdf_available(),
        linked_entries=links.shown_entries(user, version.catalogue_entries),
        **details,
    )


@bp.route("/<int:agreement_id>/versions/<int:number>/edit", methods=["GET", "POST"])
@login_required
def edit(agreement_id: int, number: int):
    agreement = _load(agreement_id)
    version = _version(agreement, number)
    newest = agreement.latest_version
    if newest is not version and can(current_user, "agreement.edit", newest):
        return _edit_newest_instead(agreement, version, newest)
    if version.is_frozen:
        flash(
            gettext(
                "This version has been signed and cannot be changed. Withdraw all signatures first."
            ),
            "danger",
        )
        return redirect(url_for(".detail", agreement_id=agreement.id, version=number)), 409
    require(can(current_user, "agreement.edit", version))
    form = _agreement_form(version)
    if refresh_requested():
        return render_template(
            "agreements/form.html", form=form, agreement=agreement, version=version
        )
    conflict, status = None, 200
    starts_new = edit_starts_new_version(version)
    if form.validate_on_submit():
        saved, conflict, status = commit_or_conflict(
            form,
            version,
            lambda: services.update_version(
                current_user, version, form.service_data(), expected_version(form)
            ),
            COMPARED_FIELDS,
            choice_labels(form),
        )
        if saved:
            # the edit went into the newest version: this one, or the next one it started
            saved_into = agreement.latest_version.number
            if saved_into != number:
                flash(
                    gettext(
                        "Version %(new)d drafted with your changes; version %(old)d stays "
                        "unchanged with its comments.",
                        new=saved_into,
                        old=number,
                    ),
                    "success",
                )
            else:
                flash(gettext("Changes saved."), "success")
            return redirect(url_for(".detail", agreement_id=agreement.id, version=saved_into))
    elif request.method == "POST":
        status = 422
    return render_template(
        "agreements/form.html",
        form=form,
        agreement=agreement,
        version=version,
        conflict=conflict,
        starts_new=starts_new,
    ), status


def _edit_newest_instead(agreement, version, newest):
    """`version` was replaced by a newer one (perhaps while its form was open): a GET goes to
    the newest version's form; a POST saves nothing and shows what was typed on the newest
    version's form, beside its saved text, to be saved there (409, nothing typed is lost)."""
    message = gettext(
        "Version %(old)d has been replaced by version %(new)d; changes go into version %(new)d.",
        old=version.number,
        new=newest.number,
    )
    url = url_for(".edit", agreement_id=agreement.id, number=newest.number)
    if request.method != "POST":
        flash(message, "info")
        return redirect(url)
    form = _agreement_form(newest)
    form.lock_version.data = newest.lock_version
    saved = {name: getattr(newest, name) for name in COMPARED_FIELDS}
    return render_template(
        "agreements/form.html",
        form=form,
        agreement=agreement,
        version=newest,
        conflict=conflict_view(EditConflict(message), form, saved, choice_labels(form)),
        starts_new=edit_starts_new_version(newest),
        form_action=url,
    ), 409


# The version's fields the conflict page compares, saved text beside the sent one.
COMPARED_FIELDS = ("template_id", *services.VERSION_FIELDS)


@bp.get("/<int:agreement_id>/compare")
@login_required
def compare(agreement_id: int):
    agreement = _load(agreement_id)
    a, b = default_comparison(
        agreement, arg_int("a", strict=True) or None, arg_int("b", strict=True) or None
    )
    old, new = _version(agreement, a), _version(agreement, b)
    fields, parties = compare_versions(old, new)
    added, removed = compare_entries(old, new)
    return render_template(
        "agreements/compare.html",
        agreement=agreement,
        old=old,
        new=new,
        versions=agreement.versions,
        fields=fields,
        parties=parties,
        entries_added=links.shown_entries(current_user, added),
        entries_removed=links.shown_entries(current_user, removed),
    )


@bp.route("/verify", methods=["GET", "POST"])
@login_required
def verify():
    require(can(current_user, "agreement.verify"))
    form = VerifyForm()
    result = None
    code = request.args.get("sha256", "").strip().lower()
    if form.validate_on_submit():
        result = signing.verify_upload(form.file.data.read())
    named = signing.versions_for_code(code) if code and result is None else []
    return render_template(
        "agreements/verify.html",
        form=form,
        result=result,
        code=code,
        named=_visible_versions(named),
        visible=_visible_versions(result.versions if result else []),
    )


def _visible_versions(versions: list) -> list:
    return [v for v in versions if can(current_user, "agreement.view", v.agreement)]


# The other pages register their routes on bp (imported last: they import the helpers above).
from . import document_views, template_views, workflow_views  # noqa: E402,F401
