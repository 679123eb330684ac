"""Form helpers shared by all areas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash
from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from .errors import DomainError

NONE_CHOICE = (0, _l("— none —"))


def optional_id(value) -> int | None:
    """Select fields use 0 for 'none'; services want None."""
    return int(value) or None if value not in (None, "", "None") else None


class IdSelectField(SelectField):
    """A select of database ids with a 'none' option; a bad value is a field error, not a 500."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", _coerce_id)
        kwargs.setdefault("validate_choice", True)
        kwargs.setdefault("default", 0)
        super().__init__(*args, **kwargs)

    def process_data(self, value) -> None:
        self.data = _coerce_id(value)

    def process_formdata(self, valuelist) -> None:
        # A select left out of a post means "none", not "keep the stored value".
        self.data = _coerce_id(valuelist[0]) if valuelist else 0


def _coerce_id(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return -1  # not a choice, so validation reports it


def show_domain_error(error: DomainError, form=None) -> None:
    """Attach a service's error to its form field when it names one, else flash it."""
    if form is not None and error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "danger")


def commit_or_show_status(form, call: Callable[[], Any]) -> tuple[bool, Any, int]:
    """Run a form's service call as the request's one transaction.

    Commits and returns (True, result, 200); on a domain error rolls back, shows the message on
    the form (or answers 403 for a permission error) and returns (False, None, the error's status:
    422 for invalid input, 409 for a conflict).
    """
    from ..extensions import db

    try:
        result = call()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if error.status_code == 403:
            abort(403)
        show_domain_error(error, form)
        return False, None, error.status_code
    return True, result, 200


def commit_or_show(form, call: Callable[[], Any]) -> tuple[bool, Any]:
    """commit_or_show_status without the status: (True, result) or (False, None)."""
    done, result, _ = commit_or_show_status(form, call)
    return done, result


def refresh_requested() -> str:
    """The value of a form's "refresh" button ("more rows", "update the choices"): such a post
    shows the form again with what was typed and saves nothing, so no input is lost to a reload."""
    from flask import request

    if request.method != "POST":
        return ""
    return request.form.get("refresh", "")[:20]
