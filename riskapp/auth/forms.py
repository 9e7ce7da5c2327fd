from ..forms_common import BoundedForm as FlaskForm  # length limits on every text field
from wtforms import EmailField, PasswordField
from wtforms.validators import Email, InputRequired, ValidationError


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[
        InputRequired("Enter your email address"), Email("Enter a real email address")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password")])


class ConfirmPasswordForm(FlaskForm):
    """Fresh password entry before a sensitive change (ASVS 3.7.1).

    Declared before SetPasswordForm so that, in PasswordChangeForm, the current password
    comes first on the page and in the error summary (WTForms orders fields as declared)."""
    current_password = PasswordField("Your current password", validators=[
        InputRequired("Enter your current password")])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email address", validators=[
        InputRequired("Enter your email address"), Email("Enter a real email address")],
        description="The address you sign in to riskapp with.")


class SetPasswordForm(FlaskForm):
    """A new password, typed twice (from an invitation or a reset link)."""
    new_password = PasswordField("New password", validators=[
        InputRequired("Enter a new password")])
    confirm = PasswordField("New password again", validators=[
        InputRequired("Enter the new password again")])

    def validate_confirm(self, field):
        if self.new_password.data and field.data != self.new_password.data:
            raise ValidationError("The two new passwords are not the same")


class PasswordChangeForm(ConfirmPasswordForm, SetPasswordForm):
    """A signed-in person's change: the current password to prove it is them, then the new."""


class RevokeTokenForm(FlaskForm):
    """Only the CSRF token: revoking takes rights away, so it needs no password."""
