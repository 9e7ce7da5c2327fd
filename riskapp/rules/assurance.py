"""The assurance map: is each risk's assurance sufficient, independent and current?

Plain functions over plain data (no Flask, no SQLAlchemy). The assurance service builds the
facts -- a risk's band, controls and assurances, as at a day, whether from today's rows or from
the record as at a past day -- and the sufficiency rules the risk manager keeps; these functions
return each line's verdict and the gaps in assurance the rules imply, each gap naming its rule.

Lines of assurance (the "three lines" model boards use): 1 management, 2 oversight functions
such as committees, finance and quality, 3 independent, such as internal audit.
"""
from __future__ import annotations

import calendar
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

LINES = (1, 2, 3)
LINE_NAMES = {1: "1st line (management)", 2: "2nd line (oversight)", 3: "3rd line (independent)"}
LINE_SHORT = {1: "1st line", 2: "2nd line", 3: "3rd line"}
#: An assurance is "expiring" this many days before it stops being current.
EXPIRING_WITHIN_DAYS = 30
#: How long an assurance stays current when no rule says (months, by line).
DEFAULT_VALID_MONTHS = 12
MAX_COUNT = 20
MAX_MONTHS = 60

#: The kinds of sufficiency rule, and what each needs.
RULE_KINDS = {
    "line_needed": "A risk needs positive, current assurance in a line",
    "controls_covered": "Every control is covered by a positive, current assurance",
    "valid_for": "How long an assurance in a line stays current",
    "current": "Assurances are current: expired or expiring ones are shown as gaps",
    "negative_answered": "A negative assurance is answered by an action",
}

# The verdict of one line for one risk, worst last. Words for pages; keys for the API.
POSITIVE, EXPIRING, NOT_JUDGED, NEGATIVE, EXPIRED, MISSING = (
    "positive", "expiring", "not judged", "negative", "expired", "missing")
STATE_WORDS = {POSITIVE: "Positive", EXPIRING: "Expiring", NOT_JUDGED: "Not yet judged",
               NEGATIVE: "Negative", EXPIRED: "Expired", MISSING: "Missing"}
STATES = tuple(STATE_WORDS)


@dataclass(frozen=True)
class Rule:
    """One version of one sufficiency rule, as the risk manager set it."""
    key: int
    version: int
    kind: str
    #: The band a line_needed / controls_covered rule applies to; None: every band.
    band: str | None = None
    line: int | None = None
    min_count: int | None = None
    months: int | None = None

    @property
    def label(self) -> str:
        return f"Rule {self.key}: {describe_rule(self)}"


@dataclass(frozen=True)
class AssuranceFact:
    """An assurance as the rules see it."""
    id: str
    line: int
    source: str
    given_on: date | None
    #: Set on the assurance itself; None: from the line's rule (or undated: never expires).
    valid_until: date | None = None
    #: True positive, False negative, None not yet judged.
    positive: bool | None = None
    control_ids: frozenset = frozenset()
    #: A negative assurance has an action in answer to it.
    answered: bool = False
    #: "recorded" (typed in) or "committee" (worked out from an approved, quorate item).
    origin: str = "recorded"


@dataclass(frozen=True)
class ControlFact:
    id: int
    description: str


@dataclass(frozen=True)
class RiskFacts:
    ref: str
    band: str | None
    controls: tuple[ControlFact, ...] = ()
    assurances: tuple[AssuranceFact, ...] = ()


@dataclass(frozen=True)
class Gap:
    """A computed gap in assurance: which rule it breaks and what is wrong, in words."""
    rule: str
    text: str
    line: int | None = None
    #: The assurance or control it is about, when it is about one.
    assurance_id: str | None = None
    control_id: int | None = None


@dataclass(frozen=True)
class LineCell:
    """One line of one risk on the map."""
    line: int
    state: str
    #: The assurances of this line given by the day, best first.
    assurances: tuple[AssuranceFact, ...] = ()
    #: For EXPIRING: the day the last current positive assurance stops being current.
    expires_on: date | None = None

    @property
    def words(self) -> str:
        if self.state == EXPIRING and self.expires_on:
            return f"Expiring {self.expires_on:%-d %b %Y}"
        return STATE_WORDS[self.state]


@dataclass(frozen=True)
class RiskMap:
    ref: str
    cells: dict[int, LineCell]
    gaps: tuple[Gap, ...]


# --- Rules --------------------------------------------------------------------------------


def describe_rule(rule: Rule) -> str:
    """The rule in plain words, as the settings page and every gap name it."""
    who = f"A {rule.band} risk" if rule.band else "Every risk"
    if rule.kind == "line_needed":
        count = rule.min_count or 1
        many = "one" if count == 1 else str(count)
        noun = "assurance" if count == 1 else "assurances"
        return (f"{who} needs at least {many} positive, current {noun} in the "
                f"{LINE_SHORT.get(rule.line, 'line')}")
    if rule.kind == "controls_covered":
        whose = f"of a {rule.band} risk" if rule.band else "of every risk"
        return f"Every control {whose} is covered by a positive, current assurance"
    if rule.kind == "valid_for":
        months = rule.months or DEFAULT_VALID_MONTHS
        return (f"An assurance in the {LINE_SHORT.get(rule.line, 'line')} stays current for "
                f"{months} month{'s' if months != 1 else ''} from its date")
    if rule.kind == "current":
        return (f"Assurances are current: expired ones, and ones expiring within "
                f"{EXPIRING_WITHIN_DAYS} days, are gaps")
    if rule.kind == "negative_answered":
        return "A negative assurance is answered by an action"
    return rule.kind


def check_rule(kind: str, band: str | None, line: int | None, min_count: int | None,
               months: int | None, bands: Iterable[str]) -> dict[str, str]:
    """Problems with a rule as typed, field -> message (empty: it can be saved)."""
    errors: dict[str, str] = {}
    if kind not in RULE_KINDS:
        errors["kind"] = "Choose what the rule checks"
        return errors
    if band and band not in set(bands):
        errors["band"] = f"There is no band called {band}: choose one of the bands"
    if kind in ("line_needed", "valid_for") and line not in LINES:
        errors["line"] = "Choose the 1st, 2nd or 3rd line"
    if kind == "line_needed":
        if min_count is None:
            errors["min_count"] = "Enter how many assurances are needed"
        elif not 1 <= min_count <= MAX_COUNT:
            errors["min_count"] = f"Enter a number of assurances from 1 to {MAX_COUNT}"
    if kind == "valid_for":
        if months is None:
            errors["months"] = "Enter how many months an assurance stays current"
        elif not 1 <= months <= MAX_MONTHS:
            errors["months"] = f"Enter a number of months from 1 to {MAX_MONTHS}"
    return errors


@functools.lru_cache(maxsize=8192)
def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the month's end (31 Jan + 1 month: 28 Feb).
    Pure, and asked about the same few hundred dates for every risk of a large register:
    remembered (at 5,000 risks it was most of the map's time)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_months(rules: Sequence[Rule]) -> dict[int, int]:
    """Months an assurance stays current, by line (a rule, or the default)."""
    months = {line: DEFAULT_VALID_MONTHS for line in LINES}
    for rule in rules:
        if rule.kind == "valid_for" and rule.line in months and rule.months:
            months[rule.line] = rule.months
    return months


def valid_until(a: AssuranceFact, months: dict[int, int]) -> date | None:
    """The last day `a` is current; None when it has no date (it cannot be shown to expire)."""
    if a.valid_until is not None:
        return a.valid_until
    if a.given_on is None:
        return None
    return add_months(a.given_on, months.get(a.line, DEFAULT_VALID_MONTHS)) - timedelta(days=1)


def earliest_date_current_on(day: date, months: int) -> date:
    """The earliest date an assurance can carry and still be current on `day`, when it stays
    current for `months` months from its date (no end date of its own): the first g with
    add_months(g, months) - 1 day >= `day`. A date on or after it is current on `day`, one
    before it is not (add_months never goes backwards as its date moves on), so a database
    can judge "current" by comparing dates. Month ends clamp: 31 Jan + 1 month is 28 Feb,
    so on 27 Feb an assurance of 28 Jan is as current as one of 31 Jan."""
    wanted = day + timedelta(days=1)
    # No date before this one reaches `wanted`; clamping can leave it a few days short.
    given = add_months(wanted, -months)
    while add_months(given, months) < wanted:
        given += timedelta(days=1)
    return given


def is_current(a: AssuranceFact, day: date, months: dict[int, int]) -> bool:
    until = valid_until(a, months)
    return until is None or day <= until


def is_expiring(a: AssuranceFact, day: date, months: dict[int, int]) -> bool:
    """Current on `day` but not `EXPIRING_WITHIN_DAYS` days later."""
    until = valid_until(a, months)
    return until is not None and day <= until < day + timedelta(days=EXPIRING_WITHIN_DAYS)


def given_by(assurances: Iterable[AssuranceFact], day: date) -> list[AssuranceFact]:
    """The assurances given on or before `day` (undated ones: always)."""
    return [a for a in assurances if a.given_on is None or a.given_on <= day]


def line_cell(line: int, assurances: Sequence[AssuranceFact], day: date,
              months: dict[int, int]) -> LineCell:
    """One line's verdict: the best of what it holds on `day`."""
    mine = [a for a in given_by(assurances, day) if a.line == line]
    if not mine:
        return LineCell(line, MISSING)
    until = {id(a): valid_until(a, months) for a in mine}
    soon = day + timedelta(days=EXPIRING_WITHIN_DAYS)

    def current_(a: AssuranceFact) -> bool:
        return until[id(a)] is None or day <= until[id(a)]

    def rank(a: AssuranceFact) -> tuple:
        judged = {True: 0, None: 1, False: 2}[a.positive]
        return (not current_(a), judged, -(until[id(a)] or date.max).toordinal())
    mine.sort(key=rank)
    current = [a for a in mine if current_(a)]
    positive = [a for a in current if a.positive is True]
    if positive:
        # Lasting: not expiring (current today but not `EXPIRING_WITHIN_DAYS` days on).
        lasting = [a for a in positive if until[id(a)] is None or until[id(a)] >= soon]
        if lasting:
            return LineCell(line, POSITIVE, tuple(mine))
        return LineCell(line, EXPIRING, tuple(mine), max(until[id(a)] for a in positive))
    if any(a.positive is False for a in current):
        return LineCell(line, NEGATIVE, tuple(mine))
    if any(a.positive is None for a in current):
        return LineCell(line, NOT_JUDGED, tuple(mine))
    if mine:
        return LineCell(line, EXPIRED, tuple(mine))
    return LineCell(line, MISSING)


def _applies(rule: Rule, band: str | None) -> bool:
    return rule.band is None or rule.band == band


def _when(day: date) -> str:
    return f"{day:%-d %b %Y}"


def risk_gaps(risk: RiskFacts, day: date, rules: Sequence[Rule]) -> list[Gap]:
    """The gaps in assurance `rules` find in `risk` on `day`, in rule order."""
    return list(_gaps(risk, day, rules))


def has_gaps(risk: RiskFacts, day: date, rules: Sequence[Rule]) -> bool:
    """Whether `rules` find any gap in `risk` on `day` (`risk_gaps` is not empty): stops at
    the first, for the map's "computed gaps only" filter, which asks it of every risk."""
    return next(_gaps(risk, day, rules), None) is not None


def _gaps(risk: RiskFacts, day: date, rules: Sequence[Rule]) -> Iterator[Gap]:
    months = valid_months(rules)
    held = given_by(risk.assurances, day)
    for rule in sorted(rules, key=lambda r: r.key):
        if rule.kind == "line_needed" and _applies(rule, risk.band):
            good = [a for a in held if a.line == rule.line and a.positive is True
                    and is_current(a, day, months)]
            need = rule.min_count or 1
            if len(good) < need:
                have = "none" if not good else f"only {len(good)}"
                yield Gap(rule.label, f"{LINE_SHORT[rule.line]}: {need} positive, current "
                          f"assurance{'s' if need != 1 else ''} needed, {have} held",
                          line=rule.line)
        elif rule.kind == "controls_covered" and _applies(rule, risk.band):
            covered = {c for a in held if a.positive is True and is_current(a, day, months)
                       for c in a.control_ids}
            for control in risk.controls:
                if control.id not in covered:
                    yield Gap(rule.label, f"No positive, current assurance covers the "
                              f"control \u201c{_short(control.description)}\u201d",
                              control_id=control.id)
        elif rule.kind == "current":
            for a in held:
                until = valid_until(a, months)
                if until is None or a.positive is False:
                    continue
                if until < day:
                    if not _replaced(a, held, day, months):
                        yield Gap(rule.label, f"{LINE_SHORT[a.line]}: \u201c"
                                  f"{_short(a.source)}\u201d expired on {_when(until)}",
                                  line=a.line, assurance_id=a.id)
                elif is_expiring(a, day, months) and not _replaced(a, held, day, months):
                    yield Gap(rule.label, f"{LINE_SHORT[a.line]}: \u201c"
                              f"{_short(a.source)}\u201d expires on {_when(until)}",
                              line=a.line, assurance_id=a.id)
        elif rule.kind == "negative_answered":
            for a in held:
                if a.positive is False and not a.answered and is_current(a, day, months):
                    yield Gap(rule.label, f"{LINE_SHORT[a.line]}: negative assurance "
                              f"\u201c{_short(a.source)}\u201d has no action in answer",
                              line=a.line, assurance_id=a.id)


def _replaced(a: AssuranceFact, held: Sequence[AssuranceFact], day: date,
              months: dict[int, int]) -> bool:
    """A later assurance in the same line, positive and lasting, takes over from `a`."""
    return any(b is not a and b.line == a.line and b.positive is True
               and is_current(b, day, months) and not is_expiring(b, day, months)
               and (b.given_on or date.min) >= (a.given_on or date.min)
               and not (b.control_ids < a.control_ids)
               for b in held)


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"


def assurance_map(risk: RiskFacts, day: date, rules: Sequence[Rule]) -> RiskMap:
    """Each line's verdict and the computed gaps of one risk on `day`."""
    months = valid_months(rules)
    cells = {line: line_cell(line, risk.assurances, day, months) for line in LINES}
    return RiskMap(risk.ref, cells, tuple(risk_gaps(risk, day, rules)))


@dataclass(frozen=True)
class ControlRow:
    """One control on a risk's own map: the assurances covering it, by line."""
    control: ControlFact | None
    cells: dict[int, LineCell] = field(default_factory=dict)


def control_map(risk: RiskFacts, day: date, rules: Sequence[Rule]) -> list[ControlRow]:
    """The risk page's map: each control by line, then assurances that name no control."""
    months = valid_months(rules)
    rows = []
    for control in risk.controls:
        covering = [a for a in risk.assurances if control.id in a.control_ids]
        rows.append(ControlRow(control, {line: line_cell(line, covering, day, months)
                                         for line in LINES}))
    loose = [a for a in risk.assurances if not a.control_ids]
    if loose:
        rows.append(ControlRow(None, {line: line_cell(line, loose, day, months)
                                      for line in LINES}))
    return rows


# --- Committee oversight as evidence ----------------------------------------------------------


@dataclass(frozen=True)
class CommitteeItem:
    """A committee agenda item that discussed a risk."""
    id: int
    committee: str
    meeting_day: date
    item: str
    #: Whether the meeting was held (not planned or cancelled).
    held: bool
    #: Quorate for this item; None when it could not be decided (no terms of reference).
    quorate: bool | None
    #: The day its minutes were approved; None: not yet approved.
    minutes_approved_on: date | None
    #: Why it was inquorate, in words (what was missing).
    inquorate_because: str = ""


def committee_evidence(item: CommitteeItem, day: date) -> tuple[AssuranceFact | None, str]:
    """A quorate item with approved minutes is dated 2nd-line assurance from that committee.

    Returns the assurance, or None and why the item does not count on `day`.
    """
    if item.meeting_day > day:
        return None, "The meeting is after this date"
    if not item.held:
        return None, "The meeting was not held"
    if item.minutes_approved_on is None or item.minutes_approved_on > day:
        return None, "Its minutes are not yet approved"
    if item.quorate is None:
        return None, "Quoracy could not be decided: the committee had no terms of reference"
    if not item.quorate:
        why = f": {item.inquorate_because}" if item.inquorate_because else ""
        return None, f"The item was inquorate{why}"
    return AssuranceFact(
        id=f"item-{item.id}", line=2, positive=True, origin="committee",
        source=f"{item.committee}, {_when(item.meeting_day)}, item {item.item} "
               f"(minutes approved {_when(item.minutes_approved_on)})",
        given_on=item.meeting_day), ""
