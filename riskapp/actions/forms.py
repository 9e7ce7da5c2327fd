from ..forms_common import BoundedForm as FlaskForm  # length limits on every text field
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..forms_common import NHSDateField, SeenVersionField, SelectField
from ..risks.forms import ChoiceField, optional_int
from ..rules.actions import STATUSES


class ActionForm(FlaskForm):
    version = SeenVersionField()
    detail = TextAreaField("Action", validators=[InputRequired("Describe the action"),
                                                 Length(max=5000)])
    assignee_id = ChoiceField("Assignee", coerce=optional_int, validators=[Optional()],
                              message="Choose the assignee from the list")
    target_date = NHSDateField("Target date", validators=[Optional()])
    status = SelectField("Status", choices=[(s, s) for s in STATUSES])
    completed_on = NHSDateField("Completion date", validators=[Optional()],
                                description="Today, if left blank when marked Complete.")


class ProgressForm(FlaskForm):
    """What an assignee may change: a progress note, the status and the target date."""
    version = SeenVersionField()
    note = TextAreaField("Progress note", validators=[InputRequired("Enter a progress note"),
                                                      Length(max=5000)])
    status = SelectField("Status", choices=[(s, s) for s in STATUSES])
    target_date = NHSDateField("Target date", validators=[Optional()],
                               description="Move it only if the action cannot be done by then: "
                                           "the original date is kept and the move counted.")

    def validate_status(self, field):
        if field.data not in STATUSES:
            raise ValidationError("Choose a status from the list")
