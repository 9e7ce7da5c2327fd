"""The heatmap and the movement table as at a past day, and the as-at date checked beside its
field on every form that takes one (issue 14)."""
from __future__ import annotations

import html
import re
from datetime import date

from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.risks import services
from riskapp.risks.models import Register, Risk

from .. import factories

PACK_DAY = "2023-11-29"


def _cell(page: str, consequence: int, likelihood: int) -> str:
    """The references listed in one heatmap cell (rows 5..1, columns 1..5)."""
    body = page.split("<tbody>")[1]
    row = body.split("<tr>")[1:][5 - consequence]
    return row.split("<td")[likelihood]


def _review_baf6_today():
    risk = db.session.scalar(select(Risk).where(Risk.reference == "BAF0006"))
    services.rescore_risk(risk, 2, 2, "Much better", by=None, today=date.today())
    db.session.commit()


def test_the_heatmap_as_at_a_past_day_shows_each_risk_where_it_was(baf, client, auth):
    auth.login(factories.make_user(Role.BOARD))
    _review_baf6_today()
    today = client.get("/reports/heatmap").get_data(as_text=True)
    assert "BAF0006" in _cell(today, 2, 2) and "BAF0006" not in _cell(today, 5, 4)

    then = client.get(f"/reports/heatmap?as_of={PACK_DAY}")
    assert then.status_code == 200
    page = html.unescape(then.get_data(as_text=True))
    assert "Heatmap: current position as at 29 Nov 2023" in page
    assert "BAF0006" in _cell(page, 5, 4) and "BAF0006" not in _cell(page, 2, 2)
    assert "11 open risks" in page
    # Each reference opens the risk as at that day; the date stays in the boxes and the links.
    assert "/risks/BAF0006?as_of=2023-11-29" in page
    assert re.search(r'name="as_of-day"[^>]*value="29"', page)
    assert "as_of-year=2023" in page  # the view switch and pack links keep the date
    # The same page from the date boxes.
    boxes = client.get("/reports/heatmap?as_of-day=29&as_of-month=11&as_of-year=2023")
    assert "BAF0006" in _cell(boxes.get_data(as_text=True), 5, 4)


def test_an_as_at_date_before_the_record_or_in_the_future_is_refused_beside_it(baf, client,
                                                                                 auth):
    auth.login(factories.make_user(Role.BOARD))
    for address in ("/reports/heatmap", "/risks/movement"):
        # The record starts when the first risk was opened (the demo's, 15 Apr 2023), not
        # when riskapp learnt of them (29 Nov 2023): earlier risks are read by their dates.
        r = client.get(f"{address}?as_of-day=14&as_of-month=4&as_of-year=2023")
        page = html.unescape(r.get_data(as_text=True))
        assert r.status_code == 422, address
        assert "The record starts on 15 Apr 2023. Enter that date or a later one" in page
        assert page.count("The record starts on 15 Apr 2023") == 2  # summary and the field
        assert 'value="14"' in page  # what was typed is kept
        r = client.get(f"{address}?as_of-day=1&as_of-month=1&as_of-year=2099")
        assert r.status_code == 422
        assert "The date must be today or in the past" in r.get_data(as_text=True)

    baf_id = db.session.scalar(select(Register.id).where(Register.prefix == "BAF"))
    r = client.post("/reports/baf.pdf", data={
        "register": str(baf_id), "as_of-day": "14", "as_of-month": "4", "as_of-year": "2023"})
    page = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 422
    assert "The record starts on 15 Apr 2023. Enter that date or a later one" in page
    assert 'value="14"' in page


def test_the_movement_table_as_at_a_past_day(baf, client, auth):
    auth.login(factories.make_user(Role.BOARD))
    _review_baf6_today()
    page = html.unescape(client.get(
        f"/risks/movement?fy=2023&as_of={PACK_DAY}").get_data(as_text=True))
    assert "Risk movement over time (23/24) as at 29 Nov 2023" in page
    row = page.split('BAF0006</a></th>')[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[7].startswith("20")  # Nov-23: 5 x 4
    assert cells[8] == ""  # Dec-23: still to come at the end of 29 Nov 2023
    assert "/risks/BAF0006?fy=2023&as_of=2023-11-29" in page
    assert "11 open risks at the end of 29 Nov 2023" in page


def test_the_risk_list_as_at_a_past_day(baf, client, auth):
    auth.login(factories.make_user(Role.BOARD))
    _review_baf6_today()
    today = html.unescape(client.get("/risks/?sort=score").get_data(as_text=True))
    assert "(2:2=4)" in today.split("BAF0006</a>")[1].split("</tr>")[0]

    then = client.get(f"/risks/?as_of={PACK_DAY}&sort=score")
    assert then.status_code == 200
    page = html.unescape(then.get_data(as_text=True))
    assert "Risk register as at 29 Nov 2023" in page
    assert "11 open risks at the end of 29 Nov 2023" in page
    row = page.split("BAF0006?as_of=2023-11-29\">BAF0006</a>")[1].split("</tr>")[0]
    assert "(5:4=20)" in row  # the score then, not today's
    assert "recorded in riskapp only after" not in page  # held then
    # Sorted by the score then: the 20s before the 16s before BAF0010's 9.
    refs = re.findall(r'/risks/(BAF\d+)\?as_of=2023-11-29"', page)
    assert refs[-1] == "BAF0010" and refs.index("BAF0006") < refs.index("BAF0004")
    # Filtered by the band then; the date stays in the boxes.
    high = html.unescape(client.get(f"/risks/?as_of={PACK_DAY}&band=Medium").get_data(
        as_text=True))
    assert re.findall(r'/risks/(BAF\d+)\?as_of=', high) == ["BAF0010"]
    assert re.search(r'name="as_of-day"[^>]*value="29"', high)

    # Before riskapp held the demo: the risks opened by then, said to be recorded later.
    may = html.unescape(client.get("/risks/?as_of=2023-05-31").get_data(as_text=True))
    assert "9 open risks at the end of 31 May 2023" in may
    assert ("9 of these risks were recorded in riskapp only after 31 May 2023, brought in "
            "from an earlier register") in may
    row = may.split("BAF0006</a>")[1].split("</tr>")[0]
    assert "(5:3=15)" in row
    # Next due a month after the review held on 15 May 2023 (High: monthly), not from the
    # date the risk was recorded with (15 Dec 2023); and not overdue at the end of 31 May.
    assert "15 Jun 2023" in row and "Overdue" not in row
    assert "Add a risk" not in may

    bad = client.get("/risks/?as_of-day=14&as_of-month=4&as_of-year=2023")
    assert bad.status_code == 422
    text = html.unescape(bad.get_data(as_text=True))
    assert text.count("The record starts on 15 Apr 2023") == 2 and 'value="14"' in text
