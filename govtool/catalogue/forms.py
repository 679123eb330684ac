"""Forms of the catalogue: the entry (with its data items), review decisions, comments, import."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms import ValidationError as FieldError
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.forms import (
    FlaskForm,
    Form,
    IdSelectField,
    SelectField,
    SelectMultipleField,
    select_choices,
)
from ..core.locking import LockVersionField
from .models import (
    LABELS,
    ControllerRelationship,
    Frequency,
    LegalBasis,
    PersonalDataLevel,
    SpatialLevel,
)
from .vocabularies import FILE_TYPES, file_type_code

FILE_TYPE_CHOICES: list[tuple[str, object]] = [
    ("", _l("— not specified —")),
    *FILE_TYPES.items(),
]


def offer_file_type(field, stored: str | None) -> None:
    """The format select for a stored format: free text from before the select (or from an
    import) is mapped to its EU file type ("GeoJSON" → GEOJSON) or, where none matches, kept as
    a flagged extra choice that the form does not accept until a type is chosen."""
    code = file_type_code(stored)
    if code is not None:
        if field.data == stored:  # not yet posted: show the mapped type
            field.data = code
    elif stored:
        field.choices = [
            *FILE_TYPE_CHOICES,
            (stored, _l("%(text)s (no EU file type: please choose)", text=stored)),
        ]


def choices(enum_cls) -> list[tuple[str, object]]:
    # Lazy labels: the choices are built at import, the language is known only per request.
    return [(member.value, LABELS[member]) for member in enum_cls]


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes instead of a multi-select (easier to use with keyboard and screen readers)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class DataItemForm(Form):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    description = StringField(_l("Description"), validators=[Optional()])
    unit = StringField(_l("Unit or code list"), validators=[Optional(), Length(max=200)])
    is_personal = BooleanField(_l("Personal"))


class EntryForm(FlaskForm):
    lock_version = LockVersionField()  # of the entry (core.locking)
    identifier = StringField(
        _l("Identifier"),
        validators=[Optional(), Length(max=40)],
        description=_l("Left empty, the next free number is taken, e.g. DX-2026-014."),
    )
    provider_id = IdSelectField(_l("Providing organisation"))
    recipient_ids = MultiCheckboxField(_l("Receiving organisations"), coerce=int)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"))
    provider_contact_id = IdSelectField(_l("Contact person (provider)"))
    recipient_contact_id = IdSelectField(_l("Contact person (recipients)"))
    controller_relationship = SelectField(
        _l("Controller relationship"), choices=choices(ControllerRelationship)
    )
    data_subjects = TextAreaField(_l("Categories of data subjects"))
    personal_data_level = SelectField(_l("Personal-data level"), choices=choices(PersonalDataLevel))
    small_number_threshold = IntegerField(
        _l("Small-number rule: suppress cells under"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_l("Needed for aggregated data, e.g. 3 or 5."),
    )
    purpose = TextAreaField(_l("Purpose"))
    legal_basis = SelectField(_l("Legal basis"), choices=choices(LegalBasis))
    legal_norm = StringField(
        _l("Norm cited"),
        validators=[Optional(), Length(max=300)],
        description=_l("e.g. § 84a Schulgesetz LSA"),
    )
    dpia_required = BooleanField(_l("DPIA needed"))
    dpia_completed_on = DateField(
        _l("DPIA completed on"),
        validators=[Optional()],
        description=_l("Left empty while the DPIA is not completed."),
    )
    dpia_outcome = TextAreaField(_l("DPIA outcome"))
    spatial_coverage = StringField(_l("Spatial coverage"), validators=[Optional(), Length(max=200)])
    spatial_level = SelectField(_l("Spatial level"), choices=choices(SpatialLevel))
    period_start = DateField(_l("Period covered from"), validators=[Optional()])
    period_end = DateField(_l("Period covered to"), validators=[Optional()])
    frequency = SelectField(_l("Frequency"), choices=choices(Frequency))
    data_format = SelectField(
        _l("Format"),
        choices=FILE_TYPE_CHOICES,
        validators=[Optional()],
        description=_l("File type from the EU vocabulary, as DCAT-AP.de publishes it."),
    )
    data_schema = StringField(_l("Schema"), validators=[Optional(), Length(max=300)])
    transfer_channel = StringField(_l("Transfer channel"), validators=[Optional(), Length(max=200)])
    retention_provider = TextAreaField(_l("Retention and deletion (provider)"))
    retention_recipient = TextAreaField(_l("Retention and deletion (recipients)"))
    security_measures = TextAreaField(_l("Security measures"))
    onward_recipients = TextAreaField(_l("Onward recipients"))
    agreement_id = IdSelectField(
        _l("Authorising agreement"),
        description=_l("The data-sharing agreement that authorises this exchange."),
    )
    keywords = StringField(
        _l("Keywords"),
        validators=[Optional(), Length(max=500)],
        description=_l("Separated by commas."),
    )
    theme = StringField(
        _l("Theme (EU data theme)"),
        validators=[Optional(), Length(max=10)],
        default="EDUC",
    )
    items = FieldList(FormField(DataItemForm), min_entries=3)
    submit = SubmitField(_l("Save"))

    def validate_data_format(self, field) -> None:
        if field.data and field.data not in FILE_TYPES:
            raise FieldError(
                gettext(
                    "“%(text)s” is no file type of the EU vocabulary: please choose the matching "
                    "type.",
                    text=field.data,
                )
            )


class DecisionForm(FlaskForm):
    # No default: a reviewer chooses every decision (issue 12: approval by an unnoticed default).
    decision = RadioField(
        _l("Decision"),
        choices=select_choices(
            [
                ("approve", _l("Approve")),
                ("request_changes", _l("Request changes")),
                ("reject", _l("Reject")),
            ]
        ),
        validators=[InputRequired(message=_l("Please choose a decision."))],
    )
    checklist = MultiCheckboxField(_l("Checklist"))
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])
    # Asked only where permissions.approval_needs_justification holds (the page shows them then).
    confirm_without_dpia = BooleanField(
        _l("I confirm: I approve personal data without a completed DPIA.")
    )
    justification = TextAreaField(
        _l("Justification"),
        validators=[Optional(), Length(max=5000)],
        description=_l(
            "Why no DPIA is needed, e.g. the threshold analysis and its result, or "
            "Art. 35(10) GDPR. Recorded with the approval and shown in the entry's history."
        ),
    )
    next_review_on = DateField(
        _l("Next review"),
        validators=[Optional()],
        description=_l("Left empty, in one year."),
    )


class ReasonForm(FlaskForm):
    comment = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=5000)])


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=5000)])
    parent_id = IntegerField(widget=widgets.HiddenInput(), validators=[Optional()])


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV or XLSX file"),
        description=_l(
            "In the columns of the export or the template; the first row holds the column names."
        ),
    )


class ConfirmImportForm(FlaskForm):
    """The second step of an import with likely duplicates: an explicit confirmation."""

    confirm = BooleanField(
        _l("I have checked the likely duplicates and want to import all rows anyway."),
        validators=[
            DataRequired(message=_l("Please confirm the import of the likely duplicates."))
        ],
    )
