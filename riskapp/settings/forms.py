from ..forms_common import BoundedForm as FlaskForm  # length limits on every text field
from flask_wtf.file import FileField
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from ..risks.forms import ChoiceField, optional_int


class _Row(Form):
    """A row of a settings table: `id` of the saved record (blank for a new row), and Remove."""
    id = HiddenField()
    remove = BooleanField("Remove")

    @property
    def record_id(self) -> int | None:
        return int(self.id.data) if (self.id.data or "").isdigit() else None


class BandRow(_Row):
    name = StringField("Name", validators=[InputRequired("Enter the band's name"),
                                           Length(max=50)])
    min_score = IntegerField("Lowest score", validators=[
        InputRequired("Enter the lowest score"), NumberRange(1, 25, "Scores are 1 to 25")])
    max_score = IntegerField("Highest score", validators=[
        InputRequired("Enter the highest score"), NumberRange(1, 25, "Scores are 1 to 25")])
    colour = StringField("Colour", validators=[
        InputRequired("Enter a colour"),
        Regexp(r"^#[0-9a-fA-F]{6}$", message="Enter a colour as # and six hex digits, like #d5281b")])
    review_months = IntegerField("Review every (months)", validators=[
        InputRequired("Enter the review frequency"), NumberRange(1, 24, "1 to 24 months")])


class BandsForm(FlaskForm):
    # Whether the bands together cover every score once is the service's rule
    # (riskapp.settings.services), shared with the API.
    bands = FieldList(FormField(BandRow), min_entries=1, max_entries=10)


class AppetiteRow(_Row):
    name = StringField("Level", validators=[InputRequired("Enter the level's name"),
                                            Length(max=50)])
    max_score = IntegerField("Highest tolerated score", validators=[
        InputRequired("Enter the highest tolerated score"), NumberRange(1, 25, "Scores are 1 to 25")])


class AppetiteForm(FlaskForm):
    levels = FieldList(FormField(AppetiteRow), min_entries=1, max_entries=12)


class NameRow(_Row):
    name = StringField("Name", validators=[InputRequired("Enter a name"), Length(max=200)])


class NamesForm(FlaskForm):
    """A list of names: appetite categories, directorates."""
    rows = FieldList(FormField(NameRow), min_entries=1, max_entries=60)


class RegisterForm(FlaskForm):
    name = StringField("Register name", validators=[InputRequired("Enter the register's name"),
                                                    Length(max=100)])
    # 2 to 6 letters, unique, fixed once used: the service's rules, shared with the API.
    prefix = StringField("Reference prefix", validators=[
        InputRequired("Enter the reference prefix"), Length(max=20)],
        description="References are the prefix and a number: CRR0001.")


class OrganisationForm(FlaskForm):
    name = StringField("Organisation name", validators=[
        InputRequired("Enter your organisation's name"), Length(max=200)],
        description="As on your board papers, like NHS Anytown Integrated Care Board. "
                    "Shown at the top of every page and on reports.")
    logo = FileField("Logo (optional)",
                     description="A PNG or JPEG under 1 MB. Shown beside the name at the top of "
                                 "every page and on reports.")
    remove_logo = BooleanField("Remove the logo")


class SignInForm(FlaskForm):
    passwords_allowed = BooleanField(
        "Everyone may sign in with a password",
        description="Untick to make people sign in with your organisation's account (single "
                    "sign-on). The break-glass administrator can always use a password.")
    sso_creates_users = BooleanField(
        "Single sign-on may create accounts",
        description="Someone your organisation's sign-in service vouches for, with no riskapp "
                    "account yet, gets one with the staff role.")
    break_glass_user_id = ChoiceField(
        "Break-glass administrator", coerce=optional_int, validators=[Optional()],
        description="An administrator who can sign in with a password when single sign-on is "
                    "not working.")
