"""Forms of committees, terms of reference and members. Typed fields, messages beside them."""
from __future__ import annotations

from ..forms_common import BoundedForm as FlaskForm  # length limits on every text field
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..forms_common import DOCUMENT_LIMIT, MaxLength, NHSDateField, SelectField, SelectMultipleField
from ..risks.forms import ChoiceField, optional_int
from .models import (COMMITTEE_KINDS, DEPUTY_POLICIES, FREQUENCIES, MAJORITY_BASES,
                     POSITION_CATEGORIES)


class WholeNumberField(IntegerField):
    """An integer whose refusal says what to type, keeping the typed text."""

    def __init__(self, label, message=None, **kwargs):
        super().__init__(label, **kwargs)
        self.refusal = message or f"{label} must be a whole number"

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0].strip() == "":
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(self.refusal)


class NewDraftForm(FlaskForm):
    version = StringField("New version number", validators=[
        InputRequired("Enter the version number, for example 4.0"), Length(max=20)])


class TorForm(FlaskForm):
    version = StringField("Version", validators=[InputRequired("Enter the version number"),
                                                 Length(max=20)])
    text = TextAreaField("Text of the terms of reference",
                         validators=[Optional(), MaxLength(DOCUMENT_LIMIT)])
    deputy_policy = SelectField("Deputies", choices=list(DEPUTY_POLICIES.items()))
    majority_base = SelectField("Majority", choices=list(MAJORITY_BASES.items()))
    voting_rule = TextAreaField("Who votes (as written)", validators=[Optional()])
    papers_deadline_days = WholeNumberField(
        "Papers deadline (working days before the meeting)",
        validators=[InputRequired("Enter the papers deadline in working days"),
                    NumberRange(0, 30, "The papers deadline must be 0 to 30 working days")])
    attendance_threshold_percent = WholeNumberField(
        "Attendance threshold (%)",
        validators=[InputRequired("Enter the attendance threshold"),
                    NumberRange(0, 100, "The attendance threshold must be 0 to 100")])
    frequency = SelectField("Meeting frequency", choices=[(f, f.capitalize()) for f in FREQUENCIES])
    min_voting_members = WholeNumberField(
        "Minimum number of voting members (optional)",
        validators=[Optional(), NumberRange(1, 50, "The minimum must be 1 to 50")])


class PositionForm(FlaskForm):
    name = StringField("Position", validators=[InputRequired("Enter the name of the position"),
                                               Length(max=200)])
    category = SelectField("Category", choices=list(POSITION_CATEGORIES.items()))
    voting = BooleanField("Voting member")
    chair = BooleanField("Chairs the committee")
    deputy_chair = BooleanField("Deputy chair")


class RequirementForm(FlaskForm):
    label = StringField("Requirement", validators=[
        InputRequired("Enter a short label, for example 'CPCO or CMD'"), Length(max=200)])
    count = WholeNumberField("How many people", default=1, validators=[
        InputRequired("Enter how many people"), NumberRange(1, 20, "Enter 1 to 20 people")])
    positions = SelectMultipleField("Filled by any of these positions", choices=[])
    categories = SelectMultipleField("Or anyone in these categories",
                                     choices=list(POSITION_CATEGORIES.items()))


class ApproveForm(FlaskForm):
    approved_by = StringField("Approved by", validators=[
        InputRequired("Enter who approved it, for example the Board"), Length(max=300)])
    approved_on = NHSDateField("Approved on", validators=[InputRequired()])
    review_due = NHSDateField("Review due", description="At most two years after approval",
                              validators=[InputRequired()])


class MemberForm(FlaskForm):
    user_id = ChoiceField("User", coerce=optional_int, validators=[Optional()],
                          message="Choose the user from the list")
    person_name = StringField("Or the name of someone with no login",
                              validators=[Optional(), Length(max=200)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    positions = SelectMultipleField("Positions", choices=[])
    appointed_on = NHSDateField("Appointed on", validators=[InputRequired()])
    term_ends_on = NHSDateField("Term ends on", validators=[Optional()])


class EndMemberForm(FlaskForm):
    ended_on = NHSDateField("Membership ends on", validators=[InputRequired()])


class CommitteeForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired("Enter the committee's name"),
                                           Length(max=200)])
    short_name = StringField("Short name", description="For example, PCCAC",
                             validators=[Optional(), Length(max=30)])
    kind = SelectField("Kind of committee", choices=[(k, k) for k in COMMITTEE_KINDS],
                       default=COMMITTEE_KINDS[1])
    parent_id = ChoiceField("Reports to", coerce=optional_int, validators=[Optional()],
                            message="Choose the committee it reports to from the list")
    risks = TextAreaField("Risks it oversees", description=(
        "The references of the risks, separated by commas or spaces, for example "
        "BAF0001, CRR0042"), validators=[Optional()])
    attendance_threshold_percent = WholeNumberField(
        "Attendance threshold (%)", description=(
            "Members attending fewer of the meetings than this are flagged. Leave empty to use "
            "the terms of reference's."),
        validators=[Optional(), NumberRange(0, 100, "The attendance threshold must be 0 to 100")])
    papers_deadline_days = WholeNumberField(
        "Papers deadline (working days before the meeting)", description=(
            "Leave empty to use the terms of reference's."),
        validators=[Optional(), NumberRange(0, 30,
                                            "The papers deadline must be 0 to 30 working days")])


class DissolveForm(FlaskForm):
    dissolved_on = NHSDateField("Dissolved on", validators=[InputRequired()])


class MemberChangeForm(FlaskForm):
    positions = SelectMultipleField("Positions", choices=[])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])


class RenewForm(FlaskForm):
    term_ends_on = NHSDateField("The new term ends on", validators=[InputRequired()])
