"""Build the BAF pack and the on-screen heatmap from the database.

Both the download button and `flask report baf` call `build_pack`, so they produce the same PDF.
Loading is a fixed number of queries whatever the number of risks: the risks with their owner
and lead joined, then one `selectinload` each for controls, assurances, actions and score
records (and the bands) -- never a query per risk.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..auth.models import Directorate, User
from ..committees.models import Committee
from ..extensions import db
from ..record.as_at import (RiskAsAt, held_as_at, latest_review_then, linked_then, links_at,
                             recorded_later, register_at, risks_at, scores_at)
from ..risks.models import Action, Control, Register, Risk, risk_committees
from ..risks.queries import position_columns
from ..rules import scoring
from ..rules.actions import is_overdue
from ..rules.record import history_corrections
from . import pack_data

logger = logging.getLogger(__name__)

LONDON = ZoneInfo("Europe/London")
VIEWS = ("current", "initial", "target")

#: The movement table runs from April to the April after (Apr-23 ... Apr-24), as the source's.
PACK_MONTHS = 13


@dataclass
class Selection:
    """Which risks a report covers: open risks of a register, optionally narrowed further."""

    register: Register | None = None
    committee: Committee | None = None
    directorate: Directorate | None = None
    owner: User | None = None
    #: The date the report is "as at": later risks are left out, movement stops here.
    as_of: date | None = None

    def labels(self) -> dict[str, str]:
        """The filters as the pack header shows them, label -> value."""
        labels = {"Register": self.register.name if self.register else "All registers"}
        if self.committee:
            labels["Committee"] = self.committee.name
        if self.directorate:
            labels["Directorate"] = self.directorate.name
        if self.owner:
            labels["Owner"] = self.owner.name
        labels["Status"] = "Open"
        return labels


def selected_risks(selection: Selection) -> Select:
    """Open risks matching `selection`, by reference (no loader options: callers add theirs)."""
    stmt = select(Risk).where(Risk.status == "Open")
    if selection.register is not None:
        stmt = stmt.where(Risk.register_id == selection.register.id)
    if selection.committee is not None:
        stmt = stmt.where(Risk.id.in_(select(risk_committees.c.risk_id).where(
            risk_committees.c.committee_id == selection.committee.id)))
    if selection.directorate is not None:
        stmt = stmt.where(Risk.directorate_id == selection.directorate.id)
    if selection.owner is not None:
        stmt = stmt.where(Risk.owner_id == selection.owner.id)
    if selection.as_of is not None:
        stmt = stmt.where(Risk.opened_on <= selection.as_of)
    return stmt.order_by(Risk.register_id, Risk.number, Risk.reference)


def rule_bands() -> list[scoring.Band]:
    from ..risks.services import ordered_bands
    return ordered_bands()


# --- The heatmap on screen ------------------------------------------------------------------

#: References listed in one cell of the on-screen heatmap; the cell's count links to the rest.
#: At 5,000 risks a crowded cell held hundreds of links (a 600 KB page, issue 9) that nobody
#: reads on screen; the BAF pack PDF still lists every reference.
REFERENCES_PER_CELL = 10


@dataclass
class HeatmapCell:
    consequence: int | None
    likelihood: int | None
    band: scoring.Band | None
    #: How many risks sit here, and the first `REFERENCES_PER_CELL` of them by reference.
    count: int = 0
    risks: list = field(default_factory=list)

    @property
    def score(self) -> int:
        return self.consequence * self.likelihood

    @property
    def more(self) -> int:
        """Risks here that the cell does not list."""
        return self.count - len(self.risks)


def heatmap(selection: Selection, view: str, bands: Sequence[scoring.Band],
            per_cell: int = REFERENCES_PER_CELL) -> tuple[list[list[HeatmapCell]], HeatmapCell]:
    """The 5x5 grid of `selection` in `view`: rows consequence 5..1, columns likelihood 1..5.

    One query whatever the number of risks: the first `per_cell` risks of each position by
    reference, each with its position's count (window functions), as rows of reference and
    title only. Also returns the risks with no position in this view (no target set) as one
    more cell.
    """
    consequence, likelihood = position_columns(view)
    # One partition per position; NULL, so one partition, wherever either score is missing.
    cell_key = consequence * 10 + likelihood
    ranked = selected_risks(selection).order_by(None).with_only_columns(
        Risk.id, consequence.label("consequence"), likelihood.label("likelihood"),
        cell_key.label("cell"), func.row_number().over(partition_by=cell_key,
                               order_by=(Risk.register_id, Risk.number, Risk.id)).label("rank"),
        func.count().over(partition_by=cell_key).label("in_cell")).subquery()
    # Sorting ids, not titles, then fetching the few rows shown: 7 ms, not 16 (SQLite).
    first = (select(Risk.reference, Risk.title, ranked.c.consequence, ranked.c.likelihood,
                    ranked.c.in_cell)
             .join(ranked, Risk.id == ranked.c.id).where(ranked.c.rank <= per_cell)
             .order_by(ranked.c.cell, ranked.c.rank))

    grid = {(c, lk): HeatmapCell(c, lk, scoring.band_for(c * lk, bands))
            for c in range(1, 6) for lk in range(1, 6)}
    unplaced = HeatmapCell(None, None, None)

    def cell(c, lk) -> HeatmapCell:
        return grid.get((c, lk), unplaced) if c is not None and lk is not None else unplaced

    for row in db.session.execute(first):
        target = cell(row.consequence, row.likelihood)
        target.count = row.in_cell
        target.risks.append(row)
    rows = [[grid[(c, lk)] for lk in range(1, 6)] for c in range(5, 0, -1)]
    return rows, unplaced


def heatmap_as_at(selection: Selection, view: str, bands: Sequence[scoring.Band], as_of: date,
                  per_cell: int = REFERENCES_PER_CELL
                  ) -> tuple[list[list[HeatmapCell]], HeatmapCell, int]:
    """The heatmap of `selection` as riskapp held it at the end of `as_of` (the version store):
    the risks open then, each at its position then; and how many of them riskapp recorded only
    after that day (shown as first recorded, by their business dates). The risks riskapp held
    then placed, counted and ranked in one statement, as the live heatmap is (the score then:
    a correlated lookup of the latest review held by the day; committee links then, the latest
    change of each); the few others (moved register since, recorded later) placed here and
    merged in."""
    grid = {(c, lk): HeatmapCell(c, lk, scoring.band_for(c * lk, bands))
            for c in range(1, 6) for lk in range(1, 6)}
    unplaced = HeatmapCell(None, None, None)
    register = register_at(selection.register.id if selection.register else None, as_of)
    held = register.held
    others_links = (links_at(register.others, as_of)
                    if selection.committee is not None and register.others else {})

    def wanted(r) -> bool:
        return (r.status == "Open"
                and (selection.directorate is None or r.directorate_id == selection.directorate.id)
                and (selection.owner is None or r.owner_id == selection.owner.id)
                and (selection.committee is None
                     or selection.committee.id in others_links.get(r.id, ())))
    conditions = [held.c.status == "Open"]
    if selection.directorate is not None:
        conditions.append(held.c.directorate_id == selection.directorate.id)
    if selection.owner is not None:
        conditions.append(held.c.owner_id == selection.owner.id)
    if selection.committee is not None:
        conditions.append(linked_then(held.c.id, selection.committee.id, as_of))
    # One number a position (consequence * 10 + likelihood), as the live heatmap partitions:
    # NULL, one partition, wherever either score is missing.
    if view == "current":
        cell_key = func.coalesce(
            latest_review_then(held.c.id, as_of, lambda s: s.consequence * 10 + s.likelihood),
            held.c.current_consequence * 10 + held.c.current_likelihood)
    elif view == "initial":
        cell_key = held.c.initial_consequence * 10 + held.c.initial_likelihood
    else:
        cell_key = held.c.target_consequence * 10 + held.c.target_likelihood
    placed = select(held.c.id, held.c.register_id, held.c.number, held.c.reference,
                    held.c.title, cell_key.label("cell")).where(*conditions).subquery()
    ranked = select(placed, func.row_number().over(
        partition_by=placed.c.cell,
        order_by=(placed.c.register_id, placed.c.number, placed.c.reference)).label("rank"),
        func.count().over(partition_by=placed.c.cell).label("in_cell")).subquery()
    first = (select(ranked).where(ranked.c.rank <= per_cell)
             .order_by(ranked.c.cell, ranked.c.rank))

    def cell_of(c, lk) -> HeatmapCell:
        return grid.get((c, lk), unplaced) if c is not None and lk is not None else unplaced

    counted = set()
    for row in db.session.execute(first):
        target = (unplaced if row.cell is None
                  else cell_of(row.cell // 10, row.cell % 10))
        if row.cell not in counted:
            counted.add(row.cell)
            target.count += row.in_cell
        target.risks.append(row)
    others = [r for r in register.others if wanted(r)]
    scores = scores_at(others, as_of) if view == "current" and others else {}
    for risk in others:
        c, lk = {"current": scores.get(risk.id, (risk.current_consequence,
                                                 risk.current_likelihood)),
                 "initial": (risk.initial_consequence, risk.initial_likelihood),
                 "target": (risk.target_consequence, risk.target_likelihood)}[view]
        target = cell_of(c, lk)
        target.count += 1
        target.risks.append(risk)
    register_order = attrgetter("register_id", "number", "reference")
    for target in [*grid.values(), unplaced]:
        target.risks = sorted(target.risks, key=register_order)[:per_cell]
    rows = [[grid[(c, lk)] for lk in range(1, 6)] for c in range(5, 0, -1)]
    return rows, unplaced, recorded_later(others, as_of)


# --- The BAF pack ------------------------------------------------------------------------------

def pack_risks(selection: Selection) -> list[Risk]:
    """The risks of the pack with everything it prints, in a fixed number of queries."""
    stmt = selected_risks(selection).options(
        joinedload(Risk.owner), joinedload(Risk.lead),
        selectinload(Risk.controls).joinedload(Control.owner),
        selectinload(Risk.assurances),
        selectinload(Risk.actions).joinedload(Action.assignee),
        selectinload(Risk.score_records))
    return list(db.session.scalars(stmt).unique())


def default_financial_year(risks: Sequence[Risk], as_of: date) -> int:
    """The financial year of the latest review on or before `as_of`, as the risk page picks it."""
    latest = max((r.recorded_on for risk in risks for r in risk.score_records
                  if r.recorded_on <= as_of), default=as_of)
    return scoring.financial_year_of(latest)


def _score(consequence: int | None, likelihood: int | None) -> pack_data.Score | None:
    if consequence is None or likelihood is None:
        return None
    return pack_data.Score(consequence, likelihood)


def _current_as_of(risk: Risk, as_of: date, today: date) -> pack_data.Score:
    """The current score in force on `as_of`: the risk's own today, its history before then."""
    if as_of >= today:
        return pack_data.Score(risk.current_consequence, risk.current_likelihood)
    in_force = [r for r in risk.score_records if r.recorded_on <= as_of]
    if not in_force:
        return pack_data.Score(risk.current_consequence, risk.current_likelihood)
    last = in_force[-1]
    return pack_data.Score(last.consequence, last.likelihood)


def _assurance_source(assurance) -> str:
    if assurance.summary:
        return f"{assurance.source}: {assurance.summary}"
    return assurance.source


def pack_risk(risk: Risk, *, fy: int, as_of: date, today: date) -> pack_data.PackRisk:
    """Map one loaded risk onto the renderer's plain data."""
    cells = scoring.movement([r.as_point() for r in risk.score_records], fy, as_of,
                             months=PACK_MONTHS)
    return pack_data.PackRisk(
        ref=risk.reference, title=risk.title, description=risk.description or "",
        owner=risk.owner.name if risk.owner else None,
        lead=risk.lead.name if risk.lead else None, status=risk.status,
        initial=pack_data.Score(risk.initial_consequence, risk.initial_likelihood),
        current=_current_as_of(risk, as_of, today),
        target=_score(risk.target_consequence, risk.target_likelihood),
        controls=tuple(pack_data.PackControl(c.description, c.owner.name if c.owner else None,
                                             c.effectiveness) for c in risk.controls),
        assurances=tuple(pack_data.PackAssurance(a.line, _assurance_source(a), a.positive)
                         for a in risk.assurances),
        actions=tuple(pack_data.PackAction(
            a.detail, a.assignee.name if a.assignee else None, a.target_date, a.status,
            overdue=is_overdue(a.target_date, a.status, as_of),
            completed_on=a.completed_on if a.status == "Complete" else None)
            for a in risk.actions),
        movement=tuple(pack_data.MovementCell(c.score, c.reviewed) for c in cells),
    )


# --- As at a past day: from the version store -------------------------------------------------

def selected_as_at(selection: Selection, as_of: date) -> list:
    """The risks of `selection` on the register at the end of `as_of` (risk version rows from
    `record.as_at.risks_at`, children not read): open then, and in the committee, directorate
    and owner chosen as they stood then; in register order."""
    risks = [r for r in risks_at(selection.register.id if selection.register else None, as_of)
             if r.status == "Open"
             and (selection.directorate is None or r.directorate_id == selection.directorate.id)
             and (selection.owner is None or r.owner_id == selection.owner.id)]
    if selection.committee is not None:
        links = links_at(risks, as_of)
        risks = [r for r in risks if selection.committee.id in links.get(r.id, ())]
    risks.sort(key=lambda r: (r.register_id, r.number, r.reference))
    return risks


def pack_risks_as_at(selection: Selection, as_of: date, *,
                     with_children: bool = True) -> list[RiskAsAt]:
    """The risks of `selection` as riskapp held them at the end of `as_of` (`selected_as_at`),
    with their children as held then."""
    return held_as_at(selected_as_at(selection, as_of), as_of, with_children=with_children)


def pack_risk_as_at(r: RiskAsAt, names: dict[int, str], *, fy: int) -> pack_data.PackRisk:
    """Map one risk as held at the end of `r.as_of` onto the renderer's plain data: scores,
    controls, assurances, actions and their statuses, overdue flags judged at that day."""
    risk = r.risk
    points = [scoring.ScorePoint(s.recorded_on, s.consequence, s.likelihood) for s in r.reviews]
    cells = scoring.movement(points, fy, r.as_of, months=PACK_MONTHS)
    return pack_data.PackRisk(
        ref=risk.reference, title=risk.title, description=risk.description or "",
        owner=names.get(risk.owner_id), lead=names.get(risk.lead_id), status=risk.status,
        initial=pack_data.Score(risk.initial_consequence, risk.initial_likelihood),
        current=pack_data.Score(*r.current),
        target=_score(risk.target_consequence, risk.target_likelihood),
        controls=tuple(pack_data.PackControl(c.description, names.get(c.owner_id),
                                             c.effectiveness) for c in r.controls),
        assurances=tuple(pack_data.PackAssurance(a.line, _assurance_source(a), a.positive)
                         for a in r.assurances),
        actions=tuple(pack_data.PackAction(
            a.detail, names.get(a.assignee_id), a.target_date, a.status,
            overdue=r.is_overdue(a),
            completed_on=getattr(a, "completed_on", None) if a.status == "Complete" else None)
            for a in r.actions),
        movement=tuple(pack_data.MovementCell(c.score, c.reviewed) for c in cells),
    )


def _names(risks: list[RiskAsAt]) -> dict[int, str]:
    ids = {i for r in risks for i in (r.risk.owner_id, r.risk.lead_id) if i}
    ids |= {c.owner_id for r in risks for c in r.controls if c.owner_id}
    ids |= {a.assignee_id for r in risks for a in r.actions if a.assignee_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def build_pack(selection: Selection, *, organisation: str, author: str, fy: int | None = None,
               logo: bytes | None = None,
               today: date | None = None, now: datetime | None = None) -> pack_data.BafPack:
    """Build the BAF pack for `selection` as at `selection.as_of` (default today).

    A plain function of (selection, as_of): a worker can run it. As at a past day the pack is
    what riskapp held at the end of that day (riskapp.record.as_at), so two packs as at the
    same day printed on different days read the same; only `generated_at` differs.
    """
    now = (now or datetime.now(LONDON)).astimezone(LONDON)
    today = today or now.date()
    as_of = selection.as_of or today
    bands = rule_bands()
    if as_of < today:
        held = pack_risks_as_at(selection, as_of)
        if fy is None:
            fy = scoring.financial_year_of(max(
                (s.recorded_on for r in held for s in r.reviews if s.recorded_on <= as_of),
                default=as_of))
        names = _names(held)
        pack_risks_data = tuple(pack_risk_as_at(r, names, fy=fy) for r in held)
        corrections = review_corrections(
            (r.reference, s, s.learnt_at) for r in held for s in r.reviews
            if s.id in r.corrections)
    else:
        risks = pack_risks(selection)
        if fy is None:
            fy = default_financial_year(risks, as_of)
        pack_risks_data = tuple(pack_risk(r, fy=fy, as_of=as_of, today=today) for r in risks)
        corrected = {r.id: history_corrections(sorted((s.id, s.recorded_on)
                                                      for s in r.score_records))
                     for r in risks}
        corrections = review_corrections(
            (r.reference, s, s.created_at) for r in risks for s in r.score_records
            if s.id in corrected[r.id])
    filters = selection.labels()
    filters["As at"] = f"{as_of:%d %b %Y}"
    if as_of < today:
        later = sorted({r.learnt_on for r in held if r.learnt_on})
        if later:
            # Risks riskapp recorded after the day (an earlier register brought in): say so,
            # with both dates, as the pages do.
            count = sum(1 for r in held if r.learnt_on)
            days = ", ".join(f"{d.day} {d:%b %Y}" for d in later)
            filters["Recorded later"] = (
                f"{count} risk{'s' if count != 1 else ''} recorded in riskapp on {days}, "
                f"brought in from an earlier register: shown as first recorded, by the dates "
                f"{'they carry' if count != 1 else 'it carries'}")
    filters["Financial year"] = scoring.financial_year_label(fy)
    return pack_data.BafPack(
        organisation=organisation,
        logo=logo,
        register_name=selection.register.name if selection.register else "All registers",
        generated_at=now,
        filters=filters,
        fy_label=scoring.financial_year_label(fy),
        month_labels=tuple(m.strftime("%b-%y")
                           for m in scoring.financial_year_months(fy, PACK_MONTHS)),
        bands=tuple(pack_data.Band(b.name, b.min_score, b.max_score, _hex(b.colour))
                    for b in bands) or (pack_data.Band("Unbanded", 1, 25, "#d8dde0"),),
        risks=pack_risks_data,
        author=author,
        as_of=as_of,
        register_prefix=selection.register.prefix if selection.register else None,
        corrections=corrections,
        # As at a past day the cover summary and the assurance map are read from the record
        # as held then, like the rest of the pack: it reads the same whenever it is printed.
        **(assurance_pages(selection.register, {r.ref for r in pack_risks_data}, as_of,
                           today, organisation)
           if selection.register is not None else {}),
    )


def draw_pack(selection: Selection, out, *, organisation: str, author: str, via: str,
              by: User | None = None, fy: int | None = None, logo: bytes | None = None,
              progress=None) -> pack_data.BafPack:
    """Build the pack, draw it as a PDF into `out` (a binary file) and record that it was
    drawn (flush, never commit). The download's worker and `flask report baf` both draw
    packs here, so the cover paper sees every pack drawn (`reports.cover.last_pack_day`).
    `progress(count)` is told the number of risks before the pages are drawn."""
    from .baf_pdf import render_baf_pack  # ReportLab: loaded by what draws PDFs
    from .models import DrawnPack
    pack = build_pack(selection, organisation=organisation, logo=logo, author=author, fy=fy)
    if progress is not None:
        progress(len(pack.risks))
    render_baf_pack(pack, out)
    if selection.register is not None:
        db.session.add(DrawnPack(
            register_id=selection.register.id, as_of=pack.as_of, via=via,
            drawn_by_id=by.id if by is not None else None,
            committee_id=selection.committee.id if selection.committee else None,
            directorate_id=selection.directorate.id if selection.directorate else None,
            owner_id=selection.owner.id if selection.owner else None,
            risks=len(pack.risks)))
        db.session.flush()
    return pack


def assurance_pages(register: Register, refs: set[str], as_of: date, today: date,
                    organisation: str) -> dict:
    """The cover paper's summary and the assurance map of the pack's risks (`refs`), as at
    `as_of`: today's rows today, the record as held then for a past day (issue 18)."""
    from ..assurance import services as assurance
    from ..rules import assurance as rules
    from .cover import build_cover, default_since, when
    since = default_since(register, as_of)
    paper = build_cover(register, since, as_of, organisation=organisation)
    cover = pack_data.CoverSummary(paper.title, f"{when(since)} to {when(as_of)}",
                                   paper.summary, paper.recommendation)
    rows = [r for r in assurance.whole_register(register, as_of, as_at=as_of < today)
            if r.ref in refs]
    rule_list = assurance.rules_in_force(as_of)

    def cells(by_line) -> tuple:
        return tuple(pack_data.MapCell(by_line[n].state, by_line[n].words) for n in rules.LINES)
    return {"cover": cover, "assurance_map": tuple(pack_data.PackMapRow(
        row.ref, row.title, cells(row.risk_map.cells),
        tuple(f"{g.text} ({g.rule.split(':')[0]})" for g in row.gaps),
        tuple(pack_data.PackControlMap(c.control.description if c.control else None,
                                       cells(c.cells))
              for c in rules.control_map(row.facts, as_of, rule_list))) for row in rows),
        "assurance_rules": tuple(r.label for r in rule_list)}


def _hex(colour: str) -> str:
    """Bands are validated as #rrggbb when saved; fall back to grey rather than fail a pack."""
    value = (colour or "").strip()
    digits = value.lstrip("#")
    if len(digits) == 6 and all(c in "0123456789abcdefABCDEF" for c in digits):
        return "#" + digits
    return "#d8dde0"


def review_corrections(found) -> tuple[str, ...]:
    """(reference, review, when riskapp learnt it) of reviews that corrected the history, as
    the pack prints them: in the order they were recorded."""
    def when(at) -> str:
        if at is None:
            return "a later day"
        if isinstance(at, datetime):
            at = (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(LONDON)
            at = at.date()
        return f"{at.day} {at:%b %Y}"
    lines = []
    for ref, review, learnt in sorted(found, key=lambda f: f[1].id):
        held = review.recorded_on
        lines.append(f"{ref}: the review held on {held.day} {held:%b %Y} was recorded on "
                     f"{when(learnt)}, after a later review, so it corrects the history "
                     f"printed before then: {review.consequence} \u00d7 {review.likelihood} = "
                     f"{review.consequence * review.likelihood}.")
    return tuple(lines)


def pack_filename(pack: pack_data.BafPack) -> str:
    """A download name such as `baf-pack-BAF-as-at-2023-11-29.pdf`: the register and the day
    the pack is as at, never the day it was printed."""
    prefix = f"{pack.register_prefix}-" if pack.register_prefix else ""
    as_of = pack.as_of or pack.generated_at.astimezone(LONDON).date()
    return f"baf-pack-{prefix}as-at-{as_of:%Y-%m-%d}.pdf"
