"""The committee page's risks and meetings (issue 9: plain rows, the risks capped)."""
from __future__ import annotations

import re

from riskapp.auth.models import Role
from riskapp.committees import services
from riskapp.extensions import db
from riskapp.meetings.models import Meeting

from .. import factories


def test_committee_page_caps_its_risks_and_links_to_the_rest(client, auth, pccac, people):
    """Issue 9: a board oversees 150 or more risks; the page shows the first few by
    reference, says how many there are in all and links to the risk list for the rest."""
    shown = services.RISKS_SHOWN
    already = len(pccac.risks)
    owner = people[Role.RISK_MANAGER]
    register = factories.make_register()
    for i in range(shown + 3 - already):
        pccac.risks.append(factories.make_risk(owner, register=register, title=f"Extra {i}"))
    db.session.commit()
    refs = sorted(r.reference for r in pccac.risks)
    auth.login(people[Role.BOARD])
    page = client.get(f"/committees/{pccac.id}").get_data(as_text=True)
    total = shown + 3
    assert f"The first {shown} of {total} risks, by reference." in page
    assert f'<a href="/risks/?committee={pccac.id}">See all {total} risks overseen' in page
    assert f'href="/risks/{refs[shown - 1]}"' in page
    assert f'href="/risks/{refs[shown]}"' not in page
    # The link's list is the rest: the risk list filtered to this committee has them all.
    listed = "".join(client.get(f"/risks/?committee={pccac.id}&page={n}").get_data(as_text=True)
                     for n in range(1, 4))
    assert all(f'href="/risks/{ref}"' in listed for ref in refs)


def test_committee_page_lists_every_risk_and_meeting_when_few(client, auth, pccac, people):

    auth.login(people[Role.BOARD])
    page = client.get(f"/committees/{pccac.id}").get_data(as_text=True)
    assert "See all" not in page and "The first" not in page
    for r in pccac.risks:
        assert f'<a href="/risks/{r.reference}">{r.reference}</a>' in page
    meetings = db.session.scalars(db.select(Meeting).where(Meeting.committee_id == pccac.id))
    ids = [m.id for m in meetings]
    assert ids and all(f'<a href="/meetings/{i}">' in page for i in ids)


def test_committee_page_pages_its_meetings_latest_first(client, auth, pccac, people):
    """Issue 9: a committee holds forty meetings over five years at a large trust; the page
    shows them a page at a time, newest first, with links to earlier and later pages."""
    from datetime import datetime, timedelta, timezone

    per_page = services.MEETINGS_PER_PAGE
    start = datetime(2020, 1, 6, 10, tzinfo=timezone.utc)
    have = db.session.scalar(db.select(db.func.count()).select_from(Meeting)
                             .where(Meeting.committee_id == pccac.id))
    for i in range(per_page + 3 - have):
        db.session.add(Meeting(committee=pccac, status="Held",
                               starts_at=start + timedelta(days=30 * i)))
    db.session.commit()
    newest_first = list(db.session.scalars(
        db.select(Meeting.id).where(Meeting.committee_id == pccac.id)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())))
    assert len(newest_first) == per_page + 3
    auth.login(people[Role.BOARD])

    def listed(page: str) -> list[int]:
        meetings = page.split('<h2 id="meetings">', 1)[1]
        return [int(i) for i in re.findall(r'<li><a href="/meetings/(\d+)">', meetings)]

    first = client.get(f"/committees/{pccac.id}").get_data(as_text=True)
    assert listed(first) == newest_first[:per_page]
    assert f'href="/committees/{pccac.id}?meetings=2"><span class="nhsuk-pagination__title">' \
           "Earlier meetings" in first
    assert "Later meetings" not in first and 'aria-label="Pages of meetings"' in first
    second = client.get(f"/committees/{pccac.id}?meetings=2").get_data(as_text=True)
    assert listed(second) == newest_first[per_page:]
    assert f'href="/committees/{pccac.id}?meetings=1"><span class="nhsuk-pagination__title">' \
           "Later meetings" in second and "Earlier meetings" not in second
    for stale in ("9", "0", "x"):  # an old link past the end, or nonsense: a page that exists
        page = client.get(f"/committees/{pccac.id}?meetings={stale}").get_data(as_text=True)
        assert listed(page) == (newest_first[per_page:] if stale == "9" else
                                newest_first[:per_page])


def test_unknown_committee_is_404(client, auth, people):
    auth.login(people[Role.BOARD])
    assert client.get("/committees/999999").status_code == 404


def test_committee_page_shows_its_parent_and_its_own_sub_groups_by_name(client, auth, pccac,
                                                                        people):
    """The committee, its parent and its sub-groups are read together (issue 9): the page
    names the parent and only this committee's sub-groups, neither siblings nor their
    sub-groups, in name order."""
    from riskapp.committees.models import Committee
    top = Committee(name="Top Board", kind="Board")
    middle = Committee(name="Middle Committee", kind="Committee", parent=top)
    sibling = Committee(name="Sibling Committee", kind="Committee", parent=top)
    db.session.add_all([top, middle, sibling,
                        Committee(name="Zulu Group", kind="Delivery group", parent=middle),
                        Committee(name="Alpha Group", kind="Delivery group", parent=middle),
                        Committee(name="Cousin Group", kind="Delivery group", parent=sibling)])
    db.session.commit()
    auth.login(people[Role.BOARD])

    def summary(committee) -> dict:
        page = client.get(f"/committees/{committee.id}").get_data(as_text=True)
        return dict(re.findall(r'__key">([^<]+)</dt>\s*<dd class="nhsuk-summary-list__value">'
                               r'([^<]*)</dd>', page))

    shown = summary(middle)
    assert shown["Reports to"] == "Top Board"
    assert shown["Sub-groups"] == "Alpha Group, Zulu Group"
    assert summary(top)["Sub-groups"] == "Middle Committee, Sibling Committee"
    assert summary(top)["Reports to"] == "—"
    assert summary(sibling)["Sub-groups"] == "Cousin Group"
