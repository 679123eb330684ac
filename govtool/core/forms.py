"""Form helpers shared by all areas, and the base forms that bound every field.

Every form of the app derives from FlaskForm or Form below (tests/core/test_input_bounds.py
checks it). Their Meta gives each field a bound unless the form states its own: text a maximum
length (MAX_LINE for one line, MAX_TEXT for a text area), integers the int4 range, dates the
document range of core.bounds (read as ISO or German), and `coerce=int` choices a bounded int.
So a 10 MB text, a 20-digit id or the year 9999 is a field error (422), never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask_wtf
import wtforms
from flask import abort, current_app, flash, g, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.i18n import translations as wtf_translations
from wtforms import DateField, IntegerField, SelectChoice, StringField, TextAreaField
from wtforms import SelectField as WTFSelectField
from wtforms import SelectMultipleField as WTFSelectMultipleField
from wtforms import ValidationError as FieldError
from wtforms.meta import DefaultMeta
from wtforms.utils import clean_datetime_format_for_strptime
from wtforms.validators import Length, NumberRange

from .bounds import (
    DATE_FORMATS,
    DOCUMENT_DATES,
    MAX_ID,
    MAX_INT,
    MAX_LINE,
    MAX_TEXT,
    MIN_ID,
    MIN_INT,
    DateRange,
    bounded_int,
    date_range_message,
)
from .errors import DomainError, EditConflict

NONE_CHOICE = (0, _l("— none —"))


def select_choices(choices):
    """`choices` as SelectChoice objects, the only form WTForms 3.4 takes: services and views
    give (value, label) pairs or plain values, converted here once for every select."""
    if choices is None or callable(choices) or isinstance(choices, dict):
        return choices
    return [SelectChoice.from_input(choice) for choice in choices]


class _SelectChoices:
    """Converts the choices given to the constructor or assigned later (`field.choices = ...`)."""

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, choices=select_choices(choices), **kwargs)

    @property
    def choices(self):
        return super().choices

    @choices.setter
    def choices(self, value):
        super(_SelectChoices, type(self)).choices.fset(self, select_choices(value))


class SelectField(_SelectChoices, WTFSelectField):
    """wtforms' SelectField taking (value, label) pairs as choices."""


class SelectMultipleField(_SelectChoices, WTFSelectMultipleField):
    """wtforms' SelectMultipleField taking (value, label) pairs as choices."""


class DateInRange:
    """A date field's value lies in `allowed` (core.bounds.DateRange); the services check the
    same range with core.bounds.check_date."""

    def __init__(self, allowed: DateRange = DOCUMENT_DATES):
        self.allowed = allowed

    def __call__(self, form, field) -> None:
        if field.data is not None and field.data not in self.allowed:
            raise FieldError(date_range_message(self.allowed))


def _has(field, kind) -> bool:
    return any(isinstance(v, kind) for v in field.validators)


def bound_field(field):
    """Add the default bound to a bound field that has none of its own (see the module doc)."""
    extra = []
    if isinstance(field, StringField):
        if not any(isinstance(v, Length) and v.max != -1 for v in field.validators):
            extra.append(Length(max=MAX_TEXT if isinstance(field, TextAreaField) else MAX_LINE))
    elif isinstance(field, IntegerField):
        if not _has(field, NumberRange):
            extra.append(NumberRange(MIN_INT, MAX_INT))
    elif isinstance(field, DateField):
        if field.format == ["%Y-%m-%d"]:
            field.format = list(DATE_FORMATS)
            field.strptime_format = clean_datetime_format_for_strptime(field.format)
        if not _has(field, DateInRange):
            extra.append(DateInRange())
    elif isinstance(field, (SelectField, SelectMultipleField)) and field.coerce is int:
        field.coerce = bounded_int
    if extra:
        # a new list: the one given to the field class is shared by every instance of the form
        field.validators = [*field.validators, *extra]
        for validator in extra:
            for flag, value in getattr(validator, "field_flags", {}).items():
                setattr(field.flags, flag, value)
    return field


class BoundsMeta(DefaultMeta):
    """Binds every field through bound_field."""

    def bind_field(self, form, unbound_field, options):
        return bound_field(super().bind_field(form, unbound_field, options))


class FlaskForm(flask_wtf.FlaskForm):
    """flask_wtf's FlaskForm (CSRF, request data) with bounded fields: every page's form."""

    class Meta(BoundsMeta):
        pass


class Form(wtforms.Form):
    """wtforms' Form with bounded fields: the base of sub-forms (FormField rows), whose messages
    come in the request's language as the page form's do."""

    class Meta(BoundsMeta):
        def get_translations(self, form):
            if current_app.config.get("WTF_I18N_ENABLED", True):
                return wtf_translations
            return super().get_translations(form)


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
        number = int(value or 0)
    except (TypeError, ValueError):
        return -1  # not a choice, so validation reports it
    # an id no row can have is not a choice either, and must not reach a query (overflow)
    return number if number == 0 or MIN_ID <= number <= MAX_ID else -1


def show_domain_error(error: DomainError, form=None, fallback: str | None = None) -> None:
    """Attach a service's error to its form field when it names one (else to the `fallback`
    field when given), else flash it."""
    name = error.field if error.field and form is not None and error.field in form else fallback
    if form is not None and name and name in form:
        form[name].errors = [*form[name].errors, error.message]
    else:
        flash(error.message, "danger")


# ---------------------------------------------------------------- the one DomainError handler
#
# A view is load, check, call the service, commit, render. Before the call, a form page names
# the page that answers a refusal (on_domain_error: its form and how to render it again); a
# button names where to go back (back_on_domain_error). A DomainError raised by the service
# then reaches answer_domain_error, which rolls back, puts the message beside the form (or
# flashes it) and renders the named page with the error's status (422, 409, ...), so no view
# catches, rolls back or keeps its own helper for it.


def on_domain_error(
    render: Callable[..., Any],
    form=None,
    *,
    field: str | None = None,
    with_error: bool = False,
    on_conflict: Callable[[EditConflict], Any] | None = None,
) -> None:
    """For the rest of this request, a DomainError is answered by `render(status)` after its
    message went to the field of `form` it names, else to `field`, else a flash message. With
    `with_error`, `render(status, error)` shows the error itself (a page listing more than the
    message). `on_conflict(error)` answers an EditConflict (the saved text beside the sent one)."""
    g.domain_error_page = (render, form, field, with_error, on_conflict)


def back_on_domain_error(url: str) -> None:
    """For a button's POST: a refusal is flashed and the user goes back to `url`."""
    on_domain_error(lambda status: redirect(url))


def answer_domain_error(error: DomainError):
    """The app's handler for DomainError: rolls the request's transaction back, then answers
    the API with application/problem+json, a refused permission (403) or a missing object (404)
    with the error page, and a page with the page named by on_domain_error."""
    from werkzeug.exceptions import Forbidden, NotFound

    from ..extensions import db

    db.session.rollback()
    status = error.status_code
    if request.path.startswith("/api/"):
        return problem_response(error)
    if status in (403, 404):
        return current_app.handle_http_exception(Forbidden() if status == 403 else NotFound())
    page = g.pop("domain_error_page", None)
    if page is None:
        return render_template("errors/error.html", code=status, message=error.message), status
    render, form, field, with_error, on_conflict = page
    if on_conflict is not None and isinstance(error, EditConflict):
        return on_conflict(error)
    if with_error:
        return render(status, error)
    show_domain_error(error, form, field)
    return render(status)


def problem_response(error: DomainError):
    """A DomainError as RFC 9457 problem details; `error` and `message` as the API's other
    errors carry them."""
    from werkzeug.http import HTTP_STATUS_CODES

    body = {
        "type": "about:blank",
        "title": HTTP_STATUS_CODES.get(error.status_code, "Error"),
        "status": error.status_code,
        "detail": error.message,
        "error": error.code,
        "message": error.message,
    }
    if error.field:
        body["field"] = error.field
    response = current_app.json.response(body)
    response.status_code = error.status_code
    response.mimetype = "application/problem+json"
    return response


def commit_or_show_status(
    form, call: Callable[[], Any], passes: tuple[type[DomainError], ...] = ()
) -> tuple[bool, Any, int]:
    """Run a form's service call as the request's one transaction.

    Commits and returns (True, result, 200); on a domain error rolls back, shows the message on
    the form (or answers 403 for a permission error) and returns (False, None, the error's status:
    422 for invalid input, 409 for a conflict). Errors of the types in `passes` are raised to the
    caller untouched (an edit conflict gets its own page).
    """
    from ..extensions import db

    try:
        result = call()
        db.session.commit()
    except DomainError as error:
        if isinstance(error, passes):
            raise
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
