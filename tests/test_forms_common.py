"""NHSDateField and the _forms.html macros, without the Flask app."""
from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from werkzeug.datastructures import MultiDict
from wtforms import (BooleanField, Form, FormField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, Optional

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from riskapp.forms_common import NHSDateField  # noqa: E402

try:  # WTForms 3.3 deprecates (value, label) tuples for choices
    from wtforms.fields.choices import SelectChoice as choice
except ImportError:  # WTForms < 3.3
    def choice(value, label):
        return (value, label)


class DateForm(Form):
    target_date = NHSDateField("Target date", validators=[InputRequired()])
    review_date = NHSDateField("Review date", validators=[Optional()])


def date_values(name, day, month, year):
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


# -- NHSDateField ---------------------------------------------------------------------------

def test_valid_date_becomes_a_date():
    form = DateForm(MultiDict(date_values("target_date", "5", "3", "2025")))
    assert form.validate(), form.errors
    assert form.target_date.data == date(2025, 3, 5)
    assert form.review_date.data is None


def test_typed_spaces_and_leading_zeros_are_accepted_and_kept():
    form = DateForm(MultiDict(date_values("target_date", " 05 ", "03", "2025")))
    assert form.validate()
    assert form.target_date.data == date(2025, 3, 5)
    assert form.target_date.raw_parts == {"day": " 05 ", "month": "03", "year": "2025"}


def test_impossible_date_is_refused_and_the_typed_values_kept():
    form = DateForm(MultiDict(date_values("target_date", "31", "2", "2024")))
    assert not form.validate()
    assert form.target_date.errors == ["Target date must be a real date"]
    assert form.target_date.data is None
    assert form.target_date.raw_parts == {"day": "31", "month": "2", "year": "2024"}
    assert form.target_date.error_parts == ("day",)
    html = str(form.target_date())
    for name, value in (("target_date-day", "31"), ("target_date-month", "2"),
                        ("target_date-year", "2024")):
        assert re.search(rf'name="{name}"[^>]*value="{value}"', html), html


def test_leap_day_is_real_in_a_leap_year():
    form = DateForm(MultiDict(date_values("target_date", "29", "2", "2024")))
    assert form.validate()
    assert form.target_date.data == date(2024, 2, 29)


def test_missing_year():
    form = DateForm(MultiDict(date_values("target_date", "1", "2", "")))
    assert not form.validate()
    assert form.target_date.errors == ["Target date must include a year"]
    assert form.target_date.error_parts == ("year",)
    assert form.target_date.error_anchor == "target_date-year"
    assert form.target_date.raw_parts["day"] == "1"


def test_missing_day_and_month():
    form = DateForm(MultiDict(date_values("target_date", "", "", "2025")))
    assert not form.validate()
    assert form.target_date.errors == ["Target date must include a day and month"]


@pytest.mark.parametrize("day,month,year,message", [
    ("x", "2", "2024", "Target date must be a real date"),
    ("1", "13", "2024", "Target date must be a real date"),
    ("0", "1", "2024", "Target date must be a real date"),
    ("1", "1", "24", "Target date must include a year with 4 numbers, like 2025"),
])
def test_other_bad_dates(day, month, year, message):
    form = DateForm(MultiDict(date_values("target_date", day, month, year)))
    assert not form.validate()
    assert form.target_date.errors == [message]


def test_required_and_empty_says_enter_the_label():
    form = DateForm(MultiDict(date_values("target_date", "", "", "")))
    assert not form.validate()
    assert form.target_date.errors == ["Enter the target date"]


def test_required_message_can_be_given():
    class F(Form):
        when = NHSDateField("Date of assurance", validators=[InputRequired("Enter when")])
    form = F(MultiDict(date_values("when", "", "", "")))
    assert not form.validate()
    assert form.when.errors == ["Enter when"]


def test_optional_and_empty_is_fine():
    form = DateForm(MultiDict({**date_values("target_date", "1", "1", "2025"),
                               **date_values("review_date", "", " ", "")}))
    assert form.validate(), form.errors
    assert form.review_date.data is None


def test_optional_but_partly_filled_is_still_checked():
    form = DateForm(MultiDict({**date_values("target_date", "1", "1", "2025"),
                               **date_values("review_date", "1", "", "")}))
    assert not form.validate()
    assert form.review_date.errors == ["Review date must include a month and year"]


def test_stored_date_fills_the_boxes_when_not_submitted():
    class Obj:
        target_date = date(2025, 12, 1)
        review_date = None
    form = DateForm(obj=Obj())
    assert form.target_date.raw_parts == {"day": "1", "month": "12", "year": "2025"}
    assert form.review_date.raw_parts == {"day": "", "month": "", "year": ""}


def test_error_name_words_the_messages():
    class F(Form):
        when = NHSDateField("When was it assured?", validators=[InputRequired()],
                            error_name="Date of assurance")
    form = F(MultiDict(date_values("when", "", "", "")))
    assert not form.validate()
    assert form.when.errors == ["Enter the date of assurance"]


def test_populate_obj_sets_a_date():
    form = DateForm(MultiDict(date_values("target_date", "2", "1", "2026")))
    assert form.validate()

    class Obj:
        pass
    obj = Obj()
    form.populate_obj(obj)
    assert obj.target_date == date(2026, 1, 2)


# -- _forms.html macros ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def macros():
    env = Environment(loader=FileSystemLoader(str(ROOT / "templates")), autoescape=True,
                      undefined=StrictUndefined)
    return env.get_template("_forms.html").make_module()


class Period(Form):
    starts = NHSDateField("Start date", validators=[InputRequired()])


class RiskishForm(Form):
    title = StringField("Title", validators=[
        InputRequired("Enter a title"),
        Length(max=10, message="Title must be 10 characters or fewer")])
    description = TextAreaField("Description", validators=[InputRequired("Enter a description")])
    owner = SelectField("Risk owner", choices=[choice("", "Choose"), choice("1", "Ann"),
                                               choice("2", "Bo")])
    likelihood = RadioField("Likelihood", choices=[choice("1", "Rare"), choice("2", "Unlikely")],
                            validators=[InputRequired("Choose the likelihood")])
    committees = SelectMultipleField("Committees", choices=[choice("a", "Audit"),
                                                           choice("q", "Quality")])
    closed = BooleanField("Closed")
    target_date = NHSDateField("Target date", validators=[Optional()])
    period = FormField(Period)


def test_input_macro_shows_error_kept_value_and_summary_link(macros):
    form = RiskishForm(MultiDict({"title": "Draft & long title", "description": "Kept <text>",
                                  "owner": "2", "committees": "q",
                                  **date_values("target_date", "31", "2", "2024"),
                                  **date_values("period-starts", "", "", "")}))
    assert not form.validate()

    html = str(macros.input(form.title, hint="Short and specific"))
    assert "nhsuk-form-group--error" in html
    assert "Title must be 10 characters or fewer" in html
    assert 'value="Draft &amp; long title"' in html
    assert 'aria-describedby="title-hint title-error"' in html
    assert "nhsuk-input--error" in html

    summary = str(macros.error_summary(form))
    assert "nhsuk-error-summary" in summary
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert '<a href="#title">Title must be 10 characters or fewer</a>' in summary
    assert '<a href="#likelihood">Choose the likelihood</a>' in summary
    # NHSDateField links to the box at fault; FormField sub-fields are included.
    assert '<a href="#target_date-day">Target date must be a real date</a>' in summary
    assert '<a href="#period-starts-day">Enter the start date</a>' in summary


def test_other_field_macros(macros):
    form = RiskishForm(MultiDict({"description": "Kept <text>", "owner": "2",
                                  "committees": "q", "likelihood": "2",
                                  **date_values("target_date", "31", "2", "2024")}))
    form.validate()

    textarea = str(macros.textarea(form.description, rows=3))
    assert "Kept &lt;text&gt;</textarea>" in textarea and 'rows="3"' in textarea

    select = str(macros.select(form.owner))
    assert '<option value="2" selected>Bo</option>' in select

    radios = str(macros.radios(form.likelihood, inline=True))
    assert "nhsuk-radios--inline" in radios
    assert 'id="likelihood" name="likelihood" type="radio" value="1">' in radios
    assert 'id="likelihood-2" name="likelihood" type="radio" value="2" checked>' in radios

    checks = str(macros.checkboxes(form.committees))
    assert 'value="q" checked' in checks and "<legend" in checks
    single = str(macros.checkboxes(form.closed))
    assert 'type="checkbox" value="y"' in single

    date_html = str(macros.date_input(form.target_date))
    assert "nhsuk-form-group--error" in date_html
    assert "Target date must be a real date" in date_html
    assert 'aria-describedby="target_date-hint target_date-error"' in date_html
    assert re.search(r'id="target_date-day"[^>]*value="31"', date_html)
    assert re.search(r'class="[^"]*nhsuk-input--error[^"]*" id="target_date-day"', date_html)
    assert not re.search(r'class="[^"]*nhsuk-input--error[^"]*" id="target_date-year"', date_html)


def test_small_macros(macros):
    assert str(macros.button("Save")).startswith('<button class="nhsuk-button"')
    assert "nhsuk-button--secondary" in str(macros.button("Cancel", secondary=True))
    assert (str(macros.tag("Open", "green"))
            == '<strong class="nhsuk-tag nhsuk-tag--green">Open</strong>')
    assert "nhsuk-tag--red" in str(macros.tag("High", "#D5281B"))
    assert "app-score--warm-yellow" in str(macros.score_tag("Medium (2:3=6)", "#ffb81c"))
    rows = str(macros.summary_list([("Owner", "Ann <Smith>"), ("Score", "12")]))
    assert '<dt class="nhsuk-summary-list__key">Owner</dt>' in rows
    assert "Ann &lt;Smith&gt;" in rows
    assert str(macros.back_link("/risks")) == ('<nav aria-label="Back"><a class="nhsuk-back-link" '
                                               'href="/risks">Back</a></nav>')


def test_no_summary_without_errors(macros):
    form = RiskishForm()
    assert str(macros.error_summary(form)).strip() == ""


# -- base.html ------------------------------------------------------------------------------

class _User:
    is_authenticated = True
    name = "Jane O'Example"


def _render_page(**context):
    env = Environment(loader=FileSystemLoader(str(ROOT / "templates")), autoescape=True)
    page = env.from_string('{% extends "base.html" %}{% block title %}My risks{% endblock %}'
                           '{% block content %}<h1>My risks</h1>{% endblock %}')
    return page.render(**context)


def test_base_page_signed_in():
    html = _render_page(
        current_user=_User(), logout_url="/sign-out", csrf_token=lambda: "tok",
        nav_items=[{"label": "My risks", "url": "/mine", "active": True},
                   {"label": "Risk register", "url": "/risks", "active": False}],
        organisation_name="Anytown NHS Trust",
        get_flashed_messages=lambda with_categories=False: [("success", "Risk saved")])
    assert '<html lang="en">' in html
    assert "<title>My risks – riskapp</title>" in html
    assert 'name="viewport"' in html
    body = html.split("<body>", 1)[1].lstrip()
    assert body.startswith('<a class="nhsuk-skip-link"') and "Skip to main content" in body
    assert 'id="maincontent"' in html
    assert 'href="/mine" aria-current="page"' in html and 'href="/risks">Risk register' in html
    assert "Jane O&#39;Example" in html
    assert re.search(r'<form class="nhsuk-header__account-form" action="/sign-out" method="post"'
                     r'.*name="csrf_token" value="tok".*Sign out</button>', html, re.S)
    assert "Anytown NHS Trust" in html
    assert "nhsuk-notification-banner--success" in html and "Risk saved" in html
    assert '<script type="module" src="/static/app.js"></script>' in html
    assert "<script>" not in html and "style=" not in html  # nothing inline, for the CSP


def test_base_page_signed_out_and_bare():
    class Anon:
        is_authenticated = False
    html = _render_page(current_user=Anon(), login_url="/sign-in")
    assert 'href="/sign-in">Sign in</a>' in html
    assert "Sign out" not in html and "nhsuk-header__navigation" not in html
    assert "<title>My risks – riskapp</title>" in _render_page()  # no context at all


# --- QuickSelect: WTForms' markup, faster --------------------------------------------------

def _select_form(multiple=False):
    from wtforms import Form

    from riskapp.forms_common import SelectField, SelectMultipleField

    class F(Form):
        who = (SelectMultipleField if multiple else SelectField)(
            "Who", choices=[("", "Anyone"), ("1", "Ann <Admin> & \"Co\""), ("2", "Bob")])
        grouped = SelectField("Grouped", choices={"Team": [("a", "A"), ("b", "B", {"disabled": True})]})
    return F


@pytest.mark.parametrize("multiple, data", [(False, {"who": "1"}), (False, {}),
                                            (True, {"who": ["1", "2"]})])
def test_quick_select_draws_exactly_what_wtforms_draws(multiple, data):
    from werkzeug.datastructures import MultiDict
    from wtforms import widgets

    form = _select_form(multiple)(MultiDict(data))
    quick = form.who(class_="nhsuk-select")
    plain = widgets.Select(multiple=multiple)(form.who, class_="nhsuk-select")
    assert str(quick) == str(plain)
    assert "&lt;Admin&gt; &amp; &#34;Co&#34;" in quick  # labels escaped
    if data:
        assert '<option selected value="1">' in quick
    # Options with their own attributes and groups take WTForms' own path.
    assert str(form.grouped()) == str(widgets.Select()(form.grouped))
    assert "disabled" in form.grouped()
    # An option with its own attributes after plain ones: WTForms' path for the whole select.
    form.who.choices = [("1", "Ann"), ("2", "Bob", {"disabled": True})]
    assert str(form.who()) == str(widgets.Select(multiple=multiple)(form.who))
    assert "disabled" in form.who() and form.who().count("<option") == 2
