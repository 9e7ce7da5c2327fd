"""`flask demo scale`: a large trust's register, generated deterministically for benchmarks.

At 5,000 risks (issue 9): 60,000 score records over five years, 20,000 actions with progress
notes, 30,000 controls and assurances, 500 users, 50 committees with terms of reference and
members, 2,000 meetings with items, attendance and declarations. Other sizes scale in proportion.

Rows go in with Core `insert()` executemany in chunks, with ids assigned here (so children can
point at parents without a round trip per row); the audit hook does not run, as for an import
of history. The BLMK demo is loaded first, so its logins work on the scaled database.
Same seed and same `today` give the same rows.
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable

from flask import current_app
from sqlalchemy import func, insert, select, text
from werkzeug.security import generate_password_hash

from ..auth.models import Directorate, Role, User
from ..committees.models import (Committee, CommitteeMember, TermsOfReference, TorPosition,
                                 TorRequirement)
from ..extensions import db
from ..record import versioning_paused
from ..record.baseline import version_new_rows
from ..meetings.models import (AgendaItem, Attendance, Declaration, Meeting, MeetingAction,
                               agenda_item_risks)
from ..risks.models import (APPETITE_CATEGORIES, Action, ActionProgress, AppetiteLevel,
                            Assurance, Control, Gap, Register, Risk, ScoreRecord,
                            risk_committees)
from .loader import DEMO_PASSWORD, load_demo

logger = logging.getLogger(__name__)

SCALE_REGISTER = ("Corporate Risk Register", "CRR")
CHUNK = 2000

FIRST_NAMES = ("Amara Ben Chloe Daniel Esther Farid Grace Hamza Isla Jack Kavita Liam Maya Noah "
               "Olivia Priya Quentin Rosa Samuel Tara Usman Violet William Yasmin Zoe").split()
LAST_NAMES = ("Adams Begum Clarke Davies Evans Fletcher Green Hussain Iqbal Jones Khan Lewis "
              "Morgan Nwosu Osei Patel Quinn Roberts Singh Taylor Underwood Vaughan Walker "
              "Young").split()
TOPICS = ("elective recovery", "urgent and emergency care", "workforce retention",
          "financial balance", "primary care access", "mental health demand", "estates",
          "digital resilience", "cyber security", "health inequalities", "maternity safety",
          "discharge delays", "medicines supply", "safeguarding", "winter capacity",
          "data quality", "procurement", "partnership working", "diagnostics backlog",
          "community services")
WORDS = ("system provider capacity pressure demand access outcomes staff recruitment "
         "pathway programme oversight governance assurance performance delivery monitoring "
         "escalation partnership population resilience funding contract quality safety "
         "patients waiting services plan review board committee").split()
COMMITTEE_TOPICS = ("Quality", "Finance", "People", "Digital", "Estates", "Primary Care",
                    "Mental Health", "Urgent Care", "Planned Care", "Population Health",
                    "Medicines", "Safeguarding", "Audit", "Remuneration", "Performance",
                    "Partnerships", "Research", "Sustainability", "Procurement", "Inequalities")
ACTION_STATUSES = (("Not Started", 20), ("In Progress", 45), ("Complete", 30), ("Cancelled", 5))
ATTENDANCE = (("present", 60), ("remote", 20), ("apologies", 12), ("absent", 4), ("deputy", 4))
POSITIONS = [
    # name, category, voting, chair, deputy_chair
    ("Non-Executive Member (Chair)", "non_executive_member", True, True, False),
    ("Non-Executive Member", "non_executive_member", True, False, True),
    ("Chief Finance Officer", "executive_board_member", True, False, False),
    ("Chief Medical Director", "executive_board_member", True, False, False),
    ("Chief Nursing Director", "executive_board_member", True, False, False),
    ("Chief People Officer", "executive_board_member", True, False, False),
    ("Clinical Representative", "clinical_representative", True, False, False),
    ("Partner Member", "partner_member", False, False, False),
]
REQUIREMENTS = [
    # label, count, positions, categories
    ("The chair or the deputy chair", 1,
     ["Non-Executive Member (Chair)", "Non-Executive Member"], []),
    ("Two executive board members", 2, [], ["executive_board_member"]),
]


@dataclass(frozen=True)
class ScalePlan:
    """How many of everything for `risks` risks, in the proportions of issue 9."""
    risks: int

    def per(self, total_at_5000: int, minimum: int = 1) -> int:
        return max(minimum, round(total_at_5000 * self.risks / 5000))

    @property
    def users(self) -> int:
        return self.per(500, 20)

    @property
    def committees(self) -> int:
        return self.per(50, 3)

    @property
    def meetings(self) -> int:
        return self.per(2000, self.committees * 4)

    def rows(self) -> int:
        """Roughly how many rows will be written (for the progress bar)."""
        n = self.risks
        return (self.users + n * (1 + 12 + 3 + 3 + 1 + 4 + 6 + 1 + 2)
                + self.committees * (1 + 1 + len(POSITIONS) + len(REQUIREMENTS) + 9)
                + self.meetings * (1 + 6 + 8 + 1 + 2 + 2))


class AlreadyScaled(Exception):
    pass


class _Writer:
    """Insert rows in chunks with explicit ids; remembers what it wrote."""

    def __init__(self, progress: Callable[[int], None] | None):
        self.progress = progress or (lambda n: None)
        self.counts: dict[str, int] = {}
        self.next_ids: dict[str, int] = {}

    def ids(self, table, n: int) -> range:
        """Reserve `n` ids above what the table holds."""
        name = table.name
        if name not in self.next_ids:
            self.next_ids[name] = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
        start = self.next_ids[name]
        self.next_ids[name] = start + n
        return range(start, start + n)

    def write(self, table, rows: list[dict]) -> None:
        for i in range(0, len(rows), CHUNK):
            chunk = rows[i:i + CHUNK]
            db.session.execute(insert(table), chunk)
            self.progress(len(chunk))
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def fix_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the ids written here."""
        if db.session.get_bind().dialect.name != "postgresql":
            return
        for name in self.next_ids:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT MAX(id) FROM {name}))"))


def _weighted(rng: random.Random, choices) -> str:
    values, weights = zip(*choices)
    return rng.choices(values, weights)[0]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=timezone.utc)


def build_scale(risks: int, seed: int = 1, today: date | None = None,
                progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Add a generated register of `risks` risks and everything around it; flush, not commit.

    Deterministic for a given (`risks`, `seed`, `today`). Returns rows written per table.
    """
    if risks < 1:
        raise ValueError("risks must be at least 1")
    today = today or date.today()
    rng = random.Random(seed)
    plan = ScalePlan(risks)
    load_demo()
    name, prefix = SCALE_REGISTER
    register = db.session.scalar(select(Register).where(Register.prefix == prefix))
    if register is None:
        register = Register(name=name, prefix=prefix)
        db.session.add(register)
        db.session.flush()
    if register.next_number > 1:
        raise AlreadyScaled(f"the {name} already holds generated risks: use an empty database")
    w = _Writer(progress)
    start = today - timedelta(days=5 * 365)

    directorate_ids = list(db.session.scalars(select(Directorate.id).order_by(Directorate.id)))
    appetite_ids = list(db.session.scalars(select(AppetiteLevel.id).order_by(AppetiteLevel.id)))
    board_id = db.session.scalar(select(Committee.id).where(Committee.name == "Board of the ICB"))

    db.session.flush()
    with versioning_paused():  # Core bulk inserts; their first versions are written below
        user_ids = _users(w, rng, plan, directorate_ids)
        # Owners are executives: one user in ten owns risks, and leads come from everyone.
        owners = user_ids[:max(2, len(user_ids) // 10)]
        committee_ids, members = _committees(w, rng, plan, user_ids, board_id, start, today)
        risk_ids = _risks(w, rng, plan, register, owners, user_ids, directorate_ids,
                          appetite_ids, committee_ids, start, today)
        _meetings(w, rng, plan, committee_ids, members, risk_ids, user_ids, start, today)
        register.next_number = risks + 1
        db.session.flush()
    # The generated register has a history in the version store, as if entered as it went.
    version_new_rows(db.session.connection())
    w.fix_sequences()
    db.session.execute(text("ANALYZE"))  # fresh planner statistics after a bulk load
    logger.info("scale: %s", w.counts)
    return w.counts


def _users(w: _Writer, rng, plan: ScalePlan, directorate_ids) -> list[int]:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    password_hash = generate_password_hash(DEMO_PASSWORD, method=method)  # one hash, shared
    ids = w.ids(User.__table__, plan.users)
    rows = []
    for n, user_id in enumerate(ids, 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        role = Role.STAFF
        if n % 50 == 0:
            role = Role.RISK_MANAGER
        elif n % 50 == 1:
            role = Role.SECRETARIAT
        elif n % 25 == 2:
            role = Role.BOARD
        rows.append(dict(id=user_id, email=f"scale.user{n:05d}@example.org",
                         name=f"{first} {last} ({n})", job_title=rng.choice(
                             ("Director", "Deputy Director", "Head of Service", "Manager",
                              "Clinical Lead")),
                         directorate_id=rng.choice(directorate_ids) if directorate_ids else None,
                         role=role, active=True, password_hash=password_hash,
                         session_nonce=f"{rng.getrandbits(64):016x}",
                         created_at=_at(date(2020, 1, 1))))
    w.write(User.__table__, rows)
    return list(ids)


def _committees(w: _Writer, rng, plan: ScalePlan, user_ids, board_id, start, today):
    ids = w.ids(Committee.__table__, plan.committees)
    committee_rows, tor_rows, position_rows, requirement_rows, member_rows = [], [], [], [], []
    tor_ids = w.ids(TermsOfReference.__table__, plan.committees)
    position_ids = iter(w.ids(TorPosition.__table__, plan.committees * len(POSITIONS)))
    requirement_ids = iter(w.ids(TorRequirement.__table__, plan.committees * len(REQUIREMENTS)))
    member_ids = iter(w.ids(CommitteeMember.__table__, plan.committees * (len(POSITIONS) + 1)))
    #: committee id -> [(member id, appointed_on, ended_on)]
    members: dict[int, list[tuple[int, date, date | None]]] = {}
    for n, (committee_id, tor_id) in enumerate(zip(ids, tor_ids), 1):
        topic = COMMITTEE_TOPICS[(n - 1) % len(COMMITTEE_TOPICS)]
        committee_rows.append(dict(
            id=committee_id, name=f"{topic} Committee {n:03d}", short_name=f"C{n:03d}",
            kind="Board committee with assurance function", parent_id=board_id,
            effectiveness_review_due=today + timedelta(days=rng.randint(-30, 330))))
        approved_on = today - timedelta(days=rng.randint(30, 600))
        tor_rows.append(dict(
            id=tor_id, committee_id=committee_id, version="1.0", status="in_force",
            approved_by="Board", approved_on=approved_on,
            review_due=approved_on + timedelta(days=700), text=_sentence(rng, 120),
            deputy_policy="required_members_only", majority_base="votes_cast", voting_rule="",
            papers_deadline_days=5, attendance_threshold_percent=75, frequency="bi-monthly",
            min_voting_members=None, created_at=_at(approved_on)))
        for order, (pname, category, voting, chair, deputy) in enumerate(POSITIONS, 1):
            position_rows.append(dict(id=next(position_ids), tor_id=tor_id, name=pname,
                                      category=category, voting=voting, chair=chair,
                                      deputy_chair=deputy, sort_order=order))
        for order, (label, count, names, categories) in enumerate(REQUIREMENTS, 1):
            requirement_rows.append(dict(id=next(requirement_ids), tor_id=tor_id, label=label,
                                         count=count, positions=names, categories=categories,
                                         sort_order=order))
        people = rng.sample(user_ids, min(len(user_ids), len(POSITIONS) + 1))
        members[committee_id] = []
        for i, (pname, *_rest) in enumerate(POSITIONS + [POSITIONS[-2]]):
            # The last one is a past clinical representative, replaced half way through.
            past = i == len(POSITIONS)
            appointed = start if not past else start - timedelta(days=365)
            ended = start + timedelta(days=900) if past else None
            member_id = next(member_ids)
            member_rows.append(dict(
                id=member_id, committee_id=committee_id, user_id=people[i % len(people)],
                person_name=None, organisation=None, positions=[pname], appointed_on=appointed,
                term_ends_on=today + timedelta(days=rng.randint(-60, 900)) if not past else ended,
                ended_on=ended))
            members[committee_id].append((member_id, appointed, ended))
    w.write(Committee.__table__, committee_rows)
    w.write(TermsOfReference.__table__, tor_rows)
    w.write(TorPosition.__table__, position_rows)
    w.write(TorRequirement.__table__, requirement_rows)
    w.write(CommitteeMember.__table__, member_rows)
    return list(ids), members


def _risks(w: _Writer, rng, plan, register, owners, user_ids, directorate_ids, appetite_ids,
           committee_ids, start, today) -> list[int]:
    n = plan.risks
    ids = w.ids(Risk.__table__, n)
    risk_rows, score_rows, control_rows, assurance_rows, gap_rows = [], [], [], [], []
    action_rows, progress_rows, link_rows = [], [], []
    score_ids = iter(w.ids(ScoreRecord.__table__, n * 12))
    control_ids = iter(w.ids(Control.__table__, n * 3))
    assurance_ids = iter(w.ids(Assurance.__table__, n * 3))
    gap_ids = iter(w.ids(Gap.__table__, n))
    action_ids = iter(w.ids(Action.__table__, n * 4))
    progress_ids = iter(w.ids(ActionProgress.__table__, n * 8))
    span = (today - start).days
    for number, risk_id in enumerate(ids, 1):
        topic = rng.choice(TOPICS)
        owner = rng.choice(owners)
        opened = start + timedelta(days=rng.randint(0, span // 4))
        # Twelve reviews from opening to a recent month, oldest first.
        days = sorted(rng.sample(range((today - opened).days - 10), 11))
        review_days = [opened] + [opened + timedelta(days=d + 1) for d in days]
        ratings = [(rng.randint(2, 5), rng.randint(1, 5)) for _ in review_days]
        ic, il = ratings[0]
        cc, cl = ratings[-1]
        status = _weighted(rng, (("Open", 85), ("Closed", 10), ("Archived", 5)))
        risk_rows.append(dict(
            id=risk_id, register_id=register.id, number=number,
            reference=f"{register.prefix}{number:04d}",
            title=f"Risk to {topic}: {_sentence(rng, 6)[:-1].lower()}",
            description=_sentence(rng, 50), strategic_objective=f"Improve {topic}",
            directorate_id=rng.choice(directorate_ids) if directorate_ids else None,
            owner_id=owner, lead_id=rng.choice(user_ids), status=status,
            appetite_category=rng.choice(APPETITE_CATEGORIES) if appetite_ids else None,
            appetite_level_id=rng.choice(appetite_ids) if appetite_ids else None,
            review_frequency_months=None,
            next_review_date=today + timedelta(days=rng.randint(-45, 120)),
            initial_consequence=ic, initial_likelihood=il, current_consequence=cc,
            current_likelihood=cl, current_score=cc * cl, target_consequence=min(cc, 3),
            target_likelihood=min(cl, 2), target_date=today + timedelta(days=rng.randint(30, 700)),
            opened_on=opened, version=1, created_at=_at(opened), updated_at=_at(review_days[-1])))
        for day, (c, lk) in zip(review_days, ratings):
            score_rows.append(dict(
                id=next(score_ids), risk_id=risk_id, recorded_on=day, consequence=c,
                likelihood=lk, score=c * lk, rationale=_sentence(rng, 12), changed=True,
                recorded_by_id=owner, created_at=_at(day)))
        for _ in range(3):
            control_rows.append(dict(
                id=next(control_ids), risk_id=risk_id, description=_sentence(rng, 12),
                owner_id=rng.choice(user_ids), effectiveness=rng.choice(
                    ("Effective", "Partially effective", "Not effective", "Not yet assessed")),
                expected_implementation_date=None, actual_implementation_date=None, version=1))
            assurance_rows.append(dict(
                id=next(assurance_ids), risk_id=risk_id, line=rng.randint(1, 3),
                source=_sentence(rng, 4), summary=_sentence(rng, 8),
                assured_on=today - timedelta(days=rng.randint(0, 400)),
                positive=rng.choice((True, True, False, None)), version=1))
        gap_rows.append(dict(id=next(gap_ids), risk_id=risk_id,
                             kind=rng.choice(("control", "assurance")),
                             description=_sentence(rng, 10), closed=rng.random() < 0.3))
        for _ in range(4):
            action_id = next(action_ids)
            action_status = _weighted(rng, ACTION_STATUSES)
            original = opened + timedelta(days=rng.randint(60, span))
            target = original + timedelta(days=rng.choice((0, 0, 30, 90)))
            action_rows.append(dict(
                id=action_id, risk_id=risk_id, detail=_sentence(rng, 14),
                assignee_id=rng.choice(user_ids), target_date=target,
                original_target_date=original, target_date_changes=int(target != original),
                status=action_status,
                completed_on=min(target, today) if action_status == "Complete" else None,
                version=1, created_at=_at(opened)))
            # 30,000 progress notes at 5,000 risks: one or two an action.
            for _ in range(rng.choice((1, 2))):
                progress_rows.append(dict(
                    id=next(progress_ids), action_id=action_id,
                    noted_on=today - timedelta(days=rng.randint(0, 700)),
                    note=_sentence(rng, 15), by_id=owner))
        for committee_id in rng.sample(committee_ids, min(2, len(committee_ids)))[:rng.choice(
                (1, 1, 2))]:
            link_rows.append(dict(risk_id=risk_id, committee_id=committee_id))
    w.write(Risk.__table__, risk_rows)
    w.write(ScoreRecord.__table__, score_rows)
    w.write(Control.__table__, control_rows)
    w.write(Assurance.__table__, assurance_rows)
    w.write(Gap.__table__, gap_rows)
    w.write(Action.__table__, action_rows)
    w.write(ActionProgress.__table__, progress_rows)
    w.write(risk_committees, link_rows)
    return list(ids)


def _meetings(w: _Writer, rng, plan, committee_ids, members, risk_ids, user_ids, start, today):
    span = (today + timedelta(days=180) - start).days
    links = {}
    for row in db.session.execute(select(risk_committees.c.committee_id,
                                         risk_committees.c.risk_id)
                                  .where(risk_committees.c.risk_id.in_(risk_ids[:2000]))):
        links.setdefault(row.committee_id, []).append(row.risk_id)
    total = plan.meetings
    meeting_ids = iter(w.ids(Meeting.__table__, total))
    item_ids = iter(w.ids(AgendaItem.__table__, total * 6))
    attendance_ids = iter(w.ids(Attendance.__table__, total * (len(POSITIONS) + 1)))
    declaration_ids = iter(w.ids(Declaration.__table__, total))
    action_ids = iter(w.ids(MeetingAction.__table__, total * 2))
    meeting_rows, item_rows, attendance_rows, declaration_rows = [], [], [], []
    action_rows, item_risk_rows = [], []
    for n, committee_id in enumerate(committee_ids):
        # The meetings shared out, the first committees taking one more when it does not divide.
        per_committee = total // len(committee_ids) + (n < total % len(committee_ids))
        step = span / per_committee
        for k in range(per_committee):
            day = start + timedelta(days=int(k * step) + rng.randint(0, 6))
            day += timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)
            if (day.month, day.day) in ((12, 25), (12, 26), (1, 1)):
                day += timedelta(days=3 if day.weekday() < 2 else 5)  # not over Christmas
            meeting_id = next(meeting_ids)
            held = day < today
            starts = datetime.combine(day, time(9 + rng.randint(0, 4), 0), tzinfo=timezone.utc)
            meeting_rows.append(dict(
                id=meeting_id, committee_id=committee_id, starts_at=starts,
                ends_at=starts + timedelta(hours=2), location="Room 1", remote=rng.random() < .5,
                has_public_part=True, has_private_part=rng.random() < 0.3,
                status="Held" if held else "Planned",
                minutes_status="approved" if held and day < today - timedelta(days=60)
                else "draft", minutes_approved_at_id=None, minutes_approved_on=None,
                created_at=_at(day - timedelta(days=40))))
            items = []
            for order in range(1, 7):
                item_id = next(item_ids)
                items.append(item_id)
                decision = order == 4
                item_rows.append(dict(
                    id=item_id, meeting_id=meeting_id, number=str(order), sort_order=order,
                    title=_sentence(rng, 5)[:-1], presenter=rng.choice(FIRST_NAMES),
                    private=False, purpose="decision" if decision else "information",
                    decision_method="consensus" if decision and held else None,
                    outcome="Approved" if decision and held else None,
                    minutes_discussion=_sentence(rng, 30) if held else "",
                    minutes_decision=""))
            for risk_id in links.get(committee_id, [])[k % 5::37][:2]:
                item_risk_rows.append(dict(item_id=items[2], risk_id=risk_id))
            current = [m for m in members[committee_id]
                       if m[1] <= day and (m[2] is None or m[2] > day)]
            if held:
                for member_id, _a, _e in current:
                    status = _weighted(rng, ATTENDANCE)
                    attendance_rows.append(dict(
                        id=next(attendance_ids), meeting_id=meeting_id, member_id=member_id,
                        status=status,
                        deputy_name=f"Deputy {rng.choice(LAST_NAMES)}" if status == "deputy"
                        else None, arrived_at_item_id=None, left_at_item_id=None))
            declaration_rows.append(dict(
                id=next(declaration_ids), meeting_id=meeting_id, item_id=rng.choice(items),
                member_id=rng.choice(current)[0], person_name=None, interest=_sentence(rng, 8),
                action=rng.choice(("noted", "noted", "excluded_decision"))))
            for _ in range(2):
                action_rows.append(dict(
                    id=next(action_ids), meeting_id=meeting_id, item_id=rng.choice(items),
                    detail=_sentence(rng, 10), assignee_id=rng.choice(user_ids),
                    due_date=day + timedelta(days=rng.randint(14, 90)),
                    status="Complete" if held and rng.random() < 0.7 else "Open",
                    closed_on=None, update="", created_at=_at(day)))
    w.write(Meeting.__table__, meeting_rows)
    w.write(AgendaItem.__table__, item_rows)
    w.write(agenda_item_risks, item_risk_rows)
    w.write(Attendance.__table__, attendance_rows)
    w.write(Declaration.__table__, declaration_rows)
    w.write(MeetingAction.__table__, action_rows)
