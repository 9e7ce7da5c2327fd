from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import Email, InputRequired


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[
        InputRequired("Enter your email address"), Email("Enter a real email address")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password")])
