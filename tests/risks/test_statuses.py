"""Statuses a board member can trust: nothing reads as assurance or as on time when it is not."""
import re

from sqlalchemy import select

from riskapp.risks.models import Control
from tests.factories import make_risk, make_user


def test_a_new_control_starts_not_yet_assessed(client, auth, db):
    owner = make_user()
    risk = make_risk(owner)
    db.session.commit()
    auth.login(owner)
    page = client.get(f"/risks/{risk.reference}/controls/new").get_data(as_text=True)
    form = page.split('name="effectiveness"', 1)[1].split("</select>", 1)[0]
    chosen = re.findall(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected',
                        form)
    assert [a or b for a, b in chosen] == ["Not yet assessed"]
    # Posted without a choice (a client that leaves it out) it is not "Effective" either.
    assert client.post(f"/risks/{risk.reference}/controls/new", data={
        "description": "Weekly waiting list review"}).status_code == 302
    control = db.session.scalar(select(Control))
    assert control.effectiveness == "Not yet assessed"


def test_scores_are_chosen_from_the_five_ratings_with_their_words(client, auth, db):
    owner = make_user()
    risk = make_risk(owner, current_consequence=4, current_likelihood=3)
    db.session.commit()
    auth.login(owner)
    page = client.get(f"/risks/{risk.reference}/review").get_data(as_text=True)
    for words in ("1 Negligible", "2 Minor", "3 Moderate", "4 Major", "5 Catastrophic",
                  "1 Rare", "2 Unlikely", "3 Possible", "4 Likely", "5 Almost certain"):
        assert f">{words}</label>" in page
    assert 'type="text"' not in page.split('name="rationale"')[0].split("<form")[-1]
    # The current score is where the review starts.
    assert re.search(r'name="consequence" type="radio" value="4" checked', page)
    assert re.search(r'name="likelihood" type="radio" value="3" checked', page)
    auth.logout()
    auth.login(make_user("risk_manager"))
    new_risk = client.get("/risks/new").get_data(as_text=True)
    assert re.search(r'name="target_likelihood" type="radio" value="" checked', new_risk)
    assert ">Not set</label>" in new_risk
