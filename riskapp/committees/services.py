"""Committee verbs and the adapter from database rows to the quoracy rule's dataclasses.

Services flush, never commit: the caller (view, API, command) commits once.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
import logging
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import (Integer, Select, and_, bindparam, func, literal_column, or_, select,
                        union_all)
from sqlalchemy.orm import aliased

from ..extensions import db
from ..loading import fill, unloaded, with_related
from ..rules import quoracy
from ..rules.scoring import add_months
from .models import CommitteeMember, Committee, TermsOfReference, TorPosition, TorRequirement

logger = logging.getLogger(__name__)

#: DESIGN.md: review due at most two years after approval.
MAX_REVIEW_MONTHS = 24


class CommitteeError(ValueError):
    """A refused change, with the field it is about (for forms and the API)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


# ---------------------------------------------------------------------------------------------
# Queries


@functools.cache
def committee_rows() -> Select:
    """The committees list's figures, a plain row a committee, in one statement.

    The list and the API's list show a few columns of each committee; loading every
    committee with its members, their users and every version of its terms as objects cost
    14 ms for 57 rows at a large trust (issue 9). `member_count` counts memberships not
    ended (as the list always has), `tor_version` and `tor_review_due` are those of the
    version in force (at most one: a unique index says so), or None. The statement takes no
    arguments, so it is built once: building it cost a quarter of the list's time.
    """
    from ..risks.models import risk_committees
    parent = aliased(Committee)
    in_force = aliased(TermsOfReference)
    members = (select(func.count()).where(CommitteeMember.committee_id == Committee.id,
                                          CommitteeMember.ended_on.is_(None))
               .scalar_subquery())
    risks = (select(func.count()).where(risk_committees.c.committee_id == Committee.id)
             .scalar_subquery())
    return (select(Committee.id, Committee.name, Committee.short_name, Committee.kind,
                   Committee.parent_id, parent.name.label("parent_name"),
                   Committee.dissolved_on,
                   in_force.version.label("tor_version"),
                   in_force.review_due.label("tor_review_due"),
                   members.label("member_count"), risks.label("risk_count"))
            .outerjoin(parent, Committee.parent_id == parent.id)
            .outerjoin(in_force, and_(in_force.committee_id == Committee.id,
                                      in_force.status == "in_force"))
            .order_by(Committee.dissolved_on.is_not(None), Committee.parent_id.is_not(None),
                      Committee.name))


#: The committee page lists this many of the risks a committee oversees, the rest being on the
#: risk list filtered to the committee (a board oversees 150 or more at a large trust).
RISKS_SHOWN = 25
#: The committee page's meetings, a page at a time (a year of a monthly committee's): a large
#: trust's committee holds forty over five years, and every one was listed (issue 9).
MEETINGS_PER_PAGE = 12


def load_for_page(committee_id: int, *, rules: bool = True) -> Committee | None:
    """The committee with what its page reads, or None: a plain statement per table.

    Filled: its parent, its terms of reference and its members with their users; with
    `rules` (the committee page) also its sub-groups and the positions and requirements of
    the version in force (the warnings and the members' roles); without (the attendance
    report) not. Not its risks: the page lists a few as plain rows (`risk_rows`).
    Issue 9: the loader-option chains this replaces were nearly half the page at 5,000
    risks. Only relationships not loaded yet are filled, so nothing in the session is
    overwritten, and anything not filled here still loads lazily when read.
    """
    st = _page_statements()
    if rules:
        # The committee, its parent and its sub-groups come from one table: one statement.
        family = db.session.scalars(st.family, {"id": committee_id}).all()
        committee = next((c for c in family if c.id == committee_id), None)
        if committee is None:
            return None
        fill(committee, "parent", next((c for c in family if c.id == committee.parent_id),
                                       None))
        fill(committee, "children", [c for c in family if c.parent_id == committee.id])
    else:
        row = db.session.execute(st.committee, {"id": committee_id}).first()
        if row is None:
            return None
        committee, parent = row
        fill(committee, "parent", parent)
    fill_terms_and_members(committee, tor_in_force if rules else None)
    return committee


def fill_terms_and_members(committee: Committee,
                           version: Callable[[Committee], TermsOfReference | None] | None
                           ) -> None:
    """Fill the committee's terms of reference and its members with their users, and the
    positions and requirements of the version `version(committee)` chooses (none if None).

    Shared by the committee pages (the version in force) and the meeting pages (the version
    governing the meeting's day): plain statements, see `load_for_page`.
    """
    st = _page_statements()
    if unloaded(committee, "terms") and version is None:
        fill(committee, "terms", db.session.scalars(st.terms, {"id": committee.id}).all())
    elif unloaded(committee, "terms"):
        # With the positions and requirements of every approved version in the same
        # statement: a committee has one or two, one of them the version chosen (drafts
        # govern no meeting). A row is a version with one position, or with one requirement.
        terms: dict[int, TermsOfReference] = {}
        rules: dict[int, tuple[list[TorPosition], list[TorRequirement]]] = {}
        for tor, position, requirement in db.session.execute(st.terms_with_rules,
                                                             {"id": committee.id}):
            terms.setdefault(tor.id, tor)
            positions, requirements = rules.setdefault(tor.id, ([], []))
            if position is not None:
                positions.append(position)
            if requirement is not None:
                requirements.append(requirement)
        fill(committee, "terms", list(terms.values()))
        for tor_id, (positions, requirements) in rules.items():
            if terms[tor_id].status != "draft":
                fill(terms[tor_id], "positions", positions)
                fill(terms[tor_id], "requirements", requirements)
    tor = version(committee) if version else None
    if tor is not None:
        for name in ("positions", "requirements"):
            if unloaded(tor, name):
                fill(tor, name, db.session.scalars(getattr(st, name), {"id": tor.id}).all())
    if unloaded(committee, "members"):
        # With their users in the same statement: a member's name is their user's name.
        fill(committee, "members",
             with_related(db.session.execute(st.members, {"id": committee.id}), "user"))


def risk_rows(committee_id: int, limit: int = RISKS_SHOWN) -> list:
    """The first `limit` risks a committee oversees, in reference order, as plain rows.

    `total` (a window count, taken before the limit) is how many it oversees in all, so the
    page can say so without a second statement. Loading all of them as Risk objects was a
    third of the committee page at 5,000 risks (issue 9).
    """
    return db.session.execute(_page_statements().risks,
                              {"id": committee_id, "limit": limit}).all()


class MeetingPage(Pagination):
    """A page of a committee's meetings, latest first, as plain rows (id, starts_at, status).

    The total comes with the rows (a window count); only a page past the last one asks for
    it separately.
    """

    def _query_items(self) -> list:
        rows = db.session.execute(_page_statements().meetings, {
            "id": self._query_args["committee_id"], "limit": self.per_page,
            "offset": self._query_offset}).all()
        self._total = rows[0].total if rows else None
        return rows

    def _query_count(self) -> int:
        if self._total is not None:
            return self._total
        return db.session.scalar(_page_statements().meeting_count,
                                 {"id": self._query_args["committee_id"]})


def meeting_page(committee_id: int, page: int) -> MeetingPage:
    """Page `page` of the committee's meetings; past the last page (an old link), the last."""
    found = MeetingPage(page=page, per_page=MEETINGS_PER_PAGE, max_per_page=None,
                        error_out=False, committee_id=committee_id)
    if not found.items and found.total:
        found = MeetingPage(page=found.pages, per_page=MEETINGS_PER_PAGE, max_per_page=None,
                            error_out=False, committee_id=committee_id)
    return found


@functools.cache
def _page_statements() -> SimpleNamespace:
    """The committee page's statements, built once: building them cost as much as running
    them."""
    from ..auth.models import User
    from ..meetings.models import Meeting
    id_ = bindparam("id")
    parent = aliased(Committee)
    # Two rows, 1 and 2: joined to a version, its positions go beside 1 and its
    # requirements beside 2, so one statement reads both without pairing each with each.
    side = union_all(select(literal_column("1", Integer).label("n")),
                     select(literal_column("2", Integer).label("n"))).subquery("side")
    return SimpleNamespace(
        committee=select(Committee, parent).outerjoin(parent, Committee.parent_id == parent.id)
        .where(Committee.id == id_),
        # The committee, its parent and its sub-groups (by name, as `children` lists them).
        family=select(Committee).where(or_(
            Committee.id == id_, Committee.parent_id == id_,
            Committee.id == select(parent.parent_id).where(parent.id == id_).scalar_subquery()))
        .order_by(Committee.name),
        terms=select(TermsOfReference).where(TermsOfReference.committee_id == id_)
        .order_by(TermsOfReference.id),
        terms_with_rules=select(TermsOfReference, TorPosition, TorRequirement)
        .outerjoin(side, TermsOfReference.status != "draft")
        .outerjoin(TorPosition, and_(side.c.n == 1, TorPosition.tor_id == TermsOfReference.id))
        .outerjoin(TorRequirement, and_(side.c.n == 2,
                                        TorRequirement.tor_id == TermsOfReference.id))
        .where(TermsOfReference.committee_id == id_)
        .order_by(TermsOfReference.id, side.c.n, TorPosition.sort_order, TorPosition.id,
                  TorRequirement.sort_order, TorRequirement.id),
        positions=select(TorPosition).where(TorPosition.tor_id == id_)
        .order_by(TorPosition.sort_order, TorPosition.id),
        requirements=select(TorRequirement).where(TorRequirement.tor_id == id_)
        .order_by(TorRequirement.sort_order, TorRequirement.id),
        members=select(CommitteeMember, User).outerjoin(CommitteeMember.user)
        .where(CommitteeMember.committee_id == id_).order_by(CommitteeMember.id),
        risks=_risk_rows_statement(id_),
        # The id breaks ties between meetings at the same time, as on the meetings list.
        meetings=select(Meeting.id, Meeting.starts_at, Meeting.status, Meeting.minutes_status,
                        func.count().over().label("total"))
        .where(Meeting.committee_id == id_)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(bindparam("limit")).offset(bindparam("offset")),
        meeting_count=select(func.count()).select_from(Meeting).where(Meeting.committee_id == id_),
    )


def _risk_rows_statement(id_) -> Select:
    """The committee's risks with their count, sorted and cut to the page outside a derived
    table: the window count keeps the database from merging it into the outer select.

    Joined and sorted in one select, PostgreSQL walked every risk in reference order and
    probed each for the committee (4.7 ms of the committee page at 5,000 risks, issue 9);
    from the committee's own links it reads its 150 or so risks and sorts those.
    """
    from ..risks.models import Risk, risk_committees
    overseen = (select(Risk.reference, Risk.title, Risk.current_consequence,
                       Risk.current_likelihood, Risk.status, func.count().over().label("total"))
                .select_from(risk_committees)
                .join(Risk, Risk.id == risk_committees.c.risk_id)
                .where(risk_committees.c.committee_id == id_).subquery("overseen"))
    return select(overseen).order_by(overseen.c.reference).limit(bindparam("limit"))


def tor_in_force(committee: Committee) -> TermsOfReference | None:
    return next((t for t in committee.terms if t.status == "in_force"), None)


def tor_on(committee: Committee, day: date) -> TermsOfReference | None:
    """Return the version that governed `day`: the latest approved on or before it.

    A meeting before any approval uses the version in force now.
    """
    approved = [t for t in committee.terms
                if t.status in ("in_force", "superseded") and t.approved_on
                and t.approved_on <= day]
    if approved:
        return max(approved, key=lambda t: (t.approved_on, t.id))
    return tor_in_force(committee)


def current_members(committee: Committee, on: date) -> list[CommitteeMember]:
    return [m for m in committee.members if m.is_current(on)]


# ---------------------------------------------------------------------------------------------
# The adapter: rows -> rules.quoracy dataclasses


@dataclass
class RuleInputs:
    rule: quoracy.QuorumRule
    positions: dict[str, quoracy.Position]
    members: list[quoracy.Member]
    #: Positions a member holds that this version does not name (ignored, with a warning).
    unknown: list[str]


def rule_inputs(tor: TermsOfReference, members: list[CommitteeMember]) -> RuleInputs:
    """Build the quorum rule, positions and members of one ToR version for the rules module."""
    positions = {p.name: quoracy.Position(p.name, p.category, p.voting, p.chair, p.deputy_chair)
                 for p in tor.positions}
    requirements = tuple(
        quoracy.Requirement(r.label, r.count, frozenset(r.positions or ()),
                            frozenset(r.categories or ()))
        for r in tor.requirements)
    rule = quoracy.QuorumRule(requirements, tor.min_voting_members, tor.deputy_policy)
    unknown: list[str] = []
    rule_members = []
    for m in members:
        held = tuple(p for p in (m.positions or []) if p in positions)
        for p in m.positions or []:
            if p not in positions:
                unknown.append(f"{m.name} holds {p!r}, a position v{tor.version} does not name")
        rule_members.append(quoracy.Member(m.id, m.name, held))
    return RuleInputs(rule, positions, rule_members, unknown)


def membership_warnings(committee: Committee, today: date) -> list[str]:
    """Return why the rule in force cannot be met by the current membership (accepted, shown)."""
    tor = tor_in_force(committee)
    if tor is None:
        return ["No terms of reference are in force."]
    inputs = rule_inputs(tor, current_members(committee, today))
    return inputs.unknown + quoracy.unmeetable_requirements(
        inputs.rule, inputs.positions, inputs.members)


def quoracy_json(result: quoracy.QuoracyResult) -> dict:
    """The API's and page's shape of a quoracy decision."""
    return {
        "quorate": result.quorate,
        "filled": [{"requirement": f.requirement, "by": f.by} for f in result.filled],
        "unfilled": result.shortfalls,
        "not_counted": [{"who": n.who, "why": n.why} for n in result.not_counted],
    }


def check_quoracy(committee: Committee, present: list[int], deputies: list[tuple[int, str]],
                  excluded: list[int], today: date) -> quoracy.QuoracyResult:
    """Answer "what if these members attend" on the rule in force, saving nothing."""
    tor = tor_in_force(committee)
    if tor is None:
        raise CommitteeError("The committee has no terms of reference in force")
    members = current_members(committee, today)
    ids = {m.id for m in members}
    for field, values in (("present", present), ("excluded", excluded),
                          ("deputies", [d[0] for d in deputies])):
        unknown = sorted(set(values) - ids)
        if unknown:
            raise CommitteeError(f"not current members of this committee: {unknown}", field)
    inputs = rule_inputs(tor, members)
    return quoracy.decide_quoracy(inputs.rule, inputs.positions, inputs.members, present,
                                  [quoracy.Deputy(i, n) for i, n in deputies], excluded)


# ---------------------------------------------------------------------------------------------
# Terms of reference


def create_draft(committee: Committee, version: str) -> TermsOfReference:
    """Start a new draft, copying the text and rules of the version in force."""
    require_active(committee)
    if any(t.version == version for t in committee.terms):
        raise CommitteeError(f"Version {version} already exists", "version")
    if any(t.status == "draft" for t in committee.terms):
        raise CommitteeError("There is already a draft: edit it or approve it first", "version")
    base = tor_in_force(committee)
    draft = TermsOfReference(committee=committee, version=version, status="draft")
    db.session.add(draft)
    if base is not None:
        for name in ("text", "deputy_policy", "majority_base", "voting_rule",
                     "papers_deadline_days", "attendance_threshold_percent", "frequency",
                     "min_voting_members"):
            setattr(draft, name, getattr(base, name))
        draft.positions = [TorPosition(name=p.name, category=p.category, voting=p.voting,
                                       chair=p.chair, deputy_chair=p.deputy_chair,
                                       sort_order=p.sort_order) for p in base.positions]
        draft.requirements = [TorRequirement(label=r.label, count=r.count,
                                             positions=list(r.positions or []),
                                             categories=list(r.categories or []),
                                             sort_order=r.sort_order)
                              for r in base.requirements]
    db.session.add(draft)
    db.session.flush()
    return draft


def require_draft(tor: TermsOfReference) -> None:
    require_active(tor.committee)
    if tor.status != "draft":
        raise CommitteeError(
            f"Version {tor.version} is {tor.status_label.lower()}: start a new draft to change it")


def update_tor(tor: TermsOfReference, data: dict) -> None:
    require_draft(tor)
    for name in ("version", "text", "deputy_policy", "majority_base", "voting_rule",
                 "papers_deadline_days", "attendance_threshold_percent", "frequency",
                 "min_voting_members"):
        if name in data:
            setattr(tor, name, data[name])
    db.session.flush()


def add_position(tor: TermsOfReference, data: dict) -> TorPosition:
    require_draft(tor)
    if any(p.name == data["name"] for p in tor.positions):
        raise CommitteeError(f"Version {tor.version} already has a position called "
                             f"{data['name']!r}", "name")
    position = TorPosition(sort_order=len(tor.positions) + 1, **data)
    tor.positions.append(position)
    db.session.flush()
    return position


def remove_position(tor: TermsOfReference, position: TorPosition) -> None:
    require_draft(tor)
    used = [r.label for r in tor.requirements if position.name in (r.positions or [])]
    if used:
        raise CommitteeError(f"{position.name} is named by the quorum requirement "
                             f"{', '.join(used)}: change that first")
    tor.positions.remove(position)
    db.session.flush()


def add_requirement(tor: TermsOfReference, data: dict) -> TorRequirement:
    require_draft(tor)
    if any(r.label == data["label"] for r in tor.requirements):
        raise CommitteeError("Each requirement needs its own label", "label")
    if not data.get("positions") and not data.get("categories"):
        raise CommitteeError("Choose at least one position or category", "positions")
    names = {p.name for p in tor.positions}
    unknown = [p for p in data.get("positions") or [] if p not in names]
    if unknown:
        raise CommitteeError(f"Not a position of this version: {', '.join(unknown)}", "positions")
    requirement = TorRequirement(sort_order=len(tor.requirements) + 1, **data)
    tor.requirements.append(requirement)
    db.session.flush()
    return requirement


def remove_requirement(tor: TermsOfReference, requirement: TorRequirement) -> None:
    require_draft(tor)
    tor.requirements.remove(requirement)
    db.session.flush()


def approve_tor(tor: TermsOfReference, approved_by: str, approved_on: date,
                review_due: date) -> None:
    """Put a draft in force; the version in force until now is superseded."""
    require_draft(tor)
    if review_due <= approved_on:
        raise CommitteeError("The review date must be after the approval date", "review_due")
    if review_due > add_months(approved_on, MAX_REVIEW_MONTHS):
        raise CommitteeError("Terms of reference must be reviewed within two years of approval",
                             "review_due")
    if not tor.requirements:
        raise CommitteeError("Add at least one quorum requirement before approving")
    current = tor_in_force(tor.committee)
    if current is not None:
        current.status = "superseded"
        db.session.flush()  # one version in force at a time (a unique index says so too)
    tor.status = "in_force"
    tor.approved_by, tor.approved_on, tor.review_due = approved_by, approved_on, review_due
    db.session.flush()


# ---------------------------------------------------------------------------------------------
# Members


def add_member(committee: Committee, data: dict) -> CommitteeMember:
    """Appoint someone (a user, or a named person with no login) to one or more positions."""
    require_active(committee)
    if not data.get("user_id") and not (data.get("person_name") or "").strip():
        raise CommitteeError("Choose a user or type the name of someone with no login",
                             "user_id")
    if not data.get("positions"):
        raise CommitteeError("Choose at least one position", "positions")
    tor = tor_in_force(committee)
    if tor is not None:
        names = {p.name for p in tor.positions}
        unknown = [p for p in data["positions"] if p not in names]
        if unknown:
            raise CommitteeError(f"Not a position of the terms of reference in force: "
                                 f"{', '.join(unknown)}", "positions")
    if data.get("term_ends_on") and data["term_ends_on"] <= data["appointed_on"]:
        raise CommitteeError("The term must end after the appointment date", "term_ends_on")
    if data.get("user_id"):
        again = [m for m in committee.members
                 if m.user_id == data["user_id"] and m.ended_on is None]
        if again:
            raise CommitteeError("That person is already a member: end that membership or "
                                 "change its positions", "user_id")
    member = CommitteeMember(committee=committee, user_id=data.get("user_id"),
                             person_name=(data.get("person_name") or "").strip() or None,
                             organisation=data.get("organisation") or None,
                             positions=list(data["positions"]),
                             appointed_on=data["appointed_on"],
                             term_ends_on=data.get("term_ends_on"))
    db.session.add(member)
    db.session.flush()
    return member


def end_member(member: CommitteeMember, ended_on: date) -> None:
    """End a membership (kept in the past members), unless it leaves the committee with no
    chair."""
    require_active(member.committee)
    if member.ended_on is None and holds_the_only_chair(member, ended_on):
        raise CommitteeError(f"{member.name} is the committee's only chair: appoint another "
                             "chair first, then end this membership", "ended_on")
    if member.ended_on is not None:
        raise CommitteeError("This membership has already ended", "ended_on")
    if ended_on < member.appointed_on:
        raise CommitteeError("A membership cannot end before it began", "ended_on")
    member.ended_on = ended_on
    db.session.flush()



# ---------------------------------------------------------------------------------------------
# Committees: create, edit, dissolve (issue 16)


def require_active(committee: Committee) -> None:
    """A dissolved committee is kept as it was: nothing about it changes any more."""
    if committee.dissolved_on is not None:
        raise CommitteeError(f"{committee.name} was dissolved on "
                             f"{committee.dissolved_on:%-d %B %Y}: its record is kept and can "
                             "no longer be changed")


def attendance_threshold(committee: Committee, tor: TermsOfReference | None) -> int:
    """The committee's own threshold, else its terms of reference's, else 75%."""
    if committee.attendance_threshold_percent is not None:
        return committee.attendance_threshold_percent
    return tor.attendance_threshold_percent if tor is not None else 75


def papers_deadline_days(committee: Committee, tor: TermsOfReference | None) -> int | None:
    """The committee's own papers deadline in working days, else its terms of reference's."""
    if committee.papers_deadline_days is not None:
        return committee.papers_deadline_days
    return tor.papers_deadline_days if tor is not None else None


def _descendants(committee: Committee) -> set[int]:
    found, todo = set(), [committee.id]
    while todo:
        ids = db.session.scalars(select(Committee.id).where(Committee.parent_id.in_(todo))).all()
        todo = [i for i in ids if i not in found]
        found.update(todo)
    return found


def save_committee(committee: Committee | None, data: dict, risks: list | None = None
                   ) -> Committee:
    """Create a committee (`committee` None) or change one; `risks` (Risk objects), when
    given, are the risks it oversees from now on."""
    from .models import COMMITTEE_KINDS
    if committee is not None:
        require_active(committee)
    name = (data.get("name") or "").strip()
    if not name:
        raise CommitteeError("Enter the committee's name", "name")
    clash = db.session.scalar(select(Committee).where(func.lower(Committee.name) == name.lower()))
    if clash is not None and clash is not committee:
        raise CommitteeError(f"There is already a committee called {clash.name}", "name")
    short_name = (data.get("short_name") or "").strip() or None
    if short_name:
        clash = db.session.scalar(select(Committee).where(
            func.lower(Committee.short_name) == short_name.lower()))
        if clash is not None and clash is not committee:
            raise CommitteeError(f"{clash.name} already has the short name {clash.short_name}",
                                 "short_name")
    kind = data.get("kind") or COMMITTEE_KINDS[1]
    if kind not in COMMITTEE_KINDS:
        raise CommitteeError("Choose the kind of committee from the list", "kind")
    parent = None
    if data.get("parent_id"):
        parent = db.session.get(Committee, data["parent_id"])
        if parent is None:
            raise CommitteeError("Choose the committee it reports to from the list", "parent_id")
        if committee is not None and (parent.id == committee.id
                                      or parent.id in _descendants(committee)):
            raise CommitteeError(f"{committee.name} cannot report to itself or to one of its "
                                 "own sub-groups", "parent_id")
        if parent.dissolved_on is not None:
            raise CommitteeError(f"{parent.name} has been dissolved: choose a committee that "
                                 "still meets", "parent_id")
    for field, low, high in (("attendance_threshold_percent", 0, 100),
                             ("papers_deadline_days", 0, 30)):
        value = data.get(field)
        if value is not None and not low <= value <= high:
            raise CommitteeError(f"Enter {low} to {high}", field)
    if committee is None:
        committee = Committee(name=name)
        db.session.add(committee)
    committee.name, committee.short_name, committee.kind = name, short_name, kind
    committee.parent = parent
    committee.attendance_threshold_percent = data.get("attendance_threshold_percent")
    committee.papers_deadline_days = data.get("papers_deadline_days")
    if risks is not None:
        committee.risks = list(risks)
    db.session.flush()
    return committee


def planned_meetings(committee: Committee) -> list:
    from ..meetings.models import Meeting
    return db.session.scalars(select(Meeting).where(Meeting.committee_id == committee.id,
                                                    Meeting.status == "Planned")
                              .order_by(Meeting.starts_at)).all()


def dissolve_committee(committee: Committee, dissolved_on: date) -> None:
    """Dissolve: kept with its whole record, read-only; its current memberships end that day.

    Refused while meetings are still planned or sub-groups still report to it, as both would
    be left with nowhere to go.
    """
    require_active(committee)
    planned = planned_meetings(committee)
    if planned:
        from ..meetings.services import local_day
        days = ", ".join(f"{local_day(m):%-d %b %Y}" for m in planned[:5])
        more = "" if len(planned) <= 5 else f" and {len(planned) - 5} more"
        raise CommitteeError(
            f"{committee.name} still has {len(planned)} planned "
            f"meeting{'s' if len(planned) != 1 else ''} ({days}{more}): cancel "
            f"{'them' if len(planned) != 1 else 'it'} or record "
            f"{'them' if len(planned) != 1 else 'it'} as held first", "dissolved_on")
    active_children = [c.name for c in committee.children if c.dissolved_on is None]
    if active_children:
        raise CommitteeError(f"{', '.join(active_children)} still "
                             f"{'report' if len(active_children) > 1 else 'reports'} to "
                             f"{committee.name}: dissolve or move "
                             f"{'them' if len(active_children) > 1 else 'it'} first",
                             "dissolved_on")
    for member in committee.members:
        if member.ended_on is None and member.appointed_on <= dissolved_on:
            member.ended_on = dissolved_on
    committee.dissolved_on = dissolved_on
    db.session.flush()


# ---------------------------------------------------------------------------------------------
# Members: change positions, renew a term (issue 16)


def chair_positions(committee: Committee) -> set[str]:
    tor = tor_in_force(committee)
    return {p.name for p in tor.positions if p.chair} if tor else set()


def holds_the_only_chair(member: CommitteeMember, on: date,
                         positions: list[str] | None = None) -> bool:
    """Whether `member` chairs the committee and no other current member does; with
    `positions`, whether giving them those positions would leave it with no chair."""
    chairs = chair_positions(member.committee)
    if not chairs or not chairs & set(member.positions or []):
        return False
    if positions is not None and chairs & set(positions):
        return False
    others = [m for m in member.committee.members
              if m is not member and m.ended_on is None and chairs & set(m.positions or [])]
    return not others


def change_member(member: CommitteeMember, data: dict, today: date) -> None:
    """Change the positions a member holds (of the version in force) and their organisation."""
    require_active(member.committee)
    if member.ended_on is not None:
        raise CommitteeError("This membership has ended: appoint the person again instead",
                             "positions")
    if "positions" in data:
        positions = list(data["positions"] or [])
        if not positions:
            raise CommitteeError("Choose at least one position", "positions")
        tor = tor_in_force(member.committee)
        if tor is not None:
            names = {p.name for p in tor.positions}
            unknown = [p for p in positions if p not in names]
            if unknown:
                raise CommitteeError(f"Not a position of the terms of reference in force: "
                                     f"{', '.join(unknown)}", "positions")
        if holds_the_only_chair(member, today, positions):
            raise CommitteeError(f"{member.name} is the committee's only chair: give another "
                                 "member the chair's position first", "positions")
        member.positions = positions
    if "organisation" in data:
        member.organisation = (data["organisation"] or "").strip() or None
    db.session.flush()


def renew_member(member: CommitteeMember, term_ends_on: date, *, by, today: date) -> None:
    """Renew a term to `term_ends_on`, keeping the term it replaces in the member's history.

    Renewal reminders go by the term's end date, so they stop once the new date is set.
    """
    from .models import MemberTerm
    require_active(member.committee)
    if member.ended_on is not None:
        raise CommitteeError("This membership has ended: appoint the person again instead",
                             "term_ends_on")
    current_end = member.term_ends_on
    if term_ends_on <= max(filter(None, (current_end, member.appointed_on, today))):
        after = current_end if current_end and current_end >= today else today
        raise CommitteeError(f"The new term must end after {after:%-d %B %Y}", "term_ends_on")
    starts_on = member.past_terms[-1].ends_on if member.past_terms else member.appointed_on
    db.session.add(MemberTerm(member=member, starts_on=starts_on or member.appointed_on,
                              ends_on=current_end, renewed_on=today, renewed_by=by))
    member.term_ends_on = term_ends_on
    db.session.flush()


def risks_by_reference(references: list[str]) -> list:
    """The risks with these references (current or former), refusing any that is not one."""
    from ..risks.queries import risk_id_by_reference
    from ..risks.models import Risk
    wanted = list(dict.fromkeys(r.strip().upper() for r in references if r.strip()))
    found, unknown = [], []
    for ref in wanted:
        risk_id = risk_id_by_reference(ref)
        if risk_id is None:
            unknown.append(ref)
        else:
            found.append(db.session.get(Risk, risk_id))
    if unknown:
        raise CommitteeError(f"No risk has the reference{'s' if len(unknown) > 1 else ''} "
                             f"{', '.join(unknown)}", "risks")
    return list(dict.fromkeys(found))
