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


def test_a_closed_risk_has_no_next_review_no_review_button_and_leaves_the_register(
        client, auth, db):
    from datetime import date

    from riskapp.risks.models import Risk
    manager, owner = make_user("risk_manager"), make_user()
    risk = make_risk(owner, title="Estates backlog", today=date(2023, 4, 15))
    db.session.commit()
    assert risk.next_review_date is not None
    auth.login(manager)
    page = client.get(f"/risks/{risk.reference}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    form = {"title": risk.title, "description": risk.description, "owner_id": owner.id,
            "status": "Closed", "initial_consequence": "4", "initial_likelihood": "5",
            "target_consequence": "4", "target_likelihood": "3", "version": version}
    assert client.post(f"/risks/{risk.reference}/edit", data=form).status_code == 302
    db.session.expire_all()
    risk = db.session.get(Risk, risk.id)
    assert risk.status == "Closed" and risk.next_review_date is None
    page = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    assert "Record a review" not in page and "Review overdue" not in page
    assert "None: closed risks are not reviewed" in page
    assert risk.reference not in client.get("/risks/").get_data(as_text=True)
    # An old link to its review form says why instead of a bare refusal.
    response = client.get(f"/risks/{risk.reference}/review", follow_redirects=True)
    assert "only open risks are reviewed" in response.get_data(as_text=True)
    auth.logout()
    auth.login(owner)
    assert risk.reference not in client.get("/risks/mine").get_data(as_text=True)
    assert client.post(f"/risks/{risk.reference}/review", data={
        "consequence": "3", "likelihood": "3", "rationale": "x",
        "version": str(risk.version)}).status_code == 302
    db.session.expire_all()
    assert len(db.session.get(Risk, risk.id).score_records) == 1  # nothing recorded

    # Reopened: a review is due straight away.
    auth.logout()
    auth.login(manager)
    form.update(status="Open", version=str(db.session.get(Risk, risk.id).version))
    assert client.post(f"/risks/{risk.reference}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(Risk, risk.id).next_review_date == date.today()
    page = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    assert "Review due today" in page and "Record a review" in page


def test_the_risk_page_has_a_contents_list_of_its_sections(client, auth, db):
    risk = make_risk()
    db.session.commit()
    auth.login(make_user("board"))
    page = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    contents = page.split('<nav class="nhsuk-contents-list"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'href="#([a-z]+)">([^<]+)</a>', contents)
    assert [text for _, text in links][3:] == ["Controls", "Assurances", "Gaps", "Actions",
                                              "Audit trail"]
    for anchor, _ in links:
        assert f'id="{anchor}"' in page
