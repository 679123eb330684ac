"""Forms for bodies, memberships, meetings, agenda items, attendance and minutes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..core.bounds import MEETING_DATES
from ..core.forms import DateInRange, FlaskForm, IdSelectField, SelectField
from ..core.locking import LockVersionField
from .agenda_models import PaperType
from .minutes_models import ActionStatus, Response, VoteResult
from .models import BodyKind, Cadence, MeetingKind, MembershipRole


def _choices(enum_cls):
    return [(member.value, member.label) for member in enum_cls]


WEEKDAYS = [
    (0, _l("Monday")),
    (1, _l("Tuesday")),
    (2, _l("Wednesday")),
    (3, _l("Thursday")),
    (4, _l("Friday")),
]


class BodyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(
        _l("Short name"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("Used in decision numbers, e.g. BG for BG-2026/03"),
    )
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    parent_id = IdSelectField(_l("Parent body"), description=_l("For working groups"))
    organisation_id = IdSelectField(_l("Office run by"))
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=5000)])
    rules_of_procedure = TextAreaField(
        _l("Rules of procedure"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Text of the rules of procedure, or where they are laid down"),
    )
    rules_agreement_id = IdSelectField(
        _l("Rules of procedure (agreement)"),
        description=_l("The Geschäftsordnung as an agreement; the text above is the fallback"),
    )
    cadence = SelectField(_l("Cadence"), validators=[DataRequired()])
    quorum_percent = IntegerField(
        _l("Quorum: share of voting members (%)"),
        default=50,
        validators=[DataRequired(), NumberRange(1, 100)],
    )
    quorum_more_than = BooleanField(
        _l("More than this share must be present (otherwise: at least)"), default=True
    )
    invitation_period_days = IntegerField(
        _l("Invitation period (days)"), default=14, validators=[NumberRange(0, 365)]
    )
    papers_period_days = IntegerField(
        _l("Papers due (days before the meeting)"), default=7, validators=[NumberRange(0, 365)]
    )
    minutes_draft_days = IntegerField(
        _l("Minutes draft due (days after the meeting)"),
        default=14,
        validators=[NumberRange(0, 365)],
    )
    comment_period_days = IntegerField(
        _l("Comment period (days)"), default=14, validators=[NumberRange(0, 365)]
    )
    state_code = StringField(
        _l("Federal state (for public holidays)"),
        default="ST",
        validators=[DataRequired(), Length(min=2, max=3)],
        description=_l("Two letters, e.g. ST for Sachsen-Anhalt, SN for Sachsen"),
    )
    start_date = DateField(_l("Start"), validators=[Optional()])
    end_date = DateField(_l("End"), validators=[Optional()])
    public_calendar = BooleanField(
        _l("Public calendar"),
        description=_l(
            "Anyone may subscribe to the dates of the meetings, without signing in "
            "(title, time, place and public agenda items only)"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _choices(BodyKind)
        self.cadence.choices = _choices(Cadence)


class MembershipForm(FlaskForm):
    person_id = IdSelectField(_l("Person"), validators=[DataRequired()])
    organisation_id = IdSelectField(_l("Organisation represented"))
    role = SelectField(_l("Role"), validators=[DataRequired()])
    has_voting_right = BooleanField(_l("Voting right"), default=True)
    deputy_of_id = IdSelectField(_l("Deputy of"))
    start_date = DateField(_l("From"), validators=[Optional()])
    end_date = DateField(_l("Until"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = _choices(MembershipRole)


class PlanYearForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    weekday = SelectField(_l("Weekday"), coerce=int, default=2)
    week = IntegerField(
        _l("Week of the period"),
        default=6,
        validators=[DataRequired(), NumberRange(1, 53)],
        description=_l("e.g. 6 for the Wednesday of the 6th week of each quarter"),
    )
    start_time = TimeField(_l("Start time"), default=None, validators=[DataRequired()])
    end_time = TimeField(_l("End time"), validators=[DataRequired()])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=300)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.weekday.choices = list(WEEKDAYS)


class MeetingForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=200)],
        description=_l("Left empty, the meeting is named by its number and the body."),
    )
    # A regular meeting is what a body holds almost every time; constituent happens once.
    kind = SelectField(_l("Kind"), validators=[DataRequired()], default=MeetingKind.REGULAR.value)
    date = DateField(_l("Date"), validators=[DataRequired(), DateInRange(MEETING_DATES)])
    start_time = TimeField(_l("Start time"), validators=[DataRequired()])
    end_time = TimeField(_l("End time"), validators=[DataRequired()])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=300)])
    video_url = URLField(
        _l("Video conference link"), validators=[Optional(), URL(), Length(max=500)]
    )
    # Shown once the service asked (services.past_move_question): moving into the past is
    # confirmed with this box, not saved silently.
    confirm_past = BooleanField(_l("Yes, move the meeting to this date in the past"))
    lock_version = LockVersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _choices(MeetingKind)


class CancelForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    confirm = BooleanField(
        _l("Yes, cancel this meeting"),
        validators=[DataRequired(_l("Please confirm the cancellation."))],
    )


class InviteForm(FlaskForm):
    """The confirmation page's button: invitations go out only from there."""

    # InputRequired: the field must be in the post (a default would pass DataRequired).
    confirm = HiddenField(default="yes", validators=[InputRequired()])


class AgendaItemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Markdown: **bold**, lists with -, links"),
    )
    presenter = StringField(_l("Presenter"), validators=[Optional(), Length(max=200)])
    planned_minutes = IntegerField(
        _l("Planned minutes"), validators=[Optional(), NumberRange(0, 600)]
    )
    is_public = BooleanField(_l("Public item"), default=True)
    parent_id = IdSelectField(_l("Sub-item of"))
    lock_version = LockVersionField()


class UploadForm(FlaskForm):
    file = FileField(
        _l("File"),
        validators=[DataRequired()],
        description=_l("PDF, DOCX, XLSX, ODT, PNG or JPG"),
    )


class PaperForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    paper_type = SelectField(_l("Kind of paper"))
    organisation_id = IdSelectField(_l("Submitting organisation"))
    file = FileField(_l("File"), description=_l("PDF, DOCX, XLSX, ODT, PNG or JPG"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.paper_type.choices = _choices(PaperType)


class CopyAgendaForm(FlaskForm):
    template_id = IdSelectField(_l("Copy the topics of"), validators=[DataRequired()])


class GuestForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    organisation_name = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    agenda_item_id = IdSelectField(_l("Invited for item"))


class ResponseForm(FlaskForm):
    response = SelectField(_l("Your answer"), validators=[DataRequired()])
    deputy_name = StringField(_l("Name of your deputy"), validators=[Optional(), Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.response.choices = [c for c in _choices(Response) if c[0] != "none"]


class ItemMinutesForm(FlaskForm):
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=50000)])
    result = TextAreaField(_l("Result"), validators=[Optional(), Length(max=5000)])
    version = HiddenField()


class DecisionForm(FlaskForm):
    text = TextAreaField(_l("Text of the decision"), validators=[DataRequired()])
    votes_yes = IntegerField(_l("Yes"), validators=[Optional(), NumberRange(0, 999)])
    votes_no = IntegerField(_l("No"), validators=[Optional(), NumberRange(0, 999)])
    votes_abstain = IntegerField(_l("Abstain"), validators=[Optional(), NumberRange(0, 999)])
    result = SelectField(_l("Result"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.result.choices = _choices(VoteResult)


class ActionItemForm(FlaskForm):
    task = TextAreaField(_l("Task"), validators=[DataRequired(), Length(max=5000)])
    responsible_person_id = IdSelectField(_l("Responsible person"))
    responsible_organisation_id = IdSelectField(_l("Responsible organisation"))
    due_date = DateField(_l("Due"), validators=[Optional()])


class CommentForm(FlaskForm):
    text = TextAreaField(
        _l("Comment on the minutes"), validators=[DataRequired(), Length(max=5000)]
    )


class AmendmentForm(FlaskForm):
    text = TextAreaField(_l("Correction"), validators=[DataRequired(), Length(max=5000)])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    agenda_item_id = IdSelectField(_l("Item"))


class ActionStatusForm(FlaskForm):
    status = SelectField(_l("Status"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = _choices(ActionStatus)


class EmptyForm(FlaskForm):
    """A button that posts with a CSRF token."""


class ReportPeriodForm(FlaskForm):
    """The period of the activity report, read from the query string (?from=…&until=…)."""

    class Meta:
        csrf = False  # a GET form that only reads

    start = DateField(_l("From"), name="from", validators=[Optional()])
    end = DateField(_l("Until"), name="until", validators=[Optional()])

    def validate_end(self, field) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end of the period must not be before its start."))
