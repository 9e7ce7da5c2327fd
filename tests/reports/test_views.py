"""Report pages: the heatmap, the pack download, and who may see them."""
import re

import pytest
from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.committees.models import Committee
from tests.factories import make_register, make_risk, make_user

from .helpers import count_queries, make_pack

ROLES = [Role.ADMIN, Role.RISK_MANAGER, Role.SECRETARIAT, Role.BOARD, Role.STAFF]


@pytest.mark.parametrize("url", ["/reports/", "/reports/heatmap", "/reports/pack",
                                 "/reports/baf.pdf", "/reports/export/risks.csv"])
def test_signed_out_people_are_sent_to_sign_in(client, app, url):
    response = client.get(url)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_reads_the_reports(client, auth, db, role):
    risk = make_risk()
    db.session.commit()
    auth.login(make_user(role))
    assert client.get("/reports/").status_code == 200
    page = client.get("/reports/heatmap")
    assert page.status_code == 200 and risk.reference in page.get_data(as_text=True)
    assert client.get("/reports/pack").status_code == 200
    pdf = make_pack(client)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert client.get("/reports/export/risks.csv").status_code == 200
    index = client.get("/reports/").get_data(as_text=True)
    assert ("/reports/import" in index) == (role == Role.RISK_MANAGER)


def test_an_inactive_account_cannot_read_reports(client, auth, db):
    user = make_user(Role.BOARD)
    db.session.commit()
    auth.login(user)
    user.active = False
    db.session.commit()
    assert client.get("/reports/heatmap").status_code in (302, 403)


def _cell(page: str, consequence: int, likelihood: int) -> str:
    """The markup of one heatmap cell: row `consequence` (5 first), column `likelihood`."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = body.split("</tr>")
    row = rows[5 - consequence]
    cells = re.findall(r"<td class=\"app-heatmap__cell.*?</td>", row, re.S)
    return cells[likelihood - 1]


def test_heatmap_is_a_table_of_links_with_band_words_and_classes(client, auth, db):
    a = make_risk(title="Elective recovery", current_consequence=4, current_likelihood=5,
                  initial_consequence=5, initial_likelihood=5, target_consequence=2,
                  target_likelihood=2)
    db.session.commit()
    auth.login(make_user(Role.BOARD))
    page = client.get("/reports/heatmap").get_data(as_text=True)
    cell = _cell(page, 4, 5)
    assert f'href="/risks/{a.reference}"' in cell and "High 20" in cell and "1 risk" in cell
    assert "app-band-high" in cell
    assert '<th scope="col">5 Almost certain</th>' in page
    assert '<th scope="row">4 Major</th>' in page and "<caption" in page
    assert "style=" not in page.split("<main", 1)[1]  # no inline styles (CSP)
    initial = client.get("/reports/heatmap?view=initial").get_data(as_text=True)
    assert a.reference in _cell(initial, 5, 5) and a.reference not in _cell(initial, 4, 5)
    target = client.get("/reports/heatmap?view=target").get_data(as_text=True)
    assert a.reference in _cell(target, 2, 2) and "Medium 4" in _cell(target, 2, 2)
    assert "Heatmap: target position" in target


def test_heatmap_filters_by_register_committee_directorate_and_owner(client, auth, db):
    from riskapp.auth.models import Directorate
    owner = make_user(name="Olive Owner")
    directorate = Directorate(name="Finance")
    committee = Committee(name="Audit and Risk Assurance Committee", short_name="ARAC")
    db.session.add_all([directorate, committee])
    db.session.flush()
    mine = make_risk(owner, directorate_id=directorate.id)
    mine.committees = [committee]
    other = make_risk(title="Other")
    corporate = make_risk(register=make_register("Corporate", "CRR"), title="Corporate")
    db.session.commit()
    auth.login(make_user(Role.BOARD))

    def refs(query):
        page = client.get("/reports/heatmap?" + query).get_data(as_text=True)
        body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        return set(re.findall(r">((?:BAF|CRR)\d{4})<", body))

    assert refs("") == {mine.reference, other.reference, corporate.reference}
    assert refs(f"owner={owner.id}") == {mine.reference}
    assert refs(f"committee={committee.id}") == {mine.reference}
    assert refs(f"directorate={directorate.id}") == {mine.reference}
    assert refs(f"register={corporate.register_id}") == {corporate.reference}
    # Unknown values (old bookmarks, tampering) are ignored, not an error.
    assert refs("owner=999999&register=abc") == {mine.reference, other.reference,
                                                 corporate.reference}
    page = client.get(f"/reports/heatmap?committee={committee.id}").get_data(as_text=True)
    assert f"/reports/baf.pdf?committee={committee.id}" in page


def test_heatmap_owner_filter_lists_the_people_who_own_a_risk(client, auth, db):
    """Not every active account (500 at a large trust): the owners, and the one chosen."""
    owner = make_user(name="Olive Owner")
    nobody = make_user(name="Norah Nonowner")
    make_risk(owner)
    db.session.commit()
    auth.login(make_user(Role.BOARD))

    def owner_select(query=""):
        page = client.get("/reports/heatmap" + query).get_data(as_text=True)
        return re.search(r'<select class="nhsuk-select app-select-full" id="owner" '
                         r'name="owner">(.*?)</select>', page, re.S).group(1)

    options = owner_select()
    assert options.startswith('<option value="">Anyone</option>')
    assert f'<option value="{owner.id}">Olive Owner</option>' in options
    assert "Norah Nonowner" not in options
    # A bookmark naming someone who owns nothing keeps its filter (an empty map), not dropped.
    chosen = owner_select(f"?owner={nobody.id}")
    assert f'<option selected value="{nobody.id}">Norah Nonowner</option>' in chosen
    page = client.get(f"/reports/heatmap?owner={nobody.id}").get_data(as_text=True)
    assert "0 open risks match the filters" in page


def test_heatmap_owner_names_are_escaped(client, auth, db):
    owner = make_user(name="<b>Bold</b> & Co")
    make_risk(owner)
    db.session.commit()
    auth.login(make_user(Role.BOARD))
    page = client.get("/reports/heatmap").get_data(as_text=True)
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co</option>" in page and "<b>Bold</b>" not in page


def test_heatmap_queries_do_not_grow_with_the_risks(client, auth, db):
    auth.login(make_user(Role.BOARD))
    for i in range(3):
        make_risk(make_user(), title=f"R{i}")
    db.session.commit()
    with count_queries() as few:
        assert client.get("/reports/heatmap").status_code == 200
    for i in range(30):
        make_risk(make_user(), title=f"S{i}")
    db.session.commit()
    with count_queries() as many:
        page = client.get("/reports/heatmap").get_data(as_text=True)
    assert "33 open risks" in page
    assert many["n"] == few["n"]


def test_a_crowded_cell_links_its_count_to_the_risk_list_at_that_position(client, auth, db):
    """The cell names its first references; its count and "more" open the rest in the list."""
    from riskapp.reports.pack import REFERENCES_PER_CELL
    register = make_register("Corporate", "CRR")
    crowded = [make_risk(register=register, title=f"Crowded {i}", current_consequence=5,
                         current_likelihood=4) for i in range(REFERENCES_PER_CELL + 3)]
    elsewhere = make_risk(register=register, title="Elsewhere", current_consequence=2,
                          current_likelihood=2, target_consequence=5, target_likelihood=4)
    db.session.commit()
    auth.login(make_user(Role.BOARD))
    page = client.get(f"/reports/heatmap?register={register.id}").get_data(as_text=True)
    cell = _cell(page, 5, 4)
    listed = re.findall(r">(CRR\d{4})<", cell)
    assert listed == [r.reference for r in crowded[:REFERENCES_PER_CELL]]
    assert f"{REFERENCES_PER_CELL + 3} risks" in cell and "and 3 more" in cell
    link = re.search(r'<a class="app-heatmap__count" href="([^"]+)"', cell).group(1).replace(
        "&amp;", "&")
    assert "consequence=5" in link and "likelihood=4" in link and "view=current" in link

    risks = client.get(link).get_data(as_text=True)
    assert f"{REFERENCES_PER_CELL + 3} open risks match the filters" in risks
    assert all(r.reference in risks for r in crowded) and elsewhere.reference not in risks
    assert "Only risks whose current position is consequence 5 × likelihood 4" in risks
    # The same cell of the target view holds the other risk only.
    target = client.get(link.replace("view=current", "view=target")).get_data(as_text=True)
    assert elsewhere.reference in target and crowded[0].reference not in target
    # "Show risks at every position" keeps the other filters and drops the position.
    everywhere = re.search(r'href="([^"]+)">Show risks at every position', risks).group(1)
    assert "consequence" not in everywhere and f"register={register.id}" in everywhere
    # A position out of range is ignored, as other unknown filter values are.
    assert "14 open risks" in client.get("/risks/?consequence=9").get_data(as_text=True)


def test_pack_download_refuses_a_bad_year_or_date_with_the_form(client, auth, db):
    make_risk()
    db.session.commit()
    auth.login(make_user(Role.BOARD))
    response = make_pack(client, {"fy": "1900"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a year from 2000 to 2100" in page and "<title>Error: " in page
    response = make_pack(client, {"as_of-day": "31", "as_of-month": "2", "as_of-year": "2023"})
    assert response.status_code == 422
    assert "real date" in response.get_data(as_text=True)


def test_pack_download_uses_the_filters_and_date(client, auth, baf, tmp_path):
    from .helpers import pdf_text
    auth.login(make_user(Role.BOARD))
    pccac = baf.session.scalar(select(Committee).where(Committee.short_name == "PCCAC"))
    response = make_pack(client, {"committee": pccac.id, "as_of-day": "29",
                                  "as_of-month": "11", "as_of-year": "2023", "fy": "2023"})
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data, tmp_path)
    assert "29 Nov 2023" in text and "Primary Care Commissioning" in text
    detail = text[text.index("Risk detail by band"):]
    assert "BAF0008" in detail and "BAF0001" not in detail


def test_risk_list_links_to_the_heatmap_and_the_pack(client, auth, db):
    make_risk()
    db.session.commit()
    auth.login(make_user(Role.STAFF))
    page = client.get("/risks/").get_data(as_text=True)
    assert "/reports/heatmap" in page and "/reports/baf.pdf" in page
