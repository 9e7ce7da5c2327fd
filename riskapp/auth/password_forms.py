from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import Email, InputRequired, ValidationError


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email address", validators=[
        InputRequired("Enter your email address"), Email("Enter a real email address")],
        description="The address you sign in to riskapp with.")


class SetPasswordForm(FlaskForm):
    new_password = PasswordField("New password", validators=[
        InputRequired("Enter a new password")])
    confirm = PasswordField("New password again", validators=[
        InputRequired("Enter the new password again")])

    def validate_confirm(self, field):
        if self.new_password.data and field.data != self.new_password.data:
            raise ValidationError("The two passwords are not the same")
