"""Risk actions: assignees progress them, target dates slip visibly, "my actions" order."""
import html
import re
from datetime import date, timedelta

from sqlalchemy import select

from riskapp.actions import queries
from riskapp.record import trail as record_trail
from riskapp.risks.models import Action
from riskapp.rules.actions import CLOSED_STATUSES, worklist_key
from tests.factories import make_action, make_risk, make_user



def _version(db, action_id: int) -> int:
    """The action's version now, as its page would carry it (a save without one is refused)."""
    db.session.expire_all()
    return db.session.get(Action, action_id).version

def test_assignee_records_progress_and_moves_the_target(client, auth, db):
    assignee = make_user()
    action = make_action(make_risk(), assignee, target_date=date(2023, 10, 31))
    db.session.commit()
    auth.login(assignee)
    response = client.post(f"/actions/{action.id}/progress", data={
        "note": "Winter plan drafted", "status": "In Progress",
        "target_date-day": "31", "target_date-month": "1", "target_date-year": "2024",
        "version": action.version})
    assert response.status_code == 302
    db.session.expire_all()
    action = db.session.get(Action, action.id)
    assert action.target_date == date(2024, 1, 31)
    assert action.original_target_date == date(2023, 10, 31)
    assert action.target_date_changes == 1
    assert action.progress_notes[0].note == "Winter plan drafted"
    assert action.progress_notes[0].noted_on == date.today()
    client.post(f"/actions/{action.id}/progress", data={
        "note": "Slipped again", "status": "In Progress",
        "target_date-day": "29", "target_date-month": "2", "target_date-year": "2024",
        "version": _version(db, action.id)})
    db.session.expire_all()
    action = db.session.get(Action, action.id)
    assert action.target_date_changes == 2 and action.original_target_date == date(2023, 10, 31)
    page = client.get(f"/risks/{action.risk.reference}").get_data(as_text=True)
    assert "Moved 2 times; first set for 31 Oct 2023" in page
    moves = [(e.was, e.now) for e in record_trail.risk_trail(action.risk_id)
             if e.kind == "action" and e.field == "Target date"]
    assert moves == [("31 Jan 2024", "29 Feb 2024"), ("31 Oct 2023", "31 Jan 2024")]


def test_assignee_cannot_edit_the_action_itself_or_the_risk(client, auth, db):
    assignee = make_user()
    risk = make_risk()
    action = make_action(risk, assignee)
    db.session.commit()
    auth.login(assignee)
    assert client.post(f"/actions/{action.id}/edit", data={"detail": "changed"}).status_code == 403
    assert client.get(f"/risks/{risk.reference}/edit").status_code == 403
    other = make_action(risk, make_user())
    db.session.commit()
    assert client.get(f"/actions/{other.id}/progress").status_code == 403


def test_completing_sets_the_completion_date(client, auth, db):
    assignee = make_user()
    action = make_action(make_risk(), assignee)
    db.session.commit()
    auth.login(assignee)
    client.post(f"/actions/{action.id}/progress", data={"note": "Done", "status": "Complete",
                                                        "version": action.version})
    db.session.expire_all()
    action = db.session.get(Action, action.id)
    assert action.status == "Complete" and action.completed_on == date.today()


def test_progress_without_a_note_is_refused_keeping_input(client, auth, db):
    assignee = make_user()
    action = make_action(make_risk(), assignee)
    db.session.commit()
    auth.login(assignee)
    response = client.post(f"/actions/{action.id}/progress", data={
        "note": "", "status": "Complete", "target_date-day": "31", "target_date-month": "13",
        "target_date-year": "2024"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a progress note" in page and "must be a real date" in page
    assert 'value="13"' in page
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == "In Progress"


def test_owner_adds_and_edits_an_action(client, auth, db):
    owner, assignee = make_user(), make_user()
    risk = make_risk(owner)
    db.session.commit()
    auth.login(owner)
    response = client.post(f"/actions/new/{risk.reference}", data={
        "detail": "Open 20 more beds", "assignee_id": assignee.id, "status": "Not Started",
        "target_date-day": "1", "target_date-month": "12", "target_date-year": "2024"})
    assert response.status_code == 302
    action = db.session.scalar(select(Action))
    assert action.original_target_date == date(2024, 12, 1) and action.target_date_changes == 0
    response = client.post(f"/actions/{action.id}/edit", data={
        "detail": "Open 20 more beds", "assignee_id": "424242", "status": "Not Started"})
    assert response.status_code == 422
    assert "Choose the assignee from the list" in response.get_data(as_text=True)


def test_my_actions_overdue_first(client, auth, db):
    me = make_user()
    risk = make_risk()
    today = date.today()
    make_action(risk, me, detail="Due later", target_date=today + timedelta(days=30))
    make_action(risk, me, detail="Long overdue", target_date=today - timedelta(days=60))
    make_action(risk, me, detail="Recently overdue", target_date=today - timedelta(days=2))
    make_action(risk, me, detail="Finished", status="Complete")
    db.session.commit()
    auth.login(me)
    page = client.get("/actions/mine").get_data(as_text=True)
    assert page.index("Long overdue") < page.index("Recently overdue") < page.index("Due later")
    assert "Finished" not in page and page.count("Overdue</strong>") == 2


def _sections(page: str) -> dict[str, list[str]]:
    """Each "my actions" table's caption, and the action details of its rows in order."""
    return {caption: re.findall(r'</a></td>\s*<td class="nhsuk-table__cell">([^<]*)</td>', body)
            for caption, body in re.findall(
                r'<caption class="nhsuk-table__caption">([^<]*)</caption>(.*?)</table>', page,
                re.S)}


def _pager_links(page: str, label: str) -> dict[str, str]:
    """The Previous/Next hrefs of the pager landmark with this label."""
    nav = re.search(rf'<nav [^>]*aria-label="{label}">(.*?)</nav>', page, re.S)
    if not nav:
        return {}
    return {title: html.unescape(href) for href, title in re.findall(
        r'href="([^"]+)"><span class="nhsuk-pagination__title">([^<]+)</span>', nav.group(1))}


ASSIGNED_PAGER = "Pages of actions assigned to you"
OTHERS_PAGER = "Pages of open actions on risks you own or lead"


def _worklist(risk, assignee, prefix: str, today: date) -> list[str]:
    """30 open actions, 5 overdue, 20 due later, 5 undated, made out of order; returns their
    details in the order the page must show them."""
    dates = ([today - timedelta(days=40 - n) for n in range(5)]
             + [today + timedelta(days=n) for n in range(20)] + [None] * 5)
    made = [(make_action(risk, assignee, detail=f"{prefix} {n:02d}", target_date=dates[n]), n)
            for n in (list(range(29, -1, -2)) + list(range(0, 30, 2)))]
    # The five undated ones (25 to 29) tie on the date, so the earlier made comes first.
    return [f"{prefix} {n:02d}" for _action, n in sorted(made, key=lambda m: (min(m[1], 25),
                                                                             m[0].id))]


def test_worklist_order_in_sql_is_the_rule_in_worklist_key(db):
    today = date.today()
    risk = make_risk()
    for target, status in [
            (today + timedelta(days=30), "Not Started"), (None, "In Progress"),
            (today - timedelta(days=10), "Complete"), (today - timedelta(days=2), "In Progress"),
            (today, "In Progress"), (None, "Complete"), (today + timedelta(days=5), "Cancelled"),
            (today - timedelta(days=60), "Not Started"), (today + timedelta(days=30), "In Progress"),
            (today - timedelta(days=2), "Not Started"), (None, "Not Started"),
            (today - timedelta(days=30), "Cancelled"), (today + timedelta(days=1), "In Progress")]:
        make_action(risk, None, target_date=target, status=status)
    actions = db.session.scalars(select(Action)).all()
    expected = [a.id for a in sorted(
        actions, key=lambda a: (worklist_key(a.target_date, a.status, today), a.id))]
    assert expected != sorted(expected)  # the rule really reorders this set
    in_sql = db.session.scalars(select(Action).order_by(*queries.worklist_order(today))).all()
    assert [a.id for a in in_sql] == expected
    # The sections' shorter order, over open actions only, is the same rule.
    open_ones = select(Action).where(Action.status.in_(["Not Started", "In Progress"]))
    in_sql = db.session.scalars(open_ones.order_by(*queries.open_worklist_order(today))).all()
    assert [a.id for a in in_sql] == [a for a in expected
                                      if db.session.get(Action, a).status not in CLOSED_STATUSES]


def test_my_actions_pages_25_at_a_time_in_worklist_order(client, auth, db):
    me = make_user()
    today = date.today()
    order = _worklist(make_risk(), me, "Mine", today)
    make_action(make_risk(), me, detail="Finished", status="Complete",
                target_date=today - timedelta(days=90))
    auth.login(me)
    first = client.get("/actions/mine").get_data(as_text=True)
    assert _sections(first) == {"Assigned to you: 30 open, 5 overdue": order[:25]}
    assert _pager_links(first, ASSIGNED_PAGER) == {"Next": "/actions/mine?assigned_page=2"}
    second = client.get("/actions/mine?assigned_page=2").get_data(as_text=True)
    assert _sections(second) == {"Assigned to you: 30 open, 5 overdue": order[25:]}
    assert _pager_links(second, ASSIGNED_PAGER) == {"Previous": "/actions/mine?assigned_page=1"}
    assert "Finished" not in first + second


def test_paging_one_section_keeps_the_others_page(client, auth, db):
    me, colleague = make_user(), make_user()
    today = date.today()
    assigned = _worklist(make_risk(), me, "Mine", today)
    others = _worklist(make_risk(me), colleague, "Theirs", today)
    auth.login(me)
    page = client.get("/actions/mine?others_page=2").get_data(as_text=True)
    sections = _sections(page)
    assert sections["Assigned to you: 30 open, 5 overdue"] == assigned[:25]
    assert sections["Open actions on risks you own or lead: 30 open, 5 overdue"] == others[25:]
    assert _pager_links(page, ASSIGNED_PAGER) == {
        "Next": "/actions/mine?assigned_page=2&others_page=2"}
    page = client.get("/actions/mine?assigned_page=2&others_page=2").get_data(as_text=True)
    sections = _sections(page)
    assert sections["Assigned to you: 30 open, 5 overdue"] == assigned[25:]
    assert sections["Open actions on risks you own or lead: 30 open, 5 overdue"] == others[25:]
    assert _pager_links(page, OTHERS_PAGER) == {
        "Previous": "/actions/mine?others_page=1&assigned_page=2"}


def test_my_actions_counts_each_section(client, auth, db):
    me, colleague = make_user(), make_user()
    today, late = date.today(), date.today() - timedelta(days=3)
    elsewhere, owned, led = make_risk(), make_risk(me), make_risk(lead_id=me.id)
    make_action(elsewhere, me, detail="Assigned late", target_date=late)
    make_action(elsewhere, me, detail="Assigned undated", target_date=None)
    make_action(elsewhere, me, detail="Assigned done", target_date=late, status="Complete")
    make_action(owned, me, detail="Mine on my risk", target_date=today)
    make_action(owned, colleague, detail="Colleague late", target_date=late)
    make_action(owned, None, detail="Nobody's", target_date=None)
    make_action(owned, colleague, detail="Colleague cancelled", target_date=late,
                status="Cancelled")
    make_action(led, colleague, detail="Led late", target_date=late, status="Not Started")
    make_action(elsewhere, colleague, detail="Not mine at all", target_date=late)
    auth.login(me)
    sections = _sections(client.get("/actions/mine").get_data(as_text=True))
    assert sections == {
        "Assigned to you: 3 open, 1 overdue":
            ["Assigned late", "Mine on my risk", "Assigned undated"],
        "Open actions on risks you own or lead: 3 open, 2 overdue":
            ["Colleague late", "Led late", "Nobody&#39;s"]}


def test_out_of_range_pages_show_the_last_page_or_the_empty_state(client, auth, db):
    me = make_user()
    order = _worklist(make_risk(), me, "Mine", date.today())
    auth.login(me)
    for query, rows in [("assigned_page=99", order[25:]), ("assigned_page=0", order[:25]),
                        ("assigned_page=-4", order[:25]), ("assigned_page=two", order[:25])]:
        response = client.get(f"/actions/mine?{query}")
        assert response.status_code == 200, query
        assert _sections(response.get_data(as_text=True)) == {
            "Assigned to you: 30 open, 5 overdue": rows}, query
    auth.logout()
    auth.login(make_user())
    response = client.get("/actions/mine?assigned_page=3&others_page=8")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "No open actions are assigned to you." in page and _sections(page) == {}


def test_a_row_shows_the_risk_assignee_dates_status_and_its_update_link(client, auth, db):
    me, colleague = make_user(), make_user(name="Colleague Name")
    risk = make_risk(me)
    action = make_action(risk, colleague, detail="Slipping", status="Not Started",
                         target_date=date.today() - timedelta(days=1), target_date_changes=2)
    make_action(risk, colleague, detail="On time", target_date=date.today() + timedelta(days=1))
    auth.login(me)
    page = client.get("/actions/mine").get_data(as_text=True)
    rows = re.findall(r"<tr><td .*?</tr>", page, re.S)
    cells = [re.findall(r'<td class="nhsuk-table__cell">(.*?)</td>', row, re.S) for row in rows]
    late_day = (date.today() - timedelta(days=1)).strftime("%d %b %Y")
    assert cells[0] == [
        f'<a href="/risks/{risk.reference}#actions">{risk.reference}</a>', "Slipping",
        "Colleague Name", f'{late_day}<br><strong class="nhsuk-tag nhsuk-tag--red">Overdue'
        '</strong><br><span class="nhsuk-body-s">Moved 2 times</span>',
        '<strong class="nhsuk-tag nhsuk-tag--grey">Not Started</strong>',
        f'<a href="/actions/{action.id}/progress?back=mine">Update<span class="nhsuk-u-visually'
        f'-hidden"> action on {risk.reference}</span></a>']
    assert cells[1][1:5] == [
        "On time", "Colleague Name", (date.today() + timedelta(days=1)).strftime("%d %b %Y"),
        '<strong class="nhsuk-tag nhsuk-tag--blue">In Progress</strong>']


def _update_links(page: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'<a href="([^"]+)">Update<', page)]


def test_update_from_my_actions_returns_to_the_pages_it_came_from(client, auth, db):
    me, colleague = make_user(), make_user()
    today = date.today()
    _worklist(make_risk(), me, "Mine", today)
    _worklist(make_risk(me), colleague, "Theirs", today)
    auth.login(me)
    page = client.get("/actions/mine?assigned_page=2&others_page=2").get_data(as_text=True)
    links = _update_links(page)
    assert len(links) == 10
    mine = next(link for link in links if link.startswith("/actions/")
                and db.session.get(Action, int(link.split("/")[2])).assignee_id == me.id)
    assert mine.endswith("/progress?back=mine&assigned_page=2&others_page=2")
    form = client.get(mine).get_data(as_text=True)
    assert 'href="/actions/mine?assigned_page=2&amp;others_page=2"' in form  # the back link
    response = client.post(mine, data={"note": "Done", "status": "Complete",
                                       "version": _version(db, int(mine.split("/")[2]))})
    assert response.status_code == 302
    assert response.headers["Location"] == "/actions/mine?assigned_page=2&others_page=2"
    # From page 1 of both, the links and the return say no page at all.
    first = _update_links(client.get("/actions/mine").get_data(as_text=True))[0]
    assert first.endswith("/progress?back=mine")
    response = client.post(first, data={"note": "Done", "status": "Complete",
                                        "version": _version(db, int(first.split("/")[2]))})
    assert response.headers["Location"] == "/actions/mine"
    # A page argument that is not a page number is dropped, not passed on.
    response = client.post(f"{first}&assigned_page=x&others_page=-3",
                           data={"note": "Done again", "status": "Complete",
                                 "version": _version(db, int(first.split("/")[2]))})
    assert response.headers["Location"] == "/actions/mine"


def test_update_from_the_risk_returns_to_the_risk(client, auth, db):
    me = make_user()
    action = make_action(make_risk(), me)
    auth.login(me)
    reference = action.risk.reference
    form = client.get(f"/actions/{action.id}/progress").get_data(as_text=True)
    assert f'href="/risks/{reference}#actions"' in form
    response = client.post(f"/actions/{action.id}/progress?assigned_page=2",
                           data={"note": "Done", "status": "Complete",
                                 "version": _version(db, action.id)})
    assert response.headers["Location"] == f"/risks/{reference}#actions"


def test_completing_from_my_actions_says_where_the_action_went(client, auth, db):
    assignee = make_user()
    action = make_action(make_risk(), assignee)
    db.session.commit()
    auth.login(assignee)
    page = client.post(f"/actions/{action.id}/progress?back=mine",
                       data={"note": "Done", "status": "Complete", "version": action.version},
                       follow_redirects=True).get_data(as_text=True)
    banner = page.split("nhsuk-notification-banner--success", 1)[1].split("</div>\n", 3)
    banner = "".join(banner[:3])
    reference = action.risk.reference
    assert f"Action on <a href=\"/risks/{reference}#actions\">{reference}</a> marked complete " \
           f"on {date.today():%d %b %Y}" in banner
    assert "leave My actions" in banner
    assert "Progress recorded." not in page
    client.post(f"/actions/{action.id}/progress", data={"note": "Reopened", "status": "In Progress",
                                                        "version": _version(db, action.id)})
    page = client.get(f"/risks/{reference}").get_data(as_text=True)
    assert "Progress recorded on the action on" in page
