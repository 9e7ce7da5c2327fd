"""Committee pages: who may read and change what, forms that refuse with 422 keeping input."""
from __future__ import annotations

import re
from datetime import date

import pytest

from riskapp.auth.models import Role
from riskapp.committees import services
from riskapp.extensions import db


def test_committee_page_lists_risks_with_score_members_and_versions(client, auth, pccac, people):
    auth.login(people[Role.BOARD])
    page = client.get(f"/committees/{pccac.id}").get_data(as_text=True)
    assert "BAF0008" in page and "High (" in page  # current score written out
    assert "Dean Westcott" in page and "Version <strong>3.0</strong> is in force" in page
    assert "Version 2.0" in page
    assert "Start a new draft" not in page  # board members read only


@pytest.mark.parametrize("role, status", [(Role.BOARD, 403), (Role.RISK_MANAGER, 403),
                                          (Role.STAFF, 403), (Role.SECRETARIAT, 302),
                                          (Role.ADMIN, 302)])
def test_only_the_secretariat_starts_a_draft(client, auth, pccac, people, role, status):
    auth.login(people[role])
    response = client.post(f"/committees/{pccac.id}/terms/new", data={"version": "4.0"})
    assert response.status_code == status
    db.session.expire_all()
    assert (len(pccac.terms) == 3) == (status == 302)


@pytest.mark.parametrize("path", ["/terms/{tor}/edit", "/terms/{tor}/approve", "/members/new",
                                  "/members/{member}/end"])
def test_board_member_gets_403_on_every_change_page(client, auth, pccac, people, path):
    auth.login(people[Role.BOARD])
    url = f"/committees/{pccac.id}" + path.format(tor=pccac.terms[0].id,
                                                  member=pccac.members[0].id)
    assert client.get(url).status_code == 403
    assert client.post(url, data={}).status_code == 403


def test_unauthenticated_is_sent_to_sign_in(client, pccac):
    assert client.get(f"/committees/{pccac.id}").status_code == 302


def test_tor_form_refuses_bad_numbers_and_keeps_what_was_typed(client, auth, pccac, people, db):
    auth.login(people[Role.SECRETARIAT])
    draft = services.create_draft(pccac, "4.0")
    db.session.commit()
    response = client.post(f"/committees/{pccac.id}/terms/{draft.id}/edit", data={
        "version": "4.0", "deputy_policy": "required_members_only", "majority_base": "present",
        "papers_deadline_days": "five", "attendance_threshold_percent": "140",
        "frequency": "quarterly"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Error: " in page.split("</title>")[0]
    assert 'value="five"' in page and "must be a whole number" in page
    assert "The attendance threshold must be 0 to 100" in page
    db.session.expire_all()
    assert draft.papers_deadline_days == 5 and draft.majority_base == "votes_cast"


def test_rules_are_edited_through_forms_then_approved(client, auth, pccac, people, db):
    auth.login(people[Role.SECRETARIAT])
    draft = services.create_draft(pccac, "4.0")
    db.session.commit()
    base = f"/committees/{pccac.id}/terms/{draft.id}"
    r = client.post(base + "/positions", data={"pos-name": "ICB Chief People Officer",
                                               "pos-category": "executive_board_member",
                                               "pos-voting": "y"})
    assert r.status_code == 302
    r = client.post(base + "/requirements", data={"req-label": "CPO", "req-count": "1"})
    assert r.status_code == 422 and "Choose at least one position or category" in \
        r.get_data(as_text=True)
    r = client.post(base + "/requirements", data={"req-label": "CPO", "req-count": "1",
                                                  "req-positions": "ICB Chief People Officer"})
    assert r.status_code == 302
    r = client.post(base + "/approve", data={"approved_by": "Board", "approved_on-day": "1",
                                             "approved_on-month": "5", "approved_on-year": "2024",
                                             "review_due-day": "1", "review_due-month": "6",
                                             "review_due-year": "2026"})
    assert r.status_code == 422 and "within two years" in r.get_data(as_text=True)
    db.session.expire_all()
    assert draft.status == "draft"
    r = client.post(base + "/approve", data={"approved_by": "Board", "approved_on-day": "1",
                                             "approved_on-month": "5", "approved_on-year": "2024",
                                             "review_due-day": "1", "review_due-month": "4",
                                             "review_due-year": "2026"})
    assert r.status_code == 302
    page = client.get(f"/committees/{pccac.id}").get_data(as_text=True)
    assert "The quorum rule cannot be met" in page and "CPO: no member holds this position" in page


def test_add_member_form_keeps_input_and_says_what_is_wrong(client, auth, pccac, people):
    auth.login(people[Role.SECRETARIAT])
    r = client.post(f"/committees/{pccac.id}/members/new", data={
        "user_id": "", "person_name": "", "organisation": "Healthwatch Luton",
        "appointed_on-day": "31", "appointed_on-month": "2", "appointed_on-year": "2024"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="Healthwatch Luton"' in page
    assert "Appointed on must be a real date" in page
    r = client.post(f"/committees/{pccac.id}/members/new", data={
        "person_name": "Cllr Ann Smith", "positions": "ICB Chief Finance Officer",
        "appointed_on-day": "1", "appointed_on-month": "4", "appointed_on-year": "2024"})
    assert r.status_code == 302
    db.session.expire_all()
    assert any(m.name == "Cllr Ann Smith" for m in pccac.members)


def test_committee_list_and_api_list_show_each_committees_figures(client, auth, pccac, people,
                                                                   db):
    """Parent, version in force (review overdue), members not ended, risks: one row each."""
    from riskapp.committees.models import Committee, CommitteeMember, TermsOfReference
    from tests import factories

    group = Committee(name="Estates Sub-group", short_name="ESG", kind="Delivery group",
                      parent=pccac)
    bare = Committee(name="Zeta Advisory Panel", kind="Advisory body")
    db.session.add_all([group, bare])
    db.session.add_all([
        CommitteeMember(committee=group, person_name="Ann", positions=["x"],
                        appointed_on=date(2023, 1, 1)),
        CommitteeMember(committee=group, person_name="Bea", positions=["x"],
                        appointed_on=date(2023, 1, 1), term_ends_on=date(2020, 1, 1)),
        CommitteeMember(committee=group, person_name="Cy", positions=["x"],
                        appointed_on=date(2023, 1, 1), ended_on=date(2024, 1, 1)),
        TermsOfReference(committee=group, version="1.0", status="superseded",
                         approved_on=date(2022, 1, 1), review_due=date(2099, 1, 1)),
        TermsOfReference(committee=group, version="2.1", status="in_force",
                         approved_on=date(2023, 1, 1), review_due=date(2024, 1, 1)),
        TermsOfReference(committee=bare, version="0.1", status="draft"),
    ])
    for _ in range(3):
        factories.make_risk().committees.append(group)
    db.session.commit()
    auth.login(people[Role.BOARD])

    page = client.get("/committees/").get_data(as_text=True)
    rows = [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r'<tr class="nhsuk-table__row">(.*?)</tr>', page, re.S)]
    by_name = {row[0]: row for row in rows}
    assert f'<a href="/committees/{group.id}">Estates Sub-group</a> (ESG)' in page
    assert by_name["Estates Sub-group (ESG)"] == [
        "Estates Sub-group (ESG)", "Delivery group", pccac.name, "v2.1 Review overdue", "2", "3"]
    assert by_name["Zeta Advisory Panel"] == [
        "Zeta Advisory Panel", "Advisory body", "", "None in force", "0", "0"]
    # Committees that report to none first, then by name.
    names = [row[0] for row in rows]
    assert names.index("Zeta Advisory Panel") < names.index("Estates Sub-group (ESG)")

    listed = {c["name"]: c for c in client.get("/api/v1/committees").get_json()["items"]}
    assert listed["Estates Sub-group"] == {
        "id": group.id, "name": "Estates Sub-group", "short_name": "ESG",
        "kind": "Delivery group", "parent_id": pccac.id, "terms_in_force": "2.1",
        "risk_count": 3, "dissolved_on": None}
    assert listed["Zeta Advisory Panel"]["terms_in_force"] is None
    assert listed[pccac.name]["terms_in_force"] == "3.0"
