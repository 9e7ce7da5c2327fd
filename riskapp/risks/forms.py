"""Forms of the risk register. Field checks live here; views only call `validate_on_submit`."""
from __future__ import annotations

from ..forms_common import BoundedForm as FlaskForm  # length limits on every text field
from wtforms import BooleanField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms_common import NHSDateField, SeenVersionField, SelectField, SelectMultipleField
from ..rules.scoring import CONSEQUENCE_WORDS, LIKELIHOOD_WORDS
from .models import APPETITE_CATEGORIES, EFFECTIVENESS, NOT_YET_ASSESSED, RISK_STATUSES


class RatingField(RadioField):
    """A consequence or likelihood: one of the five ratings, each with its words (1 Rare ...).

    A value that is not 1-5 (only a hand-made request can send one) is refused beside the
    field; an optional rating offers "Not set".
    """

    def __init__(self, label, required=True, **kwargs):
        name = label.lower()
        words = LIKELIHOOD_WORDS if "likelihood" in name else CONSEQUENCE_WORDS
        choices = [(n, f"{n} {word}") for n, word in words.items()]
        if not required:
            choices.append(("", "Not set"))
        validators = [InputRequired(f"Choose the {name}") if required else Optional()]
        super().__init__(label, choices=choices, coerce=optional_int, validators=validators,
                         **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0].strip() == "":
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a whole number from 1 to 5")

    def pre_validate(self, form):
        if self.data is not None and not 1 <= self.data <= 5:
            raise ValidationError(f"{self.label.text} must be a whole number from 1 to 5")


class ChoiceField(SelectField):
    """A select whose refusal says what to do, e.g. "Choose the risk owner from the list"."""

    def __init__(self, label, message=None, **kwargs):
        kwargs.setdefault("coerce", int)
        super().__init__(label, **kwargs)
        self.refusal = message or f"Choose the {label.lower()} from the list"

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.refusal)

    def pre_validate(self, form):
        if self.data in (None, "") and any(isinstance(v, Optional) for v in self.validators):
            return
        values = [c[0] for c in self.iter_choices()]
        if self.data not in values:
            raise ValidationError(self.refusal)


def optional_int(value):
    """Coerce a select value where the empty choice means None."""
    return int(value) if value not in (None, "", "None") else None


class VersionedForm(FlaskForm):
    #: The version of the record the user saw, so a stale save is refused (no lost update).
    version = SeenVersionField()


class RiskForm(VersionedForm):
    register_id = ChoiceField("Register")
    title = StringField("Title", validators=[InputRequired("Enter a title"), Length(max=300)])
    description = TextAreaField(
        "Description (cause, event, effect)",
        validators=[InputRequired("Enter a description of the risk")])
    strategic_objective = StringField("Strategic objective", validators=[Optional(),
                                                                         Length(max=300)])
    directorate_id = ChoiceField("Directorate", coerce=optional_int, validators=[Optional()])
    owner_id = ChoiceField("Risk owner")
    lead_id = ChoiceField("Risk lead", coerce=optional_int, validators=[Optional()])
    status = SelectField("Status", choices=[(s, s) for s in RISK_STATUSES])
    appetite_category = SelectField(
        "Risk appetite category", validators=[Optional()],
        choices=[("", "Not set")] + [(c, c) for c in APPETITE_CATEGORIES])
    appetite_level_id = ChoiceField("Risk appetite level", coerce=optional_int,
                                    validators=[Optional()])
    review_frequency_months = IntegerField(
        "Review every (months)",
        validators=[Optional(), NumberRange(1, 24, "Review frequency must be 1 to 24 months")],
        description="Leave blank to follow the band's frequency.")
    initial_consequence = RatingField("Initial consequence")
    initial_likelihood = RatingField("Initial likelihood")
    target_consequence = RatingField("Target consequence", required=False)
    target_likelihood = RatingField("Target likelihood", required=False)
    target_date = NHSDateField("Date to reach the target score", validators=[Optional()])
    committee_ids = SelectMultipleField("Oversight committees", coerce=int)

    def validate_target_likelihood(self, field):
        if (self.target_consequence.data is None) != (field.data is None):
            raise ValidationError("Enter both the target consequence and likelihood, or neither")


class NewRiskForm(RiskForm):
    current_consequence = RatingField("Current consequence")
    current_likelihood = RatingField("Current likelihood")


class ScoreUpdateForm(VersionedForm):
    consequence = RatingField("Consequence")
    likelihood = RatingField("Likelihood")
    rationale = TextAreaField(
        "Rationale",
        validators=[InputRequired("Enter the rationale for this review"), Length(max=5000)],
        description="Why the score changed, or why it stays the same.")
    held_on = NHSDateField(
        "Date the review was held",
        description="For example, 10 12 2023. Today, or the day of the meeting or review if it "
                    "was earlier.")
    correcting = BooleanField(
        "I am correcting the history: this review was held before the latest one recorded")


class ControlForm(VersionedForm):
    description = TextAreaField("Control", validators=[InputRequired("Describe the control")])
    owner_id = ChoiceField("Control owner", coerce=optional_int, validators=[Optional()])
    # A control nobody has assessed must not read as assurance: new controls start unassessed.
    effectiveness = SelectField("Effectiveness", choices=[(e, e) for e in EFFECTIVENESS],
                                default=NOT_YET_ASSESSED)
    expected_implementation_date = NHSDateField("Expected implementation date",
                                                validators=[Optional()])
    actual_implementation_date = NHSDateField("Actual implementation date",
                                              validators=[Optional()])


class AssuranceForm(VersionedForm):
    line = ChoiceField("Line of assurance", choices=[
        (1, "1st line: management"), (2, "2nd line: oversight functions (committees, finance, quality)"),
        (3, "3rd line: independent (such as internal audit)")],
        message="Choose the line of assurance")
    source = TextAreaField("Source of assurance",
                           validators=[InputRequired("Enter the source of assurance")])
    summary = TextAreaField("Summary", validators=[Optional()])
    assured_on = NHSDateField("Date of assurance", validators=[Optional()])
    positive = SelectField("Positive or negative", choices=[
        ("", "Not yet judged"), ("yes", "Positive"), ("no", "Negative")],
        validators=[Optional()])
    valid_until = NHSDateField(
        "Valid until", validators=[Optional()], error_name="The valid until date",
        description="The last day this assurance counts as current. Leave blank to use the "
                    "period set for its line of assurance (from its date).")
    control_ids = SelectMultipleField("Controls it gives assurance on", coerce=int,
                                      validators=[Optional()])
    answered_by_action_id = SelectField(
        "Action taken in answer", validators=[Optional()],
        description="For a negative assurance: the action that answers it.")

    def validate_valid_until(self, field):
        if field.data and self.assured_on.data and field.data < self.assured_on.data:
            raise ValidationError("The valid until date must be on or after the date of "
                                  "assurance")


class GapForm(FlaskForm):
    kind = SelectField("Kind of gap", choices=[("control", "Gap in control"),
                                               ("assurance", "Gap in assurance")])
    description = TextAreaField("Gap", validators=[InputRequired("Describe the gap")])


ANY_STATUS = "any"


class AsAtDay:
    """A form's "as at the end of" date: the register as riskapp held it then (issue 14).
    A mixin, so the risk list's filters and the movement table ask for and check it alike."""

    as_of = NHSDateField("As at the end of", validators=[Optional()],
                         error_name="The as-at date",
                         description="Leave blank for today. For example, 29 11 2023")

    def validate_as_of(self, field):
        from datetime import date

        from ..record.as_at import as_at_error
        problem = as_at_error(field.data, date.today()) if field.data else None
        if problem:
            raise ValidationError(problem)


class RiskFilterForm(AsAtDay, FlaskForm):
    """The register's filters, read from the query string."""

    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=200)])
    register = SelectField("Register", validators=[Optional()])
    #: Open risks unless another status is chosen: closed and archived risks are no longer
    #: managed, so the register opens on the live ones.
    status = SelectField("Status", validators=[Optional()],
                         choices=[(s, s) for s in RISK_STATUSES] + [(ANY_STATUS, "Any status")])
    band = SelectField("Band", validators=[Optional()])
    owner = SelectField("Owner", validators=[Optional()])
    lead = SelectField("Lead", validators=[Optional()])
    directorate = SelectField("Directorate", validators=[Optional()])
    committee = SelectField("Committee", validators=[Optional()])
    above_appetite = SelectField("Appetite", validators=[Optional()], choices=[
        ("", "All risks"), ("1", "Only risks above appetite")])
    sort = SelectField("Sort by", validators=[Optional()], choices=[
        ("reference", "Reference"), ("score", "Current score, highest first"),
        ("title", "Title"), ("review", "Next review date"), ("owner", "Owner")])
    # A heatmap cell's link: risks at one position. Not among the visible filters; the list
    # says which position it shows and offers to remove it.
    view = SelectField("Position", validators=[Optional()], choices=[
        ("current", "current"), ("initial", "initial"), ("target", "target")])
    consequence = SelectField("Consequence", validators=[Optional()],
                              choices=[(str(n), str(n)) for n in range(1, 6)])
    likelihood = SelectField("Likelihood", validators=[Optional()],
                             choices=[(str(n), str(n)) for n in range(1, 6)])


def set_risk_choices(form: RiskForm) -> None:
    """Fill the selects of a risk form from the database."""
    from sqlalchemy import select

    from ..auth.models import Directorate
    from ..committees.models import Committee
    from ..extensions import db
    from .models import AppetiteLevel
    from .queries import active_users, registers

    users = [(u.id, u.name) for u in active_users()]
    if "register_id" in form:
        form.register_id.choices = [(r.id, r.name) for r in registers()]
    if "owner_id" in form:
        form.owner_id.choices = [(0, "Choose the owner")] + users
    if "lead_id" in form:
        form.lead_id.choices = [("", "No lead")] + users
    form.directorate_id.choices = [("", "None")] + [
        (d.id, d.name) for d in db.session.scalars(select(Directorate).order_by(Directorate.name))]
    form.appetite_level_id.choices = [("", "Not set")] + [
        (a.id, str(a)) for a in db.session.scalars(select(AppetiteLevel)
                                                   .order_by(AppetiteLevel.max_score))]
    form.committee_ids.choices = [
        (c.id, c.name) for c in db.session.scalars(select(Committee).order_by(Committee.name))]
    set_appetite_category_choices(form.appetite_category)


def set_appetite_category_choices(field) -> None:
    """The organisation's appetite categories (Settings), and the value the risk has now."""
    from sqlalchemy import select

    from ..extensions import db
    from ..settings.models import AppetiteCategory
    names = list(db.session.scalars(select(AppetiteCategory.name)
                                    .order_by(AppetiteCategory.position, AppetiteCategory.name)))
    if field.data and field.data not in names:  # a category since removed: keep what was chosen
        names.append(field.data)
    field.choices = [("", "Not set")] + [(n, n) for n in names]


def set_owner_choices(field) -> None:
    from .queries import active_users
    field.choices = [("", "No owner")] + [(u.id, u.name) for u in active_users()]


class MovementForm(AsAtDay, FlaskForm):
    """The movement table's date: the register as it stood at the end of a past day."""

    class Meta:
        csrf = False


class MoveRiskForm(VersionedForm):
    register_id = ChoiceField("Move it to", message="Choose the register to move it to")
    reason = TextAreaField("Why", description=(
        "For example, escalated by the Executive Team on 12 March 2024: the risk now threatens "
        "a strategic objective."),
        validators=[InputRequired("Say why the risk is moving register"), Length(max=2000)])
