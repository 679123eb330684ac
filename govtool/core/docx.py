"""DOCX rendering with docxtpl, shared by agreements, minutes and the catalogue register.

Templates run in a Jinja sandbox with StrictUndefined and autoescape, so a template cannot reach
Python internals and a missing variable is an error, not an empty string.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from .formatting import format_date, format_datetime, format_money, format_number, format_time


class TemplateRenderError(Exception):
    """A template could not be rendered; the message names the reason for the user."""


def make_environment() -> SandboxedEnvironment:
    """The Jinja environment for DOCX templates: sandboxed, strict, German filters."""
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
    env.filters.update(
        date=lambda v: format_date(v, "de"),
        datetime=lambda v: format_datetime(v, "de"),
        time=lambda v: format_time(v, "de"),
        money=lambda v: format_money(v, "de"),
        number=lambda v: format_number(v, "de"),
    )
    return env


def render_docx(template: Path | bytes, context: dict[str, Any]) -> bytes:
    """Render a DOCX template (path or bytes) with `context`; returns the document's bytes."""
    source = io.BytesIO(template) if isinstance(template, bytes) else str(template)
    document = DocxTemplate(source)
    try:
        document.render(context, jinja_env=make_environment(), autoescape=True)
    except Exception as exc:  # Jinja raises many types; the user needs one clear message
        raise TemplateRenderError(f"{type(exc).__name__}: {exc}") from exc
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
