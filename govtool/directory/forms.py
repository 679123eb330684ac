"""Forms for organisations and people."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Email, Length, Optional

from ..core.forms import FlaskForm, IdSelectField, SelectField
from .models import ORGANISATION_KIND_LABELS, OrganisationKind

# Lazy labels: built at import, translated when a page renders them.
KIND_CHOICES = [(kind.value, ORGANISATION_KIND_LABELS[kind]) for kind in OrganisationKind]


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(
        _l("Short name"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("Unique, e.g. MB-ST or HAL"),
    )
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    parent_id = IdSelectField(
        _l("Parent organisation"), description=_l("e.g. the ministry of a department")
    )
    region_id = IdSelectField(_l("Region"))
    street = StringField(_l("Street and number"), validators=[Optional(), Length(max=200)])
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    website = StringField(
        _l("Website"),
        validators=[
            Optional(),
            URL(message=_l("Please enter a web address starting with https://.")),
            Length(max=300),
        ],
    )
    contact_person_id = IdSelectField(_l("Designated contact person"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = list(KIND_CHOICES)


class PersonForm(FlaskForm):
    title = StringField(
        _l("Title"), validators=[Optional(), Length(max=40)], description=_l("e.g. Dr.")
    )
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=100)])
    function = StringField(_l("Function"), validators=[Optional(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    organisation_id = IdSelectField(_l("Organisation"))
    submit = SubmitField(_l("Save"))


class ConfirmForm(FlaskForm):
    """An empty form: a button that posts with a CSRF token."""

    confirm = BooleanField(_l("I confirm"), default=True)
    submit = SubmitField(_l("Confirm"))


class EraseForm(FlaskForm):
    """Confirmation of an erasure under Art. 17 GDPR: a reason and an explicit tick."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Please give a reason for the erasure.")),
            Length(max=1000),
        ],
        description=_l("e.g. the data subject's request of 01.02.2026; kept in the audit log"),
    )
    confirm = BooleanField(
        _l("I confirm that this person's data will be erased. This cannot be undone."),
        validators=[DataRequired(message=_l("Please confirm the erasure."))],
    )
    submit = SubmitField(_l("Erase data"))
