"""Issue 15, finding 1: "No limit applies to packs, exports or imports." Each person may ask
for so many of each an hour (configurable); more is refused with a 429 in plain English and
Retry-After, counted in the database so every worker and host shares the count."""
from __future__ import annotations

import io
import subprocess
import sys

import pytest

from riskapp.auth.models import Role
from tests.factories import make_risk, make_user


def _pack(client, fy, **headers):
    return client.post("/reports/baf.pdf", data={"fy": str(fy)}, headers=headers)


def test_packs_past_the_limit_are_refused_in_plain_english(client, auth, db, app):
    app.config["RATELIMIT_PACKS"] = "2 per hour"
    owner = make_user(Role.BOARD)
    make_risk(owner)
    auth.login(owner)
    assert _pack(client, 2022).status_code == 302
    assert _pack(client, 2022).status_code == 302  # the same pack again: reused, not counted
    assert _pack(client, 2023).status_code == 302
    refused = _pack(client, 2024)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "<title>Wait before you ask for another pack" in page
    assert "You can ask for 2 packs an hour." in page
    assert "You can ask for another in " in page and "minutes." in page
    assert 3500 <= int(refused.headers["Retry-After"]) <= 3600
    assert "Too Many Requests" not in page and "per 1 hour" not in page
    answer = _pack(client, 2024, Accept="application/json")
    assert answer.status_code == 429 and answer.is_json
    assert answer.json["message"].startswith("You can ask for 2 packs an hour.")
    assert answer.json["retry_after"] == int(answer.headers["Retry-After"])
    # The limit is each person's own.
    auth.logout()
    auth.login(make_user(Role.BOARD))
    assert _pack(client, 2024).status_code == 302


def test_exports_past_the_limit_are_refused(client, auth, db, app):
    app.config["RATELIMIT_EXPORTS"] = "2 per hour"
    owner = make_user(Role.BOARD)
    make_risk(owner)
    auth.login(owner)
    for _ in range(2):
        assert client.get("/reports/export/risks.csv").status_code == 200
    refused = client.get("/reports/export/actions.csv")
    assert refused.status_code == 429
    assert "You can download 2 register exports an hour." in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0


def test_imports_past_the_limit_are_refused_and_a_check_can_still_be_saved(client, auth, db,
                                                                           app):
    app.config["RATELIMIT_IMPORTS"] = "1 per hour"
    manager = make_user(Role.RISK_MANAGER)
    make_risk(manager)
    auth.login(manager)
    exported = client.get("/reports/export/risks.csv").data
    body = exported.decode("utf-8-sig").replace("Recovery of elective services",
                                                "Recovery of elective services (2)")
    checked = client.post("/reports/import", data={"file": (io.BytesIO(body.encode()),
                                                            "risks.csv")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert checked.status_code == 200 and "1 to update" in checked.get_data(as_text=True)
    refused = client.post("/reports/import", data={"file": (io.BytesIO(exported), "risks.csv")},
                          content_type="multipart/form-data")
    assert refused.status_code == 429
    assert "You can upload 1 file to import an hour." in refused.get_data(as_text=True)
    from tests.reports.test_imports import confirm_address
    saved = client.post(confirm_address(checked.get_data(as_text=True)), follow_redirects=True)
    assert "Import saved" in saved.get_data(as_text=True)  # saving is not a new upload


PROCESS = """
import sys
from riskapp import create_app
from riskapp.auth.models import Role, User
from riskapp.extensions import db
app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": sys.argv[1],
                  "WTF_CSRF_ENABLED": False, "RATELIMIT_EXPORTS": "3 per hour",
                  "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
with app.app_context():
    db.create_all()
    if db.session.scalar(db.select(User)) is None:
        user = User(email="board@example.org", name="Board Member", role=Role.BOARD)
        user.set_password("a long enough passphrase")
        db.session.add(user)
        db.session.commit()
client = app.test_client()
assert client.post("/auth/login", data={"email": "board@example.org",
                                        "password": "a long enough passphrase"}).status_code == 302
answers = [client.get("/reports/export/risks.csv") for _ in range(2)]
print(" ".join(f"{a.status_code}:{a.headers.get('Retry-After', '-')}" for a in answers))
"""


@pytest.mark.sqlite_only
def test_the_limit_is_counted_across_two_app_processes(tmp_path):
    """Two processes on one database are two workers (or hosts): one person's exports through
    both add up to the one limit. With per-process counters both would give 200 200."""
    url = f"sqlite:///{tmp_path}/shared.sqlite"
    answers = [subprocess.run([sys.executable, "-c", PROCESS, url], check=True,
                              capture_output=True, text=True, timeout=120).stdout.split()
               for _ in ("first", "second")]
    assert answers[0] == ["200:-", "200:-"]
    assert answers[1][0] == "200:-"
    status, retry_after = answers[1][1].split(":")
    assert status == "429" and 0 < int(retry_after) <= 3600
