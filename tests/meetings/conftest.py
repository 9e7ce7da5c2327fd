"""The demo PCCAC (v3.0 in force, nine voting members) and people signed in by role."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.committees.models import Committee
from riskapp.extensions import db
from riskapp.meetings import services
from riskapp.meetings.models import Meeting
from riskapp.meetings.services import LONDON

from .. import factories


@pytest.fixture
def pccac(baf):
    return db.session.scalar(select(Committee).where(Committee.short_name == "PCCAC"))


@pytest.fixture
def members(pccac):
    """Current PCCAC members by their (single) position."""
    return {m.positions[0]: m for m in pccac.members}


@pytest.fixture
def people(app):
    return {role: factories.make_user(role) for role in Role}


@pytest.fixture
def approved(pccac, members):
    """The demo's held meeting of 16 Nov 2023 with everyone present (so every item is quorate),
    a declaration and a vote, its minutes approved at the meeting of 18 Jan 2024."""
    held = db.session.scalar(select(Meeting).where(Meeting.status == "Held"))
    services.record_declaration(held, {"member": members["ICB Chief Nursing Director"],
                                       "interest": "Trustee of a charity", "action": "noted"})
    for m in members.values():
        services.record_attendance(held, m, {"status": "present"})
    services.record_vote(held.items[-1], [(m.id, "for") for m in members.values()], None,
                         motion="That the committee approves the report")
    later = services.create_meeting(pccac, dict(
        starts_at=datetime(2024, 1, 18, 10, tzinfo=LONDON), location="Room 1"))
    services.approve_minutes(held, later)
    db.session.commit()
    return held
