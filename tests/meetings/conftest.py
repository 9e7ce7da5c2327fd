"""The demo PCCAC (v3.0 in force, nine voting members) and people signed in by role."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.committees.models import Committee
from riskapp.extensions import db

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
