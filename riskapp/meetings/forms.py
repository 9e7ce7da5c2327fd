"""Meeting forms: typed fields, messages beside them, what was typed kept."""
from __future__ import annotations

import re
from datetime import time

from ..forms_common import BoundedForm as FlaskForm  # length limits on every text field
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..extensions import db
from ..forms_common import DOCUMENT_LIMIT, MaxLength, NHSDateField, SeenVersionField, SelectField, SelectMultipleField
from ..risks.forms import ChoiceField, optional_int
from ..risks.models import Risk
from .models import (ACTION_STATUSES, ATTENDANCE_STATUSES, DECISION_METHODS,
                     DECLARATION_ACTIONS, ITEM_PURPOSES, MEETING_STATUSES)

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_time(text: str) -> time | None:
    match = _TIME.match((text or "").strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


class MeetingForm(FlaskForm):
    #: The version the user saw: a save from an older one is refused, what they typed kept.
    version = SeenVersionField()
    day = NHSDateField("Date", validators=[InputRequired()])
    start_time = StringField("Start time", description="24-hour clock, Europe/London, e.g. 10:00",
                             validators=[InputRequired("Enter the start time, for example 10:00")])
    location = StringField("Place", validators=[Optional(), Length(max=300)])
    remote = BooleanField("Members can join remotely (e.g. Microsoft Teams)")
    has_public_part = BooleanField("Has a part held in public")
    has_private_part = BooleanField("Has a private part")
    status = SelectField("Status", choices=[(s, s) for s in MEETING_STATUSES])

    def validate_start_time(self, field):
        if parse_time(field.data) is None:
            raise ValidationError("Enter the start time as hours and minutes, for example 10:00")


class ItemForm(FlaskForm):
    number = StringField("Item number", validators=[InputRequired("Enter the item number"),
                                                    Length(max=10)])
    title = StringField("Title", validators=[InputRequired("Enter the title of the item"),
                                             Length(max=300)])
    presenter = StringField("Presenter", validators=[Optional(), Length(max=200)])
    private = BooleanField("Taken in the private part")
    purpose = SelectField("Purpose", choices=list(ITEM_PURPOSES.items()))
    papers_expected = BooleanField("A paper is expected from the presenter",
                                   description="Presenters are reminded as the papers deadline "
                                               "approaches; leave unticked for a verbal item.")
    duration_minutes = IntegerField("Time allowed, in minutes", validators=[
        Optional(), NumberRange(1, 480, "Enter the minutes as a number from 1 to 480")])
    #: Ticked from the risks the committee oversees (and any already linked).
    risk_ids = SelectMultipleField("Linked risks", coerce=int, choices=[],
                                   validators=[Optional()])
    #: Any other risk, typed by reference: a register of thousands is not a list to scroll.
    other_references = StringField(
        "Other risks, by reference", validators=[Optional(), Length(max=500)],
        description="For example, BAF0003 CRR0012. Separate references with spaces or commas.")

    def validate_other_references(self, field):
        wanted = list(dict.fromkeys(re.findall(r"[A-Za-z]+\d+", (field.data or "").upper())))
        found = {r.reference: r for r in db.session.scalars(
            select(Risk).where(Risk.reference.in_(wanted)))} if wanted else {}
        missing = [ref for ref in wanted if ref not in found]
        if missing:
            raise ValidationError(f"No risk has the reference {', '.join(missing)}: check it "
                                  "on the risk register")
        #: The risks named, for the view to link.
        self.other_risks = [found[ref] for ref in wanted]


class AttendanceForm(FlaskForm):
    status = SelectField("Attendance", choices=list(ATTENDANCE_STATUSES.items()))
    deputy_name = StringField("Named deputy", validators=[Optional(), Length(max=200)])
    arrived_at_item_id = ChoiceField("Arrived at item", coerce=optional_int,
                                     validators=[Optional()])
    left_at_item_id = ChoiceField("Left before item", coerce=optional_int,
                                  validators=[Optional()])


class DeclarationForm(FlaskForm):
    member_id = ChoiceField("Member", coerce=optional_int, validators=[Optional()])
    person_name = StringField("Or someone in attendance who is not a member",
                              validators=[Optional(), Length(max=200)])
    item_id = ChoiceField("Agenda item", coerce=optional_int, validators=[Optional()])
    interest = TextAreaField("Interest", validators=[InputRequired("Describe the interest")])
    action = SelectField("Action", choices=list(DECLARATION_ACTIONS.items()))


class ConsensusForm(FlaskForm):
    decision = TextAreaField("Resolution", validators=[
        InputRequired("Enter what the committee resolved, in words")])


class VoteForm(FlaskForm):
    """Ballots come as `ballot-<member id>` fields; the roster changes per item."""
    motion = TextAreaField("Motion", description="The motion put to the vote, in words, as the "
                           "minutes will record it. For example: That the committee approves "
                           "the extended access contract.",
                           validators=[InputRequired("Enter the motion put to the vote")])
    casting_vote = SelectField("Casting vote of the chair (only on a tie)",
                               choices=[("", "No casting vote"), ("for", "For"),
                                        ("against", "Against")], validators=[Optional()])


class MinutesForm(FlaskForm):
    minutes_discussion = TextAreaField("Discussion",
                                       validators=[Optional(), MaxLength(DOCUMENT_LIMIT)])
    minutes_decision = TextAreaField("Decision", validators=[Optional()])
    reason = StringField("Reason for the correction", description="Needed once the minutes "
                         "are approved; the earlier text is kept.", validators=[Optional()])
    #: Needed once the minutes are approved, as for every other correction (the service
    #: checks it: a draft's minutes need none). Choices: the committee's later meetings.
    approved_at_id = ChoiceField("Approved at the meeting of", coerce=optional_int,
                                 validators=[Optional()])


class ApproveMinutesForm(FlaskForm):
    at_meeting_id = ChoiceField("Approved at the meeting of")


class ActionForm(FlaskForm):
    detail = TextAreaField("Action", validators=[InputRequired("Describe the action")])
    assignee_id = ChoiceField("Assignee", coerce=optional_int, validators=[Optional()])
    item_id = ChoiceField("From item", coerce=optional_int, validators=[Optional()])
    due_date = NHSDateField("Due date", validators=[InputRequired()])


class ActionStatusForm(FlaskForm):
    status = SelectField("Status", choices=[(s, s) for s in ACTION_STATUSES])
    update = StringField("Update", validators=[Optional()])


class PaperForm(FlaskForm):
    """Upload a paper: the type is decided by the content (meetings.papers), not the name."""
    file = FileField("Paper", description="A PDF or a Word document (.docx), up to 8 MB.")
    title = StringField("Title of the paper", description="Leave blank to use the file's name.",
                        validators=[Optional(), Length(max=150)])
    replaces = BooleanField("This replaces the paper already received for the item")

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError("Choose the file of the paper")


class PublishForm(FlaskForm):
    #: Set when the secretariat has seen the warning about papers still awaited.
    confirmed = HiddenField()


class CsrfOnly(FlaskForm):
    """A form whose fields are read by hand (the register's rows): only its CSRF check."""


class OfficerForm(FlaskForm):
    name = StringField("Name", description="Leave blank to use the name of the person chosen "
                       "below.", validators=[Optional(), Length(max=200)])
    job_title = StringField("Job title", validators=[Optional(), Length(max=200)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    user_id = ChoiceField("Their login", coerce=optional_int, validators=[Optional()],
                          description="With a login they can read the meeting's private "
                                      "business, as members do.")


class AttendanceCorrectionForm(FlaskForm):
    """A correction to a member's attendance once the minutes are approved (issue 14)."""
    member_id = ChoiceField("Member", coerce=optional_int,
                            validators=[InputRequired("Choose the member")])
    status = SelectField("Attendance as corrected", choices=list(ATTENDANCE_STATUSES.items()))
    deputy_name = StringField("Named deputy", validators=[Optional(), Length(max=200)])
    arrived_at_item_id = ChoiceField("Arrived at item", coerce=optional_int,
                                     validators=[Optional()])
    left_at_item_id = ChoiceField("Left before item", coerce=optional_int,
                                  validators=[Optional()])
    reason = TextAreaField("Reason for the correction",
                           validators=[InputRequired("Give the reason for the correction"),
                                       Length(max=2000)])
    approved_at_id = ChoiceField("Approved at the meeting of", coerce=optional_int,
                                 validators=[InputRequired(
                                     "Choose the later meeting that approved the correction")])


class RecordCorrectionForm(FlaskForm):
    """A correction to a declaration, an agenda item, a decision or a vote once the minutes are
    approved (issue 14): the corrected values (shown filled in with the approved ones), the
    reason and the later meeting that approved it. Only the fields of the kind corrected are
    shown and read (riskapp.meetings.services.CORRECTABLE)."""
    interest = TextAreaField("Interest declared", validators=[Optional(), Length(max=2000)])
    action = SelectField("What was done", choices=list(DECLARATION_ACTIONS.items()),
                         validators=[Optional()])
    title = StringField("Title", validators=[Optional(), Length(max=300)])
    presenter = StringField("Presenter", validators=[Optional(), Length(max=200)])
    decision_method = SelectField("How it was decided", validators=[Optional()],
                                  choices=[("", "Not recorded")] + list(DECISION_METHODS.items()))
    outcome = TextAreaField("Decision", validators=[Optional(), Length(max=5000)])
    votes_for = IntegerField("Votes for", validators=[Optional(), NumberRange(
        0, 500, "Enter a number of votes from 0 to 500")])
    votes_against = IntegerField("Votes against", validators=[Optional(), NumberRange(
        0, 500, "Enter a number of votes from 0 to 500")])
    abstentions = IntegerField("Abstentions", validators=[Optional(), NumberRange(
        0, 500, "Enter a number of abstentions from 0 to 500")])
    carried = SelectField("Result", choices=[("yes", "Carried"), ("no", "Not carried")],
                          validators=[Optional()])
    reason = TextAreaField("Reason for the correction",
                           validators=[InputRequired("Give the reason for the correction"),
                                       Length(max=2000)])
    approved_at_id = ChoiceField("Approved at the meeting of", coerce=optional_int,
                                 validators=[InputRequired(
                                     "Choose the later meeting that approved the correction")])

    def values(self, fields) -> dict:
        """The corrected values of `fields`, as the records hold them."""
        out = {}
        for name in fields:
            value = getattr(self, name).data
            if name == "carried":
                value = value == "yes"
            elif name == "decision_method":
                value = value or None
            out[name] = value
        return out


class ActionProgressForm(FlaskForm):
    note = TextAreaField("Progress", validators=[InputRequired("Describe the progress made")])
    status = SelectField("Status", choices=[(s, s) for s in ACTION_STATUSES])
    due_date = NHSDateField("Due date", description="Moving it later counts as a slip; the "
                            "date first agreed is kept.", validators=[Optional()])


class HighlightReportForm(FlaskForm):
    alert = TextAreaField("Alert", description="Matters the Board must know about or act on: "
                          "risks above appetite, anything the committee could not resolve.",
                          validators=[Optional()])
    advise = TextAreaField("Advise", description="Decisions taken and matters under way that "
                           "the Board should be aware of.", validators=[Optional()])
    assure = TextAreaField("Assure", description="Where the committee gained assurance, and "
                           "how (quoracy, reports received, risks reviewed).",
                           validators=[Optional()])


class ChairsActionForm(FlaskForm):
    taken_by_id = ChoiceField("Taken by", coerce=optional_int, validators=[Optional()],
                              description="The chair, or the deputy chair acting as chair.")
    taken_on = NHSDateField("Date taken", validators=[InputRequired()])
    decision = TextAreaField("Decision", validators=[InputRequired("Enter the decision taken")])
    reasons = TextAreaField("Why it could not wait for the next meeting", validators=[
        InputRequired("Enter why the decision could not wait")])
    consulted = TextAreaField("Who the chair consulted", validators=[Optional()],
                              description="For example, another member and the executive "
                                          "lead.")
