"""Issue 17: one attendance register for members and officers in attendance, saved in one go,
with quoracy that follows the marks before saving; read-only users see text."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from riskapp.audit.models import AuditEntry
from riskapp.meetings.models import ATTENDANCE_STATUSES
from riskapp.record.trail import meeting_trail
from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.meetings.models import Attendance, Meeting, MeetingOfficer

CFO, CND = "ICB Chief Finance Officer", "ICB Chief Nursing Director"


@pytest.fixture
def held(pccac):
    return db.session.scalar(select(Meeting).where(Meeting.status == "Held"))


def marks(meeting) -> dict[int, tuple]:
    db.session.expire_all()
    return {a.member_id: (a.status, a.deputy_name) for a in db.session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id,
                                 Attendance.status.is_not(None)))}


def whole_register(meeting, members, **changes) -> dict[str, str]:
    """The form as the page submits it: every member's row, changed where asked."""
    db.session.expire_all()
    now = {a.member_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id,
                                 Attendance.status.is_not(None)))}
    data = {}
    for m in members.values():
        a = now.get(m.id)
        data[f"m{m.id}-status"] = a.status if a else ""
        data[f"m{m.id}-deputy_name"] = (a.deputy_name if a else "") or ""
        data[f"m{m.id}-arrived_at_item_id"] = str(a.arrived_at_item_id or "") if a else ""
        data[f"m{m.id}-left_at_item_id"] = str(a.left_at_item_id or "") if a else ""
    data.update(changes)
    return data


def test_the_whole_register_is_saved_in_one_go(client, auth, held, members, people):
    auth.login(people[Role.SECRETARIAT])
    cfo, cnd = members[CFO], members[CND]
    r = client.post(f"/meetings/{held.id}/attendance", data=whole_register(
        held, members, **{f"m{cnd.id}-status": "remote", f"m{cfo.id}-status": "apologies"}))
    assert r.status_code == 302
    assert "Register saved: 2 changes." in client.get(r.location).get_data(as_text=True)
    now = marks(held)
    assert now[cnd.id] == ("remote", None) and now[cfo.id] == ("apologies", None)


def test_switching_from_deputy_to_present_clears_the_deputy(client, auth, held, members,
                                                            people):
    deputised = next(m for m in members.values() if marks(held).get(m.id, ("",))[0] == "deputy")
    auth.login(people[Role.SECRETARIAT])
    r = client.post(f"/meetings/{held.id}/attendance", data=whole_register(
        held, members, **{f"m{deputised.id}-status": "present"}))  # deputy's name still typed
    assert r.status_code == 302
    assert marks(held)[deputised.id] == ("present", None)


def test_a_mark_can_be_cleared_and_nothing_is_deleted(client, auth, held, members, people):
    """Cleared: back to not recorded, the row kept with who cleared it and when, the audit
    trail keeping what it was; marking again uses the same row."""
    cfo = members[CFO]
    before = marks(held)[cfo.id][0]
    row_id = db.session.scalar(select(Attendance.id).where(Attendance.meeting_id == held.id,
                                                           Attendance.member_id == cfo.id))
    rows = db.session.scalar(select(func.count(Attendance.id)))
    auth.login(people[Role.SECRETARIAT])
    r = client.post(f"/meetings/{held.id}/attendance",
                    data=whole_register(held, members, **{f"m{cfo.id}-status": ""}))
    assert r.status_code == 302 and "Register saved: 1 change." in \
        client.get(r.location).get_data(as_text=True)
    assert cfo.id not in marks(held)
    assert db.session.scalar(select(func.count(Attendance.id))) == rows
    kept = db.session.get(Attendance, row_id)
    assert kept.status is None and kept.cleared_by_id == people[Role.SECRETARIAT].id
    assert kept.cleared_at is not None
    # The meeting's trail (its versions) keeps what the mark was, who cleared it and when.
    entry = next(e for e in meeting_trail(held.id) if e.field == "Attendance"
                 and e.record.endswith(f"attendance of {cfo.name}"))
    assert (entry.was, entry.now) == (ATTENDANCE_STATUSES[before], "Not recorded")
    assert entry.user_id == people[Role.SECRETARIAT].id
    page = client.get(f"/meetings/{held.id}/attendance").get_data(as_text=True)
    select_html = page.split(f'id="m{cfo.id}-status"')[1].split("</select>")[0]
    assert '<option value="" selected>Not recorded</option>' in select_html
    client.post(f"/meetings/{held.id}/attendance",
                data=whole_register(held, members, **{f"m{cfo.id}-status": "remote"}))
    assert marks(held)[cfo.id] == ("remote", None)
    kept = db.session.get(Attendance, row_id)
    assert kept.status == "remote" and kept.cleared_at is None
    assert db.session.scalar(select(func.count(Attendance.id))) == rows


def test_nothing_is_saved_when_one_row_is_wrong_and_what_was_typed_is_kept(
        client, auth, held, members, people):
    cfo, cnd = members[CFO], members[CND]
    before = marks(held)
    auth.login(people[Role.SECRETARIAT])
    r = client.post(f"/meetings/{held.id}/attendance", data=whole_register(
        held, members, **{f"m{cnd.id}-status": "remote", f"m{cfo.id}-status": "deputy",
                          f"m{cfo.id}-deputy_name": ""}))
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Enter the name of the deputy" in page and f'href="#m{cfo.id}-deputy_name"' in page
    cnd_select = page.split(f'id="m{cnd.id}-status"')[1].split("</select>")[0]
    assert '<option value="remote" selected>' in cnd_select  # kept as typed
    assert marks(held) == before


def test_a_partial_form_never_clears_rows_it_did_not_show(client, auth, held, members, people):
    cnd = members[CND]
    before = marks(held)
    auth.login(people[Role.SECRETARIAT])
    client.post(f"/meetings/{held.id}/attendance", data={f"m{cnd.id}-status": "present"})
    after = marks(held)
    assert after[cnd.id] == ("present", None)
    assert {k: v for k, v in after.items() if k != cnd.id} == \
        {k: v for k, v in before.items() if k != cnd.id}


def test_quoracy_follows_the_marks_without_saving(client, auth, held, members, people):
    cnd = members[CND]
    before = marks(held)
    auth.login(people[Role.SECRETARIAT])
    item6 = held.items[5]
    r = client.post(f"/meetings/{held.id}/attendance/quoracy", data=whole_register(
        held, members, **{f"m{cnd.id}-status": "present"}))
    six = r.get_data(as_text=True).split(f"Item {item6.number}:")[1].split("</li>")[0]
    assert "Quorate" in six and "Not quorate" not in six
    assert marks(held) == before
    page = client.get(f"/meetings/{held.id}/attendance").get_data(as_text=True)
    assert "Not quorate" in page.split(f"Item {item6.number}:")[1].split("</li>")[0]


def test_unrecorded_members_have_nothing_chosen(client, auth, pccac, members, people):
    planned = db.session.scalar(select(Meeting).where(Meeting.status == "Planned"))
    auth.login(people[Role.SECRETARIAT])
    page = client.get(f"/meetings/{planned.id}/attendance").get_data(as_text=True)
    unrecorded = next(m for m in members.values() if m.id not in marks(planned))
    select_html = page.split(f'id="m{unrecorded.id}-status"')[1].split("</select>")[0]
    assert '<option value="" selected>Not recorded</option>' in select_html
    assert "Save the register" in page and page.count("<form") >= 1


def test_read_only_users_see_the_register_as_text(client, auth, held, people):
    auth.login(people[Role.BOARD])
    page = client.get(f"/meetings/{held.id}/attendance").get_data(as_text=True)
    main = page.split('id="maincontent"')[1]
    assert "<select" not in main and "Save" not in main
    assert "Present in person" in main


def test_officers_in_attendance_are_shown_but_never_counted(client, auth, held, members,
                                                           people):
    auth.login(people[Role.SECRETARIAT])
    r = client.post(f"/meetings/{held.id}/officers/new", data={
        "name": "Dr Ada Lovelace", "job_title": "Director of Primary Care",
        "organisation": "BLMK ICB"})
    assert r.status_code == 302
    officer = db.session.scalar(select(MeetingOfficer))
    def panel(html):
        return html.split('id="quoracy-panel"')[1].split('<div class="nhsuk-grid-row">')[0]
    quoracy_before = panel(client.get(f"/meetings/{held.id}/attendance").get_data(as_text=True))
    r = client.post(f"/meetings/{held.id}/attendance", data={f"o{officer.id}-status": "present"})
    assert r.status_code == 302
    page = client.get(f"/meetings/{held.id}/attendance").get_data(as_text=True)
    assert "Dr Ada Lovelace" in page and "Director of Primary Care, BLMK ICB" in page
    assert panel(page) == quoracy_before
    assert db.session.scalar(select(func.count(MeetingOfficer.id))) == 1


def test_an_officer_needs_a_name_and_job_title(client, auth, held, people):
    auth.login(people[Role.SECRETARIAT])
    r = client.post(f"/meetings/{held.id}/officers/new", data={"organisation": "NHS England"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Enter the officer&#39;s name" in page and 'value="NHS England"' in page


def _unrecorded(meeting, members):
    return [m for m in members.values() if m.id not in marks(meeting)]


def test_the_quoracy_preview_saves_nothing_for_members_not_yet_recorded(
        client, auth, pccac, members, people):
    """The preview of a first mark (a new attendance row) must not be kept: reload, and the
    member is still not recorded, with nothing in the audit trail."""
    planned = db.session.scalar(select(Meeting).where(Meeting.status == "Planned"))
    new = _unrecorded(planned, members)
    assert new, "the demo's planned meeting has members not yet recorded"
    before = marks(planned)
    auth.login(people[Role.SECRETARIAT])
    audit_before = _trail_rows()
    r = client.post(f"/meetings/{planned.id}/attendance/quoracy", data=whole_register(
        planned, members, **{f"m{m.id}-status": "present" for m in new}))
    assert r.status_code == 200 and "At the start:" in r.get_data(as_text=True)
    assert marks(planned) == before
    assert _trail_rows() == audit_before
    page = client.get(f"/meetings/{planned.id}/attendance").get_data(as_text=True)
    select_html = page.split(f'id="m{new[0].id}-status"')[1].split("</select>")[0]
    assert '<option value="" selected>Not recorded</option>' in select_html


def test_the_preview_counts_the_marks_on_the_screen(client, auth, pccac, members, people):
    """Marking everyone present in the preview makes the start quorate; clearing every mark in
    the preview makes it not quorate; neither is saved."""
    planned = db.session.scalar(select(Meeting).where(Meeting.status == "Planned"))
    auth.login(people[Role.SECRETARIAT])
    everyone = {f"m{m.id}-status": "present" for m in members.values()}
    everyone.update({f"m{m.id}-deputy_name": "" for m in members.values()})
    html = client.post(f"/meetings/{planned.id}/attendance/quoracy",
                       data=whole_register(planned, members, **everyone)).get_data(as_text=True)
    start = html.split("At the start:")[1].split("</p>")[0]
    assert "Quorate" in start and "Not quorate" not in start
    nobody = {f"m{m.id}-status": "" for m in members.values()}
    html = client.post(f"/meetings/{planned.id}/attendance/quoracy",
                       data=whole_register(planned, members, **nobody)).get_data(as_text=True)
    assert "Not quorate" in html.split("At the start:")[1].split("</p>")[0]


def test_a_first_mark_is_not_saved_when_another_row_is_refused(client, auth, pccac, members,
                                                                people):
    """Never half-saved: a new row (a SAVEPOINT on its insert) is rolled back with the rest."""
    planned = db.session.scalar(select(Meeting).where(Meeting.status == "Planned"))
    new = _unrecorded(planned, members)
    before = marks(planned)
    auth.login(people[Role.SECRETARIAT])
    bad = next(m for m in members.values() if m.id != new[0].id)
    r = client.post(f"/meetings/{planned.id}/attendance", data=whole_register(
        planned, members, **{f"m{new[0].id}-status": "present", f"m{bad.id}-status": "deputy",
                             f"m{bad.id}-deputy_name": ""}))
    assert r.status_code == 422
    assert marks(planned) == before


def _trail_rows() -> tuple[int, int]:
    """Audit entries and versioning transactions: neither grows when nothing is saved."""
    from sqlalchemy_continuum import versioning_manager
    tx = versioning_manager.transaction_cls
    return (db.session.scalar(select(func.count(AuditEntry.id))),
            db.session.scalar(select(func.count(tx.id))))
