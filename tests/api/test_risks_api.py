"""/api/v1/risks: envelopes, filters, errors as JSON, session or token authentication."""
from sqlalchemy import select

from riskapp.auth.models import ApiToken
from tests.factories import make_action, make_risk, make_user


def _token(runner, email) -> str:
    result = runner.invoke(args=["users", "token", email])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_list_envelope_and_filters(client, auth, db):
    owner = make_user(email="olive@example.org")
    high = make_risk(owner, title="Elective recovery", current_consequence=4, current_likelihood=5)
    make_risk(title="Partnership", current_consequence=3, current_likelihood=3)
    db.session.commit()
    auth.login(make_user("board"))
    body = client.get("/api/v1/risks?per_page=1").get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 1
    assert len(body["items"]) == 1 and body["items"][0]["ref"] == "BAF0001"
    body = client.get("/api/v1/risks?band=high&owner=olive@example.org").get_json()
    assert [i["ref"] for i in body["items"]] == [high.reference]
    item = body["items"][0]
    assert item["current"] == {"consequence": 4, "likelihood": 5, "score": 20, "band": "High",
                               "text": "High (4:5=20)"}
    assert client.get("/api/v1/risks?q=partner").get_json()["total"] == 1
    assert client.get("/api/v1/risks?register=BAF").get_json()["total"] == 2


def test_bad_parameters_answer_400_with_field_and_reason(client, auth, db):
    auth.login(make_user())
    for query, field in [("page=zero", "page"), ("per_page=1000", "per_page"),
                         ("status=Deleted", "status"), ("band=Purple", "band"),
                         ("sort=password", "sort"), ("owner=nobody@example.org", "owner")]:
        response = client.get(f"/api/v1/risks?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["field"] == field and response.get_json()["error"]


def test_detail_has_scores_controls_assurances_actions(client, auth, db):
    owner, assignee = make_user(), make_user(name="Asha Assignee")
    risk = make_risk(owner)
    make_action(risk, assignee, detail="Recruit 50 nurses")
    db.session.commit()
    auth.login(owner)
    body = client.get(f"/api/v1/risks/{risk.reference.lower()}").get_json()
    assert body["ref"] == risk.reference
    assert body["initial"]["score"] == 20 and body["target"]["text"] == "High (4:3=12)"
    assert body["actions"][0]["detail"] == "Recruit 50 nurses"
    assert body["actions"][0]["assignee"]["name"] == "Asha Assignee"
    assert body["actions"][0]["overdue"] is True
    assert body["controls"] == [] and body["assurances"] == []
    assert len(body["history"]) == 1


def test_unknown_risk_is_json_404(client, auth, db):
    auth.login(make_user())
    response = client.get("/api/v1/risks/BAF4242")
    assert response.status_code == 404 and "BAF4242" in response.get_json()["error"]
    assert client.get("/api/v1/nothing-here").get_json()["error"] == "Not Found"


def test_movement_nulls_before_the_risk_existed(client, auth, db):
    from datetime import date
    risk = make_risk(today=date(2023, 6, 15))
    db.session.commit()
    auth.login(make_user())
    body = client.get(f"/api/v1/risks/{risk.reference}/movement?fy=2023&as_of=2023-08-31").get_json()
    assert body["ref"] == risk.reference and body["fy"] == 2023
    months = body["months"]
    assert months[0] == {"month": "2023-04", "score": None, "consequence": None,
                         "likelihood": None, "reviewed": False}
    assert months[2] == {"month": "2023-06", "score": 16, "consequence": 4, "likelihood": 4,
                         "reviewed": True}
    assert months[3]["score"] == 16 and months[3]["reviewed"] is False
    assert months[5]["score"] is None
    assert client.get(f"/api/v1/risks/{risk.reference}/movement?as_of=29/11/2023").status_code == 400


def test_anonymous_gets_401_json(client, db):
    response = client.get("/api/v1/risks")
    assert response.status_code == 401 and "Bearer" in response.get_json()["error"]


def test_bearer_token_from_the_cli(client, runner, db):
    user = make_user(email="reader@example.org")
    make_risk()
    db.session.commit()
    token = _token(runner, "reader@example.org")
    response = client.get("/api/v1/risks", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["total"] == 1
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash != token and stored.user_id == user.id  # only the hash is kept
    assert client.get("/api/v1/risks", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_revoked_expired_or_inactive_tokens_fail(client, runner, db):
    from datetime import datetime, timedelta, timezone
    user = make_user(email="reader@example.org")
    db.session.commit()
    token = _token(runner, "reader@example.org")
    header = {"Authorization": f"Bearer {token}"}
    stored = db.session.scalar(select(ApiToken))
    stored.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/risks", headers=header).status_code == 401
    stored.expires_at = datetime.now(timezone.utc) + timedelta(days=1)
    stored.revoked_at = datetime.now(timezone.utc)
    db.session.commit()
    assert client.get("/api/v1/risks", headers=header).status_code == 401
    stored.revoked_at = None
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/risks", headers=header).status_code == 401


def test_list_items_are_the_risks_own_summaries(client, auth, db):
    """The list reads plain rows (issue 9); each item is what the risk's own endpoint says."""
    from riskapp.auth.models import Directorate
    from tests.factories import make_appetite
    estates = Directorate(name="Estates")
    db.session.add(estates)
    db.session.flush()
    lead = make_user(name="Larry Lead")
    make_risk(make_user(name="Olive Owner"), lead_id=lead.id, directorate_id=estates.id,
              appetite_level_id=make_appetite("Cautious", 9).id)  # 16: above
    make_risk(appetite_level_id=make_appetite("Open", 20).id,  # 16: within
              target_consequence=None, target_likelihood=None)
    make_risk(current_consequence=1, current_likelihood=1)  # no appetite level
    db.session.commit()
    auth.login(make_user())
    items = client.get("/api/v1/risks").get_json()["items"]
    assert [i["above_appetite"] for i in items] == [True, False, False]
    assert items[0]["lead"]["name"] == "Larry Lead" and items[1]["lead"] is None
    assert items[0]["directorate"] == "Estates" and items[1]["target"] is None
    for item in items:
        detail = client.get(f"/api/v1/risks/{item['ref']}").get_json()
        assert item == {key: detail[key] for key in item}


def test_detail_follows_each_change_at_once_even_after_a_404(client, auth, db):
    """A change to any part shows at once, and a reference that did not exist is found once
    it does."""
    from sqlalchemy import update

    from riskapp.risks.models import Action
    owner = make_user()
    first = make_risk(owner)
    db.session.commit()
    auth.login(owner)
    assert client.get("/api/v1/risks/BAF0002").status_code == 404
    second = make_risk(owner, title="Workforce supply")
    db.session.commit()
    assert second.reference == "BAF0002"
    assert client.get("/api/v1/risks/BAF0002").get_json()["title"] == "Workforce supply"

    action = make_action(db.session.get(type(first), first.id), owner, detail="Recruit")
    db.session.commit()
    assert client.get(f"/api/v1/risks/{first.reference}").get_json()["actions"][0]["detail"] \
        == "Recruit"
    db.session.execute(update(Action).where(Action.id == action.id).values(detail="Retain"))
    db.session.commit()
    assert client.get(f"/api/v1/risks/{first.reference}").get_json()["actions"][0]["detail"] \
        == "Retain"
