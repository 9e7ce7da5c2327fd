"""Issue 15: each finding of the attack, load and fault review, with the test that shows it fixed.

Every test here failed on the code before the fix (the finding's number is in its name).
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from riskapp.auth.models import Role
from riskapp.extensions import db
from tests import factories
from tests.committees.conftest import members, pccac, people  # noqa: F401 (fixtures)

LONDON = ZoneInfo("Europe/London")


# --- 6. Formula injection in every CSV --------------------------------------------------------

def test_6_attendance_csv_names_are_inert(client, auth, pccac, people):
    from riskapp.committees import services as committee_services
    from riskapp.meetings import services as meeting_services
    committee_services.add_member(pccac, dict(
        person_name='=HYPERLINK("http://evil.example","x")',
        positions=[pccac.members[0].positions[0]], appointed_on=date(2020, 1, 1)))
    meeting_services.create_meeting(pccac, dict(starts_at=datetime(2024, 5, 16, 10, tzinfo=LONDON),
                                                location="Room 1", status="Held"))
    auth.login(people[Role.BOARD])
    body = client.get(f"/committees/{pccac.id}/attendance?fy=2024&format=csv")
    rows = list(csv.reader(io.StringIO(body.get_data(as_text=True).lstrip("\ufeff"))))
    names = [row[0] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in names
    assert not any(name.lstrip().startswith(("=", "+", "-", "@")) for name in names)


@pytest.mark.parametrize("title", [" =1+1", "\n=1+1", "\xa0=1+1"])
def test_6_risk_csv_catches_formulas_after_leading_whitespace(client, auth, app, title):
    owner = factories.make_user(Role.RISK_MANAGER)
    factories.make_risk(owner, title=title)
    auth.login(owner)
    body = client.get("/reports/export/risks.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][2] == "'" + title
