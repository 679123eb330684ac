"""The steps of an agreement's life, each from a button on its page: review, signatures, signing,
comments, withdrawing a signature, amending, terminating, attaching a file."""

from __future__ import annotations

from flask import (
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
from werkzeug.wrappers import Response as BaseResponse

from ..core.forms import (
    back_on_domain_error,
    commit_or_show_status,
    on_domain_error,
)
from ..core.permissions import can, require
from ..extensions import db
from . import services, signing
from .forms import (
    AmendForm,
    AttachmentForm,
    CommentForm,
    SignForm,
    TerminateForm,
    WithdrawForm,
)
from .models import (
    AgreementParty,
)
from .views import _load, _version, bp


def _post_action(agreement_id: int, number: int, action: str, call) -> BaseResponse:
    agreement = _load(agreement_id)
    version = _version(agreement, number)
    require(can(current_user, action, version))
    back_on_domain_error(url_for(".detail", agreement_id=agreement.id, version=number))
    message = call(version)
    db.session.commit()
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
    form.capacity_required = signing.required_capacity(current_user, party)

    def page(status: int):
        return render_template(
            "agreements/sign.html",
            form=form,
            agreement=agreement,
            version=version,
            party=party,
            needs_capacity=form.capacity_required,
        ), status

    if form.validate_on_submit():
        on_domain_error(page, form)
        services.sign(
            current_user,
            party,
            form.password.data,
            capacity=form.capacity.data,
            confirmed=bool(form.confirm.data),
        )
        db.session.commit()
        flash(gettext("Signed for %(name)s.", name=party.organisation.name), "success")
        return redirect(url_for(".detail", agreement_id=agreement.id, version=number))
    return page(422 if request.method == "POST" else 200)


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


def _to_detail(agreement, number: int | None = None) -> BaseResponse:
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
