"""The meeting page and attendance register are drawn once per change (riskapp.derived): never
stale, never another reader's buttons or CSRF token."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.meetings import views
from riskapp.meetings.models import Meeting

from .. import factories
from ..conftest import Auth


@pytest.fixture
def held(pccac, db):
    return db.session.scalar(select(Meeting).where(Meeting.status == "Held"))


@pytest.fixture
def drawn(monkeypatch):
    """How many times each page's shared parts were drawn."""
    calls = []
    for name in ("_draw_detail", "_draw_register"):
        draw = getattr(views, name)

        def counted(*args, draw=draw, name=name):
            calls.append(name)
            return draw(*args)

        monkeypatch.setattr(views, name, counted)
    return calls


def signed_in(app, user):
    client = app.test_client()
    Auth(client).login(user)
    return client


def attendance_line(page: str, name: str) -> str:
    return page.split('<h2 id="attendance">')[1].split(name)[1].split("</li>")[0]


def test_attendance_recorded_shows_at_once_on_both_pages(app, held, members, people, drawn):
    client = signed_in(app, people[Role.SECRETARIAT])
    cnd = members["ICB Chief Nursing Director"]
    item6 = held.items[5]
    for _ in range(2):
        page = client.get(f"/meetings/{held.id}").get_data(as_text=True)
        register = client.get(f"/meetings/{held.id}/attendance").get_data(as_text=True)
    assert drawn == ["_draw_detail", "_draw_register"]  # the second readings were cached
    row6 = page.split(f'id="item-{item6.id}"')[1].split("</tr>")[0]
    assert "Not quorate" in row6
    row = register.split(f'id="member-{cnd.id}"')[1].split("</form>")[0]
    assert '<option selected value="remote">' not in row

    r = client.post(f"/meetings/{held.id}/attendance/{cnd.id}", data={
        f"m{cnd.id}-status": "remote", f"m{cnd.id}-arrived_at_item_id": str(item6.id)})
    assert r.status_code == 302
    page = client.get(f"/meetings/{held.id}").get_data(as_text=True)
    row6 = page.split(f'id="item-{item6.id}"')[1].split("</tr>")[0]
    assert "Not quorate" not in row6
    assert f"arrived at item {item6.number}" in attendance_line(page, cnd.name)
    register = client.get(f"/meetings/{held.id}/attendance").get_data(as_text=True)
    row = register.split(f'id="member-{cnd.id}"')[1].split("</form>")[0]
    assert '<option selected value="remote">' in row
    assert f'<option selected value="{item6.id}">' in row


def test_an_agenda_item_edited_shows_at_once_on_both_pages(app, held, people):
    client = signed_in(app, people[Role.SECRETARIAT])
    item = held.items[0]
    for url in (f"/meetings/{held.id}", f"/meetings/{held.id}/attendance"):
        assert "Renamed item" not in client.get(url).get_data(as_text=True)
    r = client.post(f"/meetings/{held.id}/items/{item.id}/edit", data={
        "number": item.number, "title": "Renamed item", "purpose": item.purpose})
    assert r.status_code == 302
    page = client.get(f"/meetings/{held.id}").get_data(as_text=True)
    assert f'{item.id}">Renamed item</a>' in page
    register = client.get(f"/meetings/{held.id}/attendance").get_data(as_text=True)
    assert f"{item.number}. Renamed item</option>" in register


@pytest.mark.parametrize("first", ["manager", "reader"])
def test_a_reader_never_sees_a_managers_buttons(app, held, people, first):
    manager = signed_in(app, people[Role.SECRETARIAT])
    reader = signed_in(app, people[Role.BOARD])
    order = [manager, reader] if first == "manager" else [reader, manager]
    for url, buttons in ((f"/meetings/{held.id}", ("Change the meeting", "Add an agenda item",
                                                    "Record a declaration")),
                         (f"/meetings/{held.id}/attendance", ('type="submit">Save',))):
        pages = {id(c): c.get(url).get_data(as_text=True) for c in order}
        for button in buttons:
            assert button in pages[id(manager)] and button not in pages[id(reader)]


def test_each_reader_gets_their_own_csrf_token_from_the_cached_register(app, held, members,
                                                                       people, monkeypatch):
    first = signed_in(app, people[Role.SECRETARIAT])
    second = signed_in(app, factories.make_user(Role.SECRETARIAT))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    cnd = members["ICB Chief Nursing Director"]

    def token(client) -> str:
        page = client.get(f"/meetings/{held.id}/attendance").get_data(as_text=True)
        return re.search(rf'name="m{cnd.id}-csrf_token" type="hidden" value="([^"]+)"',
                         page).group(1)

    first_token, second_token = token(first), token(second)

    def save(client, csrf):
        return client.post(f"/meetings/{held.id}/attendance/{cnd.id}", data={
            f"m{cnd.id}-csrf_token": csrf, f"m{cnd.id}-status": "present"}).status_code

    assert save(second, first_token) == 400  # not the first reader's token
    assert save(second, second_token) == 302


def test_each_manager_gets_their_own_csrf_token_in_the_action_log(app, held, people,
                                                                 monkeypatch):
    first = signed_in(app, people[Role.SECRETARIAT])
    second = signed_in(app, factories.make_user(Role.SECRETARIAT))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    pages = [c.get(f"/meetings/{held.id}").get_data(as_text=True) for c in (first, second)]
    tokens = [set(re.findall(r'name="csrf_token" value="([^"]+)"', p)) for p in pages]
    assert all(len(t) == 1 for t in tokens) and tokens[0] != tokens[1]
    assert "csrf-token" not in pages[0] + pages[1]


def test_attendance_recorded_shows_at_once_in_the_attendance_report(app, held, members,
                                                                    people):
    from riskapp.meetings.services import local_day
    from riskapp.rules.scoring import financial_year_of
    client = signed_in(app, people[Role.SECRETARIAT])
    cnd = members["ICB Chief Nursing Director"]
    url = f"/committees/{held.committee_id}/attendance?fy={financial_year_of(local_day(held))}"

    def line() -> list[str]:
        page = client.get(url).get_data(as_text=True)
        row = page.split(f"{cnd.name}<br>")[1].split("</tr>")[0]
        return re.findall(r'<td class="nhsuk-table__cell">([^<]*)', row)

    def counts(status: str) -> tuple[int, int]:
        r = client.post(f"/meetings/{held.id}/attendance/{cnd.id}",
                        data={f"m{cnd.id}-status": status})
        assert r.status_code == 302
        _, attended, _, apologies = line()
        return int(attended.split()[0]), int(apologies)

    line()
    assert line() == line()  # drawn once, read again
    attended, apologies = counts("present")
    assert counts("apologies") == (attended - 1, apologies + 1)
    assert counts("present") == (attended, apologies)
