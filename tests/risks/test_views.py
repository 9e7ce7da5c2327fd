"""The risk pages: list and filters, a risk's page, reviews, edits, stale saves, the audit trail."""
import re
from datetime import date

from sqlalchemy import select

from riskapp.record import trail as record_trail
from riskapp.risks.models import Risk, ScoreRecord
from tests.factories import make_appetite, make_register, make_risk, make_user


def test_list_filters_by_text_band_owner_and_appetite(client, auth, db):
    owner = make_user(name="Olive Owner")
    high = make_risk(owner, title="Elective recovery", current_consequence=4,
                     current_likelihood=5, appetite_level_id=make_appetite("Cautious", 9).id)
    medium = make_risk(title="Partnership working", current_consequence=3, current_likelihood=3)
    db.session.commit()
    auth.login(make_user("board"))
    page = client.get("/risks/").get_data(as_text=True)
    assert high.reference in page and medium.reference in page
    page = client.get("/risks/?q=partnership").get_data(as_text=True)
    assert medium.reference in page and high.reference not in page
    page = client.get("/risks/?band=High").get_data(as_text=True)
    assert high.reference in page and medium.reference not in page
    page = client.get(f"/risks/?owner={owner.id}").get_data(as_text=True)
    assert high.reference in page and medium.reference not in page
    page = client.get("/risks/?above_appetite=1").get_data(as_text=True)
    assert high.reference in page and medium.reference not in page
    assert "Above appetite" in page


def test_unknown_filter_values_are_ignored_not_put_into_sql(client, auth, db):
    risk = make_risk()
    db.session.commit()
    auth.login(make_user())
    response = client.get("/risks/?sort=title;DROP TABLE risks&owner=1 OR 1=1&band=Nope")
    assert response.status_code == 200
    assert risk.reference in response.get_data(as_text=True)


def _options(page: str, name: str) -> list[str]:
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select_html)


def test_owner_and_lead_filters_offer_only_people_named_on_a_risk(client, auth, db):
    owner = make_user(name="Olive Owner")
    lead = make_user(name="Larry Lead")
    departed = make_user(name="Dora Departed", active=False)
    bystander = make_user(name="Barry Bystander")
    risk = make_risk(owner, lead_id=lead.id)
    old = make_risk(departed, title="Estates backlog")
    db.session.commit()
    auth.login(make_user("board", name="Bella Board"))
    page = client.get("/risks/").get_data(as_text=True)
    # Someone who has left still owns their risk, so they can still be filtered on.
    assert _options(page, "owner") == ["Anyone", "Dora Departed", "Olive Owner"]
    assert _options(page, "lead") == ["Anyone", "Larry Lead"]
    page = client.get(f"/risks/?lead={lead.id}").get_data(as_text=True)
    assert risk.reference in page and old.reference not in page
    # A chosen person who owns nothing is kept as the filter (no risks), not dropped.
    page = client.get(f"/risks/?owner={bystander.id}").get_data(as_text=True)
    assert risk.reference not in page and old.reference not in page
    assert "No risks match these filters." in page
    assert "Barry Bystander" in _options(page, "owner")
    response = client.get("/risks/?owner=99999999999999999999999")
    assert response.status_code == 200 and risk.reference in response.get_data(as_text=True)


def test_list_paginates(client, auth, db, app):
    app.config["RISKS_PER_PAGE"] = 2
    owner = make_user()
    refs = [make_risk(owner).reference for _ in range(3)]
    db.session.commit()
    auth.login(owner)
    first = client.get("/risks/").get_data(as_text=True)
    second = client.get("/risks/?page=2").get_data(as_text=True)
    assert refs[0] in first and refs[2] not in first
    assert refs[2] in second and "Page 2 of 2" in first


def test_references_are_per_register_and_never_reused(db):
    baf = make_register()
    corporate = make_register("Corporate Risk Register", "CRR")
    first = make_risk(register=baf)
    first.status = "Archived"  # closing or archiving never frees a reference
    second = make_risk(register=baf)
    other = make_risk(register=corporate)
    assert (first.reference, second.reference, other.reference) == ("BAF0001", "BAF0002", "CRR0001")


def test_risk_page_shows_everything(client, auth, db):
    owner = make_user(name="Anne Owner")
    risk = make_risk(owner, title="Recovery <of> services", description="Cause & effect")
    db.session.commit()
    auth.login(make_user("board"))
    page = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    assert "Recovery &lt;of&gt; services" in page and "Cause &amp; effect" in page
    assert "High (4:4=16)" in page and "High (4:3=12)" in page and "High (4:5=20)" in page
    assert "Anne Owner" in page
    assert "<svg" in page and 'role="img"' in page  # the trend chart, with its text alternative
    assert "Audit trail" in page


def test_unknown_risk_is_404(client, auth, db):
    auth.login(make_user())
    assert client.get("/risks/BAF9999").status_code == 404


def test_score_update_records_history_audit_and_next_review(client, auth, db):
    owner = make_user()
    risk = make_risk(owner)  # High band: reviewed monthly
    db.session.commit()
    auth.login(owner)
    response = client.post(f"/risks/{risk.reference}/review", data={
        "consequence": "4", "likelihood": "2", "rationale": "Waiting lists fell for 3 months",
        "version": risk.version})
    assert response.status_code == 302
    db.session.expire_all()
    risk = db.session.get(Risk, risk.id)
    assert (risk.current_consequence, risk.current_likelihood, risk.current_score) == (4, 2, 8)
    record = risk.score_records[-1]
    assert (record.consequence, record.likelihood, record.score, record.changed) == (4, 2, 8, True)
    assert record.rationale == "Waiting lists fell for 3 months"
    assert record.recorded_by_id == owner.id and record.recorded_on == date.today()
    # Now Medium: reviewed quarterly from today.
    from riskapp.rules.scoring import add_months
    assert risk.next_review_date == add_months(date.today(), 3)
    changes = [e for e in record_trail.risk_trail(risk.id) if e.change == "Changed"]
    assert ("Current likelihood", "4", "2", owner.id) in {
        (e.field, e.was, e.now, e.user_id) for e in changes}
    page = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    assert "Waiting lists fell for 3 months" in page and "Medium (4:2=8)" in page


def test_reviewed_no_change_is_a_history_record(client, auth, db):
    owner = make_user()
    risk = make_risk(owner)
    db.session.commit()
    auth.login(owner)
    client.post(f"/risks/{risk.reference}/review", data={
        "consequence": "4", "likelihood": "4", "rationale": "Controls unchanged",
        "version": risk.version})
    records = db.session.scalars(select(ScoreRecord).where(ScoreRecord.risk_id == risk.id)
                                 .order_by(ScoreRecord.id)).all()
    assert len(records) == 2 and records[-1].changed is False
    assert records[-1].rationale == "Controls unchanged"


def test_rejected_score_update_keeps_what_was_typed(client, auth, db):
    owner = make_user()
    risk = make_risk(owner)
    db.session.commit()
    auth.login(owner)
    response = client.post(f"/risks/{risk.reference}/review", data={
        "consequence": "4", "likelihood": "7", "rationale": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Likelihood must be a whole number from 1 to 5" in page
    assert "Enter the rationale for this review" in page
    assert "<title>Error:" in page
    assert 'href="#likelihood"' in page  # the error summary links to the field
    # The consequence chosen stays chosen; no likelihood radio claims the refused 7.
    assert re.search(r'name="consequence" type="radio" value="4" checked', page)
    assert not re.search(r'name="likelihood" type="radio" value="\d" checked', page)
    db.session.expire_all()
    assert db.session.get(Risk, risk.id).current_likelihood == 4
    assert len(db.session.get(Risk, risk.id).score_records) == 1


def test_rejected_score_update_with_text_keeps_the_rest(client, auth, db):
    owner = make_user()
    risk = make_risk(owner)
    db.session.commit()
    auth.login(owner)
    response = client.post(f"/risks/{risk.reference}/review", data={
        "consequence": "four", "likelihood": "2", "rationale": "My careful reasoning"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Consequence must be a whole number from 1 to 5" in page
    assert "My careful reasoning" in page
    assert re.search(r'name="likelihood" type="radio" value="2" checked', page)


def test_second_of_two_concurrent_edits_is_refused_keeping_input(client, auth, db):
    owner = make_user()
    risk = make_risk(owner)
    db.session.commit()
    seen = risk.version
    auth.login(owner)
    form = {"title": "First title", "description": "d", "initial_consequence": "4",
            "initial_likelihood": "5", "target_consequence": "", "target_likelihood": "",
            "version": seen}
    assert client.post(f"/risks/{risk.reference}/edit", data=form).status_code == 302
    second = dict(form, title="Second title, typed with care")
    response = client.post(f"/risks/{risk.reference}/edit", data=second)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this record" in page
    assert "Second title, typed with care" in page
    db.session.expire_all()
    assert db.session.get(Risk, risk.id).title == "First title"
    # Told about the other change, the user saves again on purpose: the re-shown form carries
    # the stored version now, so this save goes through.
    import re
    version = re.search(r'<input id="version" name="version" type="hidden" value="(\d+)"',
                        page).group(1)
    assert client.post(f"/risks/{risk.reference}/edit",
                       data=dict(second, version=version)).status_code == 302
    db.session.expire_all()
    assert db.session.get(Risk, risk.id).title == "Second title, typed with care"


def test_stale_score_update_is_refused(client, auth, db):
    owner = make_user()
    risk = make_risk(owner)
    db.session.commit()
    auth.login(owner)
    old = risk.version
    client.post(f"/risks/{risk.reference}/review", data={
        "consequence": "3", "likelihood": "3", "rationale": "first", "version": old})
    response = client.post(f"/risks/{risk.reference}/review", data={
        "consequence": "5", "likelihood": "5", "rationale": "second", "version": old})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Risk, risk.id).current_score == 9


def test_owner_cannot_reassign_or_close_own_risk(client, auth, db):
    owner, other = make_user(), make_user()
    risk = make_risk(owner)
    db.session.commit()
    auth.login(owner)
    client.post(f"/risks/{risk.reference}/edit", data={
        "title": "t", "description": "d", "initial_consequence": "4", "initial_likelihood": "5",
        "owner_id": other.id, "status": "Closed", "version": risk.version})
    db.session.expire_all()
    risk = db.session.get(Risk, risk.id)
    assert risk.owner_id == owner.id and risk.status == "Open" and risk.title == "t"


def test_risk_manager_opens_a_risk(client, auth, db):
    from tests.factories import make_bands
    make_bands()
    register = make_register()
    owner = make_user(name="Olive Owner")
    db.session.commit()
    auth.login(make_user("risk_manager"))
    response = client.post("/risks/new", data={
        "register_id": register.id, "title": "Cyber attack", "description": "There is a risk...",
        "owner_id": owner.id, "status": "Open", "initial_consequence": "5",
        "initial_likelihood": "4", "current_consequence": "5", "current_likelihood": "3",
        "target_consequence": "5", "target_likelihood": "1",
        "target_date-day": "31", "target_date-month": "3", "target_date-year": "2027"})
    assert response.status_code == 302
    risk = db.session.scalar(select(Risk).where(Risk.title == "Cyber attack"))
    assert risk.reference == "BAF0001" and risk.current_score == 15
    assert risk.target_date == date(2027, 3, 31)
    assert len(risk.score_records) == 1


def test_new_risk_refuses_bad_input_keeping_it(client, auth, db):
    register = make_register()
    db.session.commit()
    auth.login(make_user("risk_manager"))
    response = client.post("/risks/new", data={
        "register_id": register.id, "title": "Cyber attack", "description": "",
        "owner_id": "99999", "initial_consequence": "0", "initial_likelihood": "6",
        "current_consequence": "3", "current_likelihood": "3",
        "target_date-day": "31", "target_date-month": "2", "target_date-year": "2027"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose the risk owner from the list" in page
    assert "Initial consequence must be a whole number from 1 to 5" in page
    assert "Enter a description of the risk" in page
    assert "must be a real date" in page
    assert 'value="Cyber attack"' in page
    assert db.session.scalar(select(Risk)) is None


def test_controls_assurances_and_gaps(client, auth, db):
    owner = make_user()
    risk = make_risk(owner)
    db.session.commit()
    auth.login(owner)
    ref = risk.reference
    assert client.post(f"/risks/{ref}/controls/new", data={
        "description": "Weekly waiting list review", "effectiveness": "Effective",
        "expected_implementation_date-day": "1", "expected_implementation_date-month": "4",
        "expected_implementation_date-year": "2024"}).status_code == 302
    assert client.post(f"/risks/{ref}/assurances/new", data={
        "line": "3", "source": "Internal audit report", "positive": "no"}).status_code == 302
    assert client.post(f"/risks/{ref}/gaps/new", data={
        "kind": "assurance", "description": "No audit of data quality"}).status_code == 302
    page = client.get(f"/risks/{ref}").get_data(as_text=True)
    assert "Weekly waiting list review" in page and "01 Apr 2024" in page
    assert "3rd line (independent)" in page and "Negative" in page
    assert "No audit of data quality" in page
    kinds = {e.kind for e in record_trail.risk_trail(risk.id)}
    assert {"risk", "control", "assurance", "gap"} <= kinds
    response = client.post(f"/risks/{ref}/assurances/new", data={"line": "4", "source": ""})
    assert response.status_code == 422
    assert "Choose the line of assurance" in response.get_data(as_text=True)


def test_register_movement_page(client, auth, baf):
    from tests.factories import make_user as mk
    auth.login(mk("board"))
    page = client.get("/risks/movement?fy=2023").get_data(as_text=True)
    assert "Risk movement over time (23/24)" in page
    assert page.count("BAF00") >= 11


def test_my_risks_lists_owned_and_led_with_reviews_due(client, auth, db):
    owner, lead = make_user(), make_user()
    mine = make_risk(owner, title="Mine", today=date(2020, 1, 1))
    led = make_risk(make_user(), title="Led", lead_id=owner.id, today=date.today())
    other = make_risk(lead, title="Not mine")
    db.session.commit()
    auth.login(owner)
    page = client.get("/risks/mine").get_data(as_text=True)
    assert mine.reference in page and led.reference in page and other.reference not in page
    assert "1 review is overdue." in page
