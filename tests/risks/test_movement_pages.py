"""The movement page shows a page of risks at a time (issue 9: thousands of open risks)."""
from __future__ import annotations

import re

from riskapp.auth.models import Role

from ..factories import make_register, make_risk, make_user


def test_movement_is_paged_and_the_next_page_has_the_rest(app, client, auth):
    app.config["RISKS_PER_PAGE"] = 3
    owner = make_user(Role.RISK_MANAGER)
    register = make_register()
    for n in range(5):
        make_risk(owner, register=register, title=f"Risk {n}")
    auth.login(owner)

    first = client.get(f"/risks/movement?register={register.id}").get_data(as_text=True)
    second = client.get(f"/risks/movement?register={register.id}&page=2").get_data(as_text=True)

    refs = lambda html: re.findall(r'>(BAF\d{4})</a></th>', html)  # noqa: E731
    assert refs(first) == ["BAF0001", "BAF0002", "BAF0003"]
    assert refs(second) == ["BAF0004", "BAF0005"]
    assert "5 open risks, page 1 of 2" in first
    assert "page=2" in first and "Next" in first


def test_movement_cells_show_each_month_end_score_and_link_to_the_risk_for_the_year(
        app, client, auth, db):
    from datetime import date

    from riskapp.risks import services

    owner = make_user(Role.RISK_MANAGER)
    register = make_register()
    risk = make_risk(owner, register=register, today=date(2023, 5, 10))  # 4 x 4 in May
    services.rescore_risk(risk, 3, 4, "Better", by=owner, today=date(2023, 7, 3))
    other = make_register("Corporate", "CRR")
    make_risk(owner, register=other, today=date(2023, 5, 10))
    db.session.commit()
    auth.login(owner)

    page = client.get(f"/risks/movement?register={register.id}&fy=2023").get_data(as_text=True)
    row = re.search(r"<tr><th scope=\"row\">(.*?)</tr>", page, re.S).group(1)
    assert f'<a href="/risks/{risk.reference}?fy=2023">{risk.reference}</a>' in row
    assert "CRR" not in page.split("<tbody>", 1)[1]
    cells = re.findall(r'<td class="([^"]*)">(.*?)</td>', row)
    assert len(cells) == 12
    blank = ("nhsuk-table__cell app-movement-cell", "")
    carried = lambda score: ("nhsuk-table__cell app-movement-cell app-not-reviewed",  # noqa: E731
                             f'{score}<span class="app-nr" title="Not reviewed this month">*</span>'
                             '<span class="nhsuk-u-visually-hidden"> (not reviewed, carried '
                             'forward)</span>')
    reviewed = lambda score: ("nhsuk-table__cell app-movement-cell", str(score))  # noqa: E731
    # April: not opened yet; May and July reviewed; June carried forward; then carried on to
    # today (the test runs after March 2024, so every month of 23/24 has ended).
    assert cells[:4] == [blank, reviewed(16), carried(16), reviewed(12)]
    assert cells[4:] == [carried(12)] * 8
