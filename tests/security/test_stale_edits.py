"""Issue 15, finding 12: no stale edit gets past the check, on SQLite too.

Before the fix, on SQLite about 30% of concurrent-edit refusals showed the generic 409 page and
lost what the user typed (the version was read before the write transaction began, so both
saves passed the check and the second failed at its UPDATE); and a form posted without its
version field skipped the check altogether. Each test here failed then.
"""
from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from riskapp import create_app
from riskapp.extensions import db as _db
from riskapp.risks.models import Action, Risk
from tests.conftest import FreshContextClient
from tests.factories import make_action, make_risk, make_user
from tests.security.formdata import form_fields
from tests.security.test_concurrency import race, signed_in, winner_and_loser

NOT_SAID = "did not say which version of the record you were changing"


@pytest.fixture
def file_app(tmp_path):
    """The app on an SQLite file, as deployed: each request its own connection, WAL."""
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'race.sqlite'}",
        "SERVER_NAME": "localhost", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    app.test_client_class = FreshContextClient
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        for engine in _db.engines.values():
            engine.dispose()


@pytest.mark.sqlite_only
@pytest.mark.parametrize("round_", range(5))
def test_12_on_sqlite_two_saves_at_once_refuse_the_second_with_its_form_kept(
        file_app, monkeypatch, round_):
    owner, lead = make_user(name="Olive Owner"), make_user(name="Leo Lead")
    risk = make_risk(owner, lead_id=lead.id, title="Elective recovery")
    _db.session.commit()
    path = f"/risks/{risk.reference}/edit"
    results = race(file_app, monkeypatch, path, [
        (signed_in(file_app, owner), {"title": "Elective recovery: the owner's words"}),
        (signed_in(file_app, lead), {"title": "Elective recovery: the lead's words"}),
    ])
    kept, _ = winner_and_loser(results, "title")
    _db.session.expire_all()
    assert _db.session.get(Risk, risk.id).title == kept["title"]


@pytest.mark.parametrize("what", ["risk", "action"])
def test_12_a_form_without_its_version_is_refused_with_what_was_typed(client, auth, db, what):
    owner = make_user("risk_manager")
    risk = make_risk(owner, title="Elective recovery")
    action = make_action(risk, owner, detail="Recruit two consultants")
    db.session.commit()
    auth.login(owner)
    if what == "risk":
        path, field, typed = f"/risks/{risk.reference}/edit", "title", "Typed without a version"
    else:
        path, field, typed = f"/actions/{action.id}/edit", "detail", "Typed without a version"
    fields = form_fields(client.get(path).get_data(as_text=True))
    fields.pop("version")
    fields[field] = typed
    refused = client.post(path, data=fields)
    page = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 409
    assert NOT_SAID in page and typed in page
    db.session.expire_all()
    assert db.session.get(Risk, risk.id).title == "Elective recovery"
    assert db.session.get(Action, action.id).detail == "Recruit two consultants"
    # Told, the user saves again from the page as it came back: now it is kept.
    again = form_fields(refused.get_data(as_text=True))
    again[field] = again[field].removeprefix("\r\n")  # as a browser reads a <textarea>
    assert again["version"] and again[field] == typed
    assert client.post(path, data=again).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Risk, risk.id).title if what == "risk" \
        else db.session.get(Action, action.id).detail
    assert saved == typed
