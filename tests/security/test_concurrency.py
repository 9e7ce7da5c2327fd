"""No lost update: two people save the same risk, action or meeting at the same moment.

Two real PostgreSQL connections, one per thread, each a signed-in client that loaded the edit
page (so both saw the same version). A barrier holds both saves after they have loaded the
record and before their version check, so they truly overlap: without the row lock taken by
`check_version`, both would pass the check and the second would fail at the UPDATE with a bare
409 page, losing what its user typed. The second save must be refused with 409, the message
and everything its user typed on the page; the first is kept, once.

SQLite takes no row locks (it serialises writers), so these run on PostgreSQL only: the
PostgreSQL pass of scripts/test.sh runs them.

The JSON API has no versioned writes: risks, actions and meetings are changed through the
pages only (the API creates meetings, items, attendance, declarations and votes), so there is
no API save to race.
"""
from __future__ import annotations

import re
import threading
from datetime import datetime, timezone

import pytest
from markupsafe import escape
from sqlalchemy import select

import riskapp.risks.services as risk_services
from riskapp.auth.models import Role
from riskapp.committees.models import Committee
from riskapp.meetings import services as meeting_services
from riskapp.meetings.models import Meeting
from riskapp.risks.models import Action, Risk
from tests.conftest import is_postgres
from tests.factories import PASSWORD, make_action, make_risk, make_user
from tests.security.formdata import form_fields

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not is_postgres(), reason="needs RISKAPP_TEST_DATABASE_URL=postgresql://"),
]

STALE = "Someone else changed this record"


def signed_in(app, user):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def race(app, monkeypatch, path: str, saves: list[tuple[object, dict]]):
    """Load `path` in both clients, then post both forms with their saves overlapping.

    Returns [(status, page, typed)] in the order of `saves`.
    """
    forms = []
    for client, changes in saves:
        page = client.get(path)
        assert page.status_code == 200
        data = form_fields(page.get_data(as_text=True), action="")
        assert re.fullmatch(r"\d+", str(data.get("version", ""))), "the form carries a version"
        data.update(changes)
        forms.append(data)
    assert forms[0]["version"] == forms[1]["version"]

    barrier = threading.Barrier(len(saves), timeout=30)
    original = risk_services._locked_version

    def both_loaded_then_check(obj):
        barrier.wait()  # each request has loaded the record and passed its form validation
        return original(obj)

    monkeypatch.setattr(risk_services, "_locked_version", both_loaded_then_check)
    results: list = [None] * len(saves)

    def save(n):
        try:
            response = saves[n][0].post(path, data=forms[n])
            results[n] = (response.status_code, response.get_data(as_text=True))
        except BaseException as error:  # noqa: BLE001 - reported below
            results[n] = error
            barrier.abort()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(len(saves))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(t.is_alive() for t in threads), "a save hung"
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return [(status, page, forms[n]) for n, (status, page) in enumerate(results)]


def winner_and_loser(results, field):
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [302, 409], [(s, p[:500]) for s, p, _ in results]
    winner = next(r for r in results if r[0] == 302)
    loser = next(r for r in results if r[0] == 409)
    page = loser[1]
    assert STALE in page
    assert str(escape(loser[2][field])) in page  # what the refused user typed is still there
    assert 'name="version"' in page
    return winner[2], loser[2]


@pytest.fixture
def people(app, db):
    owner, lead = make_user(name="Olive Owner"), make_user(name="Leo Lead")
    secretaries = [make_user(Role.SECRETARIAT, name=f"Sam Secretary {n}") for n in (1, 2)]
    db.session.commit()
    return owner, lead, secretaries


def test_two_saves_of_one_risk_at_once_keep_the_first_and_refuse_the_second(
        app, db, people, monkeypatch):
    owner, lead, _ = people
    risk = make_risk(owner, lead_id=lead.id)
    db.session.commit()
    seen, risk_id = risk.version, risk.id
    path = f"/risks/{risk.reference}/edit"
    results = race(app, monkeypatch, path, [
        (signed_in(app, owner), {"title": "Owner's title & <wording>"}),
        (signed_in(app, lead), {"title": "Lead's title, typed with care"}),
    ])
    winner, loser = winner_and_loser(results, "title")
    db.session.expire_all()
    stored = db.session.get(Risk, risk_id)
    assert stored.title == winner["title"]
    assert stored.version == seen + 1  # saved once, by the first


def test_two_saves_of_one_action_at_once_keep_the_first_and_refuse_the_second(
        app, db, people, monkeypatch):
    owner, lead, _ = people
    risk = make_risk(owner, lead_id=lead.id)
    action = make_action(risk, lead, detail="Agree the recovery plan")
    db.session.commit()
    seen, action_id = action.version, action.id
    results = race(app, monkeypatch, f"/actions/{action_id}/edit", [
        (signed_in(app, owner), {"detail": "Owner: agree the plan with NHSE by March"}),
        (signed_in(app, lead), {"detail": "Lead: agree the plan at the January board"}),
    ])
    winner, _ = winner_and_loser(results, "detail")
    db.session.expire_all()
    stored = db.session.get(Action, action_id)
    assert stored.detail == winner["detail"]
    assert stored.version == seen + 1


def test_two_saves_of_one_meeting_at_once_keep_the_first_and_refuse_the_second(
        app, db, people, monkeypatch):
    _, _, (first, second) = people
    committee = Committee(name="Audit and Risk Assurance Committee", short_name="ARAC")
    db.session.add(committee)
    meeting = meeting_services.create_meeting(committee, {
        "starts_at": datetime(2024, 5, 16, 9, 0, tzinfo=timezone.utc), "location": "Room 1"})
    db.session.commit()
    seen, meeting_id = meeting.version, meeting.id
    results = race(app, monkeypatch, f"/meetings/{meeting_id}/edit", [
        (signed_in(app, first), {"location": "Boardroom, Capability House"}),
        (signed_in(app, second), {"location": "Teams only, then Room 2"}),
    ])
    winner, _ = winner_and_loser(results, "location")
    db.session.expire_all()
    stored = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id))
    assert stored.location == winner["location"]
    assert stored.version == seen + 1


def test_a_save_after_another_committed_is_refused_the_same_way(app, db, people):
    """The ordinary case (one after the other) gives the same answer as the race."""
    _, _, (first, second) = people
    committee = Committee(name="Finance and Investment Committee", short_name="FIC")
    db.session.add(committee)
    meeting = meeting_services.create_meeting(committee, {
        "starts_at": datetime(2024, 6, 20, 13, 0, tzinfo=timezone.utc), "location": "Room 1"})
    db.session.commit()
    path = f"/meetings/{meeting.id}/edit"
    clients = [signed_in(app, first), signed_in(app, second)]
    forms = [form_fields(c.get(path).get_data(as_text=True), action="") for c in clients]
    assert clients[0].post(path, data=dict(forms[0], location="Room 7")).status_code == 302
    response = clients[1].post(path, data=dict(forms[1], location="Room 9 & the café"))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert STALE in page and "Room 9 &amp; the café" in page
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).location == "Room 7"
