"""Statements that load what the risk pages show, each in a fixed number of queries."""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from operator import attrgetter
from datetime import date
from types import SimpleNamespace

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, bindparam, func, literal_column, or_, select, union_all
from sqlalchemy.orm import aliased, joinedload, selectinload

from ..audit.models import AuditEntry
from ..auth.models import Directorate, User
from ..extensions import db
from ..loading import fill, unloaded, with_related
from ..rules import scoring
from . import search
from .models import (Action, ActionProgress, AppetiteLevel, Assurance, Band, Control, Gap,
                     Register, Risk, ScoreRecord, assurance_controls, risk_committees)

SORTS = {
    "reference": (Risk.reference,),
    "score": (Risk.current_score.desc(), Risk.reference),
    "title": (Risk.title, Risk.reference),
    "review": (Risk.next_review_date, Risk.reference),
    "owner": (User.name, Risk.reference),
}


@dataclass
class RiskFilters:
    q: str | None = None
    register_id: int | None = None
    status: str | None = None
    #: Anything with min_score and max_score: a scoring.Band of services.ordered_bands.
    band: scoring.Band | Band | None = None
    owner_id: int | None = None
    lead_id: int | None = None
    directorate_id: int | None = None
    committee_id: int | None = None
    above_appetite: bool = False
    #: A heatmap position: "current", "initial" or "target", and its consequence/likelihood.
    view: str = "current"
    consequence: int | None = None
    likelihood: int | None = None
    sort: str = "reference"


def position_columns(view: str):
    """The (consequence, likelihood) columns of the initial, current or target view."""
    if view == "initial":
        return Risk.initial_consequence, Risk.initial_likelihood
    if view == "target":
        return Risk.target_consequence, Risk.target_likelihood
    return Risk.current_consequence, Risk.current_likelihood


def _narrowed(stmt: Select, filters: RiskFilters) -> Select:
    """`stmt` (over Risk) kept to the risks matching `filters`."""
    if filters.register_id:
        stmt = stmt.where(Risk.register_id == filters.register_id)
    if filters.status:
        stmt = stmt.where(Risk.status == filters.status)
    if filters.band is not None:
        stmt = stmt.where(Risk.current_score.between(filters.band.min_score,
                                                     filters.band.max_score))
    if filters.owner_id:
        stmt = stmt.where(Risk.owner_id == filters.owner_id)
    if filters.lead_id:
        stmt = stmt.where(Risk.lead_id == filters.lead_id)
    if filters.directorate_id:
        stmt = stmt.where(Risk.directorate_id == filters.directorate_id)
    if filters.committee_id:
        stmt = stmt.where(Risk.id.in_(select(risk_committees.c.risk_id).where(
            risk_committees.c.committee_id == filters.committee_id)))
    if filters.above_appetite:
        stmt = stmt.join(AppetiteLevel, Risk.appetite_level_id == AppetiteLevel.id).where(
            Risk.current_score > AppetiteLevel.max_score)
    if filters.consequence or filters.likelihood:
        consequence, likelihood = position_columns(filters.view)
        if filters.consequence:
            stmt = stmt.where(consequence == filters.consequence)
        if filters.likelihood:
            stmt = stmt.where(likelihood == filters.likelihood)
    if filters.q:
        stmt = stmt.where(search.risk_matches(filters.q))
    return stmt


#: A risk's lead in rows of risks (User itself is the owner, so SORTS can name it).
Lead = aliased(User, name="lead")

#: What the risk list shows of each risk. `above_appetite` is scoring.is_above_appetite's
#: rule: a risk without an appetite level (NULL) is never above it.
LIST_COLUMNS = (Risk.reference, Risk.title, User.name.label("owner_name"),
                Lead.name.label("lead_name"), Risk.current_consequence, Risk.current_likelihood,
                Risk.target_consequence, Risk.target_likelihood, Risk.status,
                Risk.next_review_date,
                (Risk.current_score > AppetiteLevel.max_score).label("above_appetite"))


#: What /api/v1/risks gives of each risk (api/risks.py `row_summary`).
API_COLUMNS = (Risk.reference, Risk.title, Register.name.label("register_name"), Risk.status,
               Risk.owner_id, User.name.label("owner_name"), Risk.lead_id,
               Lead.name.label("lead_name"), Directorate.name.label("directorate_name"),
               Risk.initial_consequence, Risk.initial_likelihood, Risk.current_consequence,
               Risk.current_likelihood, Risk.target_consequence, Risk.target_likelihood,
               LIST_COLUMNS[-1], Risk.next_review_date, Risk.version)


def risk_rows(filters: RiskFilters, columns, limit: int, offset: int) -> Select:
    """One page of the risks matching `filters`, as plain rows of `columns`.

    `columns` may name Risk, User (the owner), Lead, Register, Directorate and AppetiteLevel.
    Rows, not Risk objects with five relationships loaded: building those cost a quarter of
    the risk list at 5,000 risks (issue 9). The page's ids are chosen first, joining nothing
    the order does not need, and only those 50 risks are joined: the last page of 5,000 took
    2 ms joining the 3,950 risks it skips.
    """
    order = SORTS.get(filters.sort, SORTS["reference"])
    ids = _narrowed(select(Risk.id), filters)
    if filters.sort == "owner":
        ids = ids.join(User, Risk.owner_id == User.id)
    ids = ids.order_by(*order).limit(limit).offset(offset)
    return _joined(columns).where(Risk.id.in_(ids)).order_by(*order)


@functools.cache
def _joined(columns: tuple) -> Select:
    """`columns` of risks with the tables they may name joined: the same for every page."""
    return (select(*columns).select_from(Risk)
            .join(User, Risk.owner_id == User.id)
            .join(Register, Risk.register_id == Register.id)
            .outerjoin(Lead, Risk.lead_id == Lead.id)
            .outerjoin(Directorate, Risk.directorate_id == Directorate.id)
            .outerjoin(AppetiteLevel, Risk.appetite_level_id == AppetiteLevel.id))


def risk_count(filters: RiskFilters) -> Select:
    """How many risks match `filters`, counted over risks alone (no joins a count needs not)."""
    return _narrowed(select(func.count()).select_from(Risk), filters)


class RowPagination(Pagination):
    """db.paginate's page of plain rows: `rows(limit, offset)` makes the page's statement and
    `total` is the count statement (db.paginate reads ORM entities, and counts a subquery of
    the whole statement with all its joins)."""

    def _query_items(self) -> list:
        return list(db.session.execute(self._query_args["rows"](self.per_page,
                                                                  self._query_offset)))

    def _query_count(self) -> int:
        return self._query_args["total"]()


def paginate_risks(filters: RiskFilters, columns, page: int, per_page: int) -> RowPagination:
    """A page of `risk_rows` and the number of risks matching `filters`, in two statements.
    `columns` is LIST_COLUMNS or API_COLUMNS."""
    return RowPagination(
        page=page, per_page=per_page, max_per_page=None, error_out=False,
        rows=lambda limit, offset: risk_rows(filters, columns, limit, offset),
        total=lambda: db.session.scalar(risk_count(filters)))


def current_reference(reference: str) -> str | None:
    """The reference a risk has now, found by its current reference or a former one (a risk
    escalated from CRR0042 to BAF0012 is still found as CRR0042), or None."""
    reference = reference.upper()
    found = db.session.scalar(select(Risk.reference).where(Risk.reference == reference))
    if found is None:
        from .models import FormerReference
        found = db.session.scalar(select(Risk.reference)
                                  .join(FormerReference, FormerReference.risk_id == Risk.id)
                                  .where(FormerReference.reference == reference))
    return found


def risk_id_by_reference(reference: str) -> int | None:
    current = current_reference(reference)
    return None if current is None else db.session.scalar(
        select(Risk.id).where(Risk.reference == current))


def risk_by_reference(reference: str) -> Select:
    """One risk with everything its page shows (by a former reference too)."""
    reference = current_reference(reference) or reference
    return (select(Risk).where(Risk.reference == reference.upper())
            .options(joinedload(Risk.owner), joinedload(Risk.lead), joinedload(Risk.register),
                     joinedload(Risk.directorate), joinedload(Risk.appetite_level),
                     selectinload(Risk.score_records).joinedload(ScoreRecord.recorded_by),
                     selectinload(Risk.controls).joinedload(Control.owner),
                     selectinload(Risk.assurances), selectinload(Risk.gaps),
                     selectinload(Risk.committees),
                     selectinload(Risk.actions).options(
                         joinedload(Action.assignee),
                         selectinload(Action.progress_notes).joinedload(ActionProgress.by))))


def load_risk_page(reference: str) -> Risk | None:
    """One risk with everything its page and the API's risk show, or None.

    A plain statement per table, filling the relationships with `set_committed_value`: the
    joinedload/selectinload chain of `risk_by_reference` cost 3 ms of CPU for a risk at
    5,000 risks, more than the statements it ran (issue 9); this is about a third of that.
    Filled: owner, lead, register, directorate, appetite level; score records with who
    recorded them; controls with owners; assurances; gaps; committees; actions with assignees
    and their progress notes with who wrote them. Each in its relationship's order. Only
    relationships not loaded yet are filled, so nothing in the session is overwritten, and
    anything not filled here still loads lazily when read.
    """
    risk = load_risk(reference)
    if risk is not None:
        fill_risk_page(risk)
    return risk


def load_risk(reference: str) -> Risk | None:
    """One risk with its owner, lead, register, directorate and appetite level (one
    statement), or None: its page's heading and permissions; the rest comes from
    `fill_risk_page` when a part of the page is drawn."""
    row = db.session.execute(_risk_page_statements().risk,
                             {"reference": reference.upper()}).first()
    if row is None:  # perhaps a reference it had before it moved register (issue 16)
        current = current_reference(reference)
        row = current and db.session.execute(_risk_page_statements().risk,
                                             {"reference": current}).first()
    if not row:
        return None
    risk = row[0]
    for name, related in zip(("owner", "lead", "register", "directorate", "appetite_level"),
                             row[1:]):
        fill(risk, name, related)
    return risk


def fill_risk_page(risk: Risk) -> None:
    """Fill what the rest of `load_risk_page` lists into a risk from `load_risk`."""
    page = _risk_page_statements()
    of_risk = {"risk_id": risk.id}
    for name, related, stmt in (("score_records", "recorded_by", page.score_records),
                                ("controls", "owner", page.controls),
                                ("actions", "assignee", page.actions)):
        if unloaded(risk, name):
            fill(risk, name, with_related(db.session.execute(stmt, of_risk), related))
    for name in ("assurances", "gaps", "committees"):
        if unloaded(risk, name):
            fill(risk, name, db.session.scalars(getattr(page, name), of_risk).all())
    if any(unloaded(action, "progress_notes") for action in risk.actions):
        notes: dict[int, list[ActionProgress]] = {}
        for note, by in db.session.execute(page.progress_notes, of_risk):
            fill(note, "by", by)
            notes.setdefault(note.action_id, []).append(note)
        for action in risk.actions:
            fill(action, "progress_notes", notes.get(action.id, []))
    for action in risk.actions:
        fill(action, "risk", risk)
    if any(unloaded(assurance, "controls") for assurance in risk.assurances):
        # The controls each assurance covers, from the risk's own controls: one statement
        # for the risk, not one per assurance.
        controls = {control.id: control for control in risk.controls}
        covered: dict[int, list[Control]] = {}
        for assurance_id, control_id in db.session.execute(page.covered_controls, of_risk):
            if control_id in controls:
                covered.setdefault(assurance_id, []).append(controls[control_id])
        for assurance in risk.assurances:
            fill(assurance, "controls", covered.get(assurance.id, []))


@functools.cache
def _risk_page_statements() -> SimpleNamespace:
    """load_risk_page's statements, built once: building them took a quarter of its time."""
    from ..committees.models import Committee
    risk_id = bindparam("risk_id")
    return SimpleNamespace(
        risk=select(Risk, User, Lead, Register, Directorate, AppetiteLevel)
        .join(User, Risk.owner_id == User.id).join(Register, Risk.register_id == Register.id)
        .outerjoin(Lead, Risk.lead_id == Lead.id)
        .outerjoin(Directorate, Risk.directorate_id == Directorate.id)
        .outerjoin(AppetiteLevel, Risk.appetite_level_id == AppetiteLevel.id)
        .where(Risk.reference == bindparam("reference")),
        score_records=select(ScoreRecord, User)
        .outerjoin(User, ScoreRecord.recorded_by_id == User.id)
        .where(ScoreRecord.risk_id == risk_id).order_by(ScoreRecord.recorded_on, ScoreRecord.id),
        controls=select(Control, User).outerjoin(User, Control.owner_id == User.id)
        .where(Control.risk_id == risk_id).order_by(Control.id),
        actions=select(Action, User).outerjoin(User, Action.assignee_id == User.id)
        .where(Action.risk_id == risk_id).order_by(Action.id),
        assurances=select(Assurance).where(Assurance.risk_id == risk_id).order_by(Assurance.id),
        gaps=select(Gap).where(Gap.risk_id == risk_id).order_by(Gap.id),
        covered_controls=select(assurance_controls.c.assurance_id, assurance_controls.c.control_id)
        .join(Assurance, Assurance.id == assurance_controls.c.assurance_id)
        .where(Assurance.risk_id == risk_id).order_by(assurance_controls.c.control_id),
        committees=select(Committee)
        .join(risk_committees, risk_committees.c.committee_id == Committee.id)
        .where(risk_committees.c.risk_id == risk_id).order_by(Committee.name),
        # All the risk's notes at once, through their actions, newest first as on an action.
        progress_notes=select(ActionProgress, User)
        .outerjoin(User, ActionProgress.by_id == User.id)
        .join(Action, ActionProgress.action_id == Action.id).where(Action.risk_id == risk_id)
        .order_by(ActionProgress.noted_on.desc(), ActionProgress.id.desc()))


#: How many of a risk's changes its page lists, newest first.
AUDIT_TRAIL_LIMIT = 200


def audit_trail(risk_id: int) -> list:
    """The risk's latest changes as rows of what its page shows, with who made them
    (`user_name`, None for the system): rows, not entries with their users as objects."""
    return db.session.execute(_audit_trail_statement(), {"risk_id": risk_id}).all()


def review_span(risk_id: int) -> tuple[date | None, date | None]:
    """The dates of a risk's first and latest score records (None, None without any): the
    risk page chooses its financial years by them."""
    return tuple(db.session.execute(select(func.min(ScoreRecord.recorded_on),
                                           func.max(ScoreRecord.recorded_on))
                                    .where(ScoreRecord.risk_id == risk_id)).one())


@functools.cache
def _audit_trail_statement():
    return (select(AuditEntry.at, User.name.label("user_name"), AuditEntry.object_type,
                   AuditEntry.operation, AuditEntry.field, AuditEntry.old_value,
                   AuditEntry.new_value)
            .outerjoin(User, AuditEntry.user_id == User.id)
            .where(AuditEntry.risk_id == bindparam("risk_id"))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(AUDIT_TRAIL_LIMIT))


def risks_for(user) -> Select:
    """The user's open risks as owner or lead, as rows of what "My risks" shows: soonest
    review first, none last, then by reference. Rows, not Risk objects with their owner,
    lead and register (which the page never showed): a third of the page for someone with
    100 risks (issue 9)."""
    return (select(Risk.reference, Risk.title, Risk.owner_id, Risk.lead_id,
                   Risk.current_consequence, Risk.current_likelihood, Risk.next_review_date)
            .where(or_(Risk.owner_id == user.id, Risk.lead_id == user.id), Risk.status == "Open")
            .order_by(Risk.next_review_date.is_(None), Risk.next_review_date, Risk.reference))


def registers() -> list[Register]:
    return list(db.session.scalars(select(Register).order_by(Register.id)))


def active_users() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active).order_by(User.name)))


@dataclass
class FilterChoices:
    """(value, label) choices of the risk list's register, directorate and committee filters."""
    registers: list[tuple[str, str]]
    directorates: list[tuple[str, str]]
    committees: list[tuple[str, str]]


def filter_choices() -> FilterChoices:
    """The three lists in one statement, read through Core (three ORM statements were 0.24 ms
    of the risk list, this is 0.06)."""
    lists: tuple[list, list, list] = ([], [], [])
    for kind, id_, name, _ in db.session.connection().execute(_filter_choices_statement()):
        lists[kind].append((str(id_), name))
    return FilterChoices(*lists)


@functools.cache
def _filter_choices_statement():
    """(kind, id, name): registers (0) by id, directorates (1) and committees (2) by name."""
    from ..committees.models import Committee
    kind, position = literal_column("kind"), literal_column("position")
    return union_all(
        select(literal_column("0").label("kind"), Register.id, Register.name,
               Register.id.label("position")),
        select(literal_column("1"), Directorate.id, Directorate.name, literal_column("0")),
        select(literal_column("2"), Committee.id, Committee.name, literal_column("0")),
    ).order_by(kind, position, literal_column("name"))


#: Every user, with whether they own and whether they lead a risk. EXISTS is an index lookup
#: a user; `IN (SELECT lead_id ...)` made SQLite list the 5,000 leads first (1.3 ms against
#: 0.4 ms at 5,000 risks).
_PEOPLE = (select(User.id, User.name, select(Risk.id).where(Risk.owner_id == User.id).exists(),
                  select(Risk.id).where(Risk.lead_id == User.id).exists())
           .order_by(User.name, User.id))


def risk_people(owner: str | None = None,
                lead: str | None = None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(id, name) choices of everyone who owns a risk, and of everyone who leads one.

    The risk list's owner and lead filters: at 5,000 risks, listing all 500 users in each
    cost 1,000 options a request (issue 9). Someone who has left still owns their risks, so
    they stay in the list. `owner` and `lead` (the ids in the request) are kept as choices
    even when they name nobody's risk, so the filter is applied (no risks) rather than
    silently dropped. One statement for both: every user with whether they own or lead a
    risk, not a statement each.
    """
    owners, leads = [], []
    # Through the session's connection (Core): the ORM's handling of 500 column-only rows
    # cost as much again as the statement (0.9 against 0.5 ms).
    for id_, name, owns, leads_one in db.session.connection().execute(_PEOPLE):
        choice = (str(id_), name)
        if owns or choice[0] == owner:
            owners.append(choice)
        if leads_one or choice[0] == lead:
            leads.append(choice)
    return owners, leads


#: The first choice of the owner and lead filters.
ANYONE = [("", "Anyone")]


def person_choices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The owner and lead filters' choices: "Anyone", then everyone who owns (leads) a risk."""
    owners, leads = risk_people()
    return ANYONE + owners, ANYONE + leads


def first_review_year(default: date) -> int:
    # MIN, not ORDER BY: sorting 60,000 records to read one took 380 ms (issue 9).
    first = db.session.scalar(select(func.min(ScoreRecord.recorded_on)))
    return (first or default).year


def movement_page(register_id: int | None, fy: int, *, page: int, per_page: int, today: date
                  ) -> tuple[RowPagination, list[tuple[str, list[scoring.MonthCell]]]]:
    """A page of a register's open risks, each with its month-end scores in `fy`.

    A page at a time: a large trust's register has thousands (issue 9: 4,250 open risks took
    1.9 s on one page; 50 a page keep it under 100 ms). The page and its score history are
    plain rows (id and reference; date and score): Risk and ScoreRecord objects, every column
    of each, were a third of the page's time.
    """
    chosen = (Risk.register_id == register_id, Risk.status == "Open")
    pagination = RowPagination(
        page=page, per_page=per_page, max_per_page=None, error_out=False,
        rows=lambda limit, offset: select(Risk.id, Risk.reference).where(*chosen)
        .order_by(Risk.reference).limit(limit).offset(offset),
        total=lambda: db.session.scalar(select(func.count()).select_from(Risk).where(*chosen)))
    history: dict[int, list[scoring.ScorePoint]] = {risk.id: [] for risk in pagination.items}
    if history:
        for risk_id, on, consequence, likelihood in db.session.execute(
                select(ScoreRecord.risk_id, ScoreRecord.recorded_on, ScoreRecord.consequence,
                       ScoreRecord.likelihood).where(ScoreRecord.risk_id.in_(list(history)))
                .order_by(ScoreRecord.risk_id, ScoreRecord.recorded_on, ScoreRecord.id)):
            history[risk_id].append(scoring.ScorePoint(on, consequence, likelihood))
    rows = [(risk.reference, scoring.movement(history[risk.id], fy, today))
            for risk in pagination.items]
    return pagination, rows


class ListPagination(Pagination):
    """A page of rows already read: `items_of` is the whole list (worked out in Python), or
    the page itself with `total` the count of the whole (paged in SQL, as `record.as_at.
    page_at` does for the register as at a past day)."""

    def _query_items(self) -> list:
        rows = self._query_args["items_of"]
        if self._query_args.get("total") is not None:
            return rows
        return rows[self._query_offset:self._query_offset + self.per_page]

    def _query_count(self) -> int:
        if self._query_args.get("total") is not None:
            return self._query_args["total"]
        return len(self._query_args["items_of"])


def movement_page_as_at(register_id: int | None, fy: int, as_of: date, *, page: int,
                        per_page: int
                        ) -> tuple[Pagination, list[tuple[str, list[scoring.MonthCell]]], int]:
    """The movement table as riskapp held it at the end of `as_of` (the version store): the
    register's risks open then, under their references then, with the reviews known then;
    months after `as_of` left blank. Also how many of them riskapp recorded only after
    `as_of` (shown as first recorded, by the days their reviews were held)."""
    from ..record.as_at import held_as_at, page_at, recorded_later, register_at
    # The page of risks in SQL (a count and the page), then the reviews of the page only.
    items, total, others = page_at(
        register_at(register_id, as_of), where=[lambda c: c.status == "Open"],
        keep=lambda r: r.status == "Open", order=lambda c: (c.reference,),
        key=attrgetter("reference"), start=(page - 1) * per_page, size=per_page)
    pagination = ListPagination(page=page, per_page=per_page, max_per_page=None,
                                error_out=False, items_of=items, total=total)
    rows = [(r.reference, scoring.movement(
        [scoring.ScorePoint(s.recorded_on, s.consequence, s.likelihood) for s in r.reviews],
        fy, as_of)) for r in held_as_at(pagination.items, as_of, with_children=False)]
    return pagination, rows, recorded_later(others, as_of)


def _current_then(r, scores) -> tuple[int, int]:
    """A risk's (consequence, likelihood) then: its latest review held by the day (`scores`,
    from `record.as_at.latest_reviews_at`), else its own."""
    return scores.get(r.id, (r.current_consequence, r.current_likelihood))[:2]


def _next_review_then(r, scores, as_of: date, cutoff, bands) -> date | None:
    """As held then; a risk recorded later: from its last review held by the day, at its own
    or its band's frequency (the date it was recorded with is later than the day)."""
    if r.learnt_at < cutoff or r.status != "Open":
        return r.next_review_date
    if r.id not in scores:
        return None
    consequence, likelihood = _current_then(r, scores)
    band = scoring.band_for(consequence * likelihood, bands)
    return scoring.next_review_date(
        scores[r.id][2], r.review_frequency_months or (band.review_months if band else 3))


#: What the risk list as at a day reads of each risk (with `record.as_at.PLACING`): what it
#: filters, sorts and shows; not the descriptions, which made every row wide.
AS_AT_LIST_COLUMNS = ("title", "owner_id", "lead_id", "directorate_id", "appetite_level_id",
                      "current_consequence", "current_likelihood", "initial_consequence",
                      "initial_likelihood", "target_consequence", "target_likelihood",
                      "next_review_date", "review_frequency_months")


def _list_page_in_sql(filters: RiskFilters, as_of: date, bands, names: dict, limits: dict, *,
                      page: int, per_page: int) -> tuple[Pagination, list]:
    """`list_page_as_at` without a words filter: filtered, counted, sorted and
    paged in SQL (`record.as_at.page_at`; the score then, a correlated lookup of the latest
    review held by the day), the few risks read in Python (moved since, recorded later) tested
    and sorted alike and merged in. Also the chosen ones of those (only they can be "recorded
    later")."""
    from ..record.as_at import (end_of_day, latest_review_then, latest_reviews_at, linked_then,
                                links_at, page_at, register_at)
    register = register_at(filters.register_id, as_of, columns=AS_AT_LIST_COLUMNS)
    cutoff = end_of_day(as_of)
    others = {r.id for r in register.others}
    # The others' scores then, read as for a whole register (few rows).
    others_scores = latest_reviews_at(register.others, as_of) if others else {}

    def then(c, of_review, own):
        """SQL: `of_review` (of the review versions' columns) of the latest review held by
        the day, else `own` (the risk's own column)."""
        return func.coalesce(latest_review_then(c.id, as_of, of_review), own)

    def score_sql(c):
        return then(c, lambda s: s.consequence * s.likelihood,
                    c.current_consequence * c.current_likelihood)

    def score(r) -> int:
        if r.id in others:
            consequence, likelihood = _current_then(r, others_scores)
            return consequence * likelihood
        return r.score_then

    where, tests = [], []
    for name, value in (("status", filters.status), ("owner_id", filters.owner_id),
                        ("lead_id", filters.lead_id), ("directorate_id", filters.directorate_id)):
        if value is not None:
            where.append(lambda c, name=name, value=value: c[name] == value)
            tests.append(lambda r, name=name, value=value: getattr(r, name) == value)
    if filters.committee_id is not None:
        committee = filters.committee_id
        where.append(lambda c: linked_then(c.id, committee, as_of))
        others_links = links_at(register.others, as_of) if others else {}
        tests.append(lambda r: committee in others_links.get(r.id, ()))
    # The score then, and the position then (consequence * 10 + likelihood, as the heatmap
    # numbers its cells) for a heatmap position filter. Filtered by: worked out once per risk
    # chosen so far, in a MATERIALIZED CTE: put in a WHERE, PostgreSQL misjudged how many rows
    # it keeps and nested its joins (1.1 s at 5,000 risks, not 40 ms).
    position_then = filters.view not in ("initial", "target") and (
        filters.consequence is not None or filters.likelihood is not None)
    held, scored = register.held, []
    if filters.sort == "score" or filters.band is not None or filters.above_appetite:
        scored.append(score_sql(held.c).label("score_then"))
    if position_then:
        scored.append(then(held.c, lambda s: s.consequence * 10 + s.likelihood,
                           held.c.current_consequence * 10 + held.c.current_likelihood)
                      .label("position_then"))
    if scored:
        scored = select(held, *scored).where(*[w(held.c) for w in where])
        # Only sorted by it: a plain subquery, the lookup made as the rows are ordered and
        # again for the page's rows only (a CTE would cost a third more on PostgreSQL).
        filtered_by_it = (filters.band is not None or filters.above_appetite
                          or position_then)
        register = dataclasses.replace(register, held=(
            scored.cte("scored").prefix_with("MATERIALIZED") if filtered_by_it
            else scored.subquery("scored")))
    if filters.band is not None:
        low, high = filters.band.min_score, filters.band.max_score
        where.append(lambda c: c.score_then.between(low, high))
        tests.append(lambda r: low <= score(r) <= high)
    if filters.above_appetite:
        where.append(lambda c: c.score_then > select(AppetiteLevel.max_score).where(
            AppetiteLevel.id == c.appetite_level_id).scalar_subquery())
        tests.append(lambda r: scoring.is_above_appetite(score(r),
                                                         limits.get(r.appetite_level_id)))
    for wanted, part in ((filters.consequence, 0), (filters.likelihood, 1)):
        if wanted is None:
            continue
        if filters.view in ("initial", "target"):
            name = f"{filters.view}_{('consequence', 'likelihood')[part]}"
            where.append(lambda c, name=name, wanted=wanted: c[name] == wanted)
            tests.append(lambda r, name=name, wanted=wanted: getattr(r, name) == wanted)
        elif part == 0:
            where.append(lambda c, wanted=wanted: c.position_then.between(wanted * 10,
                                                                         wanted * 10 + 9))
        else:
            where.append(lambda c, wanted=wanted: c.position_then % 10 == wanted)
        if filters.view not in ("initial", "target"):
            tests.append(lambda r, part=part, wanted=wanted:
                         _current_then(r, others_scores)[part] == wanted)
    # Each sort twice: in SQL (`order`) and in Python for merging the others (`key`).
    if filters.sort == "score":
        def order(c):
            return c.score_then.desc(), c.reference

        def key(r):
            return -score(r), r.reference
    elif filters.sort == "title":
        def order(c):
            return c.title, c.reference
        key = attrgetter("title", "reference")
    elif filters.sort == "owner":
        def order(c):
            name = select(User.name).where(User.id == c.owner_id).scalar_subquery()
            return func.coalesce(name, ""), c.reference

        def key(r):
            return names.get(r.owner_id, ""), r.reference
    elif filters.sort == "review":
        def order(c):
            return c.next_review_date.is_(None), c.next_review_date, c.reference

        def key(r):
            due = _next_review_then(r, others_scores, as_of, cutoff, bands)
            return due is None, due or as_of, r.reference
    else:
        def order(c):
            return (c.reference,)
        key = attrgetter("reference")
    items, total, chosen = page_at(
        register, where=where, keep=lambda r: all(test(r) for test in tests), order=order,
        key=key, start=(page - 1) * per_page, size=per_page)
    return ListPagination(page=page, per_page=per_page, max_per_page=None, error_out=False,
                          items_of=items, total=total), chosen


def list_page_as_at(filters: RiskFilters, as_of: date, bands, *, page: int, per_page: int
                    ) -> tuple[Pagination, int]:
    """The risk list as riskapp held the register at the end of `as_of` (the version store):
    the risks on it then, narrowed by the list's filters as they stood then, sorted, and only
    the page's rows made; and how many of the risks riskapp recorded only after `as_of`.

    Without a words filter, in SQL (`_list_page_in_sql`), the score then read for the page
    only. With one: the risks on the register then (`record.as_at.risks_at`, one
    statement) narrowed and sorted here, the score then read for every risk only when a
    filter or the sort needs it (one window query).
    `bands` (ordered): a risk recorded later is next due from its last review held by
    `as_of`, at its own or its band's frequency, not from the date it was recorded with."""
    from ..record.as_at import end_of_day, latest_reviews_at, recorded_later
    limits = dict(db.session.execute(select(AppetiteLevel.id, AppetiteLevel.max_score)).all())
    names = dict(db.session.execute(select(User.id, User.name)).all())
    cutoff = end_of_day(as_of)
    if not filters.q:
        pagination, chosen = _list_page_in_sql(filters, as_of, bands, names, limits, page=page,
                                               per_page=per_page)
        scores = latest_reviews_at(pagination.items, as_of)
    else:
        pagination, chosen, scores = _list_page_in_python(filters, as_of, bands, names, limits,
                                                          page=page, per_page=per_page)

    def above(r) -> bool:
        consequence, likelihood = _current_then(r, scores)
        return scoring.is_above_appetite(consequence * likelihood,
                                         limits.get(r.appetite_level_id))

    pagination.items = [SimpleNamespace(
        reference=r.reference, title=r.title, owner_name=names.get(r.owner_id, ""),
        lead_name=names.get(r.lead_id), current_consequence=_current_then(r, scores)[0],
        current_likelihood=_current_then(r, scores)[1],
        target_consequence=r.target_consequence, target_likelihood=r.target_likelihood,
        status=r.status, next_review_date=_next_review_then(r, scores, as_of, cutoff, bands),
        above_appetite=above(r))
        for r in pagination.items]
    return pagination, recorded_later(chosen, as_of)


def _list_page_in_python(filters: RiskFilters, as_of: date, bands, names: dict, limits: dict,
                         *, page: int, per_page: int) -> tuple[Pagination, list, dict]:
    """`list_page_as_at` with a words filter: the whole register then read and narrowed here
    (words as typed, Python's `casefold`, have no SQL form the same). Also the
    risks chosen, and the scores then of the page's risks (of every risk when a filter or the
    sort needed them)."""
    from ..record.as_at import end_of_day, latest_reviews_at, links_at, risks_at
    risks = [r for r in risks_at(filters.register_id, as_of)
             if (filters.status is None or r.status == filters.status)
             and (filters.owner_id is None or r.owner_id == filters.owner_id)
             and (filters.lead_id is None or r.lead_id == filters.lead_id)
             and (filters.directorate_id is None or r.directorate_id == filters.directorate_id)]
    if filters.committee_id is not None:
        links = links_at(risks, as_of)
        risks = [r for r in risks if filters.committee_id in links.get(r.id, ())]
    if filters.q:
        # Words as typed, in the reference, title or description then (the live list's
        # search index holds today's text only).
        words = filters.q.casefold().split()
        risks = [r for r in risks if all(
            w in f"{r.reference} {r.title} {r.description or ''}".casefold() for w in words)]
    needs_scores = (filters.band is not None or filters.above_appetite
                    or filters.sort in ("score", "review") or (filters.view == "current" and (
                        filters.consequence is not None or filters.likelihood is not None)))
    scores = latest_reviews_at(risks, as_of) if needs_scores else {}
    cutoff = end_of_day(as_of)

    def current(r) -> tuple[int, int]:
        return _current_then(r, scores)

    def next_review(r) -> date | None:
        return _next_review_then(r, scores, as_of, cutoff, bands)

    if filters.band is not None:
        risks = [r for r in risks
                 if filters.band.min_score <= current(r)[0] * current(r)[1]
                 <= filters.band.max_score]
    if filters.above_appetite:
        risks = [r for r in risks if scoring.is_above_appetite(
            current(r)[0] * current(r)[1], limits.get(r.appetite_level_id))]
    if filters.consequence is not None or filters.likelihood is not None:
        def position(r):
            if filters.view == "initial":
                return r.initial_consequence, r.initial_likelihood
            if filters.view == "target":
                return r.target_consequence, r.target_likelihood
            return current(r)
        risks = [r for r in risks if
                 (filters.consequence is None or position(r)[0] == filters.consequence) and
                 (filters.likelihood is None or position(r)[1] == filters.likelihood)]
    if filters.sort == "score":
        risks.sort(key=lambda r: (-current(r)[0] * current(r)[1], r.reference))
    elif filters.sort == "title":
        risks.sort(key=lambda r: (r.title, r.reference))
    elif filters.sort == "review":
        risks.sort(key=lambda r: (next_review(r) is None, next_review(r) or as_of,
                                  r.reference))
    elif filters.sort == "owner":
        risks.sort(key=lambda r: (names.get(r.owner_id, ""), r.reference))
    pagination = ListPagination(page=page, per_page=per_page, max_per_page=None,
                                error_out=False, items_of=risks)
    if not needs_scores:
        scores = latest_reviews_at(pagination.items, as_of)
    return pagination, risks, scores


PERSON_FIELDS = ("owner_id", "lead_id", "assignee_id")


def people_named_in(trail) -> dict[str, str]:
    """Names of the users whose ids appear as values in audit entries, to show names not ids."""
    ids = {int(v) for e in trail if e.field in PERSON_FIELDS
           for v in (e.old_value, e.new_value) if v and v.isdigit()}
    if not ids:
        return {}
    return {str(u.id): u.name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
