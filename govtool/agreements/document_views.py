"""An agreement's files: the version as DOCX or PDF and the attached files."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.docx import TemplateRenderError
from ..core.downloads import download
from ..extensions import db
from . import services
from .models import (
    AgreementAttachment,
)
from .rendering import ConversionUnavailable, docx_to_pdf
from .views import DOCX_MIME, _load, _version, bp


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


@bp.get("/<int:agreement_id>/versions/<int:number>/signed-text.docx")
@login_required
def signed_text(agreement_id: int, number: int):
    """The signed text as frozen at the first signature, without the signature page: the file
    whose SHA-256 every signature records (check it with any sha256 tool)."""
    agreement = _load(agreement_id)
    version = _version(agreement, number)
    data = services.signed_text(version)
    return download(data, f"{agreement.number}-v{number}-Fassung.docx", DOCX_MIME)


@bp.get("/<int:agreement_id>/attachments/<int:attachment_id>")
@login_required
def attachment(agreement_id: int, attachment_id: int):
    agreement = _load(agreement_id)
    item = db.session.get(AgreementAttachment, attachment_id)
    if item is None or item.agreement_id != agreement.id:
        abort(404)
    return download(item.content, item.filename, item.content_type)
