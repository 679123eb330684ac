"""Login, password and user administration forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import FlaskForm, IdSelectField, SelectField, SelectMultipleField
from .models import Role

MIN_PASSWORD = 10


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Stay signed in"))
    submit = SubmitField(_l("Sign in"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)],
        description=_l("At least 10 characters."),
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField(_l("Send reset link"))


class ResetForm(FlaskForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)],
        description=_l("At least 10 characters."),
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Set password"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    email = EmailField(_l("Login email"), validators=[DataRequired(), Email(), Length(max=254)])
    roles = MultiCheckboxField(_l("Roles"))
    organisation_id = IdSelectField(_l("Acts for organisation"))
    person_id = IdSelectField(_l("Person"))
    is_active = BooleanField(_l("Active"), default=True)
    # Label and description are set by the view: a new account and an existing one differ.
    password = PasswordField(_l("Password"), validators=[Length(max=200)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = [(role.value, role.label) for role in Role]


class ProfileForm(FlaskForm):
    locale = SelectField(
        _l("Language"), choices=[("", _l("Browser default")), ("de", "Deutsch"), ("en", "English")]
    )
    submit = SubmitField(_l("Save"))


class TokenForm(FlaskForm):
    """A new personal access token for the JSON API (auth.tokens)."""

    name = StringField(
        _l("Name (what the token is for)"), validators=[DataRequired(), Length(max=100)]
    )
    scope = SelectField(
        _l("Permissions"),
        choices=[("read", _l("Read only")), ("write", _l("Read and write"))],
        default="read",
    )
    expires_on = DateField(_l("Valid until"), validators=[DataRequired()])
    submit = SubmitField(_l("Create token"))


class TokenRevokeForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, revoke this token: programs using it lose access at once."),
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Revoke token"))
