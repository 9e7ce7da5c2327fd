"""The committee page's risks and meetings (issue 9: plain rows, the risks capped)."""
from __future__ import annotations

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
