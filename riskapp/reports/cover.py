"""The BAF cover paper, drafted from the record for a register and two dates.

`read_facts` reads the record as at each date into plain data (`RiskState`s and the changes
between); `draft_cover` turns them into the paper's statements, each naming the risk
reference and the date behind it. Same record, same dates: the same text, in the same order.
The Word document (`cover_docx`) and the summary page that opens the BAF pack only lay it out.

The page asks for the paper as a job (`riskapp.jobs`, kind "cover"): at a large trust the
reads take seconds. The job keeps the Word document and the draft the page shows
(`CoverPaper.summarised().to_dict()`): a long section there, and in the Word document's body,
shows its most important statements (highest current score first) and how many more; the
Word document's last appendix lists every statement.
"""
from __future__ import annotations

import dataclasses
import functools
from collections import Counter, defaultdict
from collections.abc import Callable
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


# A long paper writes the same few hundred days thousands of times.
@functools.lru_cache(maxsize=4096)
def when(day: date) -> str:
    return f"{day:%-d %B %Y}"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


#: The appendix of the Word document that lists every statement of a summarised paper.
EVERY_CHANGE_APPENDIX = "Appendix 3"


def lead_line(section: "Section") -> str:
    """Said before a summarised section's statements."""
    return (f"{section.total:,} in all. The {len(section.statements)} with the highest "
            f"current scores:")


def more_line(section: "Section", *, in_word: bool) -> str:
    """Said after a summarised section's statements."""
    where = EVERY_CHANGE_APPENDIX + ("" if in_word else " of the Word document")
    return f"And {section.left_out:,} more, listed in {where}."


#: A section longer than this is summarised in the paper's body (the preview, and the Word
#: document before its appendix): the most important this many, and how many more. A board
#: reads ten lines; at a large trust a section can have thousands (every overdue review).
SHOWN_PER_SECTION = 10


@dataclass(frozen=True)
class Statement:
    """One line of the paper and the record behind it."""
    text: str
    ref: str | None = None
    on: date | None = None
    #: The risk's current score on the paper's date: a long section shows the highest first.
    score: int | None = None

    def importance(self) -> tuple:
        """Highest current score first; then the oldest date (longest overdue); then by
        reference, so the order is the same every time."""
        return (-(self.score or 0), self.on or date.min, self.ref or "", self.text)


@dataclass(frozen=True)
class Section:
    heading: str
    statements: tuple[Statement, ...]
    #: Said when there is nothing to report.
    none: str = "None."
    #: In a summarised paper: how many statements the full section has (None: all shown).
    total: int | None = None

    @property
    def left_out(self) -> int:
        return 0 if self.total is None else self.total - len(self.statements)

    def summarised(self, limit: int) -> "Section":
        """The `limit` most important statements (highest current score first) and the count
        of all, when there are more than `limit`; else the section as it is."""
        if len(self.statements) <= limit:
            return self
        top = sorted(self.statements, key=Statement.importance)[:limit]
        return Section(self.heading, tuple(top), self.none, len(self.statements))


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

    def summarised(self, limit: int = SHOWN_PER_SECTION) -> "CoverPaper":
        """The paper as the board reads it: each long section cut to its most important
        statements and a count of the rest (listed in the Word document's appendix)."""
        return dataclasses.replace(self, sections=tuple(s.summarised(limit)
                                                        for s in self.sections))

    def to_dict(self) -> dict:
        """Plain data (JSON): the draft kept with the job that made it."""
        out = dataclasses.asdict(self)
        out["since"], out["as_of"] = self.since.isoformat(), self.as_of.isoformat()
        for section in out["sections"]:
            for st in section["statements"]:
                st["on"] = st["on"].isoformat() if st["on"] else None
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "CoverPaper":
        sections = tuple(Section(
            s["heading"], tuple(Statement(st["text"], st["ref"],
                                          date.fromisoformat(st["on"]) if st["on"] else None,
                                          st["score"]) for st in s["statements"]),
            s["none"], s["total"]) for s in data["sections"])
        return cls(**{**data, "since": date.fromisoformat(data["since"]),
                      "as_of": date.fromisoformat(data["as_of"]),
                      "summary": tuple(data["summary"]), "sections": sections,
                      "headline": tuple(tuple(h) for h in data["headline"]),
                      "appendices": tuple(data["appendices"])})

    def text(self) -> str:
        """The whole paper as plain text (the preview, and the test of sameness)."""
        lines = [self.title, self.meeting, f"Date: {when(self.as_of)}",
                 f"Purpose: {self.purpose}", "", "Executive summary", *self.summary, "",
                 "Risks by band", *(f"{b}: {then} on {when(self.since)}, {now} on "
                                    f"{when(self.as_of)}" for b, then, now in self.headline)]
        for s in self.sections:
            lines += ["", s.heading]
            if s.left_out:
                lines.append(lead_line(s))
            lines += [st.text for st in s.statements] or [s.none]
            if s.left_out:
                lines.append(more_line(s, in_word=False))
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


Progress = Callable[[int, str], None]


def _no_progress(percent: int, step: str) -> None:
    pass


def read_facts(register: Register, since: date, as_of: date,
               progress: Progress = _no_progress) -> Facts:
    """The record of `register` as held at the end of `since` and of `as_of`
    (`riskapp.assurance.held`: the version store, and records learnt later read by their
    business dates), and what happened between. Changes made after `as_of` are not read, so
    the paper for two past dates reads the same whenever it is drafted.

    A lean read: only what the paper says. Both days read what the assurance map needs
    (`held.map_facts`: the risks, the score in force, controls, assurances, open gaps); this
    paper's day adds the reviews held in the period and each risk's latest review (one window
    query, `_reviews`) and the actions (`_actions`), never every review or progress note
    (`record.as_at.children_at` and `latest_reviews_at`).
    `progress(percent, step)` is told how far it has got, in words (the job's page)."""
    if since > as_of:
        raise CoverError("The date of the last paper must be on or before the date of this one",
                         "since")
    from ..assurance import held as record
    from ..assurance import services as assurance
    from ..risks.services import ordered_bands
    bands = ordered_bands()
    band_months = {b.name: b.review_months for b in db.session.scalars(select(Band))}
    levels = {a.id: a.max_score for a in db.session.scalars(select(AppetiteLevel))}
    progress(10, f"Reading the register as at {when(since)}")
    then_facts, then_covers = record.map_facts(register.id, since,
                                               record.risks_held(register.id, since))
    progress(35, f"Reading the register as at {when(as_of)}")
    now_risks = record.risks_held(register.id, as_of)
    now_facts, now_covers = record.map_facts(register.id, as_of, now_risks)
    reviews, latest = _reviews(now_risks, since, as_of)
    facts = Facts(register, since, as_of, bands, {}, {})
    # Keyed by the reference each risk had at `as_of`; one on the register at `since` but not
    # at `as_of` (moved to another register) keeps its reference of then.
    ref_of = {f.risk.id: f.risk.reference for f in then_facts}
    ref_of.update({f.risk.id: f.risk.reference for f in now_facts})
    for f in then_facts:
        state = _score_state(RiskState(ref_of[f.risk.id], f.risk.title,
                                       f.risk.status == "Open"),
                             f.consequence, f.likelihood, f.risk.appetite_level_id, bands,
                             levels)
        facts.then[state.ref] = state
    for f in now_facts:
        risk = f.risk
        state = _score_state(RiskState(ref_of[risk.id], risk.title, risk.status == "Open"),
                             f.consequence, f.likelihood, risk.appetite_level_id, bands, levels)
        if risk.id in latest:
            months = risk.review_frequency_months or band_months.get(state.band, 3)
            state.next_review = scoring.next_review_date(latest[risk.id], months)
        facts.now[state.ref] = state
    for states, other in ((facts.then, facts.now), (facts.now, facts.then)):
        for ref, state in other.items():
            states.setdefault(ref, RiskState(ref, state.title, False, on_register=False))
    then_by_id = {f.risk.id: f for f in then_facts}
    for f in now_facts:
        ref = ref_of[f.risk.id]
        facts.reviews[ref] = reviews.get(f.risk.id, [])
        if f.risk.status != "Open":
            continue
        before = then_by_id.get(f.risk.id)
        controls_then = {c.id for c in before.controls} if before else set()
        for c in f.controls:
            if c.id in controls_then:
                continue
            # The day it was put in place if in the period, else the day riskapp learnt of it.
            day = next((d for d in (c.in_place_from, c.actual_implementation_date)
                        if d and since < d <= as_of), None) or _learnt(c.learnt_at)
            if since < day <= as_of:
                facts.controls_added.append((ref, day, c.description))
    rules_now = assurance.rules_in_force(as_of)
    months = assurance_rules.valid_months(rules_now)
    for f in now_facts:
        if f.risk.status != "Open":
            continue
        ref = ref_of[f.risk.id]
        for a in f.assurances:
            if a.assured_on and since < a.assured_on <= as_of:
                facts.assurances_added.append((ref, a.assured_on, a.source, a.line, a.positive))
            fact = assurance_rules.AssuranceFact("", a.line, a.source, a.assured_on,
                                                 a.valid_until, a.positive)
            end = assurance_rules.valid_until(fact, months)
            if end and since <= end < as_of:
                facts.assurances_expired.append((ref, end + timedelta(days=1), a.source, a.line))
    progress(55, "Working out the gaps in assurance on both dates")
    for day, chosen, covers, gaps in ((since, then_facts, then_covers, facts.gaps_then),
                                      (as_of, now_facts, now_covers, facts.gaps_now)):
        ins = assurance.inputs_from_facts([f for f in chosen if f.risk.status == "Open"],
                                          covers)
        for row in assurance.map_rows(ins, day, assurance.rules_in_force(day), bands):
            for gap in row.gaps:
                gaps.add((ref_of[row.id], gap.rule, gap.text))
    progress(65, "Reading the actions")
    open_now = [(f.risk.id, ref_of[f.risk.id]) for f in now_facts if f.risk.status == "Open"]
    _read_actions(facts, open_now, _actions(now_risks, as_of))
    return facts


def _learnt(at: datetime) -> date:
    """The London day of a version's naive-UTC stamp."""
    return at.replace(tzinfo=timezone.utc).astimezone(LONDON).date()


def _reviews(risks, since: date, as_of: date) -> tuple[dict[int, list[tuple]], dict[int, date]]:
    """Each risk's reviews held in the period (date, C, L, score, rationale; in the order
    held) and the day of its latest review held by `as_of`, as known then (risks recorded
    later: as first recorded): the period's reviews and one window query, not every review of
    every risk."""
    from ..record.as_at import children_at, latest_reviews_at
    from ..risks.models import ScoreRecord
    period = {risk_id: [(v.recorded_on, v.consequence, v.likelihood,
                         v.consequence * v.likelihood, v.rationale) for v in rows]
              for risk_id, rows in children_at(
                  ScoreRecord, risks, as_of, lambda c: c.recorded_on > since,
                  lambda c: c.recorded_on <= as_of, order=("recorded_on", "id")).items()}
    latest = {risk_id: held_on for risk_id, (_, _, held_on) in
              latest_reviews_at(risks, as_of).items()}
    return period, latest


def _actions(risks, as_of: date) -> dict[int, list]:
    """The risks' actions as held at the end of `as_of` (risks recorded later: as first
    recorded, those raised by `as_of`), by risk id; not their progress notes."""
    from ..record.as_at import children_at
    return children_at(Action, risks, as_of)


def _read_actions(facts: Facts, open_now: list[tuple[int, str]],
                  actions: dict[int, list]) -> None:
    """Actions of the risks open at `as_of` ((id, reference)), as held then: completed in the
    period, target dates moved in the period (the audit trail up to the end of `as_of`),
    overdue then."""
    since, as_of = facts.since, facts.as_of
    wanted = {a.id for risk_id, _ in open_now for a in actions.get(risk_id, ())}
    moves: dict[int, list[date]] = defaultdict(list)
    if wanted:
        # The trail of target dates: the version store, and audit entries from before it.
        for object_id, at, was, _ in record_trail.field_changes(
                Action, "target_date", [risk_id for risk_id, _ in open_now]):
            if was is not None and object_id in wanted:
                moves[object_id].append(at.astimezone(LONDON).date())
    for risk_id, ref in open_now:
        for action in actions.get(risk_id, ()):
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


def _said(text: str, limit: int = 120) -> str:
    """`text` shortened, ending the statement: a full stop unless it already ends with one (or
    with the ellipsis of a shortened text, or a question or exclamation mark)."""
    text = _short(text, limit)
    return text if text.endswith((".", "\u2026", "?", "!")) else text + "."


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

    ca = [Statement(f"{r}: control added on {when(d)}: {_said(t)}", r, d)
          for r, d, t in sorted(facts.controls_added)]
    aa = [Statement(f"{r}: {assurance_rules.LINE_SHORT[line]} assurance dated {when(d)} "
                    f"({ {True: 'positive', False: 'negative', None: 'not yet judged'}[pos]}): "
                    f"{_said(t)}", r, d)
          for r, d, t, line, pos in sorted(facts.assurances_added, key=lambda x: x[:3])]
    ae = [Statement(f"{r}: {assurance_rules.LINE_SHORT[line]} assurance expired on {when(d)}: "
                    f"{_said(t)}", r, d)
          for r, d, t, line in sorted(facts.assurances_expired)]
    sections.append(Section("Controls and assurances", tuple(ca + aa + ae),
                            "No controls or assurances were added, and none expired."))

    opened = sorted(facts.gaps_now - facts.gaps_then)
    shut = sorted(facts.gaps_then - facts.gaps_now)
    sections.append(Section("Gaps in assurance (computed from the assurance rules)", tuple(
        [Statement(f"{r}: gap opened: {t} ({rule}).", r, as_of) for r, rule, t in opened] +
        [Statement(f"{r}: gap closed: {t} ({rule}).", r, as_of) for r, rule, t in shut]),
        "No computed gap in assurance opened or closed."))

    sections.append(Section("Actions completed", tuple(
        Statement(f"{r}: action completed on {when(d)}: {_said(t)}", r, d)
        for r, d, t in sorted(facts.actions_completed)), "No action was completed."))
    sections.append(Section("Actions whose target dates moved", tuple(
        Statement(f"{r}: action target date moved {plural(n, 'time')} in the period "
                  f"({plural(total, 'time')} in all), now "
                  f"{when(target) if target else 'not set'}: {_said(t)}", r, d)
        for r, d, t, n, total, target in sorted(facts.actions_slipped, key=lambda x: x[:3])),
        "No action's target date moved."))
    sections.append(Section("Actions overdue", tuple(
        Statement(f"{r}: action overdue since {when(d)}: {_said(t)}", r, d)
        for r, d, t in sorted(facts.actions_overdue)), "No action is overdue."))

    # Each statement carries its risk's current score, so a long section shows the highest
    # first (a risk no longer on the register: its score when it was).
    def weight(ref):
        return now[ref].score if now[ref].score is not None else then[ref].score
    sections = [dataclasses.replace(s, statements=tuple(
        dataclasses.replace(st, score=weight(st.ref)) for st in s.statements))
        for s in sections]

    count_then = Counter(then[r].band for r in refs if then[r].open)
    count_now = Counter(now[r].band for r in refs if now[r].open)
    headline = tuple((b.name, count_then[b.name], count_now[b.name]) for b in reversed(bands))

    rose = sum("rose from" in s.text for s in moved)
    open_now = sum(1 for r in refs if now[r].open)
    open_then = sum(1 for r in refs if then[r].open)
    named = moved if len(moved) <= SHOWN_PER_SECTION else []
    summary = (
        f"This paper presents the {facts.register.name} as at {when(as_of)} and what changed "
        f"since {when(since)}.",
        f"There are {plural(open_now, 'open risk')} ({open_then:,} on {when(since)}): "
        f"{len(new):,} new and {len(closed):,} closed.",
        (f"{plural(len(moved), 'risk')} changed score: {rose:,} rose and "
         f"{len(moved) - rose:,} fell"
         + (f" ({', '.join(s.ref for s in named)})." if named else ".")) if moved else
        "No risk changed score.",
        (f"{plural(len(overdue), 'risk')} {'is' if len(overdue) == 1 else 'are'} overdue for "
         f"review" if overdue else "No risk is overdue for review")
        + f"; {plural(len(opened), 'computed gap')} in assurance opened and {len(shut):,} "
          f"closed.",
        f"Actions: {len(facts.actions_completed):,} completed, "
        f"{len(facts.actions_slipped):,} with target dates moved, "
        f"{len(facts.actions_overdue):,} overdue.",
    )
    appendices = (f"Appendix 1: the {facts.register.name} pack (heatmap report) as at "
                  f"{when(as_of)}.",
                  f"Appendix 2: the assurance map as at {when(as_of)}.")
    longest = max((len(s.statements) for s in sections), default=0)
    if longest > SHOWN_PER_SECTION:
        every = sum(len(s.statements) for s in sections)
        appendices += (f"{EVERY_CHANGE_APPENDIX}: every change in this paper "
                       f"({plural(every, 'statement')}), by section, each with the risk and "
                       f"the date behind it.",)
    return CoverPaper(
        organisation=organisation, register=facts.register.name,
        title=f"{facts.register.name}: cover paper", meeting=meeting, since=since,
        as_of=as_of, purpose="For assurance", summary=summary, sections=tuple(sections),
        headline=headline,
        recommendation=(f"The Committee is asked to note the changes to the "
                        f"{facts.register.name} since {when(since)}, to consider whether the "
                        f"assurance on each principal risk is sufficient, and to take "
                        f"assurance that the risks are being managed."),
        appendices=appendices)


def build_cover(register: Register, since: date, as_of: date, *, organisation: str,
                meeting: str = "Audit and Risk Assurance Committee",
                progress: Progress = _no_progress) -> CoverPaper:
    facts = read_facts(register, since, as_of, progress)
    progress(75, "Drafting the paper")
    return draft_cover(facts, organisation=organisation, meeting=meeting)
