"""Build the assurance map's facts from the record and ask `riskapp.rules.assurance` about them.

Everything here reads; the rules service at the bottom adds rule versions (flush, never
commit). Loading is a fixed number of statements per page of risks, whatever its size: the
risks, their scores as at the day, their controls, their assurances with the controls they
cover, and the committee items that discussed them -- plus the quoracy of each meeting whose
approved minutes could count.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, func, or_, select

from ..committees.models import Committee
from ..extensions import db
from ..meetings.models import AgendaItem, Meeting, agenda_item_risks
from ..risks.models import Assurance, Control, Register, Risk, assurance_controls
from ..rules import assurance as rules
from ..rules import scoring
from ..record.as_at import (FEW, RiskAsAt, children_at, ever_in, page_at, recorded_later,
                            register_at, scores_at)
from . import line_states
from .held import MAP_COLUMNS, covers_at, map_facts, open_risks
from .models import AssuranceRule

logger = logging.getLogger(__name__)
PER_PAGE = 50


class RuleError(ValueError):
    """A rule that cannot be saved, with the field it is about (for forms and the API)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# --- Rules ----------------------------------------------------------------------------------


def rule_versions() -> list[AssuranceRule]:
    """Every version of every rule, by rule then version (the settings page's history)."""
    return list(db.session.scalars(select(AssuranceRule).order_by(
        AssuranceRule.rule_key, AssuranceRule.version)))


def rule_rows_in_force(day: date) -> list[AssuranceRule]:
    """The latest version of each rule that applies on `day` (retired ones left out)."""
    latest: dict[int, AssuranceRule] = {}
    for row in db.session.scalars(select(AssuranceRule)
                                  .where(AssuranceRule.effective_from <= day)
                                  .order_by(AssuranceRule.rule_key, AssuranceRule.version)):
        latest[row.rule_key] = row
    return [r for r in latest.values() if not r.retired]


def rules_in_force(day: date) -> list[rules.Rule]:
    return [r.as_rule() for r in rule_rows_in_force(day)]


def band_names() -> list[str]:
    from ..risks.services import ordered_bands
    return [b.name for b in ordered_bands()]


def _clean(data: dict) -> dict:
    kind = data.get("kind") or ""
    keep = {"line_needed": ("band", "line", "min_count"), "controls_covered": ("band",),
            "valid_for": ("line", "months")}.get(kind, ())
    def value(k):
        v = data.get(k)
        return None if k not in keep or v in (None, "") else v
    return {"kind": kind, **{k: value(k) for k in ("band", "line", "min_count", "months")}}


def add_rule(data: dict, *, by, today: date) -> AssuranceRule:
    """A new rule, version 1. Refused whole (RuleError) if any field is wrong."""
    values = _clean(data)
    errors = rules.check_rule(values["kind"], values["band"], values["line"],
                              values["min_count"], values["months"], band_names())
    if errors:
        raise RuleError(errors)
    row = AssuranceRule(version=1, effective_from=data.get("effective_from") or today,
                        reason=(data.get("reason") or "").strip(), created_by=by, rule_key=0,
                        **values)
    db.session.add(row)
    db.session.flush()
    row.rule_key = row.id
    db.session.flush()
    return row


def change_rule(rule_key: int, data: dict, *, by, today: date, retire: bool = False
                ) -> AssuranceRule:
    """A new version of a rule (or its withdrawal); earlier versions stay as they were."""
    current = db.session.scalars(select(AssuranceRule).where(AssuranceRule.rule_key == rule_key)
                                 .order_by(AssuranceRule.version.desc())).first()
    if current is None:
        raise RuleError({"kind": "There is no such rule"})
    values = _clean({**data, "kind": current.kind}) if not retire else {
        k: getattr(current, k) for k in ("kind", "band", "line", "min_count", "months")}
    if not retire:
        errors = rules.check_rule(values["kind"], values["band"], values["line"],
                                  values["min_count"], values["months"], band_names())
        if errors:
            raise RuleError(errors)
    row = AssuranceRule(rule_key=rule_key, version=current.version + 1, retired=retire,
                        effective_from=data.get("effective_from") or today,
                        reason=(data.get("reason") or "").strip(), created_by=by, **values)
    db.session.add(row)
    db.session.flush()
    return row


#: What a new organisation is offered, and what the demo starts with: the issue's examples.
SUGGESTED_RULES = (
    dict(kind="line_needed", band="High", line=2, min_count=1),
    dict(kind="line_needed", band="High", line=3, min_count=1),
    dict(kind="controls_covered", band="High"),
    dict(kind="valid_for", line=1, months=6),
    dict(kind="valid_for", line=2, months=12),
    dict(kind="valid_for", line=3, months=12),
    dict(kind="current"),
    dict(kind="negative_answered"),
)


def add_suggested_rules(*, by, effective_from: date) -> list[AssuranceRule]:
    """The suggested rules, when there are none yet (never a second set)."""
    if db.session.scalar(select(func.count()).select_from(AssuranceRule)):
        return []
    known = set(band_names())
    return [add_rule({**r, "effective_from": effective_from,
                      "reason": "Suggested rules"}, by=by, today=effective_from)
            for r in SUGGESTED_RULES if r.get("band") in (None, *known)]


# --- Facts ----------------------------------------------------------------------------------


@dataclass
class ItemOutcome:
    """A committee item that discussed a risk: whether it counts as assurance, and why not."""
    item: rules.CommitteeItem
    meeting_id: int
    item_id: int
    fact: rules.AssuranceFact | None
    why_not: str


@dataclass
class RiskRow:
    """One risk on the map: its facts, verdicts and what lies behind them."""
    id: int
    ref: str
    title: str
    score: int
    consequence: int
    likelihood: int
    band: scoring.Band | None
    facts: rules.RiskFacts
    risk_map: rules.RiskMap
    committee_items: list[ItemOutcome] = field(default_factory=list)
    #: Recorded (typed-in) gaps in assurance, open ones.
    recorded_gaps: list[str] = field(default_factory=list)

    @property
    def gaps(self) -> tuple[rules.Gap, ...]:
        return self.risk_map.gaps


def committee_items(risk_ids, day: date, months: int = 12) -> dict[int, list[ItemOutcome]]:
    """The committee items that discussed each risk in the `months` up to `day`, each judged
    as evidence. Quoracy is worked out only for meetings whose approved minutes could count.
    The caller asks for twice the time 2nd-line assurance stays current: a lapsed committee
    assurance shows as expired for as long again, then the line shows as missing.
    `risk_ids`: ids, or a SELECT of them.
    """
    from ..meetings import services as meetings
    first = rules.add_months(day, -months) + timedelta(days=1)
    # Two statements, not one join: from the risks' links by their index first (one join
    # made the planner walk every meeting in the date range, 30 ms at 2,000 meetings). The
    # items are then read by id and their meetings' days checked here: with the days in the
    # SQL too, SQLite still walked the meetings by date (15 ms of CPU for a page of 50 risks,
    # 1 ms without).
    links = db.session.execute(select(agenda_item_risks.c.item_id, agenda_item_risks.c.risk_id)
                               .where(agenda_item_risks.c.risk_id.in_(risk_ids))).all()
    risks_of: dict[int, list[int]] = defaultdict(list)
    for item_id, risk_id in links:
        risks_of[item_id].append(risk_id)
    found = db.session.execute(
        select(AgendaItem.id, AgendaItem.number, AgendaItem.title,
               AgendaItem.private, Meeting.id, Meeting.starts_at, Meeting.status,
               Meeting.minutes_status, Meeting.minutes_approved_on, Committee.name,
               Committee.short_name)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Committee, Committee.id == Meeting.committee_id)
        .where(AgendaItem.id.in_(list(risks_of) if isinstance(risk_ids, (list, tuple)) else
                                 select(agenda_item_risks.c.item_id).where(
                                     agenda_item_risks.c.risk_id.in_(risk_ids))))
        .order_by(Meeting.starts_at, AgendaItem.sort_order, AgendaItem.id)).all() \
        if risks_of else []
    rows = [(risk_id, *row) for row in found
            if first <= meetings.as_london(row[5]).date() <= day
            for risk_id in sorted(risks_of[row[0]])]
    # Quoracy only matters where the minutes were approved by the day; worked out once a
    # meeting, from its register, as the meeting page does.
    verdicts: dict[int, dict[int, tuple[bool | None, str]]] = {}
    for row in rows:
        meeting_id, status, approved_on = row[5], row[7], row[9]
        if meeting_id in verdicts or status != "Held" or row[8] != "approved" or \
                approved_on is None or approved_on > day:
            continue
        meeting = meetings.load(meeting_id)
        q = meetings.meeting_quoracy(meeting)
        verdicts[meeting_id] = {
            item_id: (iq.result.quorate, "; ".join(iq.result.shortfalls))
            for item_id, iq in q.items.items()} if q.inputs else {}
    out: dict[int, list[ItemOutcome]] = defaultdict(list)
    for (risk_id, item_id, number, title, private, meeting_id, starts_at, status,
         minutes_status, approved_on, name, short) in rows:
        # Private (Part 2) business is not named outside the committee: only its number.
        label = f"{number} (private business)" if private else f"{number} \u201c{title}\u201d"
        quorate, because = verdicts.get(meeting_id, {}).get(item_id, (None, ""))
        item = rules.CommitteeItem(
            id=item_id, committee=name, item=label,
            meeting_day=meetings.as_london(starts_at).date(), held=status == "Held",
            quorate=quorate,
            minutes_approved_on=approved_on if minutes_status == "approved" else None,
            inquorate_because=f"missing {because}" if because else "")
        fact, why = rules.committee_evidence(item, day)
        out[risk_id].append(ItemOutcome(item, meeting_id, item_id, fact, why))
    return out


@dataclass(frozen=True)
class RiskIn:
    """What the map needs of one risk, from today's rows or from the record as at a day."""
    id: int
    ref: str
    title: str
    consequence: int
    likelihood: int
    controls: tuple[rules.ControlFact, ...]
    assurances: tuple[rules.AssuranceFact, ...]
    #: Recorded (typed-in) gaps in assurance, open ones.
    recorded_gaps: tuple[str, ...]


def risk_rows(risks: Sequence[tuple], day: date, rule_list: Sequence[rules.Rule],
              bands: Sequence[scoring.Band]) -> list[RiskRow]:
    """The map's rows for `risks` ((id, reference, title, consequence, likelihood) tuples) as
    they are today: their controls, assurances and recorded gaps from today's rows."""
    return _rows(live_inputs(risks), day, rule_list, bands)


def live_inputs(risks: Sequence[tuple], scope=None) -> list[RiskIn]:
    """What the map needs of `risks` ((id, reference, title, consequence, likelihood)), from
    today's rows: one statement per table, whatever their number. `scope`: a SELECT of their
    ids, for many risks (a whole register), cheaper than a list of thousands of ids."""
    from ..risks.models import Gap
    ids = [r[0] for r in risks]
    if not ids:
        return []
    ids = scope if scope is not None else ids
    controls: dict[int, list[rules.ControlFact]] = defaultdict(list)
    for cid, risk_id, text in db.session.execute(
            select(Control.id, Control.risk_id, Control.description)
            .where(Control.risk_id.in_(ids)).order_by(Control.id)):
        controls[risk_id].append(rules.ControlFact(cid, text))
    covers: dict[int, set[int]] = defaultdict(set)
    for aid, cid in db.session.execute(
            select(assurance_controls.c.assurance_id, assurance_controls.c.control_id)
            .join(Assurance, Assurance.id == assurance_controls.c.assurance_id)
            .where(Assurance.risk_id.in_(ids))):
        covers[aid].add(cid)
    assurances: dict[int, list[rules.AssuranceFact]] = defaultdict(list)
    for (aid, risk_id, line, source, given, until, positive, answered) in db.session.execute(
            select(Assurance.id, Assurance.risk_id, Assurance.line, Assurance.source,
                   Assurance.assured_on, Assurance.valid_until, Assurance.positive,
                   Assurance.answered_by_action_id)
            .where(Assurance.risk_id.in_(ids)).order_by(Assurance.id)):
        assurances[risk_id].append(rules.AssuranceFact(
            str(aid), line, source, given, until, positive, frozenset(covers[aid]),
            answered is not None))
    recorded: dict[int, list[str]] = defaultdict(list)
    for risk_id, text in db.session.execute(
            select(Gap.risk_id, Gap.description)
            .where(Gap.risk_id.in_(ids), Gap.kind == "assurance", Gap.closed.is_(False))
            .order_by(Gap.id)):
        recorded[risk_id].append(text)
    return [RiskIn(risk_id, ref, title, c, lk, tuple(controls[risk_id]),
                   tuple(assurances[risk_id]), tuple(recorded[risk_id]))
            for risk_id, ref, title, c, lk in risks]


def map_rows_as_at(register_id: int, day: date, risks: Sequence,
                   rule_list: Sequence[rules.Rule], bands: Sequence[scoring.Band]
                   ) -> list[RiskRow]:
    """The map's rows for `risks` (risk version rows from `held.open_risks`) as the record
    held them at the end of `day`, read with only the tables the map needs."""
    ins = inputs_as_at(register_id, day, risks)
    scope = ever_in(register_id) if len(ins) >= FEW else None
    return _rows(ins, day, rule_list, bands, _items_for(ins, day, rule_list, scope))


def inputs_as_at(register_id: int, day: date, risks: Sequence) -> list[RiskIn]:
    """What the map needs of `risks` (risk version rows) as held at the end of `day`."""
    if not risks:
        return []
    return inputs_from_facts(*map_facts(register_id, day, risks))


def inputs_from_facts(facts: Sequence, covers: dict[int, set[int]]) -> list[RiskIn]:
    """`held.map_facts`'s risks as the map's inputs."""
    return [RiskIn(
        f.risk.id, f.risk.reference, f.risk.title, f.consequence, f.likelihood,
        tuple(rules.ControlFact(c.id, c.description) for c in f.controls),
        tuple(_assurance_fact(a, covers) for a in f.assurances),
        tuple(g.description for g in f.gaps)) for f in facts]


def _assurance_fact(a, covers: dict[int, set[int]]) -> rules.AssuranceFact:
    return rules.AssuranceFact(str(a.id), a.line, a.source, a.assured_on, a.valid_until,
                               a.positive, frozenset(covers.get(a.id, ())),
                               a.answered_by_action_id is not None)


def risk_in(r: RiskAsAt, covers: dict[int, set[int]]) -> RiskIn:
    consequence, likelihood = r.current
    return RiskIn(
        r.risk.id, r.risk.reference, r.risk.title, consequence, likelihood,
        tuple(rules.ControlFact(c.id, c.description) for c in r.controls),
        tuple(_assurance_fact(a, covers) for a in r.assurances),
        tuple(g.description for g in r.gaps if g.kind == "assurance" and not g.closed))


def map_rows(risks: Sequence[RiskIn], day: date, rule_list: Sequence[rules.Rule],
             bands: Sequence[scoring.Band]) -> list[RiskRow]:
    """The map's rows for inputs already read (the cover paper's)."""
    return _rows(risks, day, rule_list, bands)


def _items_for(risks: Sequence[RiskIn], day: date, rule_list: Sequence[rules.Rule],
               scope=None):
    if not risks:
        return {}
    return committee_items(scope if scope is not None else [r.id for r in risks], day,
                           2 * rules.valid_months(rule_list)[2])


def _rows(risks: Sequence[RiskIn], day: date, rule_list: Sequence[rules.Rule],
          bands: Sequence[scoring.Band], items: dict | None = None) -> list[RiskRow]:
    """Ask the rules about each risk, with the committee items that discussed it as evidence
    (`items`: already read for them)."""
    if not risks:
        return []
    if items is None:
        items = _items_for(risks, day, rule_list)
    out = []
    for r in risks:
        band = scoring.band_for(r.consequence * r.likelihood, bands)
        evidence = [o.fact for o in items.get(r.id, []) if o.fact is not None]
        facts = rules.RiskFacts(r.ref, band.name if band else None, r.controls,
                                r.assurances + tuple(evidence))
        out.append(RiskRow(r.id, r.ref, r.title, r.consequence * r.likelihood, r.consequence,
                           r.likelihood, band, facts, rules.assurance_map(facts, day, rule_list),
                           items.get(r.id, []), list(r.recorded_gaps)))
    return out


# --- The register's map ---------------------------------------------------------------------


@dataclass
class MapFilters:
    register: Register
    day: date
    #: The map is of a past day (as the record held it then), not today.
    as_at: bool = False
    band: str | None = None
    line: int | None = None
    state: str | None = None
    gaps_only: bool = False


@dataclass
class MapPage:
    filters: MapFilters
    rows: list[RiskRow]
    total: int
    page: int
    per_page: int
    rules: list[rules.Rule]
    #: Counts of each state by line over every risk on the map (the summary sentence).
    summary: dict[int, dict[str, int]] | None = None
    #: As at a past day: how many of the risks riskapp recorded only after it (read by the
    #: dates they carry; the page says so).
    recorded_later: int = 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _register_risks(filters: MapFilters, bands: Sequence[scoring.Band]):
    """(id, reference, title, consequence, likelihood) of the register's open risks today,
    narrowed by band in SQL (the stored current score)."""
    stmt = (select(Risk.id, Risk.reference, Risk.title, Risk.current_consequence,
                   Risk.current_likelihood)
            .where(Risk.register_id == filters.register.id, Risk.status == "Open")
            .order_by(Risk.number, Risk.reference))
    if filters.band:
        band = next((b for b in bands if b.name == filters.band), None)
        if band is not None:
            stmt = stmt.where(Risk.current_score.between(band.min_score, band.max_score))
    return stmt


def _page(filters: MapFilters, page: int, per_page: int, bands, rule_list
          ) -> tuple[list[RiskRow], int, int]:
    """One page of rows when no filter needs the verdicts, how many risks in all, and how many
    riskapp recorded only after the day. As at a past day: the risks open then, from the
    record, only the page's read in full."""
    start = (page - 1) * per_page
    if filters.as_at:
        # The page in SQL (a count and the page, in register order), then only its risks read.
        chosen, total, others = page_at(
            register_at(filters.register.id, filters.day, columns=MAP_COLUMNS),
            where=[lambda c: c.status == "Open"], keep=lambda r: r.status == "Open",
            order=lambda c: (c.number, c.reference), key=attrgetter("number", "reference"),
            start=start, size=per_page)
        return (map_rows_as_at(filters.register.id, filters.day, chosen, rule_list, bands),
                total, recorded_later(others, filters.day))
    stmt = _register_risks(filters, bands)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    risks = db.session.execute(stmt.limit(per_page).offset(start)).all()
    return risk_rows(risks, filters.day, rule_list, bands), total, 0


def register_map(filters: MapFilters, page: int = 1, per_page: int = PER_PAGE) -> MapPage:
    """One page of the register's assurance map.

    Filters that need the verdicts (a line's state, computed gaps only, a band as at a past
    day) judge every risk of the register first; otherwise only the page's risks are judged.
    """
    from ..risks.services import ordered_bands
    bands = ordered_bands()
    rule_list = rules_in_force(filters.day)
    computed_filter = filters.state or filters.gaps_only or (filters.band and filters.as_at)
    if not computed_filter:
        rows, total, later = _page(filters, page, per_page, bands, rule_list)
        return MapPage(filters, rows, total, page, per_page, rule_list, recorded_later=later)
    if not filters.gaps_only:
        return _judged_by_state(filters, page, per_page, bands, rule_list)
    return _judged_for_gaps(filters, page, per_page, bands, rule_list)


#: What judging an assurance needs of it (not its text: the page's risks are read in full).
JUDGED = ("line", "assured_on", "valid_until", "positive", "answered_by_action_id")


def _judged_by_state(filters: MapFilters, page: int, per_page: int, bands, rule_list
                     ) -> MapPage:
    """A page of the map filtered by a line's state (and band). Today: judged and paged in
    SQL (`_by_state_today`). As at a past day: every risk open then judged from its
    assurances of the lines asked about, from the record (no controls, links or gaps),
    committee evidence only when the 2nd line is asked about; then only the page's risks
    read and mapped in full."""
    if not filters.as_at and filters.state:
        return _by_state_today(filters, page, per_page, bands, rule_list)
    day = filters.day
    # A band alone (as at a past day: the band then) needs no assurances at all.
    lines = () if not filters.state else (filters.line,) if filters.line else rules.LINES
    held = open_risks(filters.register.id, day, columns=MAP_COLUMNS)
    # The score then only matters to a band filter (the page's rows read their own).
    scores = scores_at(held, day) if filters.band else {}
    risks = [(r.id, r.reference, r.title,
              *scores.get(r.id, (r.current_consequence, r.current_likelihood)))
             for r in held]
    found = children_at(Assurance, held, day, lambda c: c.line.in_(lines),
                        columns=JUDGED) if lines else {}
    by_risk = {risk_id: [rules.AssuranceFact(str(a.id), a.line, "", a.assured_on,
                                             a.valid_until, a.positive) for a in rows]
               for risk_id, rows in found.items()}
    scope = ever_in(filters.register.id) if len(held) >= FEW else [r.id for r in held]
    items = {}
    if 2 in lines and risks:
        items = committee_items(scope, day, 2 * rules.valid_months(rule_list)[2])
    months = rules.valid_months(rule_list)
    chosen = []
    for risk in risks:
        if filters.band:
            band = scoring.band_for(risk[3] * risk[4], bands)
            if band is None or band.name != filters.band:
                continue
        evidence = tuple(o.fact for o in items.get(risk[0], ()) if o.fact is not None)
        mine = tuple(by_risk.get(risk[0], ())) + evidence
        if not lines or any(rules.line_cell(line, mine, day, months).state == filters.state
                            for line in lines):
            chosen.append(risk)
    return _page_of_chosen(filters, chosen, held, page, per_page, bands, rule_list)


def _by_state_today(filters: MapFilters, page: int, per_page: int, bands, rule_list
                    ) -> MapPage:
    """A page of today's map filtered by a line's state (any line when none is given) and
    band: the register's open risks judged in SQL (`line_states`), counted and paged there
    in register order, then only the page's risks read and mapped in full.

    Committee evidence counts as 2nd-line assurance but comes from meetings' quoracy, which
    only Python works out. So when the 2nd line is asked about, the few risks that have any
    evidence by the day are judged here instead, from their assurances and evidence as
    `line_cell` does, and the SQL takes them as judged: exact by construction."""
    day, months = filters.day, rules.valid_months(rule_list)
    lines = (filters.line,) if filters.line else rules.LINES
    stmt = _register_risks(filters, bands)
    scope = stmt.with_only_columns(Risk.id).order_by(None)
    stmt, in_state = line_states.in_state(stmt, filters.state, lines, day, months, scope)
    if 2 in lines:
        evidence = _committee_evidence(scope, day, months)
        if evidence:
            chosen = _judged_with_evidence(evidence, filters.state, lines, day, months)
            in_state = or_(and_(Risk.id.not_in(list(evidence)), in_state),
                           Risk.id.in_(chosen))
    stmt = stmt.where(in_state)
    # The count in the page's own statement: one pass over the register, not two.
    start = (page - 1) * per_page
    found = db.session.execute(stmt.add_columns(func.count().over())
                               .limit(per_page).offset(start)).all()
    total = found[0][-1] if found else (
        db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        if start else 0)
    shown = [tuple(row[:-1]) for row in found]
    return MapPage(filters, risk_rows(shown, day, rule_list, bands), total, page, per_page,
                   rule_list)


def _committee_evidence(scope, day: date, months: dict[int, int]
                        ) -> dict[int, tuple[rules.AssuranceFact, ...]]:
    """The committee evidence by the day of the risks in `scope` (a SELECT of their ids) that
    have any. Only the risks discussed at a held meeting whose minutes were approved by the
    day, within the time committee_items looks back, can have any: those few are found in
    SQL first (a day or two early, for the time of day and the clocks), then judged."""
    look_back = 2 * months[2]
    since = rules.add_months(day, -look_back) - timedelta(days=2)
    candidates = list(db.session.scalars(
        select(agenda_item_risks.c.risk_id).distinct()
        .join(AgendaItem, AgendaItem.id == agenda_item_risks.c.item_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(agenda_item_risks.c.risk_id.in_(scope), Meeting.status == "Held",
               Meeting.minutes_status == "approved", Meeting.minutes_approved_on <= day,
               Meeting.starts_at >= datetime.combine(since, time.min, tzinfo=timezone.utc))))
    if not candidates:
        return {}
    items = committee_items(candidates, day, look_back)
    found = {risk_id: tuple(o.fact for o in outcomes if o.fact is not None)
             for risk_id, outcomes in items.items()}
    return {risk_id: facts for risk_id, facts in found.items() if facts}


def _judged_with_evidence(evidence: dict[int, tuple[rules.AssuranceFact, ...]], state: str,
                          lines, day: date, months: dict[int, int]) -> list[int]:
    """Which of the risks with committee evidence are in `state` in any of `lines`, judged
    from their assurances of those lines and their evidence, as the map's rows are."""
    recorded: dict[int, list[rules.AssuranceFact]] = defaultdict(list)
    for aid, risk_id, line, given, until, positive in db.session.execute(
            select(Assurance.id, Assurance.risk_id, Assurance.line, Assurance.assured_on,
                   Assurance.valid_until, Assurance.positive)
            .where(Assurance.risk_id.in_(list(evidence)), Assurance.line.in_(lines))
            .order_by(Assurance.id)):
        recorded[risk_id].append(rules.AssuranceFact(str(aid), line, "", given, until,
                                                     positive))
    return [risk_id for risk_id, facts in evidence.items()
            if any(rules.line_cell(line, (*recorded[risk_id], *facts), day, months).state
                   == state for line in lines)]


def _judged_for_gaps(filters: MapFilters, page: int, per_page: int, bands, rule_list
                     ) -> MapPage:
    """A page of the map of the risks with computed gaps (and any band or line's state asked
    for too). Every open risk is judged, from only what the rules need to find whether it has
    a gap: its assurances without their texts, the committee evidence, and its controls (with
    the controls each assurance covers) only where a "controls covered" rule applies to its
    band; no recorded gaps. Judging stops at a risk's first gap. Then only the page's risks
    are read and mapped in full."""
    day = filters.day
    covered_bands = {r.band for r in rule_list if r.kind == "controls_covered"}

    def needs_controls(band: scoring.Band | None) -> bool:
        return None in covered_bands or (band is not None and band.name in covered_bands)

    held = []
    if filters.as_at:
        held = open_risks(filters.register.id, day, columns=MAP_COLUMNS)
        scores = scores_at(held, day)
        risks = [(r.id, r.reference, r.title,
                  *scores.get(r.id, (r.current_consequence, r.current_likelihood)))
                 for r in held]
        found = children_at(Assurance, held, day, columns=JUDGED)
        assurances = {risk_id: [(a.id, a.line, a.assured_on, a.valid_until, a.positive,
                                 a.answered_by_action_id) for a in rows]
                      for risk_id, rows in found.items()}
        controls, covers = {}, {}
        if covered_bands:
            controls = {risk_id: [c.id for c in rows] for risk_id, rows in
                        children_at(Control, held, day, columns=()).items()}
            covers = covers_at(held, day, found)
        scope = ever_in(filters.register.id) if len(held) >= FEW else [r.id for r in held]
    else:
        stmt = _register_risks(filters, bands)
        risks = db.session.execute(stmt).all()
        scope = stmt.with_only_columns(Risk.id).order_by(None)
        assurances = defaultdict(list)
        for risk_id, *row in db.session.execute(
                select(Assurance.risk_id, Assurance.id, Assurance.line, Assurance.assured_on,
                       Assurance.valid_until, Assurance.positive,
                       Assurance.answered_by_action_id)
                .where(Assurance.risk_id.in_(scope)).order_by(Assurance.id)):
            assurances[risk_id].append(row)
        controls, covers = defaultdict(list), defaultdict(set)
        if covered_bands:
            for cid, risk_id in db.session.execute(
                    select(Control.id, Control.risk_id).where(Control.risk_id.in_(scope))
                    .order_by(Control.id)):
                controls[risk_id].append(cid)
            for aid, cid in db.session.execute(
                    select(assurance_controls.c.assurance_id, assurance_controls.c.control_id)
                    .join(Assurance, Assurance.id == assurance_controls.c.assurance_id)
                    .where(Assurance.risk_id.in_(scope))):
                covers[aid].add(cid)
    items = committee_items(scope, day, 2 * rules.valid_months(rule_list)[2]) if risks else {}
    months = rules.valid_months(rule_list)
    state_lines = (filters.line,) if filters.line else rules.LINES
    none: frozenset = frozenset()
    chosen = []
    for risk in risks:
        band = scoring.band_for(risk[3] * risk[4], bands)
        if filters.band and (band is None or band.name != filters.band):
            continue
        with_controls = covered_bands and needs_controls(band)
        mine = tuple(rules.AssuranceFact(
            str(aid), line, "", given, until, positive,
            frozenset(covers.get(aid, none)) if with_controls else none, answered is not None)
            for aid, line, given, until, positive, answered in assurances.get(risk[0], ())
        ) + tuple(o.fact for o in items.get(risk[0], ()) if o.fact is not None)
        if filters.state and not any(rules.line_cell(line, mine, day, months).state ==
                                     filters.state for line in state_lines):
            continue
        facts = rules.RiskFacts(
            risk[1], band.name if band else None,
            tuple(rules.ControlFact(cid, "") for cid in controls.get(risk[0], ()))
            if with_controls else (), mine)
        if rules.has_gaps(facts, day, rule_list):
            chosen.append(risk)
    return _page_of_chosen(filters, chosen, held, page, per_page, bands, rule_list)


def _page_of_chosen(filters: MapFilters, chosen: list, held: list, page: int, per_page: int,
                    bands, rule_list) -> MapPage:
    """The page asked for of the risks a filter `chosen` ((id, ...) tuples, in register
    order), read and mapped in full; as at a past day from `held` (their version rows)."""
    start = (page - 1) * per_page
    shown = chosen[start:start + per_page]
    later = 0
    if filters.as_at:
        found = {r[0] for r in chosen}
        later = recorded_later([r for r in held if r.id in found], filters.day)
        wanted = {r[0] for r in shown}
        rows = map_rows_as_at(filters.register.id, filters.day,
                              [r for r in held if r.id in wanted], rule_list, bands)
    else:
        rows = risk_rows(shown, filters.day, rule_list, bands)
    return MapPage(filters, rows, len(chosen), page, per_page, rule_list,
                   recorded_later=later)


def risk_map(risk: Risk, day: date, *, rule_list: Sequence[rules.Rule] | None = None,
             bands: Sequence[scoring.Band] | None = None) -> RiskRow:
    """One risk's row as it is today (the risk page's map); the page passes the rules and
    bands it has read already."""
    from ..risks.services import ordered_bands
    (row,) = risk_rows([(risk.id, risk.reference, risk.title, risk.current_consequence,
                         risk.current_likelihood)], day,
                       rules_in_force(day) if rule_list is None else rule_list,
                       ordered_bands() if bands is None else bands)
    return row


def whole_register(register: Register, day: date, *, as_at: bool) -> list[RiskRow]:
    """Every open risk of the register on the map (the BAF pack, the cover paper): as it is
    today, or (`as_at`) as the record held it at the end of `day`."""
    from ..risks.services import ordered_bands
    bands = ordered_bands()
    rule_list = rules_in_force(day)
    if as_at:
        return map_rows_as_at(register.id, day, open_risks(register.id, day, columns=MAP_COLUMNS),
                              rule_list, bands)
    stmt = _register_risks(MapFilters(register, day), bands)
    scope = stmt.with_only_columns(Risk.id).order_by(None)
    ins = live_inputs(db.session.execute(stmt).all(), scope)
    return _rows(ins, day, rule_list, bands, _items_for(ins, day, rule_list, scope))
