"""Assurance forms: the map's filters (a bookmarkable query string) and a sufficiency rule."""
from __future__ import annotations

from ..forms_common import BoundedForm as FlaskForm  # length limits on every text field
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import Length, Optional

from ..forms_common import NHSDateField, SelectField
from ..rules import assurance as rules

LINE_CHOICES = [("", "Any line")] + [(str(n), rules.LINE_NAMES[n]) for n in rules.LINES]
STATE_CHOICES = [("", "Any")] + [(s, rules.STATE_WORDS[s]) for s in rules.STATES]


class MapFilterForm(FlaskForm):
    class Meta:
        csrf = False

    register = SelectField("Register", validators=[Optional()])
    band = SelectField("Band", validators=[Optional()])
    line = SelectField("Line of assurance", choices=LINE_CHOICES, validators=[Optional()])
    state = SelectField("Shown as", choices=STATE_CHOICES, validators=[Optional()])
    gaps = BooleanField("Only risks with computed gaps")
    as_of = NHSDateField("As at", validators=[Optional()], error_name="The date",
                         description="Leave blank for today. For example, 30 6 2023")


class RuleForm(FlaskForm):
    kind = SelectField("What the rule checks", choices=[("", "Choose")] + [
        (k, v) for k, v in rules.RULE_KINDS.items()], validators=[Optional()])
    band = SelectField("Band", validators=[Optional()],
                       description="Leave as every band for a rule about all risks")
    line = SelectField("Line of assurance", choices=LINE_CHOICES, validators=[Optional()])
    min_count = IntegerField("How many assurances are needed", validators=[Optional()])
    months = IntegerField("Months an assurance stays current", validators=[Optional()])
    effective_from = NHSDateField("Applies from", validators=[Optional()],
                                  error_name="The date the rule applies from",
                                  description="Leave blank for today. Maps as at an earlier "
                                              "date use the version in force then.")
    reason = StringField("Reason for the change", validators=[
        Optional(), Length(max=500, message="Keep the reason under 500 characters")])


def set_band_choices(field, bands, blank="Every band") -> None:
    field.choices = [("", blank)] + [(b, b) for b in bands]
