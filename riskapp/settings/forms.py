import re

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Regexp, ValidationError

from ..rules.scoring import Band, bands_problems


class BandRow(Form):
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
    bands = FieldList(FormField(BandRow), min_entries=1, max_entries=10)

    def validate_bands(self, field):
        rows = [row.data for row in field]
        if any(r["min_score"] is None or r["max_score"] is None for r in rows):
            return
        names = [r["name"].strip().lower() for r in rows]
        if len(set(names)) != len(names):
            raise ValidationError("Each band needs a different name")
        problems = bands_problems([Band(r["name"], r["min_score"], r["max_score"]) for r in rows])
        if problems:
            raise ValidationError("; ".join(problems))


class AppetiteRow(Form):
    name = StringField("Level", validators=[InputRequired("Enter the level's name"),
                                            Length(max=50)])
    max_score = IntegerField("Highest tolerated score", validators=[
        InputRequired("Enter the highest tolerated score"), NumberRange(1, 25, "Scores are 1 to 25")])


class AppetiteForm(FlaskForm):
    levels = FieldList(FormField(AppetiteRow), min_entries=1, max_entries=12)


class RegisterForm(FlaskForm):
    name = StringField("Register name", validators=[InputRequired("Enter the register's name"),
                                                    Length(max=100)])
    prefix = StringField("Reference prefix", validators=[
        InputRequired("Enter the reference prefix"),
        Regexp(r"^[A-Za-z]{2,6}$", message="The prefix is 2 to 6 letters, like CRR")],
        description="References are the prefix and a number: CRR0001.")

    def validate_prefix(self, field):
        field.data = re.sub(r"\s", "", field.data or "").upper()
