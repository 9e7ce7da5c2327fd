"""The risk list drawn from plain rows (issue 9): the same rows, tags, options and pages as
when it was drawn from Risk objects and the macros."""
import re
from datetime import date


from riskapp.rules import scoring
from tests.factories import make_appetite, make_risk, make_user


#: The column name a row carries for the phone layout (NHS responsive table).
HEADING = r'<span class="nhsuk-table-responsive__heading" aria-hidden="true">Reference </span>'


def _row(page: str, reference: str) -> str:
    return re.search(rf'<tr class="nhsuk-table__row">\s*<td class="nhsuk-table__cell">{HEADING}'
                     rf'<a href="/risks/{reference}">.*?</tr>', page, re.S).group(0)


def _references(page: str) -> list[str]:
    return re.findall(rf'<td class="nhsuk-table__cell">{HEADING}<a href="/risks/([A-Z]+\d+)">',
                      page)


def test_a_row_shows_owner_scores_review_and_appetite(client, auth, db):
    owner, lead = make_user(name="Olive <Owner>"), make_user(name="Larry & Lead")
    above = make_risk(owner, lead_id=lead.id, title="Beds <& flow>", current_consequence=4,
                      current_likelihood=5, appetite_level_id=make_appetite("Cautious", 9).id)
    plain = make_risk(owner, title="Estates", current_consequence=2, current_likelihood=1,
                      target_consequence=None, target_likelihood=None,
                      appetite_level_id=make_appetite("Open", 16).id)
    plain.status = "Closed"
    db.session.commit()
    auth.login(make_user("board"))
    page = client.get("/risks/").get_data(as_text=True)
    # The register opens on the open risks; closed ones are one link away.
    assert _references(page) == [above.reference]
    assert "1 open risk." in page and "Include closed and archived risks" in page
    row = _row(page, above.reference)
    assert 'Beds &lt;&amp; flow&gt;\n        <br><strong class="nhsuk-tag nhsuk-tag--orange">' \
           'Above appetite</strong>' in row
    assert 'aria-hidden="true">Owner </span>Olive &lt;Owner&gt;</td>' in row
    assert "Larry" not in row  # the lead is on the risk's page, not in the register
    assert '<strong class="nhsuk-tag app-score app-band-high">High (4:5=20)</strong>' in row
    assert '<strong class="nhsuk-tag app-score app-band-high">High (4:3=12)</strong>' in row
    assert "nhsuk-tag--blue" not in row  # every row is open: no status column
    # Opened in 2023 and reviewed monthly: long overdue, and by how long.
    days = (date.today() - above.next_review_date).days
    assert f'{above.next_review_date:%d %b %Y}<br><strong class="nhsuk-tag nhsuk-tag--red">' \
           f'Overdue</strong> by {days:,} days' in row

    page = client.get("/risks/?status=any").get_data(as_text=True)
    assert "2 risks." in page and ">Status</th>" in page
    row = _row(page, plain.reference)
    assert "Above appetite" not in row and "Overdue" not in row  # within appetite; closed
    assert "None: closed" in row  # a closed risk is not reviewed
    assert '<span class="nhsuk-body-s">Not set</span>' in row  # no target
    assert '<strong class="nhsuk-tag app-score app-band-low">Low (2:1=2)</strong>' in row
    assert '<strong class="nhsuk-tag nhsuk-tag--grey">Closed</strong>' in row
    assert _references(client.get("/risks/?status=Closed").get_data(as_text=True)) == \
        [plain.reference]


def test_score_tag_names_the_band_and_escapes_it(app, db):
    # A gap (no band for 4-5) and a name to escape, as a risk manager may set them.
    bands = [scoring.Band("Low & <ok>", 1, 3, "#007f3b"), scoring.Band("High", 6, 25, "#d5281b")]
    macro = app.jinja_env.get_template("risks/_macros.html").module.score_tag
    assert "Unbanded (2:2=4)" in macro(2, 2, bands)
    assert "Low &amp; &lt;ok&gt; (1:1=1)" in macro(1, 1, bands)
    assert "Not set" in macro(None, 3, bands)


def test_search_ignores_case_in_reference_title_and_description(client, auth, db):
    by_title = make_risk(title="Partnership working")
    by_description = make_risk(title="Estates", description="Weak PARTNERSHIP governance")
    other = make_risk(title="Cyber", description="Ransomware")
    db.session.commit()
    auth.login(make_user("board"))
    for q in ("partnership", "PartnerShip"):
        page = client.get(f"/risks/?q={q}").get_data(as_text=True)
        assert sorted(_references(page)) == sorted([by_title.reference, by_description.reference])
        assert "2 open risks match the filters." in page
    page = client.get(f"/risks/?q={other.reference.lower()}").get_data(as_text=True)
    assert _references(page) == [other.reference]


def test_every_sort_pages_through_all_risks_in_order(client, auth, db, app):
    app.config["RISKS_PER_PAGE"] = 2
    people = [make_user(name=name) for name in ("Cara", "Abe", "Bea")]
    risks = [make_risk(people[i % 3], title=title, current_consequence=c, current_likelihood=2)
             for i, (title, c) in enumerate([("Delta", 1), ("Alpha", 5), ("Echo", 3),
                                             ("Bravo", 2), ("Charlie", 4)])]
    db.session.commit()
    auth.login(make_user("board"))
    owner_names = {p.id: p.name for p in people}
    expected = {
        "reference": sorted(risks, key=lambda r: r.reference),
        "title": sorted(risks, key=lambda r: r.title),
        "score": sorted(risks, key=lambda r: (-r.current_score, r.reference)),
        "owner": sorted(risks, key=lambda r: (owner_names[r.owner_id], r.reference)),
    }
    for sort, order in expected.items():
        pages = [client.get(f"/risks/?sort={sort}&page={n}").get_data(as_text=True)
                 for n in (1, 2, 3)]
        assert [ref for page in pages for ref in _references(page)] == \
            [r.reference for r in order], sort
        assert all("5 open risks." in page for page in pages)  # a sort is not a filter
        assert "Page 3 of 3" in pages[1] and "Page 2 of 3" in pages[2]
    beyond = client.get("/risks/?page=9").get_data(as_text=True)
    assert "5 open risks." in beyond and _references(beyond) == []


def test_position_and_appetite_filters_on_the_rows(client, auth, db):
    level = make_appetite("Minimal", 6)
    at = make_risk(target_consequence=2, target_likelihood=3, appetite_level_id=level.id)
    elsewhere = make_risk(target_consequence=3, target_likelihood=2)
    db.session.commit()
    auth.login(make_user("board"))
    page = client.get("/risks/?view=target&consequence=2&likelihood=3").get_data(as_text=True)
    assert _references(page) == [at.reference]
    page = client.get("/risks/?above_appetite=1&sort=owner").get_data(as_text=True)
    assert _references(page) == [at.reference] and elsewhere.reference not in page


def test_review_due_today_is_due_today(client, auth, db):
    risk = make_risk(today=date.today())
    risk.next_review_date = date.today()
    db.session.commit()
    auth.login(make_user("board"))
    row = _row(client.get("/risks/").get_data(as_text=True), risk.reference)
    assert 'nhsuk-tag--orange">Due today</strong>' in row and "Overdue" not in row


def test_my_risks_rows_show_part_score_review_and_links_in_review_order(client, auth, db):
    me, other = make_user(name="Me"), make_user(name="Other")
    overdue = make_risk(me, title="Owned <overdue>", today=date(2020, 1, 1))
    led = make_risk(other, title="Led", lead_id=me.id, today=date.today())
    both = make_risk(me, title="Both", lead_id=me.id, current_consequence=2,
                     current_likelihood=2, today=date.today())
    unscheduled = make_risk(me, title="No review set")
    unscheduled.next_review_date = None
    closed = make_risk(me, title="Closed")
    closed.status = "Closed"
    make_risk(other, title="Not mine")
    db.session.commit()
    auth.login(me)
    page = client.get("/risks/mine").get_data(as_text=True)
    rows = re.findall(r"<tr><td class=\"nhsuk-table__cell\">(.*?)</tr>", page, re.S)
    references = [re.search(r'>([A-Z]+\d+)</a>', row).group(1) for row in rows]
    later = sorted([led, both], key=lambda r: (r.next_review_date, r.reference))
    assert references == [overdue.reference] + [r.reference for r in later] + \
        [unscheduled.reference]
    days = (date.today() - overdue.next_review_date).days
    assert "1 review is overdue." in page and "due today" not in page
    first = rows[0]
    assert f'<a href="/risks/{overdue.reference}">{overdue.reference}</a>' in first
    assert "Owned &lt;overdue&gt;" in first and ">Owner</td>" in first
    assert '<strong class="nhsuk-tag app-score app-band-high">High (4:4=16)</strong>' in first
    assert f'<br><strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong> by {days:,} days' \
        in first
    assert f'<a href="/risks/{overdue.reference}/review">Record a review<span ' \
           f'class="nhsuk-u-visually-hidden"> of {overdue.reference}</span></a>' in first
    parts = {ref: row for ref, row in zip(references, rows)}
    assert ">Lead</td>" in parts[led.reference] and "Overdue" not in parts[led.reference]
    assert ">Owner and lead</td>" in parts[both.reference]
    assert "app-band-medium\">Medium (2:2=4)" in parts[both.reference]


def test_register_directorate_and_committee_filters_list_every_one_in_order(client, auth, db):
    from riskapp.auth.models import Directorate
    from riskapp.committees.models import Committee
    from tests.factories import make_register
    make_register("Zulu register", "ZZ"), make_register("Alpha register", "AA")
    db.session.add_all([Directorate(name="Surgery"), Directorate(name="Estates & <Facilities>"),
                        Committee(name="Quality"), Committee(name="Audit")])
    db.session.commit()
    auth.login(make_user("board"))
    page = client.get("/risks/").get_data(as_text=True)
    options = {name: re.findall(r"<option[^>]*>([^<]*)</option>", re.search(
        rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1))
        for name in ("register", "directorate", "committee")}
    assert options == {"register": ["All registers", "Zulu register", "Alpha register"],
                       "directorate": ["Any directorate", "Estates &amp; &lt;Facilities&gt;",
                                       "Surgery"],
                       "committee": ["Any committee", "Audit", "Quality"]}
