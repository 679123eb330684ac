"""Forms for agreements: drafting (with parties and duties), signing, review, templates."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    IntegerField,
    PasswordField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError as WTFValidationError

from ..catalogue.forms import MultiCheckboxField
from ..core.forms import FlaskForm, Form, IdSelectField, SelectField, select_choices
from ..core.locking import LockVersionField
from .models import (
    KIND_LABELS,
    PARTY_ROLE_LABELS,
    RENEWAL_LABELS,
    AgreementKind,
    PartyRole,
    Renewal,
)

PARTY_SLOTS = 4
MAX_PARTY_SLOTS = 12


class PartyForm(Form):
    """One party: organisation, its role, contact person, signatory and duties (one per line)."""

    organisation_id = IdSelectField(_l("Organisation"))
    role = SelectField(
        _l("Role in the agreement"),
        choices=[(r.value, PARTY_ROLE_LABELS[r]) for r in PartyRole],
        default=PartyRole.MUNICIPALITY.value,
    )
    contact_person_id = IdSelectField(_l("Contact person"))
    signatory_person_id = IdSelectField(
        _l("Authorised signatory"),
        description=_l(
            "The person who signs for the party. Anyone else who signs for it states whether "
            "they sign i. V. or i. A."
        ),
    )
    signatory_name = StringField(_l("Signatory (name)"), validators=[Length(max=200)])
    signatory_function = StringField(_l("Signatory's function"), validators=[Length(max=200)])
    duties = TextAreaField(
        _l("Duties"), description=_l("One duty per line, in the order they should appear.")
    )


class AgreementForm(FlaskForm):
    template_id = IdSelectField(_l("Standard template"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    preamble = TextAreaField(_l("Preamble"))
    # Required, but checked by the service: a new draft's empty subject is filled from the
    # template's standard text first (agreements.standard_text).
    subject = TextAreaField(_l("Subject of the agreement"))
    objectives = TextAreaField(_l("Objectives"))
    start_date = DateField(_l("Start of term"), validators=[Optional()])
    end_date = DateField(_l("End of term"), validators=[Optional()])
    notice_period_months = IntegerField(
        _l("Notice period (months)"), default=3, validators=[InputRequired(), NumberRange(0, 60)]
    )
    renewal = SelectField(
        _l("Renewal"),
        choices=[(r.value, RENEWAL_LABELS[r]) for r in Renewal],
        default=Renewal.NONE.value,
    )
    place = StringField(_l("Place of signing"), validators=[Length(max=100)])
    extra_clauses = TextAreaField(_l("Extra clauses"))
    body_id = IdSelectField(
        _l("Body it sets up"), description=_l("The committee, e.g. the Begleitgremium.")
    )
    entry_ids = MultiCheckboxField(
        _l("Data exchanges covered"),
        coerce=int,
        description=_l(
            "Approved entries of the data-sharing catalogue and your organisation's own entries."
        ),
    )
    change_note = TextAreaField(_l("What this version changes"))
    lock_version = LockVersionField()
    parties = FieldList(FormField(PartyForm), min_entries=PARTY_SLOTS, max_entries=MAX_PARTY_SLOTS)

    def service_data(self) -> dict:
        data = {
            k: v for k, v in self.data.items() if k not in ("csrf_token", "parties", "lock_version")
        }
        data["entry_ids"] = self.entry_ids.data or []
        data["parties"] = [
            {**entry, "duties": (entry.get("duties") or "").splitlines()}
            for entry in self.parties.data
        ]
        return data


class SignForm(FlaskForm):
    # Asked only of someone who is not the named signatory; no default: it is a choice.
    capacity = RadioField(
        _l("I sign"),
        choices=select_choices(
            [
                ("iv", _l("i. V. (in Vertretung): as deputy of the named signatory")),
                ("ia", _l("i. A. (im Auftrag): by order of the named signatory")),
            ]
        ),
        validators=[Optional()],
        validate_choice=False,
    )
    confirm = BooleanField(_l("I confirm that I sign in place of the named signatory."))
    # Set by the page for someone who is not the named signatory, so that the capacity and the
    # confirmation are asked at once with the password (the service checks them again).
    capacity_required = False
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired()],
        description=_l("Re-enter your password to sign."),
    )

    def validate_capacity(self, field) -> None:
        if self.capacity_required and field.data not in ("iv", "ia"):
            raise WTFValidationError(
                gettext(
                    "You are not the authorised signatory named for this party: choose whether "
                    "you sign i. V. (in Vertretung) or i. A. (im Auftrag)."
                )
            )

    def validate_confirm(self, field) -> None:
        if self.capacity_required and not field.data:
            raise WTFValidationError(
                gettext("Confirm that you sign in place of the named signatory.")
            )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired()])
    confirm = BooleanField(_l("I confirm that our signature of this version is withdrawn."))


class CommentForm(FlaskForm):
    text = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=5000)])


class AmendForm(FlaskForm):
    change_note = TextAreaField(_l("What the amendment is about"))


class TerminateForm(FlaskForm):
    on = DateField(_l("Termination takes effect on"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired()])


class VerifyForm(FlaskForm):
    file = FileField(_l("DOCX document"), validators=[FileRequired()])


class AttachmentForm(FlaskForm):
    file = FileField(
        _l("File"),
        validators=[FileRequired()],
        # the allow-list of core.uploads.ATTACHMENT_TYPES, said before the upload, not after
        description=_l("PDF, DOCX, XLSX, PPTX, ODT, ODS, PNG, JPG, TXT or CSV"),
    )
    is_signed_copy = BooleanField(_l("This is the scanned, wet-ink signed copy (PDF)"))


class StandardTextForm(FlaskForm):
    """A template's standard text: what a new draft made from it starts from."""

    preamble = TextAreaField(_l("Preamble"))
    subject = TextAreaField(_l("Subject of the agreement"))
    objectives = TextAreaField(_l("Objectives"))
    extra_clauses = TextAreaField(_l("Extra clauses"))
    duties_land = TextAreaField(_l("Duties of the State (Land)"))
    duties_municipality = TextAreaField(_l("Duties of a model municipality"))
    duties_agency = TextAreaField(_l("Duties of the support agency"))
    duties_member = TextAreaField(_l("Duties of a committee member"))
    duties_other = TextAreaField(_l("Duties of another party"))

    DUTY_FIELDS = {
        PartyRole.LAND: "duties_land",
        PartyRole.MUNICIPALITY: "duties_municipality",
        PartyRole.AGENCY: "duties_agency",
        PartyRole.MEMBER: "duties_member",
        PartyRole.OTHER: "duties_other",
    }

    def load(self, template) -> None:
        """Fill the form from the template's standard text."""
        self.preamble.data = template.standard_preamble
        self.subject.data = template.standard_subject
        self.objectives.data = template.standard_objectives
        self.extra_clauses.data = template.standard_clauses
        duties = template.standard_duties or {}
        for role, name in self.DUTY_FIELDS.items():
            self[name].data = "\n".join(duties.get(role.value) or [])

    def service_data(self) -> dict:
        return {
            "preamble": self.preamble.data or "",
            "subject": self.subject.data or "",
            "objectives": self.objectives.data or "",
            "extra_clauses": self.extra_clauses.data or "",
            "duties": {
                role.value: self[name].data or "" for role, name in self.DUTY_FIELDS.items()
            },
        }


class TemplateUploadForm(FlaskForm):
    file = FileField(_l("DOCX template"), validators=[FileRequired()])
    code = SelectField(_l("Upload as"), choices=[], validate_choice=True)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=[(k.value, KIND_LABELS[k]) for k in AgreementKind],
        default="cooperation",
    )
    description = TextAreaField(_l("Description"))
