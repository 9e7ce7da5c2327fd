"""The risk manager configures bands, appetite levels and registers."""
from sqlalchemy import select

from riskapp.risks.models import Band, Register
from tests.factories import make_bands, make_risk, make_user

NPSA = [("Low", 1, 3, "#007f3b", 12), ("Moderate", 4, 6, "#ffeb3b", 6),
        ("High", 8, 12, "#ed8b00", 3), ("Extreme", 15, 25, "#d5281b", 1)]


def _bands_form(rows):
    data = {}
    for i, (name, low, high, colour, months) in enumerate(rows):
        data.update({f"bands-{i}-name": name, f"bands-{i}-min_score": str(low),
                     f"bands-{i}-max_score": str(high), f"bands-{i}-colour": colour,
                     f"bands-{i}-review_months": str(months)})
    return data


def test_switch_to_the_npsa_bands_changes_how_scores_read(client, auth, db):
    owner = make_user()
    risk = make_risk(owner, current_consequence=2, current_likelihood=3)
    auth.login(make_user("risk_manager"))
    assert client.post("/settings/bands", data=_bands_form(NPSA)).status_code == 302
    names = [b.name for b in db.session.scalars(select(Band).order_by(Band.min_score))]
    assert names == ["Low", "Moderate", "High", "Extreme"]
    page = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    assert "Moderate (2:3=6)" in page
    assert ".app-band-extreme{background-color:#d5281b" in client.get("/bands.css").get_data(as_text=True)


def test_overlapping_or_gapped_bands_are_refused_keeping_input(client, auth, db):
    make_bands()
    auth.login(make_user("risk_manager"))
    rows = [("Low", 1, 4, "#007f3b", 6), ("High", 4, 25, "#d5281b", 1)]
    response = client.post("/settings/bands", data=_bands_form(rows))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A score of 4 is in more than one band: Low, High" in page
    assert 'value="#007f3b"' in page
    rows = [("Low", 1, 3, "red", 6), ("High", 5, 25, "#d5281b", 1)]
    page = client.post("/settings/bands", data=_bands_form(rows)).get_data(as_text=True)
    assert "No band covers a score of 4" in page or "Enter a colour" in page
    assert [b.name for b in db.session.scalars(select(Band).order_by(Band.min_score))] == \
        ["Low", "Medium", "High"]


def test_add_a_register_with_its_prefix(client, auth, db):
    auth.login(make_user("risk_manager"))
    response = client.post("/settings/registers", data={"name": "Corporate Risk Register",
                                                        "prefix": "crr"})
    assert response.status_code == 302
    register = db.session.scalar(select(Register))
    assert register.prefix == "CRR"
    clash = client.post("/settings/registers", data={"name": "Another", "prefix": "CRR"})
    assert clash.status_code == 422 and "Corporate Risk Register (CRR) has that prefix" in clash.get_data(as_text=True)
    bad = client.post("/settings/registers", data={"name": "X", "prefix": "C1"})
    assert "The prefix is 2 to 6 letters" in bad.get_data(as_text=True)


def test_a_register_is_renamed_on_its_page_and_its_prefix_kept_once_used(client, auth, db):
    register = Register(name="Corporate", prefix="COR")
    db.session.add(register)
    db.session.commit()
    auth.login(make_user("admin"))
    index = client.get("/settings/").get_data(as_text=True)
    assert f'href="/settings/registers/{register.id}"' in index
    page = client.get(f"/settings/registers/{register.id}").get_data(as_text=True)
    assert 'name="prefix"' in page  # no reference given yet: the prefix may change
    response = client.post(f"/settings/registers/{register.id}",
                           data={"name": "Corporate Risk Register", "prefix": "crr"})
    assert response.status_code == 302
    make_risk(register=register)
    db.session.commit()
    page = client.get(f"/settings/registers/{register.id}").get_data(as_text=True)
    assert 'name="prefix"' not in page and "It stays" in page
    response = client.post(f"/settings/registers/{register.id}", data={"name": ""})
    assert response.status_code == 422 and "Enter the register" in response.get_data(as_text=True)
    response = client.post(f"/settings/registers/{register.id}",
                           data={"name": "Corporate risks"})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Register, register.id)
    assert (saved.name, saved.prefix) == ("Corporate risks", "CRR")
