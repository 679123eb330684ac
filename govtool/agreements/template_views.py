"""Templates admin at /agreements/templates/: list, upload (new template or new version), and
the standard text a new draft starts from."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.downloads import download
from ..core.forms import commit_or_show_status, on_domain_error
from ..core.permissions import can, require
from ..extensions import db
from . import standard_text, template_store
from .forms import StandardTextForm, TemplateUploadForm
from .models import AgreementTemplate
from .views import DOCX_MIME, bp


@bp.get("/templates/")
@login_required
def templates():
    require(can(current_user, "agreement_template.view"))
    return render_template(
        "agreements/templates.html",
        templates=template_store.template_list(),
        can_manage=can(current_user, "agreement_template.manage"),
    )


@bp.route("/templates/upload", methods=["GET", "POST"])
@login_required
def template_upload():
    require(can(current_user, "agreement_template.manage"))
    form = TemplateUploadForm()
    codes = {t.code: t.name for t in template_store.template_list()}
    form.code.choices = [
        ("", gettext("a new template")),
        *[(code, gettext("new version of %(name)s", name=name)) for code, name in codes.items()],
    ]

    def page(status: int, error=None):
        """The upload form; a refusal beside the file, a failed check's issues listed."""
        result = None
        if error is not None:
            message = error.message
            if isinstance(error, template_store.TemplateRefused):
                result = error.result
                if result.issues:
                    # The reasons are listed once, in the check's box; the field says where to look.
                    message = gettext(
                        "The template was refused; the reasons are listed under Template check."
                    )
            form.file.errors = [*form.file.errors, message]
        return render_template("agreements/template_upload.html", form=form, result=result), status

    if form.validate_on_submit():
        upload = form.file.data
        on_domain_error(page, with_error=True)
        template = template_store.store_template(
            current_user,
            filename=upload.filename or "",
            data=upload.read(),
            name=form.name.data,
            kind=form.kind.data,
            description=form.description.data or "",
            code=form.code.data or None,
        )
        db.session.commit()
        flash(gettext("Template %(name)s saved.", name=str(template)), "success")
        return redirect(url_for(".templates"))
    return page(422 if form.is_submitted() else 200)


@bp.get("/templates/<int:template_id>/download")
@login_required
def template_download(template_id: int):
    require(can(current_user, "agreement_template.view"))
    template = db.session.get(AgreementTemplate, template_id)
    if template is None:
        abort(404)
    return download(template.content, f"v{template.version}-{template.filename}", DOCX_MIME)


@bp.post("/templates/<int:template_id>/active")
@login_required
def template_active(template_id: int):
    require(can(current_user, "agreement_template.manage"))
    template = db.session.get(AgreementTemplate, template_id)
    if template is None:
        abort(404)
    template_store.set_template_active(current_user, template, not template.is_active)
    db.session.commit()
    flash(gettext("Changes saved."), "success")
    return redirect(url_for(".templates"))


@bp.route("/templates/<int:template_id>/standard-text", methods=["GET", "POST"])
@login_required
def template_text(template_id: int):
    require(can(current_user, "agreement_template.manage"))
    template = db.session.get(AgreementTemplate, template_id)
    if template is None:
        abort(404)
    form = StandardTextForm()
    if request.method == "GET":
        form.load(template)
    status = 200
    if form.validate_on_submit():
        done, _, status = commit_or_show_status(
            form, lambda: standard_text.update(current_user, template, form.service_data())
        )
        if done:
            flash(gettext("Standard text of %(name)s saved.", name=str(template)), "success")
            return redirect(url_for(".templates"))
    elif request.method == "POST":
        status = 422
    return render_template("agreements/template_text.html", form=form, template=template), status
