"""The forms of the approval pages: the chair's approval (a reason, and a confirmation box so the
page itself is the confirmation, with or without JavaScript) and the record of an approval by a
decision of a later meeting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..core.forms import FlaskForm, IdSelectField
from .approval import REASON_MAX


class ChairApprovalForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for approving now"),
        validators=[Optional(), Length(max=REASON_MAX)],
        description=_l(
            "Required while the members may still comment; recorded with the approval, shown "
            "in the history of the minutes and in the audit log."
        ),
    )
    confirm = BooleanField(
        _l(
            "I approve these minutes as chair. They are then locked; corrections are recorded "
            "as amendments."
        ),
        validators=[DataRequired(_l("Please confirm the approval."))],
    )


class DecisionApprovalForm(FlaskForm):
    decision_id = IdSelectField(
        _l("Decision approving the minutes"),
        validators=[DataRequired(_l("Please choose the decision."))],
    )
    confirm = BooleanField(
        _l(
            "The body approved these minutes by this decision. They are then locked; corrections "
            "are recorded as amendments."
        ),
        validators=[DataRequired(_l("Please confirm the approval."))],
    )
