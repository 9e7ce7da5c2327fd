"""Day one (issue 16): an empty database set up through the settings pages."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from riskapp.auth.models import Directorate, User
from riskapp.risks.models import AppetiteLevel, Band
from riskapp.settings.models import AppetiteCategory, Organisation
from tests.factories import make_appetite, make_bands, make_risk, make_user


def _png(width=120, height=40, colour=(0, 94, 184)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def test_the_first_administrator_is_created_with_only_an_email_and_a_role(runner, db):
    result = runner.invoke(args=["users", "create", "jane.smith@example.nhs.uk", "--role",
                                 "admin", "--password-stdin"], input="a-long-password-1234\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert (user.name, user.role.value) == ("Jane Smith", "admin")


def test_an_empty_database_leads_the_administrator_through_setup_in_order(client, auth, db):
    admin = make_user("admin")
    auth.login(admin)
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/setup")
    page = client.get("/setup").get_data(as_text=True)
    page = page[page.index("<main"):]
    steps = ["Your organisation", "Directorates", "Registers", "Score bands",
             "Risk appetite categories and levels", "Invite people", "Committees",
             "Your first risk"]
    assert [page.index(s) for s in steps] == sorted(page.index(s) for s in steps)
    assert 'href="/settings/organisation"' in page
    assert "Next" in page


def test_staff_are_told_an_administrator_sets_up(client, auth, db):
    auth.login(make_user())
    page = client.get("/setup").get_data(as_text=True)
    assert 'href="/settings/organisation"' not in page
    assert "An administrator does this." in page


def test_organisation_name_and_logo_show_in_the_header(client, auth, db):
    auth.login(make_user("admin"))
    response = client.post("/settings/organisation", data={
        "name": "NHS Anytown Integrated Care Board",
        "logo": (io.BytesIO(_png()), "logo.png")}, content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get("/settings/organisation").get_data(as_text=True)
    assert "NHS Anytown Integrated Care Board" in page
    assert 'class="app-header__organisation-logo" src="/settings/logo.png?v=' in page
    logo = client.get("/settings/logo.png")
    assert logo.mimetype == "image/png"
    assert Image.open(io.BytesIO(logo.data)).size == (120, 40)
    # The sign-in page shows it too.
    client.post("/auth/logout")
    assert "NHS Anytown Integrated Care Board" in client.get("/auth/login").get_data(as_text=True)


def test_a_file_that_is_not_an_image_is_refused_beside_the_field(client, auth, db):
    auth.login(make_user("admin"))
    response = client.post("/settings/organisation", data={
        "name": "NHS Anytown ICB", "logo": (io.BytesIO(b"<svg onload=alert(1)>"), "logo.svg")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "not an image riskapp can read" in page
    assert 'value="NHS Anytown ICB"' in page
    assert db.session.scalar(select(Organisation)) is None


def test_the_logo_is_in_the_baf_pack_header(client, auth, db):
    from riskapp.reports.baf_pdf import logo_image
    image = logo_image(_png(300, 100))
    assert (image.drawWidth, image.drawHeight) == (120, 40)
    assert logo_image(None) is None


def test_the_usual_bands_are_offered_on_an_empty_database_then_saved(client, auth, db):
    auth.login(make_user("admin"))
    page = client.post("/settings/bands", data={"add_usual": "1"}).get_data(as_text=True)
    assert 'value="Extreme"' in page
    data = {}
    for i, (name, low, high, colour, months) in enumerate([
            ("Low", 1, 3, "#007f3b", 12), ("Moderate", 4, 6, "#ffeb3b", 6),
            ("High", 8, 12, "#ed8b00", 3), ("Extreme", 15, 25, "#d5281b", 1)]):
        data.update({f"bands-{i}-name": name, f"bands-{i}-min_score": low,
                     f"bands-{i}-max_score": high, f"bands-{i}-colour": colour,
                     f"bands-{i}-review_months": months})
    assert client.post("/settings/bands", data=data).status_code == 302
    assert db.session.scalar(select(Band).where(Band.name == "Extreme")).review_months == 1


def _bands_data(bands, remove=(), overrides=None):
    data = {}
    for i, band in enumerate(bands):
        row = dict(id=band.id, name=band.name, min_score=band.min_score,
                   max_score=band.max_score, colour=band.colour,
                   review_months=band.review_months)
        row.update((overrides or {}).get(band.name, {}))
        data.update({f"bands-{i}-{k}": v for k, v in row.items()})
        if band.name in remove:
            data[f"bands-{i}-remove"] = "y"
    return data


def test_a_band_is_removed_when_another_covers_its_scores(client, auth, db):
    bands = make_bands()  # Low 1-3, Medium 4-9, High 10-25
    risk = make_risk(make_user(), current_consequence=2, current_likelihood=3)
    auth.login(make_user("risk_manager"))
    # Removing Medium alone would leave scores 4-9 (and the risk's 6) in no band.
    response = client.post("/settings/bands", data=_bands_data(bands, remove={"Medium"}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Removing Medium would leave scores in no band" in page
    assert db.session.scalar(select(Band).where(Band.name == "Medium")) is not None
    # Widen Low to 1-9 in the same save: Medium goes, the risk reads Low.
    response = client.post("/settings/bands", data=_bands_data(
        bands, remove={"Medium"}, overrides={"Low": {"max_score": 9}}))
    assert response.status_code == 302
    assert [b.name for b in db.session.scalars(select(Band).order_by(Band.min_score))] == \
        ["Low", "High"]
    assert "Low (2:3=6)" in client.get(f"/risks/{risk.reference}").get_data(as_text=True)


def test_band_inputs_are_labelled_with_their_row(client, auth, db):
    make_bands()
    auth.login(make_user("risk_manager"))
    page = client.get("/settings/").get_data(as_text=True)
    assert "Lowest score, band 2 (Medium)</label>" in page
    assert "Remove band 3 (High)</span>" in page


def test_an_appetite_scale_of_the_organisations_own_words(client, auth, db):
    auth.login(make_user("admin"))
    page = client.post("/settings/appetite", data={"add_usual": "1"}).get_data(as_text=True)
    for word in ("Averse", "Minimal", "Cautious", "Open", "Eager"):
        assert f'value="{word}"' in page
    data = {}
    for i, (name, top) in enumerate([("Averse", 3), ("Minimal", 6), ("Cautious", 9),
                                     ("Open", 12), ("Eager", 16)]):
        data.update({f"levels-{i}-name": name, f"levels-{i}-max_score": top})
    assert client.post("/settings/appetite", data=data).status_code == 302
    assert [a.name for a in db.session.scalars(select(AppetiteLevel)
                                               .order_by(AppetiteLevel.max_score))] == \
        ["Averse", "Minimal", "Cautious", "Open", "Eager"]


def test_an_appetite_level_a_risk_has_cannot_be_removed(client, auth, db):
    level = make_appetite("Cautious", 9)
    make_risk(make_user(), appetite_level_id=level.id)
    auth.login(make_user("risk_manager"))
    response = client.post("/settings/appetite", data={
        "levels-0-id": level.id, "levels-0-name": "Cautious", "levels-0-max_score": 9,
        "levels-0-remove": "y"})
    assert response.status_code == 422
    assert "Cautious cannot be removed: 1 risk has it as appetite level" in \
        response.get_data(as_text=True)
    assert db.session.get(AppetiteLevel, level.id) is not None


def test_appetite_categories_are_the_risk_forms_choices(client, auth, db):
    auth.login(make_user("risk_manager"))
    response = client.post("/settings/appetite-categories", data={
        "categories-rows-0-name": "Financial", "categories-rows-1-name": "Quality and safety"})
    assert response.status_code == 302
    assert [c.name for c in db.session.scalars(select(AppetiteCategory)
                                               .order_by(AppetiteCategory.position))] == \
        ["Financial", "Quality and safety"]
    from tests.factories import make_register
    make_register()
    page = client.get("/risks/new").get_data(as_text=True)
    assert '<option value="Quality and safety">' in page
    assert '<option value="Reputation">' not in page


def test_directorates_are_added_renamed_and_kept_while_in_use(client, auth, db):
    auth.login(make_user("admin"))
    assert client.post("/settings/directorates", data={
        "directorates-rows-0-name": "Nursing and Quality",
        "directorates-rows-1-name": "Finance"}).status_code == 302
    finance = db.session.scalar(select(Directorate).where(Directorate.name == "Finance"))
    make_user(directorate_id=finance.id)
    db.session.commit()  # the request runs in a session of its own, as a server's does
    response = client.post("/settings/directorates", data={
        "directorates-rows-0-id": finance.id, "directorates-rows-0-name": "Finance",
        "directorates-rows-0-remove": "y"})
    assert response.status_code == 422
    assert "Finance cannot be removed: it has 1 person. Rename it instead" in \
        response.get_data(as_text=True)
    response = client.post("/settings/directorates", data={
        "directorates-rows-0-id": finance.id, "directorates-rows-0-name": "Finance and Estates"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Directorate, finance.id).name == "Finance and Estates"


def test_the_administrator_is_told_who_adds_the_first_risk(client, auth, db):
    auth.login(make_user("admin"))
    page = client.get("/setup").get_data(as_text=True)
    assert "The risk manager does this: invite one first." in page
    assert 'href="/risks/new"' not in page


def test_an_empty_register_says_so_and_where_to_start(client, auth, db):
    auth.login(make_user("risk_manager"))
    page = client.get("/risks/").get_data(as_text=True)
    assert "There are no risks yet." in page and 'href="/risks/new">Add the first risk' in page
    assert 'href="/setup">Getting started' in page
    make_risk()
    db.session.commit()
    page = client.get("/risks/?q=nothing-matches-this").get_data(as_text=True)
    assert "No risks match these filters." in page and "There are no risks yet." not in page


def test_a_new_committee_says_what_it_needs_rather_than_warning(client, auth, db):
    auth.login(make_user("admin"))
    response = client.post("/committees/new", data={"name": "Audit Committee",
                                                    "kind": "Board committee with assurance function"})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.location).get_data(as_text=True)
    assert "The quorum rule cannot be met" not in page
    assert "this committee needs terms of reference in force: start a draft below" in page
