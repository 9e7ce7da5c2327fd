"""Each role's rights on each risk register route, enforced on the server.

DESIGN.md: owners and leads edit their risks; an assignee progresses their actions only; the
risk manager does everything on risks; the secretariat and board members cannot change scores.
"""
from datetime import date

import pytest

from tests.factories import make_action, make_risk, make_user

ROLES = ["anonymous", "staff", "owner", "lead", "assignee", "secretariat", "board",
         "risk_manager", "admin"]

#: route -> the roles allowed (everyone else: 403, or a redirect to sign in when anonymous).
READ = set(ROLES) - {"anonymous"}
EDIT_RISK = {"owner", "lead", "risk_manager"}
PROGRESS = {"owner", "lead", "risk_manager", "assignee"}
MATRIX = {
    ("GET", "/risks/"): READ,
    ("GET", "/risks/mine"): READ,
    ("GET", "/risks/movement"): READ,
    ("GET", "/risks/{ref}"): READ,
    ("GET", "/actions/mine"): READ,
    ("GET", "/risks/new"): {"risk_manager"},
    ("POST", "/risks/new"): {"risk_manager"},
    ("GET", "/risks/{ref}/edit"): EDIT_RISK,
    ("POST", "/risks/{ref}/edit"): EDIT_RISK,
    ("GET", "/risks/{ref}/review"): EDIT_RISK,
    ("POST", "/risks/{ref}/review"): EDIT_RISK,
    ("GET", "/risks/{ref}/controls/new"): EDIT_RISK,
    ("POST", "/risks/{ref}/controls/new"): EDIT_RISK,
    ("GET", "/risks/{ref}/controls/{control}/edit"): EDIT_RISK,
    ("GET", "/risks/{ref}/assurances/new"): EDIT_RISK,
    ("POST", "/risks/{ref}/assurances/new"): EDIT_RISK,
    ("GET", "/risks/{ref}/assurances/{assurance}/edit"): EDIT_RISK,
    ("GET", "/risks/{ref}/gaps/new"): EDIT_RISK,
    ("POST", "/risks/{ref}/gaps/{gap}/close"): EDIT_RISK,
    ("GET", "/actions/new/{ref}"): EDIT_RISK,
    ("POST", "/actions/new/{ref}"): EDIT_RISK,
    ("GET", "/actions/{action}/edit"): EDIT_RISK,
    ("POST", "/actions/{action}/edit"): EDIT_RISK,
    ("GET", "/actions/{action}/progress"): PROGRESS,
    ("POST", "/actions/{action}/progress"): PROGRESS,
    ("GET", "/settings/"): {"risk_manager", "admin"},
    ("POST", "/settings/bands"): {"risk_manager", "admin"},
    ("POST", "/settings/appetite"): {"risk_manager", "admin"},
    ("POST", "/settings/registers"): {"risk_manager", "admin"},
    ("POST", "/settings/appetite-categories"): {"risk_manager", "admin"},
    ("POST", "/settings/directorates"): {"risk_manager", "admin"},
    ("GET", "/settings/organisation"): {"admin"},
    ("POST", "/settings/organisation"): {"admin"},
    ("POST", "/settings/sign-in"): {"admin"},
    ("GET", "/admin/users"): {"admin"},
    ("GET", "/admin/users/new"): {"admin"},
    ("GET", "/admin/users/invite"): {"admin"},
    ("POST", "/admin/users/new"): {"admin"},
    ("GET", "/admin/users/{user}"): {"admin"},
}


@pytest.fixture
def world(db):
    """A risk with an owner, a lead and an action assignee, and one user of each role."""
    from riskapp.risks.models import Assurance, Control, Gap
    users = {role: make_user(role) for role in ("secretariat", "board", "risk_manager", "admin")}
    users.update(staff=make_user(), owner=make_user(), lead=make_user(), assignee=make_user())
    risk = make_risk(users["owner"], lead_id=users["lead"].id)
    action = make_action(risk, users["assignee"], target_date=date(2023, 1, 1))
    control = Control(risk=risk, description="c")
    assurance = Assurance(risk=risk, line=1, source="s")
    gap = Gap(risk=risk, kind="control", description="g")
    db.session.add_all([control, assurance, gap])
    db.session.commit()
    ids = dict(ref=risk.reference, action=action.id, control=control.id,
               assurance=assurance.id, gap=gap.id, user=users["staff"].id)
    return users, ids


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_matrix_says(role, world, client, auth):
    users, ids = world
    if role != "anonymous":
        auth.login(users[role])
    for (method, pattern), allowed in MATRIX.items():
        url = pattern.format(**ids)
        response = client.open(url, method=method, data={})
        if role in allowed:
            assert response.status_code in (200, 302, 422), (role, method, url,
                                                             response.status_code)
            if role == "anonymous":
                continue
            assert not (response.status_code == 302 and "/auth/login" in response.location)
        elif role == "anonymous":
            assert response.status_code == 302 and "/auth/login" in response.location, (method, url)
        else:
            assert response.status_code == 403, (role, method, url, response.status_code)


def test_secretariat_and_board_cannot_change_a_score(world, client, auth, db):
    users, ids = world
    from riskapp.risks.models import Risk
    for role in ("secretariat", "board", "staff", "assignee"):
        auth.login(users[role])
        response = client.post(f"/risks/{ids['ref']}/review", data={
            "consequence": "1", "likelihood": "1", "rationale": "sneaky"})
        assert response.status_code == 403
        auth.logout()
    db.session.expire_all()
    assert db.session.scalar(db.select(Risk)).current_score == 16


def test_routes_in_the_matrix_exist(app):
    rules = {(m, r.rule) for r in app.url_map.iter_rules() for m in r.methods}
    for method, pattern in MATRIX:
        flask_pattern = (pattern.replace("{ref}", "<reference>")
                         .replace("{action}", "<int:action_id>")
                         .replace("{control}", "<int:control_id>")
                         .replace("{assurance}", "<int:assurance_id>")
                         .replace("{gap}", "<int:gap_id>").replace("{user}", "<int:user_id>"))
        assert (method, flask_pattern) in rules, (method, pattern)
