"""Pages for agreements: list, draft, detail with timeline, sign, compare, verify, documents."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.args import arg_int
from ..core.docx import TemplateRenderError
from ..core.downloads import download
from ..core.errors import DomainError
from ..core.forms import (
    NONE_CHOICE,
    commit_or_show_status,
    refresh_requested,
    show_domain_error,
)
from ..core.locking import choice_labels, commit_or_conflict, expected_version
from ..core.permissions import can, require
from ..core.views import RowsWithTotalPagination, page_args
from ..extensions import db
from ..links import directory as directory_services
from ..links import services as links
from . import services
from .compare import compare_entries, compare_versions
from .forms import (
    MAX_PARTY_SLOTS,
    PARTY_SLOTS,
    AgreementForm,
    AmendForm,
    AttachmentForm,
    CommentForm,
    SignForm,
    TerminateForm,
    VerifyForm,
    WithdrawForm,
)
from .models import (
    Agreement,
    AgreementAttachment,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
)
from .rendering import ConversionUnavailable, docx_to_pdf, soffice_path

bp = Blueprint("agreements", __name__, url_prefix="/agreements")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


_PDF_CHECK = {"at": -1e9, "available": False}
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
    try:
        return services.get_version(agreement, number)
    except DomainError:
        abort(404)


def _fail(error: DomainError, form=None) -> None:
    db.session.rollback()
    if error.status_code == 403:
        abort(403)
    show_domain_error(error, form)


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
            [party.contact_person_id for party in version.parties] if version else [],
        ),
    ]
    for entry in form.parties:
        entry.organisation_id.choices = organisations
        entry.contact_person_id.choices = people
    form.template_id.choices = [NONE_CHOICE, *services.template_choices()]
    form.body_id.choices = [NONE_CHOICE, *links.body_choices(current_user)]
    form.entry_ids.choices = links.entry_choices(current_user, version)
    if request.method == "GET" and version is not None:
        form.body_id.data = version.body_id or 0
        form.entry_ids.data = [e.id for e in version.catalogue_entries]
    return form


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(can(current_user, "agreement.create"))
    form = _agreement_form()
    if refresh_requested():
        return render_template("agreements/form.html", form=form, agreement=None, version=None)
    if form.validate_on_submit():
        try:
            agreement = services.create_agreement(current_user, form.service_data())
            db.session.commit()
        except DomainError as error:
            _fail(error, form)
        else:
            flash(gettext("Agreement %(number)s drafted.", number=agreement.number), "success")
            return redirect(url_for(".detail", agreement_id=agreement.id))
    status = 422 if request.method == "POST" else 200
    return render_template("agreements/form.html", form=form, agreement=None, version=None), status


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
        "comments": gettext("%(count)d comment(s)"),
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
            flash(gettext("Changes saved."), "success")
            return redirect(url_for(".detail", agreement_id=agreement.id, version=number))
    elif request.method == "POST":
        status = 422
    return render_template(
        "agreements/form.html", form=form, agreement=agreement, version=version, conflict=conflict
    ), status


# The version's fields the conflict page compares, saved text beside the sent one.
COMPARED_FIELDS = ("template_id", *services.VERSION_FIELDS)


def _post_action(agreement_id: int, number: int, action: str, call) -> Response:
    agreement = _load(agreement_id)
    version = _version(agreement, number)
    require(can(current_user, action, version))
    try:
        message = call(version)
        db.session.commit()
    except DomainError as error:
        _fail(error)
    else:
        flash(message, "success")
    return redirect(url_for(".detail", agreement_id=agreement.id, version=number))


@bp.post("/<int:agreement_id>/versions/<int:number>/review")
@login_required
def submit_review(agreement_id: int, number: int):
    def call(version):
        services.submit_for_review(current_user, version)
        return gettext("The version is now in review; the parties can comment.")

    return _post_action(agreement_id, number, "agreement.submit", call)


@bp.post("/<int:agreement_id>/versions/<int:number>/request-signatures")
@login_required
def request_signatures(agreement_id: int, number: int):
    def call(version):
        services.request_signatures(current_user, version)
        return gettext("The version now awaits the parties' signatures.")

    return _post_action(agreement_id, number, "agreement.submit", call)


@bp.route("/<int:agreement_id>/versions/<int:number>/sign/<int:party_id>", methods=["GET", "POST"])
@login_required
def sign(agreement_id: int, number: int, party_id: int):
    agreement = _load(agreement_id)
    version = _version(agreement, number)
    party = db.session.get(AgreementParty, party_id)
    if party is None or party.version_id != version.id:
        abort(404)
    require(can(current_user, "agreement.sign", party))
    form = SignForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.sign(current_user, party, form.password.data)
            db.session.commit()
        except DomainError as error:
            _fail(error, form)
            status = error.status_code
        else:
            flash(gettext("Signed for %(name)s.", name=party.organisation.name), "success")
            return redirect(url_for(".detail", agreement_id=agreement.id, version=number))
    elif request.method == "POST":
        status = 422
    return (
        render_template(
            "agreements/sign.html", form=form, agreement=agreement, version=version, party=party
        ),
        status,
    )


@bp.get("/<int:agreement_id>/versions/<int:number>/document.docx")
@login_required
def document(agreement_id: int, number: int):
    agreement = _load(agreement_id)
    version = _version(agreement, number)
    try:
        data, is_draft = services.download_document(version, current_user)
    except TemplateRenderError as error:
        return _render_refused(error)
    suffix = "-ENTWURF" if is_draft else ""
    return download(data, f"{agreement.number}-v{number}{suffix}.docx", DOCX_MIME)


def _render_refused(error: TemplateRenderError):
    """The stored template cannot render this version: a 422 page naming the tag and reason."""
    message = gettext(
        "The document cannot be produced from its template: %(reason)s", reason=error.message
    )
    return render_template("errors/error.html", code=422, message=message), 422


@bp.get("/<int:agreement_id>/versions/<int:number>/document.pdf")
@login_required
def document_pdf(agreement_id: int, number: int):
    agreement = _load(agreement_id)
    version = _version(agreement, number)
    try:
        data, is_draft = services.download_document(version, current_user)
        pdf = docx_to_pdf(data)
    except TemplateRenderError as error:
        return _render_refused(error)
    except ConversionUnavailable as error:
        flash(gettext("No PDF available: %(reason)s", reason=str(error)), "danger")
        return redirect(url_for(".detail", agreement_id=agreement.id, version=number))
    suffix = "-ENTWURF" if is_draft else ""
    return download(pdf, f"{agreement.number}-v{number}{suffix}.pdf", "application/pdf")


def _action_page(agreement, version, form, status: int, **page):
    """The page of one rarely used form (comment, withdraw, amend, terminate, attach): reached
    by a button on the detail page, posting to itself, showing errors at the fields."""
    if status == 200 and request.method == "POST":
        status = 422
    detail_url = url_for(
        ".detail", agreement_id=agreement.id, **({"version": version.number} if version else {})
    )
    return render_template(
        "agreements/action.html",
        agreement=agreement,
        version=version,
        form=form,
        detail_url=detail_url,
        **page,
    ), status


def _to_detail(agreement, number: int | None = None) -> Response:
    if number is None:
        return redirect(url_for(".detail", agreement_id=agreement.id))
    return redirect(url_for(".detail", agreement_id=agreement.id, version=number))


@bp.route("/<int:agreement_id>/versions/<int:number>/comments", methods=["GET", "POST"])
@login_required
def comment(agreement_id: int, number: int):
    agreement = _load(agreement_id)
    version = _version(agreement, number)
    require(can(current_user, "agreement.comment", version))
    form = CommentForm()
    status = 200
    if form.validate_on_submit():
        done, _, status = commit_or_show_status(
            form, lambda: services.add_comment(current_user, version, form.text.data)
        )
        if done:
            flash(gettext("Comment added."), "success")
            return _to_detail(agreement, number)
    return _action_page(
        agreement,
        version,
        form,
        status,
        heading=gettext("Add comment"),
        fields=[("text", 4)],
        button="btn-primary",
    )


@bp.route("/<int:agreement_id>/versions/<int:number>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(agreement_id: int, number: int):
    agreement = _load(agreement_id)
    version = _version(agreement, number)
    require(can(current_user, "agreement.withdraw_signatures", version))
    form = WithdrawForm()
    status = 200
    if form.validate_on_submit():
        done, count, status = commit_or_show_status(
            form,
            lambda: services.withdraw_signatures(
                current_user, version, form.reason.data or "", bool(form.confirm.data)
            ),
        )
        if done:
            flash(gettext("Your signature was withdrawn."), "success")
            return _to_detail(agreement, number)
    return _action_page(
        agreement,
        version,
        form,
        status,
        heading=gettext("Withdraw our signature"),
        fields=[("reason", 3), ("confirm", None)],
        button="btn-danger",
    )


@bp.route("/<int:agreement_id>/amend", methods=["GET", "POST"])
@login_required
def amend(agreement_id: int):
    agreement = _load(agreement_id)
    require(can(current_user, "agreement.amend", agreement))
    form = AmendForm()
    status = 200
    if form.validate_on_submit():
        done, version, status = commit_or_show_status(
            form, lambda: services.amend(current_user, agreement, form.change_note.data or "")
        )
        if done:
            flash(
                gettext("Version %(number)d started as an amendment.", number=version.number),
                "success",
            )
            return redirect(url_for(".edit", agreement_id=agreement.id, number=version.number))
    return _action_page(
        agreement,
        None,
        form,
        status,
        heading=gettext("Start an amendment"),
        fields=[("change_note", 3)],
        button="btn-primary",
    )


@bp.route("/<int:agreement_id>/terminate", methods=["GET", "POST"])
@login_required
def terminate(agreement_id: int):
    agreement = _load(agreement_id)
    require(can(current_user, "agreement.terminate", agreement))
    form = TerminateForm()
    status = 200
    if form.validate_on_submit():
        done, _, status = commit_or_show_status(
            form,
            lambda: services.terminate(
                current_user, agreement, form.on.data, form.reason.data or ""
            ),
        )
        if done:
            flash(gettext("Termination recorded."), "success")
            return _to_detail(agreement)
    return _action_page(
        agreement,
        None,
        form,
        status,
        heading=gettext("Record a termination"),
        fields=[("on", None), ("reason", 3)],
        button="btn-danger",
    )


@bp.route("/<int:agreement_id>/attachments", methods=["GET", "POST"])
@login_required
def attach(agreement_id: int):
    agreement = _load(agreement_id)
    require(can(current_user, "agreement.attach", agreement))
    form = AttachmentForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        done, _, status = commit_or_show_status(
            form,
            lambda: services.add_attachment(
                current_user,
                agreement,
                upload.filename,
                upload.read(),
                upload.mimetype,
                bool(form.is_signed_copy.data),
                agreement.version_in_force or agreement.latest_version,
                max_bytes=current_app.config["GOVTOOL_MAX_UPLOAD_MB"] * 1024 * 1024,
            ),
        )
        if done:
            flash(gettext("File attached."), "success")
            return _to_detail(agreement)
    return _action_page(
        agreement,
        None,
        form,
        status,
        heading=gettext("Attach file"),
        fields=[("file", None), ("is_signed_copy", None)],
        button="btn-primary",
        multipart=True,
    )


@bp.get("/<int:agreement_id>/attachments/<int:attachment_id>")
@login_required
def attachment(agreement_id: int, attachment_id: int):
    agreement = _load(agreement_id)
    item = db.session.get(AgreementAttachment, attachment_id)
    if item is None or item.agreement_id != agreement.id:
        abort(404)
    return download(item.content, item.filename, item.content_type)


@bp.get("/<int:agreement_id>/compare")
@login_required
def compare(agreement_id: int):
    agreement = _load(agreement_id)
    numbers = [v.number for v in agreement.versions]
    a = arg_int("a", strict=True) or (numbers[-2] if len(numbers) > 1 else numbers[0])
    b = arg_int("b", strict=True) or numbers[-1]
    old, new = _version(agreement, a), _version(agreement, b)
    fields, parties = compare_versions(old, new)
    added, removed = compare_entries(old, new)
    return render_template(
        "agreements/compare.html",
        agreement=agreement,
        old=old,
        new=new,
        numbers=numbers,
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
    if form.validate_on_submit():
        digest, versions = services.verify_document(form.file.data.read())
        result = {
            "digest": digest,
            "versions": versions,
            "visible": [v for v in versions if can(current_user, "agreement.view", v.agreement)],
        }
    return render_template("agreements/verify.html", form=form, result=result)


from . import template_views  # noqa: E402,F401  (registers the template admin routes on bp)
