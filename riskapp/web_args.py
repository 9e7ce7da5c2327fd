"""Numbers from the address or a form, checked to a range before anything uses them.

An id or page number is looked up in the database; one past what the database's integers
hold (2**31 - 1) made SQLite and PostgreSQL raise, so the request ended in a 500. Here a
value that is not a whole number in range answers 400 with a message saying what is
expected, and an id in the path past the range is simply not found (404).
"""
from __future__ import annotations

import re
from datetime import date

from flask import Request, abort, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

#: The largest id the database's INTEGER columns hold (PostgreSQL's is 4 bytes).
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000
_WHOLE = re.compile(r"-?[0-9]{1,12}")


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in routes: up to MAX_ID, else the route does not match (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def as_id(value) -> int | None:
    """An id chosen in a filter, or None for no choice (a bad or impossible value included)."""
    text = str(value).strip() if value is not None else ""
    if text.isdigit() and len(text) <= 10 and 0 < int(text) <= MAX_ID:
        return int(text)
    return None


def int_arg(name: str, default: int | None = None, *, label: str, minimum: int = 1,
            maximum: int = MAX_ID, source=None) -> int | None:
    """A whole number from the query string (or `source`), or 400 saying what it should be."""
    raw = (request.args if source is None else source).get(name)
    if raw is None or raw.strip() == "":
        return default
    raw = raw.strip()
    if not _WHOLE.fullmatch(raw) or not minimum <= int(raw) <= maximum:
        abort(400, description=f"{label} must be a whole number from {minimum:,} to "
                               f"{maximum:,}.")
    return int(raw)


def page_arg(name: str = "page") -> int:
    """A page number: nonsense shows a page rather than an error (a bookmark of a page that
    no longer exists shows the first or, past the end, the last), never a 500."""
    return lenient_page(name)


def fy_arg(name: str = "fy") -> int | None:
    """A financial year by the year it starts (2024 is 2024/25)."""
    return int_arg(name, None, label="The financial year", minimum=2000, maximum=2100)


def id_arg(name: str, label: str) -> int | None:
    return int_arg(name, None, label=label)


class JsonRequest(Request):
    """A request whose JSON body nested too deeply for Python's parser is a 400, not a 500."""

    def get_json(self, force=False, silent=False, cache=True):
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if silent:
                return None
            raise BadRequest("The JSON sent is nested too deeply.")


def lenient_page(name: str) -> int:
    """A page number where any nonsense shows a page rather than an error (My actions: a
    bookmark of a page that no longer exists shows the first or, past the end, the last)."""
    raw = (request.args.get(name) or "").strip()
    if not raw.isdigit():
        return 1
    return max(1, min(int(raw[:7]) if len(raw) <= 7 else MAX_PAGE, MAX_PAGE))


def date_parts_args(args, name: str = "as_of"):
    """Query arguments with `name=YYYY-MM-DD` (the address other pages, the API and the
    exports use) turned into the date boxes' `name-day/-month/-year`, so both forms work."""
    iso = args.get(name)
    if not iso:
        return args
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return args
    given = args.copy()
    given.pop(name)
    for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
        given.setdefault(f"{name}-{part}", str(value))
    return given


def as_of_args(field) -> dict:
    """The as-at date's boxes as query arguments, for links that keep it."""
    return {f"{field.name}-{part}": value for part, value in field.raw_parts.items() if value}


def trail_filters(kinds, changes) -> tuple[dict, dict[str, str]]:
    """An audit trail page's filters from the query string: who (a user id), from and to
    (days), what kind of record and what kind of change; and the messages for bad dates, by
    field."""
    errors: dict[str, str] = {}

    def day_arg(name):
        raw = request.args.get(name) or ""
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors[name] = "Enter a real date, for example 29/11/2023"
            return None
    since, until = day_arg("from"), day_arg("to")
    if since and until and until < since:
        errors["to"] = "The end date must be the same as or after the start date"
    kind = request.args.get("kind")
    change = request.args.get("change")
    return dict(user_id=request.args.get("who", type=int), since=since, until=until,
                kind=kind if kind in kinds else None,
                change=change if change in changes else None), errors
