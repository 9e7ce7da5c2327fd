"""Form pieces shared by every riskapp form.

`NHSDateField` is the NHS design system's date input (Day / Month / Year, three
boxes) as a WTForms field. People type dates as three numbers; the field keeps
exactly what was typed so a refused form shows it again, and says what is wrong
in the NHS pattern ("Enter the target date", "Target date must include a year",
"Target date must be a real date").

Markup: `templates/_forms.html` `date_input(field)` wraps the field in the NHS
fieldset / legend / hint / error message; calling `field()` alone renders the
three inputs (`<div class="nhsuk-date-input">`).
"""
from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from markupsafe import Markup, escape
from wtforms import fields, widgets
from wtforms.widgets import html_params
from wtforms.fields import Field
from wtforms.utils import unset_value
from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation, ValidationError

__all__ = ["BoundedForm", "MaxLength", "SeenVersionField", "TEXT_LIMIT", "LINE_LIMIT", "DOCUMENT_LIMIT", "NHSDateField", "NHSDateInput", "DATE_PARTS", "QuickSelect", "SelectField", "SelectMultipleField"]

#: The three boxes, in the order they are shown and named (`<name>-day` ...).
DATE_PARTS = ("day", "month", "year")

_DIGITS = re.compile(r"[0-9]+")
_WIDTHS = {"day": 2, "month": 2, "year": 4}


def _lower_first(text: str) -> str:
    """'Target date' -> 'target date', but keep acronyms: 'BAF review date' stays."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _missing_phrase(parts: list[str]) -> str:
    """['day'] -> 'a day'; ['day', 'month'] -> 'a day and month'."""
    if len(parts) == 1:
        return f"a {parts[0]}"
    return "a " + ", ".join(parts[:-1]) + f" and {parts[-1]}"


class NHSDateInput:
    """Widget: the NHS date input's three boxes, each with its own label.

    Boxes named in `field.error_parts` get `nhsuk-input--error`; when the field
    has errors but no particular part is to blame, all three do.
    """

    def __call__(self, field: "NHSDateField", **kwargs) -> Markup:
        kwargs.pop("required", None)  # NHS forms use server-side messages, not the browser's
        container_id = kwargs.pop("id", field.id)
        extra_class = kwargs.pop("class_", kwargs.pop("class", ""))
        if field.errors:
            flagged = set(field.error_parts or DATE_PARTS)
        else:
            flagged = set()
        items = []
        for part in DATE_PARTS:
            classes = ["nhsuk-input", "nhsuk-date-input__input",
                       f"nhsuk-input--width-{_WIDTHS[part]}"]
            if part in flagged:
                classes.append("nhsuk-input--error")
            part_id = f"{container_id}-{part}"
            items.append(
                '<div class="nhsuk-date-input__item">'
                '<div class="nhsuk-form-group">'
                f'<label class="nhsuk-label nhsuk-date-input__label" for="{escape(part_id)}">'
                f"{part.capitalize()}</label>"
                f'<input class="{" ".join(classes)}" id="{escape(part_id)}" '
                f'name="{escape(field.part_name(part))}" type="text" inputmode="numeric" '
                f'value="{escape(field.raw_parts.get(part, ""))}">'
                "</div></div>"
            )
        css = "nhsuk-date-input" + (f" {escape(extra_class)}" if extra_class else "")
        return Markup(f'<div class="{css}" id="{escape(container_id)}">{"".join(items)}</div>')


class NHSDateField(Field):
    """A date typed into three boxes: `<name>-day`, `<name>-month`, `<name>-year`.

    - `.data` is a `datetime.date`, or None when nothing (or something impossible) was typed.
    - `.raw_parts` is `{"day": str, "month": str, "year": str}`: what the user typed,
      unchanged, or the stored date's numbers when the form was not submitted.
    - `.error_parts` names the boxes at fault (for the red borders): e.g. `("year",)`.
    - `.error_anchor` is the id the error summary should link to (the first box at fault).
    - `validators=[Optional()]` or `[InputRequired()]` work as usual: the field counts as
      filled in when any of the three boxes has something in it. An `InputRequired()` /
      `DataRequired()` without its own message says "Enter the <label>".
    - `error_name="Date of assurance"` words the messages when the label is a question.
    """

    widget = NHSDateInput()

    def __init__(self, label=None, validators=None, error_name: str | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.error_name = error_name
        self.raw_parts = dict.fromkeys(DATE_PARTS, "")
        self.error_parts: tuple[str, ...] = ()

    # -- names -----------------------------------------------------------------------------
    def part_name(self, part: str) -> str:
        return f"{self.name}-{part}"

    @property
    def error_anchor(self) -> str:
        return f"{self.id}-{(self.error_parts or DATE_PARTS)[0]}"

    @property
    def _what(self) -> str:
        """The thing the messages are about, as written at the start of a sentence."""
        return self.error_name or self.label.text

    # -- processing ------------------------------------------------------------------------
    def process(self, formdata, data=unset_value, extra_filters=None):
        """Like `Field.process`, but the form data comes from the three `<name>-<part>` keys."""
        self.process_errors = []
        self.error_parts = ()
        self.raw_parts = dict.fromkeys(DATE_PARTS, "")
        if data is unset_value:
            try:
                data = self.default()
            except TypeError:
                data = self.default
        self.object_data = data
        try:
            self.process_data(data)
        except ValueError as e:
            self.process_errors.append(e.args[0])

        if formdata is not None:
            keys = [self.part_name(p) for p in DATE_PARTS]
            if any(k in formdata for k in keys):
                typed = []
                for part, key in zip(DATE_PARTS, keys):
                    values = formdata.getlist(key) if key in formdata else []
                    typed.append(values[0] if values else "")
                # One raw_data string, empty when all three boxes are blank, so that
                # Optional() and InputRequired() judge "was anything typed?" correctly.
                self.raw_data = ["/".join(typed)] if any(t.strip() for t in typed) else []
                try:
                    self.process_formdata(typed)
                except ValueError as e:
                    self.process_errors.append(e.args[0])
            else:
                self.raw_data = []

        try:
            for f in (*self.filters, *(extra_filters or ())):
                self.data = f(self.data)
        except ValueError as e:
            self.process_errors.append(e.args[0])

    def process_data(self, value):
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            self.data = value
            self.raw_parts = {"day": str(value.day), "month": str(value.month),
                              "year": str(value.year)}
        else:
            self.data = None

    def process_formdata(self, valuelist):
        """Parse [day, month, year] as typed; raise ValueError with the NHS message."""
        self.raw_parts = dict(zip(DATE_PARTS, (v if v is not None else "" for v in valuelist)))
        self.data = None
        cleaned = {p: self.raw_parts[p].strip() for p in DATE_PARTS}
        if not any(cleaned.values()):
            return
        what = self._what

        missing = [p for p in DATE_PARTS if not cleaned[p]]
        if missing:
            self.error_parts = tuple(missing)
            raise ValueError(f"{what} must include {_missing_phrase(missing)}")

        not_numbers = [p for p in DATE_PARTS if not _DIGITS.fullmatch(cleaned[p])]
        if not_numbers:
            self.error_parts = tuple(not_numbers)
            raise ValueError(f"{what} must be a real date")

        day, month, year = (int(cleaned[p]) for p in DATE_PARTS)
        if len(cleaned["year"]) != 4 or year < 1000:
            self.error_parts = ("year",)
            raise ValueError(f"{what} must include a year with 4 numbers, like 2025")
        if not 1 <= month <= 12:
            self.error_parts = ("month",)
            raise ValueError(f"{what} must be a real date")
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            self.error_parts = ("day",)
            raise ValueError(f"{what} must be a real date")
        self.data = date(year, month, day)

    # -- validation ------------------------------------------------------------------------
    def pre_validate(self, form):
        if self.process_errors:
            # The typed text is not a date: its message says so; further checks would
            # only add noise about a value that does not exist.
            raise StopValidation()
        for v in self.validators:
            if getattr(v, "message", "") is not None:
                continue
            if (isinstance(v, InputRequired) and not self.raw_data) or (
                    isinstance(v, DataRequired) and self.data is None):
                raise StopValidation(f"Enter the {_lower_first(self._what)}")

    def _value(self) -> str:
        if not any(self.raw_parts.values()):
            return ""
        return "/".join(self.raw_parts[p] for p in DATE_PARTS)


class QuickSelect(widgets.Select):
    """WTForms' select widget with a fast path for plain options; the markup is identical.

    WTForms builds each `<option>` as its own Markup through `html_params` (sorting and
    cleaning keyword arguments). The risk list's owner and lead filters and the owner selects
    of the risk and action forms list hundreds of people, and at a large trust's size that
    was a large part of those pages' time (issue 9). Options with their own attributes, and
    grouped choices, take WTForms' own path.
    """

    def __call__(self, field, **kwargs):
        if field.has_groups():
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        if not self.multiple and field.coerce is str and isinstance(field.choices, list):
            # The common case, (value, label) strings: no generator and coerce per option.
            # 500 people in an owner filter: a sixth of the risk list before (issue 9).
            chosen = field.data
            for choice in field.choices:
                if len(choice) != 2:
                    break
                value, label = choice
                html.append(f'<option {"selected " if value == chosen else ""}'
                            f'value="{escape(value)}">{escape(label)}</option>')
            else:
                html.append("</select>")
                return Markup("".join(html))
            html = html[:1]
        for value, label, selected, render_kw in field.iter_choices():
            if render_kw or value is True:
                html.append(self.render_option(value, label, selected, **render_kw))
            else:
                html.append(f'<option {"selected " if selected else ""}value="{escape(value)}">'
                            f"{escape(label)}</option>")
        html.append("</select>")
        return Markup("".join(html))


class SelectField(fields.SelectField):
    """A `wtforms.SelectField` drawn by `QuickSelect`: use it for every select."""

    widget = QuickSelect()


class SelectMultipleField(fields.SelectMultipleField):
    """A `wtforms.SelectMultipleField` drawn by `QuickSelect`."""

    widget = QuickSelect(multiple=True)


# --- Length limits on free text (issue 15, finding 2) ---------------------------------------------

#: A description, a note, a summary: a few paragraphs. The longest in the BLMK BAF is ~800.
TEXT_LIMIT = 6_000
#: One line: a name, a title, a reason.
LINE_LIMIT = 500
#: Text that is a document in itself: terms of reference, a meeting's minutes.
DOCUMENT_LIMIT = 100_000


class MaxLength(Length):
    """At most `max` characters, said as NHS forms say it, with how many there are now.

    A `Length` (so it sets the field's `maxlength` flag, which the textarea macro shows as a
    hint), but it never cuts what was typed: the form comes back with it, and this message.
    """

    def __init__(self, max: int):  # noqa: A002 - the name Length uses
        super().__init__(max=max)

    def __call__(self, form, field):
        length = len(field.data or "")
        if length > self.max:
            label = field.label.text.split(" (")[0]  # "Description (cause, ...)": Description
            label = label if len(label) <= 40 else "This"
            raise ValidationError(f"{label} must be {self.max:,} characters or fewer "
                                  f"(it has {length:,})")


def _default_limit(unbound_field) -> MaxLength | None:
    """The limit a text field gets when its form does not set one."""
    field_class = unbound_field.field_class
    if not issubclass(field_class, fields.StringField) or issubclass(field_class, fields.HiddenField):
        return None
    validators = unbound_field.kwargs.get("validators") or ()
    if len(unbound_field.args) > 1 or any(isinstance(v, Length) and v.max > 0 for v in validators):
        return None  # the form says its own limit
    return MaxLength(TEXT_LIMIT if issubclass(field_class, fields.TextAreaField) else LINE_LIMIT)


class BoundedForm(FlaskForm):
    """Every riskapp form: no free-text field without a length limit.

    A text field whose form gives no `Length` gets TEXT_LIMIT (a text area) or LINE_LIMIT (one
    line), so no page accepts megabytes of text that would then fill packs and exports.
    """

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            limit = _default_limit(unbound_field)
            if limit is not None:
                options = {**options, "validators": [
                    *(unbound_field.kwargs.get("validators") or ()), limit]}
            return super().bind_field(form, unbound_field, options)


class SeenVersionField(fields.HiddenField):
    """The version of the record the user saw, so a save from an older one is refused.

    On a submission it is only ever what was posted: never the stored record's version (a form
    made with `obj=record` would otherwise fill it in), so a form posted without it is
    refused as not recognised rather than let past the stale-edit check (issue 15, finding 12).
    A missing value is "" (riskapp.risks.services.check_version refuses it).
    """

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if formdata is not None:
            self.data = (formdata.getlist(self.name) or [""])[0]
