from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import Email, InputRequired, ValidationError


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[
        InputRequired("Enter your email address"), Email("Enter a real email address")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password")])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Your current password", validators=[
        InputRequired("Enter your current password")])
    new_password = PasswordField("New password", validators=[
        InputRequired("Enter a new password")])
    confirm = PasswordField("New password again", validators=[
        InputRequired("Enter the new password again")])

    def validate_confirm(self, field):
        if self.new_password.data and field.data != self.new_password.data:
            raise ValidationError("The two new passwords are not the same")


class ConfirmPasswordForm(FlaskForm):
    """Fresh password entry before a sensitive change (ASVS 3.7.1)."""
    current_password = PasswordField("Your current password", validators=[
        InputRequired("Enter your current password")])


class RevokeTokenForm(FlaskForm):
    """Only the CSRF token: revoking takes rights away, so it needs no password."""
