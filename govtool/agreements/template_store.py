"""Registering agreement templates and their versions (uploads, shipped standard templates)."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext

from ..core import numbering
from ..core.errors import ValidationError
from ..core.identifiers import clean_identifier
from ..core.permissions import ensure
from ..extensions import db
from . import standard_text
from .models import AgreementKind, AgreementTemplate
from .template_checks import CheckResult, check_template

if TYPE_CHECKING:
    from ..auth.models import User


class TemplateRefused(ValidationError):
    """The upload failed a check; `result` holds every issue for the page to list."""

    def __init__(self, message: str, result: CheckResult):
        super().__init__(message, field="file")
        self.result = result


def slug(name: str) -> str:
    value = name.lower()
    for src, dst in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        value = value.replace(src, dst)
    return re.sub(r"[^a-z0-9]+", "-", value).strip("-")[:60] or "vorlage"


def template_versions(code: str) -> list[AgreementTemplate]:
    return list(
        db.session.scalars(
            sa.select(AgreementTemplate)
            .where(AgreementTemplate.code == code)
            .order_by(AgreementTemplate.version)
        )
    )


def template_list() -> list[AgreementTemplate]:
    return list(
        db.session.scalars(
            sa.select(AgreementTemplate).order_by(
                AgreementTemplate.name, AgreementTemplate.version.desc()
            )
        )
    )


def store_template(
    user: User,
    *,
    filename: str,
    data: bytes,
    name: str,
    kind: AgreementKind | str,
    description: str = "",
    code: str | None = None,
    check_permission: bool = True,
) -> AgreementTemplate:
    """Check and save a template; an existing code gets the next version, old ones stay."""
    if check_permission:
        ensure(user, "agreement_template.manage")
    if not (name or "").strip():
        raise ValidationError(gettext("Enter a name."), field="name")
    code = clean_identifier(code or slug(name), "code", 60, "kooperationsvereinbarung")
    result = check_template(data, filename)
    if not result.ok:
        raise TemplateRefused(
            gettext("The template was refused: %(reason)s", reason=result.errors[0].message),
            result,
        )
    previous = template_versions(code)
    digest = hashlib.sha256(data).hexdigest()
    if previous and previous[-1].sha256 == digest:
        raise ValidationError(
            gettext("This file is identical to the current version."), field="file"
        )
    template = AgreementTemplate(
        code=code,
        name=name.strip(),
        kind=AgreementKind(kind) if isinstance(kind, str) else kind,
        version=numbering.draw(
            f"agreement_template:{code}", lambda: previous[-1].version if previous else 0
        ),
        description=(description or "").strip(),
        filename=filename.rsplit("/", 1)[-1][:200],
        content=data,
        sha256=digest,
        size=len(data),
        variables=result.variables,
        is_active=True,
        uploaded_by_id=getattr(user, "id", None),
    )
    standard_text.carry_over(previous[-1] if previous else None, template)
    db.session.add(template)
    db.session.flush()
    return template


def set_template_active(user: User, template: AgreementTemplate, active: bool) -> None:
    ensure(user, "agreement_template.manage")
    template.is_active = active
    db.session.flush()
