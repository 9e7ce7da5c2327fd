"""Pages of a register as at a past day are counted, sorted and paged in SQL (`page_at`), with
the few risks read in Python (moved register since, recorded later) merged in: every page,
every order, agrees with reading the whole register (`risks_at`, `scores_at`) and sorting it
here, which is what the pages did before (issues 14 and 18, speed at 5,000 risks)."""
from __future__ import annotations

import html
import re
from datetime import date, datetime

from riskapp.auth.models import Role, User
from riskapp.extensions import db
from riskapp.record import date_learnt
from riskapp.record.as_at import register_at, risks_at, scores_at
from riskapp.reports.pack import REFERENCES_PER_CELL, Selection, heatmap_as_at
from riskapp.risks import queries, services
from riskapp.risks.models import AppetiteLevel, Risk
from riskapp.risks.services import ordered_bands

from .. import factories

OPENED = date(2024, 1, 10)
DAY = date(2024, 6, 1)
#: (consequence, likelihood) of the risks riskapp held on DAY, in the order opened.
HELD = [(2, 2), (4, 4), (3, 5), (4, 4), (3, 3), (5, 4)]
TITLES = ["Workforce gaps", "Cyber attack", "Estates backlog", "Budget shortfall",
          "Audit findings", "Ambulance handovers"]


def _register():
    """CRR on DAY: six risks riskapp held then, one it recorded only later (by its dates: the
    highest score), one moved to the BAF since (still on the CRR then); and a BAF risk moved to
    the CRR since (not on it then). One held risk closed by then."""
    crr = factories.make_register("Corporate Risk Register", "CRR")
    baf = factories.make_register()
    db.session.flush()
    owner = factories.make_user()
    others = [owner, factories.make_user(name="Aisha Bello", email="aisha@example.org")]
    cautious = factories.make_appetite()
    risks = []
    for n, (consequence, likelihood) in enumerate(HELD):
        risks.append(factories.make_risk(others[n % 2], register=crr, today=OPENED,
                                         title=TITLES[n], appetite_level_id=cautious.id,
                                         current_consequence=consequence,
                                         current_likelihood=likelihood))
        date_learnt(db.session, datetime(2024, 1, 10, 12, 0))
        db.session.commit()
    closed = risks[4]
    closed.status = "Closed"
    db.session.flush()
    date_learnt(db.session, datetime(2024, 2, 1, 12, 0))
    db.session.commit()
    moved_out = factories.make_risk(owner, register=crr, today=OPENED, current_consequence=3,
                                    current_likelihood=3)
    moved_in = factories.make_risk(owner, register=baf, today=OPENED, current_consequence=5,
                                   current_likelihood=5)
    date_learnt(db.session, datetime(2024, 1, 10, 12, 0))
    db.session.commit()
    # Recorded in riskapp today, opened before DAY: on the register then by its dates.
    later = factories.make_risk(owner, register=crr, today=OPENED, current_consequence=5,
                                current_likelihood=5)
    db.session.commit()
    services.move_risk(moved_out, baf, by=None, today=date.today(), reason="Escalated")
    services.move_risk(moved_in, crr, by=None, today=date.today(), reason="De-escalated")
    db.session.commit()
    return crr, later, moved_out, moved_in


def _whole(register_id):
    """The register on DAY read whole and sorted here: the open risks by reference and by
    score then."""
    risks = [r for r in risks_at(register_id, DAY) if r.status == "Open"]
    scores = scores_at(risks, DAY)

    def score(r):
        c, lk = scores.get(r.id, (r.current_consequence, r.current_likelihood))
        return c * lk
    by_score = sorted(risks, key=lambda r: (-score(r), r.reference))
    return [r.reference for r in risks], [r.reference for r in by_score], risks, scores


def test_the_few_risks_read_in_python_are_those_moved_or_recorded_later(app):
    crr, later, moved_out, moved_in = _register()
    split = register_at(crr.id, DAY)
    assert sorted(r.id for r in split.others) == sorted([later.id, moved_out.id])
    held = db.session.execute(db.select(split.held.c.id)).scalars().all()
    assert later.id not in held and moved_out.id not in held and moved_in.id not in held
    assert len(held) == len(HELD)


def test_every_page_of_the_risk_list_by_reference_and_by_score_as_at_a_day(app):
    crr, later, moved_out, _ = _register()
    by_reference, by_score, _, _ = _whole(crr.id)
    assert len(by_reference) == 7  # five held open, one recorded later, one moved out since
    assert by_score[0] == later.reference  # 5 x 5, recorded later: merged first
    bands = ordered_bands()
    for sort, expected in (("reference", by_reference), ("score", by_score)):
        shown, recorded_later = [], set()
        for page in (1, 2, 3):
            pagination, later_count = queries.list_page_as_at(
                queries.RiskFilters(register_id=crr.id, status="Open", sort=sort), DAY, bands,
                page=page, per_page=3)
            assert pagination.total == 7
            shown += [r.reference for r in pagination.items]
            recorded_later.add(later_count)
        assert shown == expected, sort
        assert recorded_later == {1}
        # A page past the end: no rows, the count all the same.
        pagination, _ = queries.list_page_as_at(
            queries.RiskFilters(register_id=crr.id, status="Open", sort=sort), DAY, bands,
            page=9, per_page=3)
        assert pagination.items == [] and pagination.total == 7


def test_the_list_shows_the_score_then_of_risks_read_either_way(app):
    crr, later, moved_out, _ = _register()
    _, _, risks, scores = _whole(crr.id)
    pagination, _ = queries.list_page_as_at(
        queries.RiskFilters(register_id=crr.id, sort="score"), DAY, ordered_bands(), page=1,
        per_page=50)
    shown = {r.reference: (r.current_consequence, r.current_likelihood)
             for r in pagination.items}
    assert shown == {r.reference: scores.get(r.id, (r.current_consequence,
                                                    r.current_likelihood))[:2]
                     for r in risks_at(crr.id, DAY)}


def test_the_heatmap_as_at_a_day_counts_and_lists_as_the_whole_register_does(app):
    crr, later, moved_out, _ = _register()
    _, _, risks, scores = _whole(crr.id)
    rows, unplaced, recorded_later = heatmap_as_at(Selection(register=crr), "current",
                                                   ordered_bands(), DAY)
    expected: dict[tuple[int, int], list[str]] = {}
    for r in sorted(risks, key=lambda r: (r.register_id, r.number, r.reference)):
        expected.setdefault(tuple(scores.get(r.id, (r.current_consequence,
                                                    r.current_likelihood))), []).append(
            r.reference)
    got = {(cell.consequence, cell.likelihood): [r.reference for r in cell.risks]
           for row in rows for cell in row if cell.count}
    counts = {(cell.consequence, cell.likelihood): cell.count
              for row in rows for cell in row if cell.count}
    assert got == {k: v[:REFERENCES_PER_CELL] for k, v in expected.items()}
    assert counts == {k: len(v) for k, v in expected.items()}
    assert (4, 4) in got and len(got[(4, 4)]) == 2
    assert got[(5, 5)] == [later.reference]
    assert unplaced.count == 0 and recorded_later == 1
    # Initial and target views: the risks' own positions then.
    rows, _, _ = heatmap_as_at(Selection(register=crr), "target", ordered_bands(), DAY)
    assert sum(cell.count for row in rows for cell in row) == 7


def test_the_api_list_as_at_a_day_pages_in_sql_with_the_others_merged(app, client, auth):
    crr, later, moved_out, _ = _register()
    by_reference, _, _, _ = _whole(crr.id)
    auth.login(factories.make_user(Role.BOARD))
    shown = []
    for page in (1, 2, 3):
        body = client.get(f"/api/v1/risks?register=CRR&as_of={DAY}&status=Open&page={page}"
                          "&per_page=3").get_json()
        assert body["total"] == 7, body
        shown += [item["ref"] for item in body["items"]]
    assert shown == by_reference
    # Only risks riskapp held then (no others chosen: paged by OFFSET in SQL), and past the end.
    for page, shown in ((1, 1), (9, 0)):
        body = client.get(f"/api/v1/risks?register=CRR&as_of={DAY}&status=Closed&page={page}"
                          "&per_page=2").get_json()
        assert body["total"] == 1 and len(body["items"]) == shown, body


def test_every_other_filter_and_sort_in_sql_agrees_with_the_whole_register_read(app):
    """Band, above appetite and heatmap position (current, initial, target), sorted by title,
    owner or next review: the same risks in the same order as reading the whole register and
    narrowing it in Python (the way the list still reads with a committee or words filter)."""
    crr, later, moved_out, _ = _register()
    bands = ordered_bands()
    high = next(b for b in bands if b.name == "High")
    names = dict(db.session.execute(db.select(User.id, User.name)).all())
    limits = dict(db.session.execute(db.select(AppetiteLevel.id, AppetiteLevel.max_score)).all())
    cases = [dict(sort=sort) for sort in ("title", "owner", "review", "score")] + [
        dict(band=high), dict(above_appetite=True, sort="score"),
        dict(consequence=4, likelihood=4), dict(consequence=5), dict(likelihood=5),
        dict(view="initial", consequence=4, sort="title"),
        dict(view="target", likelihood=3, sort="owner"), dict(status="Closed")]
    for case in cases:
        filters = queries.RiskFilters(register_id=crr.id, **case)
        expected, _, _ = queries._list_page_in_python(filters, DAY, bands, names, limits,
                                                      page=1, per_page=50)
        expected = [r.reference for r in expected.items]
        assert expected, case  # each case chooses some risks: an empty match proves little
        shown = []
        for page in (1, 2, 3, 4):
            pagination, _ = queries.list_page_as_at(filters, DAY, bands, page=page, per_page=2)
            assert pagination.total == len(expected), case
            shown += [r.reference for r in pagination.items]
        assert shown == expected, case


def test_the_heatmap_as_at_a_day_links_each_count_to_the_risks_there_then(app, client, auth):
    """A count on the heatmap as at a day opens the risk list as at that day at that position
    (now that the list as at a day pages in SQL, it is as quick as today's)."""
    crr, later, _, _ = _register()
    there = sorted(db.session.execute(db.select(Risk.reference).where(
        Risk.title.in_(["Cyber attack", "Budget shortfall"]))).scalars())
    auth.login(factories.make_user(Role.BOARD))
    page = html.unescape(client.get(f"/reports/heatmap?register={crr.id}&as_of={DAY}")
                         .get_data(as_text=True))
    link = re.search(r'<a class="app-heatmap__count" href="([^"]+)">2 risks<span', page)
    assert link, "the count of a cell as at a day is a link"
    assert "consequence=4" in link[1] and "likelihood=4" in link[1]
    listed = html.unescape(client.get(link[1]).get_data(as_text=True))
    assert "Risk register as at 1 Jun 2024" in listed
    assert "2 open risks match the filters at the end of 1 Jun 2024" in listed
    shown = re.findall(r'href="/risks/(CRR\d{4})\?as_of=2024-06-01"', listed)
    assert sorted(set(shown)) == there


def _linked_to_audit(crr, later):
    """An audit committee's links on DAY: two risks linked before it, one linked before it and
    unlinked since (linked then), one linked and unlinked before it (not then), one linked
    since (not then); the risk recorded later linked when riskapp first recorded it (so
    linked as first recorded)."""
    from riskapp.committees.models import Committee
    audit = Committee(name="Audit and Risk Committee")
    db.session.add(audit)
    by_title = {r.title: r for r in db.session.scalars(db.select(Risk).where(
        Risk.register_id == crr.id))}
    for title in ("Cyber attack", "Estates backlog", "Workforce gaps", "Ambulance handovers"):
        by_title[title].committees.append(audit)
    db.session.flush()
    date_learnt(db.session, datetime(2024, 1, 20, 12, 0))
    db.session.commit()
    by_title["Ambulance handovers"].committees.remove(audit)  # unlinked before DAY
    db.session.flush()
    date_learnt(db.session, datetime(2024, 3, 1, 12, 0))
    db.session.commit()
    by_title["Workforce gaps"].committees.remove(audit)
    by_title["Budget shortfall"].committees.append(audit)
    later.committees.append(audit)
    db.session.commit()
    return audit


def test_a_committee_filter_as_at_a_day_goes_by_the_links_then_in_sql(app):
    crr, later, _, _ = _register()
    audit = _linked_to_audit(crr, later)
    bands = ordered_bands()
    names = dict(db.session.execute(db.select(User.id, User.name)).all())
    limits = dict(db.session.execute(db.select(AppetiteLevel.id, AppetiteLevel.max_score)).all())
    for sort in ("reference", "score"):
        filters = queries.RiskFilters(register_id=crr.id, committee_id=audit.id, status="Open",
                                      sort=sort)
        expected, _, _ = queries._list_page_in_python(filters, DAY, bands, names, limits,
                                                      page=1, per_page=50)
        expected = [r.reference for r in expected.items]
        titles = {r.reference: r.title for r in risks_at(crr.id, DAY)}
        assert sorted(titles[ref] for ref in expected) == sorted(
            ["Cyber attack", "Estates backlog", "Workforce gaps", later.title])
        pagination, recorded_later = queries.list_page_as_at(filters, DAY, bands, page=1,
                                                            per_page=50)
        assert [r.reference for r in pagination.items] == expected, sort
        assert recorded_later == 1
    rows, _, recorded_later = heatmap_as_at(Selection(register=crr, committee=audit),
                                            "current", bands, DAY)
    shown = sorted(r.reference for row in rows for cell in row for r in cell.risks)
    assert shown == sorted(expected) and recorded_later == 1
    assert sum(cell.count for row in rows for cell in row) == 4
