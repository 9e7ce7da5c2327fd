"""Demo committees: PCCAC's real terms of reference (v2.0, v3.0), the Board and ARAC, meetings.

Called at the end of `load_demo()`; idempotent (a committee with terms of reference is left
alone). Names other than the BLMK executives in the board papers are invented.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..auth.models import Role, User
from ..extensions import db
from ..risks.models import Register, Risk
from .models import Committee, CommitteeMember, TermsOfReference, TorPosition, TorRequirement

DATA = Path(__file__).parent.parent / "demo" / "data"
LONDON = ZoneInfo("Europe/London")
PASSWORD = "demo-riskapp-2023"

PCCAC_NAME = "Primary Care Commissioning and Assurance Committee"

#: PCCAC's nine voting members: position -> (name, email or None for no login).
PCCAC_MEMBERS = [
    ("Non-Executive Member (Chair)", "Bob Board", "board.member@example.org"),
    ("Non-Executive Member", "Helen Okafor", "helen.okafor@example.org"),
    ("ICB Chief Primary Care Officer", "Nicky Poulain", "nicky.poulain@example.org"),
    ("ICB Chief Finance Officer", "Dean Westcott", "dean.westcott@example.org"),
    ("ICB Chief Nursing Director", "Sarah Stanley", "sarah.stanley@example.org"),
    ("ICB Chief Medical Director", "Dr Priya Raman", "priya.raman@example.org"),
    ("Clinical Representative (primary care leadership) 1", "Dr Tom Ellison", None),
    ("Clinical Representative (primary care leadership) 2", "Dr Aisha Begum", None),
    ("Clinical Representative (primary care leadership) 3", "Dr Mark Hughes", None),
]

BOARD_POSITIONS = [
    ("Chair of the ICB", "non_executive_member", True, True, False),
    ("Non-Executive Member (Deputy Chair)", "non_executive_member", True, False, True),
    ("Non-Executive Member", "non_executive_member", True, False, False),
    ("Chief Executive Officer", "executive_board_member", True, False, False),
    ("Chief Finance Officer", "executive_board_member", True, False, False),
    ("Chief Medical Director", "executive_board_member", True, False, False),
    ("Chief Nursing Director", "executive_board_member", True, False, False),
    ("Partner Member (NHS Trusts)", "partner_member", True, False, False),
    ("Partner Member (Local Authorities)", "partner_member", True, False, False),
]
BOARD_MEMBERS = [
    ("Chair of the ICB", "Rima Makarem", "rima.makarem@example.org"),
    ("Non-Executive Member (Deputy Chair)", "Bob Board", "board.member@example.org"),
    ("Non-Executive Member", "Helen Okafor", "helen.okafor@example.org"),
    ("Chief Executive Officer", "Felicity Cox", "felicity.cox@example.org"),
    ("Chief Finance Officer", "Dean Westcott", "dean.westcott@example.org"),
    ("Chief Medical Director", "Dr Priya Raman", "priya.raman@example.org"),
    ("Chief Nursing Director", "Sarah Stanley", "sarah.stanley@example.org"),
    ("Partner Member (NHS Trusts)", "David Carter", None),
    ("Partner Member (Local Authorities)", "Cllr Jane Morris", None),
]
ARAC_POSITIONS = [
    ("Non-Executive Member (Chair)", "non_executive_member", True, True, False),
    ("Non-Executive Member", "non_executive_member", True, False, False),
    ("Independent Member", "other", True, False, False),
    ("Chief Finance Officer (in attendance)", "executive_board_member", False, False, False),
]
ARAC_MEMBERS = [
    ("Non-Executive Member (Chair)", "Helen Okafor", "helen.okafor@example.org"),
    ("Non-Executive Member", "Bob Board", "board.member@example.org"),
    ("Independent Member", "Graham Lewis", None),
    ("Chief Finance Officer (in attendance)", "Dean Westcott", "dean.westcott@example.org"),
]


def _user(name: str, email: str | None) -> User | None:
    if email is None:
        return None
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, role=Role.STAFF)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
    return user


def _committee(name: str) -> Committee | None:
    return db.session.scalar(select(Committee).where(Committee.name == name))


def _members(committee: Committee, rows, appointed_on: date) -> dict[str, CommitteeMember]:
    by_position = {}
    for position, name, email in rows:
        user = _user(name, email)
        member = CommitteeMember(committee=committee, user=user,
                                 person_name=None if user else name,
                                 organisation=None if user else "Primary care",
                                 positions=[position], appointed_on=appointed_on,
                                 term_ends_on=date(appointed_on.year + 3, appointed_on.month,
                                                   1))
        db.session.add(member)
        by_position[position] = member
    return by_position


def _pccac_tor(committee: Committee, source: dict, version: dict, status: str) -> TermsOfReference:
    approved_on = date.fromisoformat(version["approved_on"])
    review_due = (date.fromisoformat(version["review_due"]) if version.get("review_due")
                  else date(approved_on.year + 2, approved_on.month, 1))
    tor = TermsOfReference(
        committee=committee, version=version["version"], status=status,
        approved_by=version["approved_by"], approved_on=approved_on, review_due=review_due,
        text=(f"{source['quorum']['text']}\n\n{source['quorum']['deputies']}\n\n"
              f"Decisions: {source['decisions']['default']}; {source['decisions']['who_votes']};"
              f" {source['decisions']['tie']}.\n\n{source['risk_oversight']}"
              + (f"\n\n{version['note']}" if version.get("note") else "")),
        # PCCAC ToR: deputies count only for members required for quoracy.
        deputy_policy="required_members_only", majority_base="votes_cast",
        voting_rule=source["decisions"]["who_votes"],
        papers_deadline_days=source["secretariat"]["papers_distributed_working_days_before"],
        attendance_threshold_percent=source["secretariat"]["attendance_threshold_percent"],
        frequency=source["meetings"]["frequency"])
    for i, p in enumerate(source["membership"]["voting"], 1):
        tor.positions.append(TorPosition(name=p["position"], category=p["category"], voting=True,
                                         chair=p.get("chair", False),
                                         deputy_chair=p.get("deputy_chair", False),
                                         sort_order=i))
    labels = ["A non-executive member, who chairs", "CPCO or CMD", "CFO",
              "One other executive board member"]
    for i, (label, r) in enumerate(zip(labels, source["quorum"]["requirements"]), 1):
        categories = [r["any_of_category"]] if r.get("any_of_category") else []
        tor.requirements.append(TorRequirement(label=label, count=r["count"],
                                               positions=list(r.get("any_of", [])),
                                               categories=categories, sort_order=i))
    db.session.add(tor)
    return tor


def _simple_tor(committee, positions, requirements, approved_on, deputy_policy="none"):
    tor = TermsOfReference(committee=committee, version="1.0", status="in_force",
                           approved_by="Board of the Integrated Care Board",
                           approved_on=approved_on,
                           review_due=date(approved_on.year + 2, approved_on.month, 1),
                           text="Invented for the demo.", deputy_policy=deputy_policy,
                           frequency="bi-monthly" if committee.kind == "Board of the ICB"
                           else "quarterly")
    for i, (name, category, voting, chair, deputy_chair) in enumerate(positions, 1):
        tor.positions.append(TorPosition(name=name, category=category, voting=voting,
                                         chair=chair, deputy_chair=deputy_chair, sort_order=i))
    for i, (label, count, names, categories) in enumerate(requirements, 1):
        tor.requirements.append(TorRequirement(label=label, count=count, positions=names,
                                               categories=categories, sort_order=i))
    db.session.add(tor)
    return tor


def _link_all_baf(committee: Committee) -> None:
    baf = db.session.scalars(select(Risk).join(Register).where(Register.prefix == "BAF")).all()
    for risk in baf:
        if committee not in risk.committees:
            risk.committees.append(committee)


def load_committee_demo(today: date | None = None) -> dict:
    """Create the demo terms of reference, members and PCCAC meetings; return counts."""
    today = today or date.today()
    source = json.loads((DATA / "pccac_terms_of_reference.json").read_text())
    created = {"terms": 0, "members": 0, "meetings": 0}
    pccac = _committee(PCCAC_NAME)
    if pccac is not None and not pccac.terms:
        v2, v3 = source["versions"]
        _pccac_tor(pccac, source, v2, "superseded")
        db.session.flush()
        _pccac_tor(pccac, source, v3, "in_force")
        members = _members(pccac, PCCAC_MEMBERS, date(2022, 7, 1))
        pccac.effectiveness_review_due = date(today.year, 3, 31) if today.month <= 3 \
            else date(today.year + 1, 3, 31)
        created["terms"] += 2
        created["members"] += len(members)
        db.session.flush()
        created["meetings"] += _pccac_meetings(pccac, members, today)
    board = _committee("Board of the ICB")
    if board is not None and not board.terms:
        _simple_tor(board, BOARD_POSITIONS, [
            ("The Chair or the Deputy Chair", 1,
             ["Chair of the ICB", "Non-Executive Member (Deputy Chair)"], []),
            ("Two executive board members", 2, [], ["executive_board_member"]),
            ("One partner member", 1, [], ["partner_member"]),
        ], date(2022, 7, 1))
        created["members"] += len(_members(board, BOARD_MEMBERS, date(2022, 7, 1)))
        created["terms"] += 1
        _link_all_baf(board)
    arac = _committee("Audit and Risk Assurance Committee")
    if arac is not None and not arac.terms:
        _simple_tor(arac, ARAC_POSITIONS, [
            ("Two non-executive members", 2, [], ["non_executive_member"]),
        ], date(2022, 7, 29))
        created["members"] += len(_members(arac, ARAC_MEMBERS, date(2022, 7, 1)))
        created["terms"] += 1
        _link_all_baf(arac)
    db.session.flush()
    return created


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LONDON).astimezone(timezone.utc)


def _pccac_meetings(pccac: Committee, members: dict[str, CommitteeMember], today: date) -> int:
    from ..meetings.models import AgendaItem, Attendance, Declaration, Meeting, MeetingAction

    baf8 = db.session.scalar(select(Risk).where(Risk.reference == "BAF0008"))
    held = Meeting(committee=pccac, starts_at=_at(date(2023, 11, 16), 10),
                   location="Capability House, Wrest Park, Silsoe", remote=True,
                   has_private_part=True, status="Held")
    items = [
        ("1", "Welcome, apologies and declarations of interest", "Chair", False, "information"),
        ("2", "Minutes and action log of the previous meeting", "Chair", False, "decision"),
        ("3", "Primary care risks on the Board Assurance Framework", "Nicky Poulain", False,
         "discussion"),
        ("4", "Delegated pharmacy, optometry and dental services: first six months",
         "Nicky Poulain", False, "information"),
        ("5", "GP practice merger application: Ampthill and Flitwick", "Dr Priya Raman", True,
         "decision"),
        ("6", "Primary care finance report, month 7", "Dean Westcott", False, "information"),
    ]
    for i, (number, title, presenter, private, purpose) in enumerate(items, 1):
        item = AgendaItem(number=number, title=title, presenter=presenter, private=private,
                          purpose=purpose, sort_order=i)
        if number == "3" and baf8 is not None:
            item.risks.append(baf8)
        held.items.append(item)
    db.session.add(held)
    db.session.flush()
    m = members
    status = {
        "Non-Executive Member (Chair)": ("present", None),
        "Non-Executive Member": ("remote", None),
        "ICB Chief Primary Care Officer": ("present", None),
        "ICB Chief Finance Officer": ("deputy", "Jo Prentice (Deputy CFO)"),
        "ICB Chief Nursing Director": ("apologies", None),
        "ICB Chief Medical Director": ("present", None),
        "Clinical Representative (primary care leadership) 1": ("present", None),
        "Clinical Representative (primary care leadership) 2": ("apologies", None),
        "Clinical Representative (primary care leadership) 3": ("remote", None),
    }
    for position, (st, deputy) in status.items():
        att = Attendance(meeting=held, member=m[position], status=st, deputy_name=deputy)
        if position == "ICB Chief Medical Director":
            att.left_at_item = held.items[5]  # left before the finance report
        db.session.add(att)
    db.session.add(Declaration(
        meeting=held, item=held.items[4],
        member=m["Clinical Representative (primary care leadership) 1"],
        interest="GP partner at one of the merging practices", action="excluded_decision"))
    db.session.add(MeetingAction(
        meeting=held, item=held.items[2], detail="Bring a deep dive on BAF0008 mitigations",
        assignee=m["ICB Chief Primary Care Officer"].user, due_date=date(2024, 1, 31)))
    db.session.add(MeetingAction(
        meeting=held, item=held.items[3], detail="Circulate the dental access recovery plan",
        assignee=m["ICB Chief Primary Care Officer"].user, due_date=date(2023, 12, 15),
        status="Complete", closed_on=date(2023, 12, 12)))

    # The next meeting: on a Thursday at least three weeks ahead, agenda drafted, apologies in.
    day = today + timedelta(days=21)
    day += timedelta(days=(3 - day.weekday()) % 7)
    planned = Meeting(committee=pccac, starts_at=_at(day, 10), location="Microsoft Teams",
                      remote=True, has_private_part=True, status="Planned")
    for i, (number, title, presenter, private, purpose) in enumerate([
        ("1", "Welcome, apologies and declarations of interest", "Chair", False, "information"),
        ("2", "Minutes and action log of the previous meeting", "Chair", False, "decision"),
        ("3", "Primary care access recovery plan", "Nicky Poulain", False, "decision"),
        ("4", "Contract award: extended access hub", "Nicky Poulain", True, "decision"),
    ], 1):
        planned.items.append(AgendaItem(number=number, title=title, presenter=presenter,
                                        private=private, purpose=purpose, sort_order=i))
    db.session.add(planned)
    db.session.flush()
    db.session.add(Attendance(meeting=planned, member=m["ICB Chief Finance Officer"],
                              status="apologies"))
    db.session.add(Attendance(meeting=planned, member=m["Non-Executive Member"],
                              status="apologies"))
    return 2
