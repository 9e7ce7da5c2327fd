from ..forms_common import BoundedForm as FlaskForm  # length limits on every text field
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import Email, InputRequired, Length, Optional

from ..forms_common import SelectField

from ..auth.models import ROLE_LABELS
from ..risks.forms import ChoiceField, optional_int


class UserForm(FlaskForm):
    name = StringField("Full name", validators=[InputRequired("Enter the person's name"),
                                                Length(max=200)])
    email = EmailField("Email address", validators=[
        InputRequired("Enter an email address"), Email("Enter a real email address")])
    job_title = StringField("Job title or position", validators=[Optional(), Length(max=200)])
    directorate_id = ChoiceField("Directorate", coerce=optional_int, validators=[Optional()])
    role = SelectField("Role", choices=[(r.value, label) for r, label in ROLE_LABELS.items()])
    active = BooleanField("Active (can sign in)", default=True)
    password = PasswordField("New password", validators=[
        Optional(), Length(min=12, message="Use at least 12 characters")],
        description="Leave blank to keep the current password.")
    #: A fresh password entry before a change of someone's role or access (ASVS 3.7.1).
    current_password = PasswordField(
        "Your password", validators=[Optional()],
        description="Enter your own password to change this person's role or whether they "
                    "can sign in.")


class InviteForm(FlaskForm):
    """Invite someone: their account is made now, and they set their own password by email."""
    name = StringField("Full name", validators=[InputRequired("Enter the person's name"),
                                                Length(max=200)])
    email = EmailField("Email address", validators=[
        InputRequired("Enter an email address"), Email("Enter a real email address")],
        description="The invitation goes here; it is also how they sign in.")
    job_title = StringField("Job title or position", validators=[Optional(), Length(max=200)])
    directorate_id = ChoiceField("Directorate", coerce=optional_int, validators=[Optional()])
    role = SelectField("Role", choices=[(r.value, label) for r, label in ROLE_LABELS.items()],
                       default="staff")


class ResendInviteForm(FlaskForm):
    """Only the CSRF token."""
