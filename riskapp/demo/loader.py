"""Build the demo data set from the BLMK ICB board papers (the JSON extracts in data/)."""
from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from ..audit.tracking import reset_actor, set_actor
from ..auth.models import Directorate, Role, User
from ..committees.demo import load_committee_demo
from ..committees.models import Committee
from ..extensions import db
from ..record import date_learnt
from ..risks.models import (Action, AppetiteLevel, Assurance, Band, Control, Register, Risk,
                            ScoreRecord)
from ..rules import scoring

DATA = Path(__file__).parent / "data"
DEMO_PASSWORD = "demo-riskapp-2023"

#: Review frequency (months) by band: High monthly, Medium quarterly, Low half-yearly.
BAND_REVIEW_MONTHS = {"Low": 6, "Medium": 3, "High": 1}
BAND_COLOURS = {"Low": "#007f3b", "Medium": "#ffb81c", "High": "#d5281b"}

#: Good Governance Institute appetite levels and the highest score each tolerates.
APPETITE_LEVELS = [("Avoid", 3), ("Minimal", 6), ("Cautious", 9), ("Open", 12), ("Seek", 16),
                   ("Mature", 25)]

ROLE_ACCOUNTS = [
    ("admin@example.org", "Ada Admin", Role.ADMIN, "System administrator"),
    ("risk.manager@example.org", "Rita Manager", Role.RISK_MANAGER, "Head of Corporate Governance"),
    ("secretariat@example.org", "Sam Secretariat", Role.SECRETARIAT, "Committee Secretary"),
    ("board.member@example.org", "Bob Board", Role.BOARD, "Non-Executive Member"),
]

#: Posts known from the board papers; other people get a generic title.
JOB_TITLES = {
    "Martha Roberts": "Chief People Officer",
    "Dean Westcott": "Chief Finance Officer",
    "Anne Brierley": "Chief Transformation Officer",
    "Maria Wogan": "Chief of System Assurance & Corporate Services",
    "Sarah Stanley": "Chief Nursing Director",
    "Nicky Poulain": "Chief Primary Care Officer",
}

#: The oversight committee of each demo risk (invented where the papers do not say).
RISK_COMMITTEES = {
    "BAF0001": ["Quality and Performance Committee"],
    "BAF0002": ["Board of the ICB"],
    "BAF0003": ["Quality and Performance Committee"],
    "BAF0004": ["Working with People and Communities Committee"],
    "BAF0005": ["Board of the ICB"],
    "BAF0006": ["Finance and Investment Committee"],
    "BAF0007": ["Board of the ICB"],
    "BAF0008": ["Primary Care Commissioning and Assurance Committee",
                "Finance and Investment Committee"],
    "BAF0009": ["Working with People and Communities Committee"],
    "BAF0010": ["Working with People and Communities Committee"],
    "BAF0011": ["Working with People and Communities Committee"],
}
RISK_APPETITE = {"BAF0006": ("Financial", "Cautious"), "BAF0002": ("Workforce", "Open"),
                 "BAF0010": ("Partnerships", "Cautious"), "BAF0007": ("Operational", "Open")}


def demo_email(name: str) -> str:
    """firstname.lastname@example.org, ASCII, hyphens kept."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    parts = [re.sub(r"[^a-z-]", "", p.lower()) for p in ascii_name.split()]
    return ".".join(p for p in parts if p) + "@example.org"


def _get_or_create(model, defaults=None, **where):
    obj = db.session.scalar(select(model).filter_by(**where))
    if obj is None:
        obj = model(**where, **(defaults or {}))
        db.session.add(obj)
        db.session.flush()
        return obj, True
    return obj, False


def _rating_pair(score: int, preferred_consequence: int) -> tuple[int, int]:
    """Split a history score into consequence and likelihood, keeping the risk's consequence.

    The source's monthly history gives scores only; consequence rarely moves, so it is taken
    from the risk's current rating where the score divides by it (16 with C=4 -> 4:4).
    """
    if score % preferred_consequence == 0 and 1 <= score // preferred_consequence <= 5:
        return preferred_consequence, score // preferred_consequence
    for consequence in range(5, 0, -1):
        if score % consequence == 0 and score // consequence <= 5:
            return consequence, score // consequence
    raise ValueError(f"{score} is not a 5x5 score")


def load_settings() -> None:
    baf = json.loads((DATA / "blmk_baf_2023.json").read_text())
    for band in baf["scoring"]["bands_for_demo"]:
        _get_or_create(Band, name=band["name"], defaults=dict(
            min_score=band["min"], max_score=band["max"], colour=BAND_COLOURS[band["name"]],
            review_months=BAND_REVIEW_MONTHS[band["name"]]))
    for name, max_score in APPETITE_LEVELS:
        _get_or_create(AppetiteLevel, name=name, defaults=dict(max_score=max_score))
    _get_or_create(Register, name="Board Assurance Framework", defaults=dict(prefix="BAF"))
    from ..risks.models import APPETITE_CATEGORIES
    from ..settings.models import AppetiteCategory, Organisation
    for position, name in enumerate(APPETITE_CATEGORIES):
        _get_or_create(AppetiteCategory, name=name, defaults=dict(position=position))
    if db.session.scalar(select(Organisation.id)) is None:
        db.session.add(Organisation(
            name="NHS Bedfordshire, Luton and Milton Keynes Integrated Care Board"))
    _get_or_create(Register, name="Corporate Risk Register", defaults=dict(prefix="CRR"))


def load_committees() -> dict[str, Committee]:
    org = json.loads((DATA / "blmk_organisation.json").read_text())
    board, _ = _get_or_create(Committee, name="Board of the ICB",
                              defaults=dict(kind="Board of the ICB", short_name="Board"))
    committees = {board.name: board}
    short = {"Audit and Risk Assurance Committee": "ARAC",
             "Primary Care Commissioning and Assurance Committee": "PCCAC",
             "Finance and Investment Committee": "FIC",
             "Quality and Performance Committee": "Q&P",
             "Working with People and Communities Committee": "WPCC",
             "Remuneration Committee": "RemCom"}
    for name in org["committee_structure"]["Board of the ICB"]:
        committee, _ = _get_or_create(Committee, name=name, defaults=dict(
            kind="Board committee with assurance function", parent=board,
            short_name=short.get(name)))
        committees[name] = committee
    return committees


def load_demo() -> dict:
    """Create or complete the demo data; never duplicates what is already there."""
    baf = json.loads((DATA / "blmk_baf_2023.json").read_text())
    org = json.loads((DATA / "blmk_organisation.json").read_text())
    load_settings()
    directorates = {name: _get_or_create(Directorate, name=name)[0]
                    for name in org["directorates"]}

    logins, users_created = [], 0
    people: dict[str, User] = {}

    def person(name: str) -> User:
        nonlocal users_created
        if name not in people:
            user, created = _get_or_create(User, email=demo_email(name), defaults=dict(
                name=name, role=Role.STAFF, job_title=JOB_TITLES.get(name, "Programme lead")))
            if created:
                user.set_password(DEMO_PASSWORD)
                users_created += 1
            people[name] = user
        return people[name]

    for email, name, role, title in ROLE_ACCOUNTS:
        user, created = _get_or_create(User, email=email, defaults=dict(
            name=name, role=role, job_title=title))
        if created:
            user.set_password(DEMO_PASSWORD)
            users_created += 1
        logins.append((email, role.label))
    risk_manager = db.session.scalar(select(User).where(User.email == "risk.manager@example.org"))
    token = set_actor(risk_manager.id)
    try:
        loaded = {**_load_register(baf, people, person, logins,
                                   users_created_ref=lambda: users_created,
                                   directorates=directorates),
                  "committees": load_committee_demo()}  # issue 4: after the risks it links
        # Issue 18: the suggested assurance rules, in force from the start of the demo's year.
        from ..assurance.services import add_suggested_rules
        loaded["assurance_rules"] = len(add_suggested_rules(
            by=risk_manager, effective_from=date(2023, 4, 1)))
        return loaded
    finally:
        reset_actor(token)


def _load_register(baf, people, person, logins, users_created_ref, directorates) -> dict:
    committees = load_committees()
    register = db.session.scalar(select(Register).where(Register.prefix == "BAF"))
    levels = {a.name: a for a in db.session.scalars(select(AppetiteLevel))}
    created = existing = 0
    for item in baf["risks"]:
        if db.session.scalar(select(Risk.id).where(Risk.reference == item["ref"])):
            existing += 1
            continue
        _create_demo_risk(item, register, person, committees, levels, directorates)
        created += 1
    db.session.flush()
    if created:
        # The demo is the BAF as its source printed it: riskapp holds these records as known
        # from the source's date, so its November 2023 pack printed today is that pack.
        date_learnt(db.session, datetime.fromisoformat(baf["generated"]))
    named = {item[key] for item in baf["risks"] for key in ("owner", "lead") if item.get(key)}
    named |= {a["assignee"] for item in baf["risks"] for a in item["actions"]}
    for name in sorted(named):
        logins.append((demo_email(name), "Staff (risk owner, lead or assignee)"))
    db.session.flush()
    return {"risks_created": created, "risks_existing": existing,
            "users_created": users_created_ref(), "logins": logins}


def _create_demo_risk(item, register, person, committees, levels, directorates) -> Risk:
    number = int(item["ref"][len(register.prefix):])
    history = item["history"]
    current = item["current"]
    # Each monthly review is dated the 15th, before the report of 29 Nov 2023 was generated.
    points = []
    for month in history:
        year, mon = map(int, month["month"].split("-"))
        consequence, likelihood = _rating_pair(month["score"], current["consequence"])
        points.append((date(year, mon, 15), consequence, likelihood))
    if points[-1][1:] != (current["consequence"], current["likelihood"]):
        points[-1] = (points[-1][0], current["consequence"], current["likelihood"])
    category, level = RISK_APPETITE.get(item["ref"], (None, None))
    risk = Risk(
        register=register, number=number, reference=item["ref"], title=item["title"],
        description=item["description"], owner=person(item["owner"]),
        lead=person(item["lead"]) if item.get("lead") else None, status=item["status"],
        initial_consequence=item["initial"]["consequence"],
        initial_likelihood=item["initial"]["likelihood"],
        current_consequence=current["consequence"], current_likelihood=current["likelihood"],
        current_score=current["consequence"] * current["likelihood"],
        target_consequence=item["target"]["consequence"],
        target_likelihood=item["target"]["likelihood"],
        opened_on=points[0][0], appetite_category=category,
        appetite_level=levels.get(level) if level else None,
        directorate=directorates.get(_directorate_of(item["owner"])),
        committees=[committees[name] for name in RISK_COMMITTEES.get(item["ref"], [])])
    db.session.add(risk)
    register.next_number = max(register.next_number, number + 1)
    previous = None
    for on, consequence, likelihood in points:
        score = consequence * likelihood
        db.session.add(ScoreRecord(
            risk=risk, recorded_on=on, consequence=consequence, likelihood=likelihood,
            score=score, changed=previous != score,
            rationale=("Monthly BAF review, from the November 2023 BAF heatmap report"
                       if previous != score or previous is None else
                       "Reviewed at the monthly BAF review: no change")))
        previous = score
    band = scoring.band_for(risk.current_score, scoring.BLMK_BANDS)
    risk.next_review_date = scoring.next_review_date(points[-1][0],
                                                     BAND_REVIEW_MONTHS[band.name])
    for text in item["controls"]:
        db.session.add(Control(risk=risk, description=text))
    for assurance in item["assurances"]:
        # The report lists these as the assurance the controls work, without dates: positive,
        # undated (so they never show as expired; the map says "Positive", the source's word).
        db.session.add(Assurance(risk=risk, line=assurance["line"], source=assurance["source"],
                                 positive=True))
    for action in item["actions"]:
        target = date.fromisoformat(action["target_date"]) if action.get("target_date") else None
        db.session.add(Action(
            risk=risk, detail=action["detail"], assignee=person(action["assignee"]),
            target_date=target, original_target_date=target, status=action["status"],
            completed_on=target if action["status"] == "Complete" else None))
    db.session.flush()
    return risk


def _directorate_of(owner: str) -> str | None:
    return {"Martha Roberts": "People", "Dean Westcott": "Finance",
            "Anne Brierley": "Transformation", "Sarah Stanley":
            "Quality, Safeguarding and Vulnerabilities",
            "Maria Wogan": "System Assurance and Corporate Services"}.get(owner)
