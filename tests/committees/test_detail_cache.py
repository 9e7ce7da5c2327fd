"""The committee page is drawn once per change (riskapp.derived): never stale, never another
reader's buttons."""
from __future__ import annotations

import pytest

from riskapp.auth.models import Role
from riskapp.committees import views

from ..conftest import Auth


@pytest.fixture
def drawn(monkeypatch):
    """How many times the page's shared parts were drawn."""
    calls = []
    draw = views._draw_detail

    def counted(*args):
        calls.append(args)
        return draw(*args)

    monkeypatch.setattr(views, "_draw_detail", counted)
    return calls


def signed_in(app, user):
    client = app.test_client()
    Auth(client).login(user)
    return client


def test_a_member_added_shows_at_once_on_the_page_drawn_before(app, pccac, people, drawn):
    client = signed_in(app, people[Role.SECRETARIAT])
    url = f"/committees/{pccac.id}"
    assert "Cllr Ann Smith" not in client.get(url).get_data(as_text=True)
    client.get(url)
    assert len(drawn) == 1  # the second reading came from the cache
    r = client.post(f"/committees/{pccac.id}/members/new", data={
        "person_name": "Cllr Ann Smith", "positions": "ICB Chief Finance Officer",
        "appointed_on-day": "1", "appointed_on-month": "4", "appointed_on-year": "2024"})
    assert r.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Cllr Ann Smith" in page and len(drawn) == 2


def test_a_new_draft_shows_at_once_and_hides_the_form(app, pccac, people):
    client = signed_in(app, people[Role.SECRETARIAT])
    url = f"/committees/{pccac.id}"
    assert "Start a new draft" in client.get(url).get_data(as_text=True)
    r = client.post(f"/committees/{pccac.id}/terms/new", data={"version": "9.9"})
    assert r.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Version 9.9" in page and "Edit draft" in page and "Start a new draft" not in page


@pytest.mark.parametrize("first", ["manager", "reader"])
def test_a_reader_never_sees_a_managers_buttons(app, pccac, people, first):
    manager = signed_in(app, people[Role.SECRETARIAT])
    reader = signed_in(app, people[Role.BOARD])
    url = f"/committees/{pccac.id}"
    order = [manager, reader] if first == "manager" else [reader, manager]
    pages = {id(c): c.get(url).get_data(as_text=True) for c in order}
    managing, reading = pages[id(manager)], pages[id(reader)]
    for button in ("Add a member", "Schedule a meeting", "Start a new draft", "membership</span>"):
        assert button in managing and button not in reading
    assert "Attendance report" in managing and "Attendance report" in reading
