"""Builders for test data: `make_risk(**overrides)` and friends. They flush, never commit."""
from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import select

from riskapp.auth.models import Role, User
from riskapp.extensions import db
from riskapp.risks import services
from riskapp.risks.models import Action, AppetiteLevel, Band, Register, Risk

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_user(role: Role | str = Role.STAFF, **overrides) -> User:
    n = next(_counter)
    user = User(email=overrides.pop("email", f"user{n}@example.org"),
                name=overrides.pop("name", f"User {n}"), role=Role(role), **overrides)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    return user


def make_bands() -> list[Band]:
    existing = db.session.scalars(select(Band)).all()
    if existing:
        return existing
    bands = [Band(name="Low", min_score=1, max_score=3, colour="#007f3b", review_months=6),
             Band(name="Medium", min_score=4, max_score=9, colour="#ffb81c", review_months=3),
             Band(name="High", min_score=10, max_score=25, colour="#d5281b", review_months=1)]
    db.session.add_all(bands)
    db.session.flush()
    return bands


def make_register(name="Board Assurance Framework", prefix="BAF") -> Register:
    register = db.session.scalar(select(Register).where(Register.prefix == prefix))
    if register is None:
        register = Register(name=name, prefix=prefix)
        db.session.add(register)
        db.session.flush()
    return register


def make_appetite(name="Cautious", max_score=9) -> AppetiteLevel:
    level = AppetiteLevel(name=name, max_score=max_score)
    db.session.add(level)
    db.session.flush()
    return level


def make_risk(owner: User | None = None, *, register: Register | None = None,
              today: date = date(2023, 4, 15), **overrides) -> Risk:
    """A risk opened through the service, so it has its reference and first score record."""
    make_bands()
    data = dict(title="Recovery of elective services", description="There is a risk that...",
                owner_id=(owner or make_user()).id, initial_consequence=4, initial_likelihood=5,
                current_consequence=4, current_likelihood=4, target_consequence=4,
                target_likelihood=3)
    data.update(overrides)
    return services.create_risk(register or make_register(), data, by=None, today=today)


def make_action(risk: Risk, assignee: User | None = None, **overrides) -> Action:
    action = Action(risk=risk, detail=overrides.pop("detail", "Do the thing"),
                    assignee=assignee, target_date=overrides.pop("target_date", date(2024, 3, 31)),
                    status=overrides.pop("status", "In Progress"), **overrides)
    action.original_target_date = action.target_date
    db.session.add(action)
    db.session.flush()
    return action
