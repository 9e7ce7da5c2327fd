"""The BAF cover paper, drafted from the record for a register and two dates.

`read_facts` reads the record as at each date into plain data (`RiskState`s and the changes
between); `draft_cover` turns them into the paper's statements, each naming the risk
reference and the date behind it. Same record, same dates: the same text, in the same order.
The Word document (`cover_docx`) and the summary page that opens the BAF pack only lay it out.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..extensions import db
from ..record import trail as record_trail
from ..risks.models import Action, AppetiteLevel, Band, Register
from ..rules import assurance as assurance_rules
from ..rules import scoring

LONDON = ZoneInfo("Europe/London")


class CoverError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message, self.field = message, field


def when(day: date) -> str:
    return f"{day:%-d %B %Y}"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


@dataclass(frozen=True)
class Statement:
    """One line of the paper and the record behind it."""
    text: str
    ref: str | None = None
    on: date | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    statements: tuple[Statement, ...]
    #: Said when there is nothing to report.
    none: str = "None."


@dataclass(frozen=True)
class CoverPaper:
    organisation: str
    register: str
    title: str
    meeting: str
    since: date
    as_of: date
    purpose: str
    summary: tuple[str, ...]
    sections: tuple[Section, ...]
    #: Band name -> (count then, count now), in band order (highest first).
    headline: tuple[tuple[str, int, int], ...]
    recommendation: str
    appendices: tuple[str, ...]

    def text(self) -> str:
        """The whole paper as plain text (the preview, and the test of sameness)."""
        lines = [self.title, self.meeting, f"Date: {when(self.as_of)}",
                 f"Purpose: {self.purpose}", "", "Executive summary", *self.summary, "",
                 "Risks by band", *(f"{b}: {then} on {when(self.since)}, {now} on "
                                    f"{when(self.as_of)}" for b, then, now in self.headline)]
        for s in self.sections:
            lines += ["", s.heading, *([st.text for st in s.statements] or [s.none])]
        lines += ["", "Recommendation", self.recommendation, "", "Appendices", *self.appendices]
        return "\n".join(lines)


def last_pack_day(register: Register, before: date) -> date | None:
    """The day the last BAF pack of the whole register was as at, among the packs riskapp drew
    by the end of `before` (on the page or from the command line) as at a day before it. Packs
    drawn later do not count, so the default for a paper of a past day never changes. None if
    no pack was drawn."""
    from .models import DrawnPack
    return db.session.scalar(
        select(DrawnPack.as_of)
        .where(DrawnPack.register_id == register.id, DrawnPack.as_of < before,
               DrawnPack.drawn_at < _end(before).astimezone(timezone.utc),
               DrawnPack.committee_id.is_(None),
               DrawnPack.directorate_id.is_(None), DrawnPack.owner_id.is_(None))
        .order_by(DrawnPack.as_of.desc()).limit(1))


def default_since(register: Register, as_of: date) -> date:
    """The last pack riskapp drew for the register before `as_of`; if there is none, the last
    day of the month before (a monthly BAF cycle's previous paper)."""
    return last_pack_day(register, as_of) or as_of.replace(day=1) - timedelta(days=1)


# --- Reading the record ---------------------------------------------------------------------


@dataclass
class RiskState:
    """A risk as the record stood at the end of a day."""
    ref: str
    title: str
    open: bool
    score: int | None = None
    consequence: int | None = None
    likelihood: int | None = None
    band: str | None = None
    above_appetite: bool = False
    next_review: date | None = None
    #: False: not on this register at that day (not yet opened, or moved to another).
    on_register: bool = True


@dataclass
class Facts:
    register: Register
    since: date
    as_of: date
    bands: list[scoring.Band]
    then: dict[str, RiskState]
    now: dict[str, RiskState]
    #: ref -> score records made after `since` up to `as_of` (date, C, L, score, rationale).
    reviews: dict[str, list[tuple]] = field(default_factory=dict)
    controls_added: list[tuple[str, date, str]] = field(default_factory=list)
    assurances_added: list[tuple[str, date, str, int, bool | None]] = field(default_factory=list)
    assurances_expired: list[tuple[str, date, str, int]] = field(default_factory=list)
    gaps_then: set[tuple[str, str, str]] = field(default_factory=set)
    gaps_now: set[tuple[str, str, str]] = field(default_factory=set)
    actions_completed: list[tuple[str, date, str]] = field(default_factory=list)
    #: (ref, last moved on, detail, times moved in the period, times moved in all, target)
    actions_slipped: list[tuple] = field(default_factory=list)
    actions_overdue: list[tuple[str, date, str]] = field(default_factory=list)


def _end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)


def _score_state(state: RiskState, consequence: int, likelihood: int,
                 appetite_level_id: int | None, bands, levels) -> RiskState:
    score = consequence * likelihood
    band = scoring.band_for(score, bands)
    state.score, state.consequence, state.likelihood = score, consequence, likelihood
    state.band = band.name if band else None
    state.above_appetite = scoring.is_above_appetite(score, levels.get(appetite_level_id))
    return state


def _state(r, bands, band_months, levels) -> RiskState:
    """A risk's line in the paper as the record held it (a `RiskAsAt`) at its day."""
    risk = r.risk
    state = _score_state(RiskState(risk.reference, risk.title, risk.status == "Open"),
                         *r.current, risk.appetite_level_id, bands, levels)
    last = r.latest_review
    if last is not None:
        months = risk.review_frequency_months or band_months.get(state.band, 3)
        state.next_review = scoring.next_review_date(last.recorded_on, months)
    return state


def read_facts(register: Register, since: date, as_of: date) -> Facts:
    """The record of `register` as held at the end of `since` and of `as_of`
    (`riskapp.assurance.held`: the version store, and records learnt later read by their
    business dates), and what happened between. Changes made after `as_of` are not read, so
    the paper for two past dates reads the same whenever it is drafted."""
    if since > as_of:
        raise CoverError("The date of the last paper must be on or before the date of this one",
                         "since")
    from ..assurance import held as record
    from ..assurance import services as assurance
    from ..risks.services import ordered_bands
    bands = ordered_bands()
    band_months = {b.name: b.review_months for b in db.session.scalars(select(Band))}
    levels = {a.id: a.max_score for a in db.session.scalars(select(AppetiteLevel))}
    # The last paper's side needs only what the map needs (scores, controls, assurances): the
    # lean read; this paper's side everything (reviews, actions).
    then_facts, then_covers = record.map_facts(register.id, since,
                                               record.risks_held(register.id, since))
    now_held = record.register_held(register.id, as_of)
    facts = Facts(register, since, as_of, bands, {}, {})
    # Keyed by the reference each risk had at `as_of`; one on the register at `since` but not
    # at `as_of` (moved to another register) keeps its reference of then.
    ref_of = {f.risk.id: f.risk.reference for f in then_facts}
    ref_of.update({r.risk.id: r.risk.reference for r in now_held.risks})
    for f in then_facts:
        state = _score_state(RiskState(ref_of[f.risk.id], f.risk.title,
                                       f.risk.status == "Open"),
                             f.consequence, f.likelihood, f.risk.appetite_level_id, bands,
                             levels)
        facts.then[state.ref] = state
    for r in now_held.risks:
        state = _state(r, bands, band_months, levels)
        state.ref = ref_of[r.risk.id]
        facts.now[state.ref] = state
    for states, other in ((facts.then, facts.now), (facts.now, facts.then)):
        for ref, state in other.items():
            states.setdefault(ref, RiskState(ref, state.title, False, on_register=False))
    then_by_id = {f.risk.id: f for f in then_facts}
    for r in now_held.risks:
        ref = ref_of[r.risk.id]
        facts.reviews[ref] = [(v.recorded_on, v.consequence, v.likelihood,
                               v.consequence * v.likelihood, v.rationale)
                              for v in r.reviews if since < v.recorded_on <= as_of]
        if r.risk.status != "Open":
            continue
        before = then_by_id.get(r.risk.id)
        controls_then = {c.id for c in before.controls} if before else set()
        for c in r.controls:
            if c.id in controls_then:
                continue
            # The day it was put in place if in the period, else the day riskapp learnt of it.
            day = next((d for d in (c.in_place_from, c.actual_implementation_date)
                        if d and since < d <= as_of), None) or _learnt(c.learnt_at)
            if since < day <= as_of:
                facts.controls_added.append((ref, day, c.description))
    rules_now = assurance.rules_in_force(as_of)
    months = assurance_rules.valid_months(rules_now)
    for r in now_held.risks:
        if r.risk.status != "Open":
            continue
        ref = ref_of[r.risk.id]
        for a in r.assurances:
            if a.assured_on and since < a.assured_on <= as_of:
                facts.assurances_added.append((ref, a.assured_on, a.source, a.line, a.positive))
            fact = assurance_rules.AssuranceFact("", a.line, a.source, a.assured_on,
                                                 a.valid_until, a.positive)
            end = assurance_rules.valid_until(fact, months)
            if end and since <= end < as_of:
                facts.assurances_expired.append((ref, end + timedelta(days=1), a.source, a.line))
    then_open = assurance.inputs_from_facts(
        [f for f in then_facts if f.risk.status == "Open"], then_covers)
    now_open = [assurance.risk_in(r, now_held.covers) for r in now_held.risks
                if r.risk.status == "Open"]
    for day, ins, gaps in ((since, then_open, facts.gaps_then),
                           (as_of, now_open, facts.gaps_now)):
        for row in assurance.map_rows(ins, day, assurance.rules_in_force(day), bands):
            for gap in row.gaps:
                gaps.add((ref_of[row.id], gap.rule, gap.text))
    _read_actions(facts, now_held.risks, ref_of)
    return facts


def _learnt(at: datetime) -> date:
    """The London day of a version's naive-UTC stamp."""
    return at.replace(tzinfo=timezone.utc).astimezone(LONDON).date()


def _read_actions(facts: Facts, held, ref_of) -> None:
    """Actions of the risks open at `as_of`, as held then: completed in the period, target
    dates moved in the period (the audit trail up to the end of `as_of`), overdue then."""
    since, as_of = facts.since, facts.as_of
    ids = [a.id for r in held for a in r.actions]
    moves: dict[int, list[date]] = defaultdict(list)
    if ids:
        wanted = set(ids)
        # The trail of target dates: the version store, and audit entries from before it.
        for object_id, at, was, _ in record_trail.field_changes(
                Action, "target_date", {r.risk.id for r in held}):
            if was is not None and object_id in wanted:
                moves[object_id].append(at.astimezone(LONDON).date())
    for r in held:
        if r.risk.status != "Open":
            continue
        ref = ref_of[r.risk.id]
        for action in r.actions:
            if action.completed_on and since < action.completed_on <= as_of:
                facts.actions_completed.append((ref, action.completed_on, action.detail))
            in_period = [d for d in moves[action.id] if since < d <= as_of]
            if in_period:
                facts.actions_slipped.append((ref, in_period[-1], action.detail,
                                              len(in_period), action.target_date_changes,
                                              action.target_date))
            done_by = action.completed_on and action.completed_on <= as_of
            if action.target_date and action.target_date < as_of and not done_by and \
                    action.status != "Cancelled" and not (action.status == "Complete"
                                                          and not action.completed_on):
                facts.actions_overdue.append((ref, action.target_date, action.detail))


# --- Drafting -------------------------------------------------------------------------------


def _score(state: RiskState, bands) -> str:
    return scoring.format_score(state.consequence, state.likelihood, bands)


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"


def draft_cover(facts: Facts, *, organisation: str, meeting: str) -> CoverPaper:
    """The paper's statements from `facts`: a pure function of them."""
    since, as_of, bands = facts.since, facts.as_of, facts.bands
    then, now = facts.then, facts.now
    refs = sorted(now)
    new = [r for r in refs if now[r].open and not then[r].open]
    closed = [r for r in refs if then[r].open and not now[r].open]
    both = [r for r in refs if then[r].open and now[r].open]
    sections = []

    sections.append(Section("New and closed risks", tuple(
        [Statement(f"{r} {now[r].title}: new, current score {_score(now[r], bands)}.", r,
                   as_of) for r in new] +
        [Statement(f"{r} {now[r].title}: "
                   f"{'closed' if now[r].on_register else 'moved to another register'}.", r,
                   as_of) for r in closed])))

    moved = []
    for r in both:
        a, b = then[r], now[r]
        if a.score is None or b.score is None or a.score == b.score:
            continue
        changed = [rev for rev in facts.reviews[r] if rev[3] != a.score] or facts.reviews[r]
        on = changed[-1][0] if changed else as_of
        why = changed[-1][4] if changed else ""
        verb = "rose" if b.score > a.score else "fell"
        text = (f"{r} {b.title}: current score {verb} from {_score(a, bands)} to "
                f"{_score(b, bands)} on {when(on)}.")
        if why:
            why = _short(why, 300)
            text += f" Rationale: {why}{'' if why.endswith(('.', '!', '?')) else '.'}"
        moved.append(Statement(text, r, on))
    sections.append(Section("Scores that rose or fell", tuple(moved),
                            "No current score changed."))

    band_moves = []
    for r in both:
        a, b = then[r], now[r]
        if a.band and b.band and a.band != b.band:
            band_moves.append(Statement(f"{r}: band changed from {a.band} to {b.band}.", r,
                                        as_of))
        if a.score is not None and b.score is not None and a.above_appetite != b.above_appetite:
            where = "above" if b.above_appetite else "back within"
            band_moves.append(Statement(f"{r}: moved {where} its risk appetite.", r, as_of))
    sections.append(Section("Changes of band and appetite", tuple(band_moves)))

    overdue = [Statement(f"{r} {now[r].title}: review overdue since {when(now[r].next_review)}.",
                         r, now[r].next_review)
               for r in refs if now[r].open and now[r].next_review and
               now[r].next_review < as_of]
    sections.append(Section("Reviews overdue", tuple(overdue)))

    ca = [Statement(f"{r}: control added on {when(d)}: {_short(t)}.", r, d)
          for r, d, t in sorted(facts.controls_added)]
    aa = [Statement(f"{r}: {assurance_rules.LINE_SHORT[line]} assurance dated {when(d)} "
                    f"({ {True: 'positive', False: 'negative', None: 'not yet judged'}[pos]}): "
                    f"{_short(t)}.", r, d)
          for r, d, t, line, pos in sorted(facts.assurances_added, key=lambda x: x[:3])]
    ae = [Statement(f"{r}: {assurance_rules.LINE_SHORT[line]} assurance expired on {when(d)}: "
                    f"{_short(t)}.", r, d)
          for r, d, t, line in sorted(facts.assurances_expired)]
    sections.append(Section("Controls and assurances", tuple(ca + aa + ae),
                            "No controls or assurances were added, and none expired."))

    opened = sorted(facts.gaps_now - facts.gaps_then)
    shut = sorted(facts.gaps_then - facts.gaps_now)
    sections.append(Section("Gaps in assurance (computed from the assurance rules)", tuple(
        [Statement(f"{r}: gap opened: {t} ({rule}).", r, as_of) for r, rule, t in opened] +
        [Statement(f"{r}: gap closed: {t} ({rule}).", r, as_of) for r, rule, t in shut]),
        "No computed gap in assurance opened or closed."))

    acts = [Statement(f"{r}: action completed on {when(d)}: {_short(t)}.", r, d)
            for r, d, t in sorted(facts.actions_completed)]
    acts += [Statement(f"{r}: action target date moved {plural(n, 'time')} in the period "
                       f"({plural(total, 'time')} in all), now {when(target) if target else 'not set'}:"
                       f" {_short(t)}.", r, d)
             for r, d, t, n, total, target in sorted(facts.actions_slipped,
                                                     key=lambda x: x[:3])]
    acts += [Statement(f"{r}: action overdue since {when(d)}: {_short(t)}.", r, d)
             for r, d, t in sorted(facts.actions_overdue)]
    sections.append(Section("Actions", tuple(acts)))

    count_then = Counter(then[r].band for r in refs if then[r].open)
    count_now = Counter(now[r].band for r in refs if now[r].open)
    headline = tuple((b.name, count_then[b.name], count_now[b.name]) for b in reversed(bands))

    rose = sum("rose from" in s.text for s in moved)
    open_now = sum(1 for r in refs if now[r].open)
    open_then = sum(1 for r in refs if then[r].open)
    summary = (
        f"This paper presents the {facts.register.name} as at {when(as_of)} and what changed "
        f"since {when(since)}.",
        f"There are {plural(open_now, 'open risk')} ({open_then} on {when(since)}): "
        f"{len(new)} new and {len(closed)} closed.",
        f"{plural(len(moved), 'risk')} changed score: {rose} rose and {len(moved) - rose} fell"
        + (f" ({', '.join(s.ref for s in moved)})." if moved else "."),
        (f"{plural(len(overdue), 'risk')} {'is' if len(overdue) == 1 else 'are'} overdue for "
         f"review" if overdue else "No risk is overdue for review")
        + f"; {plural(len(opened), 'computed gap')} in assurance opened and {len(shut)} closed.",
        f"Actions: {len(facts.actions_completed)} completed, "
        f"{len(facts.actions_slipped)} with target dates moved, "
        f"{len(facts.actions_overdue)} overdue.",
    )
    return CoverPaper(
        organisation=organisation, register=facts.register.name,
        title=f"{facts.register.name}: cover paper", meeting=meeting, since=since,
        as_of=as_of, purpose="For assurance", summary=summary, sections=tuple(sections),
        headline=headline,
        recommendation=(f"The Committee is asked to note the changes to the "
                        f"{facts.register.name} since {when(since)}, to consider whether the "
                        f"assurance on each principal risk is sufficient, and to take "
                        f"assurance that the risks are being managed."),
        appendices=(f"Appendix 1: the {facts.register.name} pack (heatmap report) as at "
                    f"{when(as_of)}.",
                    f"Appendix 2: the assurance map as at {when(as_of)}."))


def build_cover(register: Register, since: date, as_of: date, *, organisation: str,
                meeting: str = "Audit and Risk Assurance Committee") -> CoverPaper:
    return draft_cover(read_facts(register, since, as_of), organisation=organisation,
                       meeting=meeting)
