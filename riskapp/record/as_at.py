"""The register as at the end of a day: what riskapp held then, read from the version store.

One temporal mechanism (SQLAlchemy-Continuum, validity strategy) serves this and the audit
trail: every insert and update of a risk, review (score record), control, gap, assurance,
action, progress note and committee link writes a version row stamped with the transaction
that made it and, once superseded, the transaction that ended it. "As at D" is the version of
each row made by a transaction issued before the end of D (Europe/London) and not ended by
then: one range read per table, never today's rows with a date filter.

Records carry the dates the business gave them as well as when riskapp learnt of them. A risk
riskapp first recorded after the day asked about (the demo BAF, known from its source's date,
29 Nov 2023; a register imported today) is read as first recorded, by those business dates:
on the register if opened by the day, the score of the last review held by the day, controls
in place by the day, assurances dated by the day, actions raised by the day ("earliest
knowledge"). So a register imported today still prints last year's pack as it was, and every
page, pack, export and the API agree about a day before riskapp held the register.
`RiskAsAt.learnt_on` says when a risk was read that way (pages say both dates).

Use it like this (assurance map, packs, exports, API):

    from riskapp.record.as_at import register_as_at, risk_as_at, risks_at, held_as_at

    risks = register_as_at(register_id, date(2023, 11, 29))   # list[RiskAsAt], by reference
    risk = risk_as_at("BAF0006", date(2023, 11, 29))          # RiskAsAt, or None if not opened
    # A page of a large register: the risks first (one statement), children for the page only.
    rows = [r for r in risks_at(register_id, day) if r.status == "Open"]
    page = held_as_at(rows[start:start + 50], day)
    scores = scores_at(rows, day)                             # id -> (consequence, likelihood)
    # A page of a large register in SQL (a count and the page): the risks riskapp held then
    # filtered, sorted and limited in the statement, the few others (moved register since,
    # recorded later) merged in Python; then the page's children.
    rows, total, others = page_at(register_at(register_id, day),
                                  where=[lambda c: c.status == "Open"],
                                  keep=lambda r: r.status == "Open",
                                  order=lambda c: (c.reference,), key=attrgetter("reference"),
                                  start=0, size=50)

A RiskAsAt has `.risk` (every column of the risk as held then: `.risk.title`, `.risk.status`,
`.risk.owner_id`, ...), `.controls`, `.gaps`, `.assurances`, `.actions` (rows with the same
column names as the live models: `.description`, `.effectiveness`, `.in_place_from`,
`.assured_on`, `.status`, `.target_date`, ...; `.learnt_at`, naive UTC, is when riskapp
learnt of that version), `.progress` (action id -> its notes, newest
first), `.reviews` (the score records known then, in the order held), `.committee_ids`, and the
score in force: `.current` (consequence, likelihood), `.current_score`, judged as the latest
review held on or before D among those riskapp knew of at the end of D.

Rows are read-only SQLAlchemy Row objects: attribute access, immutable. Plain data, no session
needed after the call, so a worker can build a pack from them.
"""
from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter
from types import SimpleNamespace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy_continuum import version_class, versioning_manager

from ..extensions import db
from ..risks.models import (Action, ActionProgress, Assurance, Control, Gap, Risk, ScoreRecord,
                            risk_committees)
from ..rules.actions import is_overdue
from ..rules.record import history_corrections

LONDON = ZoneInfo("Europe/London")
DELETED = 2  # Continuum's Operation.DELETE


def end_of_day(day: date) -> datetime:
    """The first instant after `day` ends in Europe/London, as naive UTC (how the version
    store's transactions are stamped)."""
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)
    return midnight.astimezone(timezone.utc).replace(tzinfo=None)


def _as_at(table, cutoff: datetime, *where, columns=None):
    """SELECT the versions of `table` in force at `cutoff`: made by a transaction issued
    before it, and not ended by one issued before it. `columns`: the names of the columns
    to read (None: every one)."""
    tx = versioning_manager.transaction_cls.__table__
    made, ended = tx.alias("made"), tx.alias("ended")
    return (select(*[c for c in table.c if c.name not in
                     ("transaction_id", "end_transaction_id", "operation_type")
                     and (columns is None or c.name in columns)],
                   made.c.issued_at.label("learnt_at"))
            .select_from(table.join(made, made.c.id == table.c.transaction_id)
                         .outerjoin(ended, ended.c.id == table.c.end_transaction_id))
            .where(made.c.issued_at < cutoff,
                   or_(ended.c.id.is_(None), ended.c.issued_at >= cutoff),
                   table.c.operation_type != DELETED, *where))


def _table(model):
    return version_class(model).__table__


@dataclass(frozen=True)
class RiskAsAt:
    as_of: date
    risk: object
    controls: tuple = ()
    gaps: tuple = ()
    assurances: tuple = ()
    actions: tuple = ()
    progress: dict = field(default_factory=dict)
    reviews: tuple = ()
    committee_ids: tuple = ()
    #: The day riskapp first recorded the risk, when that was after `as_of`: the risk is then
    #: shown as first recorded, read by the dates it carries (see `risks_at`). None: riskapp
    #: held it at the end of `as_of`.
    learnt_on: date | None = None

    @property
    def reference(self) -> str:
        return self.risk.reference

    @property
    def latest_review(self):
        held = [r for r in self.reviews if r.recorded_on <= self.as_of]
        return held[-1] if held else None

    @property
    def current(self) -> tuple[int, int]:
        review = self.latest_review
        if review is not None:
            return review.consequence, review.likelihood
        return self.risk.current_consequence, self.risk.current_likelihood

    @property
    def current_score(self) -> int:
        consequence, likelihood = self.current
        return consequence * likelihood

    @property
    def corrections(self) -> set[int]:
        """Ids of the reviews that were corrections of the history (held before a review
        recorded earlier)."""
        return history_corrections((r.id, r.recorded_on) for r in sorted(self.reviews,
                                                                          key=lambda r: r.id))

    def gaps_in(self, kind: str) -> list:
        return [g for g in self.gaps if g.kind == kind and not g.closed]

    def open_actions(self) -> list:
        return [a for a in self.actions if a.status not in ("Complete", "Cancelled")]

    def is_overdue(self, action) -> bool:
        """Overdue as judged at the end of the as-at day, not today."""
        return is_overdue(action.target_date, action.status, self.as_of)


def learnt_day(issued_at: datetime) -> date:
    """The London day of a version's naive-UTC stamp."""
    return issued_at.replace(tzinfo=timezone.utc).astimezone(LONDON).date()


def known_on(risk, as_of: date, cutoff: datetime | None = None) -> date:
    """The day whose end `risk` (a row from `risks_at`) was read at: `as_of` when riskapp held
    it then, else the day riskapp first recorded it. (`cutoff`: `end_of_day(as_of)`, when the
    caller asks about many risks.)"""
    cutoff = cutoff or end_of_day(as_of)
    return as_of if risk.learnt_at < cutoff else learnt_day(risk.learnt_at)


def recorded_later(risks, as_of: date) -> int:
    """How many of `risks` (rows from `risks_at`) riskapp recorded only after `as_of`: the
    pages say so, and that they show them by the dates they carry."""
    cutoff = end_of_day(as_of)
    return sum(1 for r in risks if r.learnt_at >= cutoff)


#: What `risks_at` always reads of a risk when asked for some columns only: what placing it
#: in its register then, ordering and paging need.
PLACING = ("id", "register_id", "number", "reference", "status", "opened_on")


def risks_at(register_id: int | None, as_of: date, *,
             risk_ids: list[int] | None = None, columns: tuple[str, ...] | None = None
             ) -> list:
    """The risks of the register (all registers: None) on the register at the end of `as_of`,
    as risk version rows by reference (every column of the risk, `learnt_at`): one statement
    for what riskapp held then, one more for risks it recorded later (see below), and their
    children are not read. Page these, then read the page's children with `held_as_at`.

    Earliest knowledge: a risk riskapp recorded only after `as_of` (the demo BAF, known from
    its source's date; a register imported today) is on the register then if it was opened by
    `as_of`, as riskapp first recorded it (at the end of the day it did), read by the dates the
    business gave it: the reviews held by the day, controls in place by the day, assurances
    dated by the day, actions raised by the day. What riskapp first recorded never changes
    once that day is past, so a pack as at a past day still reads the same after any edit.

    `columns`: the risk's columns to read besides `PLACING` (None: every one); a whole
    register's descriptions and dates cost more to read than the rest."""
    if columns is not None:
        columns = (*PLACING, *columns)
    cutoff = end_of_day(as_of)
    risks_v = _table(Risk)
    moves = _moves()
    where = []
    if register_id is not None:
        # A risk escalated (or de-escalated) since was in another register then: read the
        # risks that ever moved too, and place each below.
        where.append(or_(risks_v.c.register_id == register_id, risks_v.c.id.in_(list(moves)))
                     if moves else risks_v.c.register_id == register_id)
    if risk_ids is not None:
        where.append(risks_v.c.id.in_(risk_ids))
    rows = db.session.execute(_as_at(risks_v, cutoff, *where, columns=columns)).all()
    rows += _recorded_later(as_of, where, columns)
    risks = [_placed(row, moves.get(row.id), as_of) for row in rows]
    if register_id is not None:
        risks = [r for r in risks if r.register_id == register_id]
    risks.sort(key=lambda r: r.reference)
    return risks


@dataclass(frozen=True)
class RegisterAt:
    """The risks on a register at the end of a day (`risks_at`'s), split so a page can filter,
    count, sort and page them in SQL rather than read them all:

    - `held`: a subquery of the version rows riskapp held then of the risks that never moved
      register (each is on the register then exactly as the row says): almost every risk;
    - `others`: the rest, few, placed by `risks_at`'s rules in Python: risks that moved
      register (`_placed`) and risks riskapp recorded only later (`_recorded_later`).

    Every row of `held` was learnt by the day (`learnt_at` before its end), so only `others`
    can be "recorded later"."""
    as_of: date
    held: object
    others: list


def register_at(register_id: int | None, as_of: date, *,
                columns: tuple[str, ...] | None = None) -> RegisterAt:
    """The risks of the register (all registers: None) on the register at the end of `as_of`,
    as `risks_at` reads them (the same rows, the same placing), split for paging in SQL (see
    `RegisterAt`, and `page_at`). `columns`: the risk's columns besides `PLACING`."""
    if columns is not None:
        columns = (*PLACING, *columns)
    cutoff = end_of_day(as_of)
    risks_v = _table(Risk)
    moves = _moves()
    here = [risks_v.c.register_id == register_id] if register_id is not None else []
    # A risk held then is never also "recorded later" (its version held then was learnt
    # before the day ended), so leaving out the moved risks is all `held` needs.
    never_moved = [risks_v.c.id.not_in(list(moves))] if moves else []
    held = _as_at(risks_v, cutoff, *here, *never_moved, columns=columns).subquery("held")
    where = ([or_(*here, risks_v.c.id.in_(list(moves)))] if moves and here else here)
    rows = list(db.session.execute(_as_at(risks_v, cutoff, risks_v.c.id.in_(list(moves)),
                                          columns=columns))) if moves else []
    rows += _recorded_later(as_of, where, columns)
    others = [_placed(row, moves.get(row.id), as_of) for row in rows]
    if register_id is not None:
        others = [r for r in others if r.register_id == register_id]
    return RegisterAt(as_of, held, sorted(others, key=attrgetter("reference")))


def page_at(register: RegisterAt, *, where=(), keep=None, order, key, start: int, size: int,
            extra=()) -> tuple[list, int, list]:
    """One page of `register`'s risks: `where` (functions of `held`'s columns giving SQL
    conditions) and `keep` (the same test of an `others` row, in Python) choose them; `order`
    (a function of `held`'s columns giving ORDER BY terms) and `key` (the same order of any
    row, in Python) sort them; rows `start` to `start + size`. `extra`: functions of `held`'s
    columns giving more labelled columns to read (what `key` needs of a held row).

    Returns the page's rows (held ones and others alike: every column of `held` and `extra`;
    others carry what `keep`/`key` gave them), how many risks are chosen in all, and the
    chosen `others` (the pages say how many were recorded later). One statement, the page and
    the count together (a count apart for a page past the end); with no `others` chosen,
    OFFSET and LIMIT in SQL, else the first `start + size` held rows merged with the others."""
    held = register.held
    conditions = [w(held.c) for w in where]
    others = [r for r in register.others if keep is None or keep(r)]
    # The ids of the page sorted first (with how many there are in all, counted in the same
    # pass), then only their rows read whole: sorting every risk's whole row (its
    # description) was most of the statement on PostgreSQL.
    chosen = (select(held.c.id, func.count().over().label("chosen_in_all"))
              .where(*conditions).order_by(*order(held.c)))
    if not others:
        chosen = chosen.offset(start).limit(size)
    else:
        chosen = chosen.limit(start + size)
    # A CTE, as it is read twice (the ids, and the count once); the page's rows by IN, which
    # both databases read by index or hash (joined, SQLite scanned a scored CTE per id).
    chosen = chosen.cte("chosen")
    stmt = (select(held, select(chosen.c.chosen_in_all).limit(1).scalar_subquery()
                   .label("chosen_in_all"), *[e(held.c) for e in extra])
            .where(held.c.id.in_(select(chosen.c.id))).order_by(*order(held.c)))
    page = list(db.session.execute(stmt))
    # A page past the end has no row to carry the count: count apart then.
    total = (page[0].chosen_in_all if page else
             db.session.scalar(select(func.count()).select_from(held).where(*conditions)))
    if not others:
        return page, total, others
    rows = list(heapq.merge(page, sorted(others, key=key), key=key))
    return rows[start:start + size], total + len(others), others


def latest_review_then(risk_id, as_of: date, value):
    """A correlated scalar subquery: `value` (a function of the review versions' columns) of
    the latest review of the risk `risk_id` (a column) held by `as_of` among those riskapp
    knew of at the end of `as_of` (as `latest_reviews_at` judges a risk riskapp held then);
    NULL if none. The transactions are looked up by id per row and the reviews walked newest
    first by the index (risk_id, recorded_on, id), so each risk costs a row or two; as a join
    PostgreSQL hashed every transaction once a risk (0.8 s at 5,000 risks)."""
    t = _table(ScoreRecord)
    tx = versioning_manager.transaction_cls.__table__
    made, ended = tx.alias("review_made"), tx.alias("review_ended")
    cutoff = end_of_day(as_of)
    issued = select(made.c.issued_at).where(made.c.id == t.c.transaction_id).scalar_subquery()
    ended_at = (select(ended.c.issued_at).where(ended.c.id == t.c.end_transaction_id)
                .scalar_subquery())
    return (select(value(t.c))
            .where(t.c.risk_id == risk_id, t.c.recorded_on <= as_of, issued < cutoff,
                   or_(t.c.end_transaction_id.is_(None), ended_at >= cutoff),
                   t.c.operation_type != DELETED)
            .order_by(t.c.recorded_on.desc(), t.c.id.desc()).limit(1).scalar_subquery())


def linked_then(risk_id, committee_id: int, as_of: date):
    """An EXISTS condition: the risk `risk_id` (a column) was linked to the committee at the
    end of `as_of`, judged as `links_as_at` judges it: by the latest change of that link made
    before then (Continuum never ends a link's earlier version row), which must not be its
    removal."""
    versions = db.metadata.tables[risk_committees.name + "_version"]
    tx = versioning_manager.transaction_cls.__table__
    cutoff = end_of_day(as_of)
    change, later = versions.alias("link_change"), versions.alias("link_later")
    made, later_made = tx.alias("link_made"), tx.alias("link_later_made")
    changed_since = (select(later.c.risk_id)
                     .join(later_made, later_made.c.id == later.c.transaction_id)
                     .where(later.c.risk_id == change.c.risk_id,
                            later.c.committee_id == change.c.committee_id,
                            later_made.c.issued_at < cutoff,
                            or_(later_made.c.issued_at > made.c.issued_at,
                                (later_made.c.issued_at == made.c.issued_at)
                                & (later.c.transaction_id > change.c.transaction_id))))
    return (select(change.c.risk_id).join(made, made.c.id == change.c.transaction_id)
            .where(change.c.risk_id == risk_id, change.c.committee_id == committee_id,
                   made.c.issued_at < cutoff, change.c.operation_type != DELETED,
                   ~changed_since.exists())).exists()


def _recorded_later(as_of: date, where: list, columns=None) -> list:
    """Risks riskapp first recorded after `as_of` but opened by then: each as it stood at the
    end of the day riskapp first recorded it. One statement finds them (the earliest version
    of each, and no version opened by `as_of` rules a risk out), one more per such day."""
    cutoff = end_of_day(as_of)
    risks_v = _table(Risk)
    tx = versioning_manager.transaction_cls.__table__
    found = db.session.execute(
        select(risks_v.c.id, func.min(tx.c.issued_at))
        .join(tx, tx.c.id == risks_v.c.transaction_id).where(*where)
        .group_by(risks_v.c.id)
        .having(func.min(tx.c.issued_at) >= cutoff, func.min(risks_v.c.opened_on) <= as_of)
    ).all()
    by_day: dict[date, list[int]] = defaultdict(list)
    for risk_id, first in found:
        by_day[learnt_day(first)].append(risk_id)
    rows = []
    for day, ids in sorted(by_day.items()):
        rows += [r for r in db.session.execute(_as_at(risks_v, end_of_day(day),
                                                      risks_v.c.id.in_(ids), columns=columns))
                 if r.opened_on <= as_of]
    return rows


#: The date the business gave each kind of record: a record riskapp learnt of after the as-at
#: day counts only if this date is on or before the day (undated ones always count).
BUSINESS_DAY = {ScoreRecord: "recorded_on", Control: "in_place_from", Assurance: "assured_on",
                Action: "raised_on", ActionProgress: "noted_on"}
#: Read a child table by risk id for fewer risks than this; whole (matched here) for more:
#: cheaper than an IN list of thousands of ids.
FEW = 500


def children_at(model, risks, as_of: date, *where, order=("id",),
                parent: str = "risk_id", parent_ids=None,
                columns: tuple[str, ...] | None = None) -> dict[int, list]:
    """The rows of `model` (a versioned child of a risk) of `risks` (rows from `risks_at`) as
    held at the end of `as_of`, by parent id (`parent`: the column naming it), in `order`.
    Risks riskapp recorded later: as first recorded, by business date (BUSINESS_DAY).
    `where`: functions of the version table's columns giving more conditions.
    `parent_ids`: {known-on day: parent ids} instead of the risks' own ids (notes by action).
    `columns`: only these columns (with the id, parent and business date), not every one."""
    t = _table(model)
    groups = parent_ids if parent_ids is not None else _by_known_on(risks, as_of)
    business = BUSINESS_DAY.get(model)
    if columns is not None:
        columns = ("id", parent, *order, *((business,) if business else ()), *columns)
    grouped: dict[int, list] = defaultdict(list)
    for day, ids in sorted(groups.items()):
        if not ids:
            continue
        stmt = _as_at(t, end_of_day(day), *[w(t.c) for w in where], columns=columns)
        few = len(ids) < FEW
        if few:
            stmt = stmt.where(t.c[parent].in_(list(ids)))
        wanted = set(ids)
        later = day != as_of
        # Attribute access: a row's `_mapping` is a new object each time (most of the time
        # of a whole register's read).
        parent_of = attrgetter(parent)
        business_of = attrgetter(business) if later and business is not None else None
        for row in db.session.execute(stmt.order_by(*[t.c[o] for o in order])):
            key = parent_of(row)
            if not few and key not in wanted:
                continue
            if business_of is not None:
                on = business_of(row)
                if on is not None and on > as_of:
                    continue
            grouped[key].append(row)
    return grouped


def _by_known_on(risks, as_of: date) -> dict[date, list[int]]:
    groups: dict[date, list[int]] = defaultdict(list)
    cutoff = end_of_day(as_of)
    for r in risks:
        groups[known_on(r, as_of, cutoff)].append(r.id)
    return groups


def links_at(risks, as_of: date) -> dict[int, list[int]]:
    """Committee ids per risk id of `risks` (rows from `risks_at`), as linked then (risks
    recorded later: as first recorded)."""
    out: dict[int, list[int]] = {}
    for day, ids in _by_known_on(risks, as_of).items():
        out.update(children_links(end_of_day(day), ids))
    return out


def held_as_at(risks, as_of: date, *, with_children: bool = True) -> list[RiskAsAt]:
    """`risks` (rows from `risks_at`, in the order given) with their children as held at the
    end of `as_of`: reviews and committee links; `with_children` also controls, gaps,
    assurances, actions and progress notes. A fixed number of statements: by id for a page of
    risks, each table read once for a whole register."""
    if not risks:
        return []
    reviews = children_at(ScoreRecord, risks, as_of, order=("recorded_on", "id"))
    links = links_at(risks, as_of)
    controls, gaps, assurances, actions = {}, {}, {}, {}
    progress: dict[int, list] = {}
    if with_children:
        controls = children_at(Control, risks, as_of)
        gaps = children_at(Gap, risks, as_of)
        assurances = children_at(Assurance, risks, as_of)
        actions = children_at(Action, risks, as_of)
        action_ids: dict[date, list[int]] = defaultdict(list)
        cutoff = end_of_day(as_of)
        for r in risks:
            action_ids[known_on(r, as_of, cutoff)] += [a.id for a in actions.get(r.id, ())]
        progress = children_at(ActionProgress, risks, as_of, order=("noted_on", "id"),
                               parent="action_id", parent_ids=action_ids)
    out = []
    cutoff = end_of_day(as_of)
    for risk in risks:
        day = known_on(risk, as_of, cutoff)
        risk_actions = tuple(actions.get(risk.id, ()))
        out.append(RiskAsAt(
            as_of=as_of, risk=risk, controls=tuple(controls.get(risk.id, ())),
            gaps=tuple(gaps.get(risk.id, ())), assurances=tuple(assurances.get(risk.id, ())),
            actions=risk_actions,
            # Newest first.
            progress={a.id: tuple(reversed(progress.get(a.id, ()))) for a in risk_actions},
            reviews=tuple(reviews.get(risk.id, ())),
            committee_ids=tuple(links.get(risk.id, ())),
            learnt_on=day if day != as_of else None))
    return out


def register_as_at(register_id: int | None, as_of: date, *,
                   risk_ids: list[int] | None = None,
                   with_children: bool = True) -> list[RiskAsAt]:
    """Every risk of the register (all registers: None) on the register at the end of
    `as_of` (`risks_at`: what riskapp held then, and risks it recorded later by their
    business dates), with its children as held then; by reference. A risk not yet opened then
    is absent.

    `with_children=False` reads only the risks, their reviews and committee links (what the
    heatmap and the movement table show): three tables, not eight."""
    return held_as_at(risks_at(register_id, as_of, risk_ids=risk_ids), as_of,
                      with_children=with_children)


def scores_at(risks, as_of: date) -> dict[int, tuple[int, int]]:
    """Each risk's (consequence, likelihood) in force at the end of `as_of`: its latest review
    held by then among the reviews known (risks recorded later: as first recorded). One
    window query per day known on, not every review read. A risk with no review: absent."""
    return {i: (c, lk) for i, (c, lk, _) in latest_reviews_at(risks, as_of).items()}


def latest_reviews_at(risks, as_of: date) -> dict[int, tuple[int, int, date]]:
    """`scores_at`, with the day each latest review was held: (consequence, likelihood,
    held on) by risk id."""
    out: dict[int, tuple[int, int, date]] = {}
    for day, ids in sorted(_by_known_on(risks, as_of).items()):
        # Known at the end of `as_of` itself: no review can be held after the day it was
        # recorded (a date held is never in the future), so the latest held is the one. Left
        # out of the SQL, that condition let SQLite pick the index by risk, not by date held:
        # about half the time at 60,000 reviews. Checked here all the same.
        found = _latest_reviews(day, ids, as_of if day != as_of else None)
        later = [i for i, (_, _, held) in found.items() if held > as_of]
        if later:
            found.update(_latest_reviews(day, later, as_of))
        out.update({i: row for i, row in found.items() if row[2] <= as_of})
    return out


def _latest_reviews(known: date, ids: list[int], held_by: date | None
                    ) -> dict[int, tuple[int, int, date]]:
    """(consequence, likelihood, day held) of the latest review held (by `held_by`, if given)
    of each of `ids`, among the reviews known at the end of `known`: one window query."""
    t = _table(ScoreRecord)
    held = _as_at(t, end_of_day(known))
    if held_by is not None:
        held = held.where(t.c.recorded_on <= held_by)
    if len(ids) < FEW:
        held = held.where(t.c.risk_id.in_(ids))
    held = held.subquery()
    ranked = select(held.c.risk_id, held.c.consequence, held.c.likelihood, held.c.recorded_on,
                    func.row_number().over(partition_by=held.c.risk_id,
                                           order_by=(held.c.recorded_on.desc(),
                                                     held.c.id.desc())).label("n")
                    ).subquery()
    wanted = set(ids)
    return {risk_id: (c, lk, on) for risk_id, c, lk, on, _ in db.session.execute(
        select(ranked).where(ranked.c.n == 1)) if risk_id in wanted}


def ever_in(register_id: int):
    """A SELECT of the ids of every risk ever in the register (its versions, and risks that
    left it): a superset of the risks on it on any day, cheaper to hand SQL than an IN list of
    thousands of ids."""
    from ..risks.models import FormerReference
    risks_v = _table(Risk)
    return select(risks_v.c.id).where(risks_v.c.register_id == register_id).union(
        select(FormerReference.risk_id).where(FormerReference.register_id == register_id))


def _moves() -> dict[int, list]:
    """Each moved risk's former places, in the order it left them: (until_on, register id,
    reference). Few rows: read whole."""
    from ..risks.models import FormerReference
    moves = defaultdict(list)
    for row in db.session.execute(select(
            FormerReference.risk_id, FormerReference.until_on, FormerReference.register_id,
            FormerReference.reference).order_by(FormerReference.until_on, FormerReference.id)):
        moves[row.risk_id].append(row)
    return moves


class _Placed(SimpleNamespace):
    """A risk's version with the register and reference it had on the day asked about."""


def _placed(row, moves, as_of: date):
    """`row` (a risk's version) in the register it was in at the end of `as_of`: the first
    register it left after that day, if any (a former reference records where a risk was until
    the day it moved), else the register of the version. The two agree for moves the version
    store saw; for moves made before it began (its first version of a risk is the risk as it
    then stood, in its new register) only the former reference knows."""
    if not moves:
        return row
    left = next((m for m in moves if as_of < m.until_on), None)
    if left is None or (left.register_id == row.register_id and
                        left.reference == row.reference):
        return row
    digits = "".join(ch for ch in left.reference if ch.isdigit())
    return _Placed(**{**row._asdict(), "register_id": left.register_id,
                      "reference": left.reference,
                      "number": int(digits) if digits else row.number})


def links_as_at(table, left: str, right: str, cutoff: datetime,
                left_ids=None) -> dict[int, set[int]]:
    """The links of a versioned many-to-many `table` (its `_version` table) in force at
    `cutoff`: the `right` ids of each `left` id.

    Continuum versions a link table by inserting a row per change (made, or removed:
    operation DELETE) but never ends the earlier row, so the validity read (`_as_at`) would
    still count a link removed before `cutoff`. The latest change of each link made before
    it decides instead. `left_ids` None: every link; a few: read by id; many (a whole
    register): the table read once and matched here."""
    versions = db.metadata.tables[table.name + "_version"]
    tx = versioning_manager.transaction_cls.__table__
    stmt = (select(versions.c[left], versions.c[right], versions.c.operation_type)
            .join(tx, tx.c.id == versions.c.transaction_id)
            .where(tx.c.issued_at < cutoff)
            .order_by(tx.c.issued_at, versions.c.transaction_id))
    wanted = None if left_ids is None else set(left_ids)
    if wanted is not None and len(wanted) < 500:
        stmt = stmt.where(versions.c[left].in_(wanted))
    linked: dict[tuple[int, int], bool] = {}
    for left_id, right_id, operation in db.session.execute(stmt):
        if wanted is None or left_id in wanted:
            linked[(left_id, right_id)] = operation != DELETED
    out: dict[int, set[int]] = defaultdict(set)
    for (left_id, right_id), present in linked.items():
        if present:
            out[left_id].add(right_id)
    return out


def children_links(cutoff: datetime, ids: list[int] | None) -> dict[int, list[int]]:
    """Committee ids per risk id, as linked at `cutoff`."""
    return {risk_id: sorted(committees) for risk_id, committees in
            links_as_at(risk_committees, "risk_id", "committee_id", cutoff, ids).items()}


def risk_as_at(reference: str, as_of: date):
    """One risk as held at the end of `as_of`, or None when riskapp did not hold it then."""
    from ..risks.models import FormerReference
    risks_v = _table(Risk)
    # The risk's id from today's row (indexed; ids never change), else from a reference it had
    # before it moved register, else from the versions. Ids, not references, decide: a risk
    # asked for by today's reference is shown as it was then, under its reference then.
    risk_id = db.session.scalar(select(Risk.id).where(Risk.reference == reference))
    if risk_id is None:
        risk_id = db.session.scalar(select(FormerReference.risk_id)
                                    .where(FormerReference.reference == reference))
    if risk_id is None:
        risk_id = db.session.scalar(select(risks_v.c.id).where(
            risks_v.c.reference == reference).order_by(risks_v.c.transaction_id.desc()).limit(1))
        if risk_id is None:
            return None
    held = register_as_at(None, as_of, risk_ids=[risk_id])
    return held[0] if held else None


def as_at_error(as_of: date | None, today: date) -> str | None:
    """Why a page, pack or export cannot be drawn as at the end of `as_of` (the words for the
    field), or None when it can: not in the future, not before the first day held."""
    from ..rules.record import as_at_problem
    needs_first = as_of is not None and as_of < today
    return as_at_problem(as_of, today=today, first_held=first_day_held() if needs_first else None)


def first_day_held() -> date | None:
    """The first day of the record: the earliest day a risk was opened, or riskapp first
    recorded one if earlier. An as-at date before it shows an empty register."""
    tx = versioning_manager.transaction_cls.__table__
    risks_v = _table(Risk)
    first = db.session.scalar(select(func.min(tx.c.issued_at)).select_from(
        risks_v.join(tx, tx.c.id == risks_v.c.transaction_id)))
    if first is None:
        return None
    opened = db.session.scalar(select(func.min(risks_v.c.opened_on)))
    recorded = learnt_day(first)
    return min(recorded, opened) if opened is not None else recorded


__all__ = ["RiskAsAt", "register_as_at", "risk_as_at", "risks_at", "held_as_at", "scores_at",
           "RegisterAt", "register_at", "page_at", "latest_review_then", "linked_then",
           "children_at", "links_at", "known_on", "latest_reviews_at", "recorded_later",
           "end_of_day", "first_day_held", "as_at_error"]
