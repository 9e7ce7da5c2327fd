"""Meeting pages: rights per role, attendance register with live quoracy, votes, forms."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.meetings import services
from riskapp.meetings.models import AgendaItem, Meeting
from riskapp.meetings.services import LONDON
from riskapp.risks.models import Risk


@pytest.fixture
def held(pccac):
    return db.session.scalar(select(Meeting).where(Meeting.status == "Held"))


def test_meeting_page_shows_quoracy_per_item_and_papers_deadline(client, auth, held, people):
    auth.login(people[Role.SECRETARIAT])  # items 5 and 6 are private business
    page = client.get(f"/meetings/{held.id}").get_data(as_text=True)
    assert "09 Nov 2023" in page  # 5 working days before Thursday 16 Nov 2023
    row6 = page.split('id="item-' + str(held.items[5].id) + '"')[1].split("</tr>")[0]
    assert "Not quorate" in row6 and "One other executive board member" in row6
    row5 = page.split('id="item-' + str(held.items[4].id) + '"')[1].split("</tr>")[0]
    assert "Not quorate" not in row5 and "Quorate" in row5


@pytest.mark.parametrize("role, allowed", [(Role.SECRETARIAT, True), (Role.ADMIN, True),
                                           (Role.BOARD, False), (Role.RISK_MANAGER, False),
                                           (Role.STAFF, False)])
def test_recording_attendance_needs_the_secretariat(client, auth, held, members, people, role,
                                                    allowed):
    auth.login(people[role])
    cnd = members["ICB Chief Nursing Director"]
    r = client.post(f"/meetings/{held.id}/attendance",
                    data={f"m{cnd.id}-status": "present"})
    assert r.status_code == (302 if allowed else 403)
    db.session.expire_all()
    status = next(a.status for a in held.attendances if a.member_id == cnd.id)
    assert status == ("present" if allowed else "apologies")


@pytest.mark.parametrize("path, method", [
    ("/edit", "get"), ("/items/new", "get"), ("/declarations/new", "get"),
    ("/actions/new", "get"), ("/items/{item}/vote", "post"), ("/items/{item}/consensus", "post"),
    ("/items/{item}/minutes", "post"), ("/approve-minutes", "post"),
    ("/items/{item}/edit", "get")])
def test_board_member_reads_but_cannot_change(client, auth, held, people, path, method):
    auth.login(people[Role.BOARD])
    url = f"/meetings/{held.id}" + path.format(item=held.items[0].id)
    assert getattr(client, method)(url).status_code == 403
    assert client.get(f"/meetings/{held.id}/items/{held.items[0].id}").status_code == 200


def test_attendance_makes_item_six_quorate_live(client, auth, held, members, people):
    auth.login(people[Role.SECRETARIAT])
    cnd = members["ICB Chief Nursing Director"]
    client.post(f"/meetings/{held.id}/attendance", data={
        f"m{cnd.id}-status": "present", f"m{cnd.id}-arrived_at_item_id": str(held.items[5].id)})
    page = client.get(f"/meetings/{held.id}").get_data(as_text=True)
    row6 = page.split('id="item-' + str(held.items[5].id) + '"')[1].split("</tr>")[0]
    assert "Not quorate" not in row6


def test_attendance_refusal_is_422_with_the_message_beside_the_field(client, auth, held,
                                                                     members, people):
    auth.login(people[Role.SECRETARIAT])
    cnd = members["ICB Chief Nursing Director"]
    r = client.post(f"/meetings/{held.id}/attendance",
                    data={f"m{cnd.id}-status": "deputy", f"m{cnd.id}-deputy_name": ""})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Enter the name of the deputy" in page and f'href="#m{cnd.id}-deputy_name"' in page


def test_vote_through_the_page_refuses_an_excluded_voter(client, auth, held, members, people):
    auth.login(people[Role.SECRETARIAT])
    five = held.items[4]
    excluded = members["Clinical Representative (primary care leadership) 1"]
    r = client.post(f"/meetings/{held.id}/items/{five.id}/vote", data={
        "motion": "That the committee approves the contract", f"ballot-{excluded.id}": "for",
        f"ballot-{members['ICB Chief Primary Care Officer'].id}": "for"})
    assert r.status_code == 422
    assert f"{excluded.name} is excluded from this item" in r.get_data(as_text=True)
    assert five.votes == [] and five.decision_method is None
    r = client.post(f"/meetings/{held.id}/items/{five.id}/vote", data={
        "motion": "That the committee approves the contract",
        f"ballot-{members['ICB Chief Primary Care Officer'].id}": "for",
        f"ballot-{members['Non-Executive Member (Chair)'].id}": "for",
        f"ballot-{members['ICB Chief Medical Director'].id}": "against"})
    db.session.expire_all()
    assert r.status_code == 302 and five.outcome.startswith("Carried: 2 for, 1 against")


def test_new_meeting_form_keeps_input(client, auth, pccac, people):
    auth.login(people[Role.SECRETARIAT])
    r = client.post(f"/meetings/new?committee_id={pccac.id}", data={
        "day-day": "16", "day-month": "5", "day-year": "2024", "start_time": "25:00",
        "location": "Room 4", "has_public_part": "y", "status": "Planned"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="25:00"' in page and 'value="Room 4"' in page
    assert "Enter the start time as hours and minutes" in page


def test_named_deputy_received_before_the_meeting_keeps_the_forecast(client, auth, pccac,
                                                                     members, people):
    planned = db.session.scalar(select(Meeting).where(Meeting.status == "Planned"))
    auth.login(people[Role.SECRETARIAT])
    cfo = members["ICB Chief Finance Officer"]
    response = client.post(f"/meetings/{planned.id}/attendance", data={
        f"m{cfo.id}-status": "deputy", f"m{cfo.id}-deputy_name": "Deputy Finance Director"})
    assert response.status_code == 302
    page = client.get(f"/meetings/{planned.id}").get_data(as_text=True)
    # Nobody is in the room yet: the page still forecasts from apologies and named deputies.
    assert 'id="forecast"' in page
    cnd = members["ICB Chief Nursing Director"]
    client.post(f"/meetings/{planned.id}/attendance", data={f"m{cnd.id}-status": "present"})
    page = client.get(f"/meetings/{planned.id}").get_data(as_text=True)
    assert 'id="forecast"' not in page and "Quoracy at the start" in page


def test_action_log_shows_assignee_origin_and_update_form_per_action(client, auth, held,
                                                                      pccac, people):
    earlier = services.add_action(held, dict(detail="Chase the audit report",
                                             assignee_id=people[Role.BOARD].id,
                                             due_date=date(2023, 12, 1)))
    later = services.create_meeting(pccac, dict(
        starts_at=datetime(2024, 5, 16, 10, tzinfo=LONDON), location="Room 1"))
    own = services.add_action(later, dict(detail="Nobody yet"))
    db.session.commit()
    auth.login(people[Role.SECRETARIAT])
    page = client.get(f"/meetings/{later.id}").get_data(as_text=True)
    mine = page.split("Actions from this meeting")[1].split("</table>")[0]
    assert "Nobody yet" in mine and '<td class="nhsuk-table__cell">—</td>' in mine
    assert f'action="/meetings/actions/{own.id}"' in mine
    carried = page.split("Carried forward from earlier meetings")[1].split("</table>")[0]
    row = carried.split("Chase the audit report")[1].split("</tr>")[0]
    assert "From 16 Nov 2023" in row and people[Role.BOARD].name in row
    assert "Overdue" in row
    assert f'action="/meetings/actions/{earlier.id}"' in carried
    assert f'name="next_meeting" value="{later.id}"' in carried


def test_a_meeting_in_the_future_cannot_be_saved_as_held(client, auth, pccac, people):
    auth.login(people[Role.SECRETARIAT])
    next_year = date.today().year + 1
    r = client.post(f"/meetings/new?committee_id={pccac.id}", data={
        "day-day": "16", "day-month": "5", "day-year": str(next_year), "start_time": "10:00",
        "location": "Room 4", "has_public_part": "y", "status": "Held"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "can only be marked as held once it has started" in page
    assert 'value="Room 4"' in page and f'value="{next_year}"' in page
    assert db.session.scalar(select(Meeting).where(Meeting.location == "Room 4")) is None


def test_an_item_links_risks_by_ticking_or_by_reference_with_no_hold_ctrl(client, auth, held,
                                                                           people):
    auth.login(people[Role.SECRETARIAT])
    url = f"/meetings/{held.id}/items/new"
    page = client.get(url).get_data(as_text=True)
    assert "Hold Ctrl" not in page and "<select" not in page.split('name="risk_ids"')[0][-400:]
    overseen = re.findall(r'name="risk_ids" type="checkbox" value="(\d+)"', page)
    assert overseen  # the demo PCCAC oversees BAF risks: offered as checkboxes
    assert 'name="other_references"' in page
    # An unknown reference: refused beside the field, what was typed kept.
    r = client.post(url, data={"number": "9", "title": "Risk deep dive", "purpose": "discussion",
                               "risk_ids": overseen[0], "other_references": "BAF0001, XYZ9999"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "No risk has the reference XYZ9999" in page
    assert 'value="BAF0001, XYZ9999"' in page
    r = client.post(url, data={"number": "9", "title": "Risk deep dive", "purpose": "discussion",
                               "risk_ids": overseen[0], "other_references": "baf0011"})
    assert r.status_code == 302
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Risk deep dive"))
    assert sorted(r.reference for r in item.risks) == sorted(
        {db.session.get(Risk, int(overseen[0])).reference, "BAF0011"})
