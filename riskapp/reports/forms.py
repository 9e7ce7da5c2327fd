"""Report forms: the heatmap's filters, the pack's options and the import upload."""
from __future__ import annotations

from datetime import date

from ..forms_common import BoundedForm as FlaskForm  # length limits on every text field
from flask_wtf.file import FileField
from wtforms import IntegerField, StringField
from wtforms.validators import NumberRange, Optional, ValidationError

from ..forms_common import NHSDateField, SelectField
from ..risks import queries as risk_queries
from .pack import VIEWS

VIEW_LABELS = {"current": "Current", "initial": "Initial", "target": "Target"}


class ReportFilterForm(FlaskForm):
    """Which risks: read from the query string, so every report view can be bookmarked."""

    class Meta:
        csrf = False

    register = SelectField("Register", validators=[Optional()])
    committee = SelectField("Committee", validators=[Optional()])
    directorate = SelectField("Directorate", validators=[Optional()])
    owner = SelectField("Owner", validators=[Optional()])


def check_as_of(form, field) -> None:
    """An as-at date: not in the future, not before the first day the register was held."""
    from ..record.as_at import as_at_error
    problem = as_at_error(field.data, date.today()) if field.data else None
    if problem:
        raise ValidationError(problem)


class HeatmapForm(ReportFilterForm):
    view = SelectField("Position", validators=[Optional()],
                       choices=[(v, f"{VIEW_LABELS[v]} score") for v in VIEWS])
    as_of = NHSDateField("As at the end of", validators=[Optional(), check_as_of],
                         error_name="The as-at date",
                         description="The register as it stood at the end of this day. Leave "
                                     "blank for today. For example, 29 11 2023")


class PackForm(ReportFilterForm):
    as_of = NHSDateField("Report as at", validators=[Optional(), check_as_of],
                         error_name="The report date",
                         description="Leave blank for today. For example, 29 11 2023")
    fy = IntegerField("Financial year of the movement table", validators=[
        Optional(), NumberRange(2000, 2100, "Enter a year from 2000 to 2100, like 2023")],
        description="The year it starts, e.g. 2023 for April 2023 to March 2024. Leave blank "
                    "for the year of the latest review.")


class ImportForm(FlaskForm):
    file = FileField("Upload a file", description="An Excel workbook (.xlsx) or CSV file in the "
                                                  "columns of the export.")

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError("Select an Excel or CSV file to import")


class ConfirmImportForm(FlaskForm):
    """The preview's button: only the CSRF token (the checked file is the worker's job)."""


def set_filter_choices(form: ReportFilterForm) -> None:
    """Fill the filters with the risk list's choices (read once per change to them).

    The owner filter lists the people who own a risk, as the risk list's does: listing all
    500 active users at a large trust was most of the heatmap's filter cost (issue 9), and
    choosing someone who owns nothing only ever showed an empty map. The chosen owner stays a
    choice even so, so an old bookmark still applies its filter.
    """
    choices = risk_queries.filter_choices()
    form.register.choices = [("", "All registers")] + choices.registers
    form.committee.choices = [("", "Any committee")] + choices.committees
    form.directorate.choices = [("", "Any directorate")] + choices.directorates
    owners = risk_queries.person_choices()[0]
    owner = form.owner.data if isinstance(form.owner.data, str) else None
    if owner and owner not in {value for value, _ in owners}:
        owners = risk_queries.ANYONE + risk_queries.risk_people(owner)[0]
    form.owner.choices = owners


def set_pack_choices(form: PackForm) -> None:
    """The filters for the pack: a pack is of one register, so there is no "All registers".

    With no register chosen (the form's first view, or an old bookmark) the first register,
    the Board Assurance Framework, is chosen, so the page shows what will be drawn.
    """
    set_filter_choices(form)
    form.register.choices = [c for c in form.register.choices if c[0] != ""]
    if not form.register.data and form.register.choices:
        form.register.data = form.register.choices[0][0]


class CoverForm(FlaskForm):
    """The cover paper's register, dates and meeting: posted to ask for the paper (a job);
    shown filled in from the address or from the paper asked for."""

    DEFAULT_MEETING = "Audit and Risk Assurance Committee"

    register = SelectField("Register", validators=[Optional()])
    since = NHSDateField("Date of the last paper", validators=[Optional()],
                         error_name="The date of the last paper",
                         description="What changed is counted from the end of this day. Leave "
                                     "blank for the date of the last BAF pack drawn for this "
                                     "register (or the end of last month). For example, "
                                     "31 5 2023")
    as_of = NHSDateField("Date of this paper", validators=[Optional()],
                         error_name="The date of this paper",
                         description="The register as at the end of this day. Leave blank for "
                                     "today. For example, 30 6 2023")
    meeting = StringField("Meeting", validators=[Optional()],
                          description="Who the paper goes to, e.g. Board or Audit and Risk "
                                      "Assurance Committee")
