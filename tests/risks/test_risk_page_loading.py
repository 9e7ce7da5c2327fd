"""load_risk_page: a risk with everything its page and the API read, in plain statements
(issue 9), holding what the relationships hold, in their order, with nothing left to load."""
from datetime import date

from sqlalchemy import event

from riskapp.auth.models import Directorate
from riskapp.committees.models import Committee
from riskapp.risks import queries, services
from riskapp.risks.models import ActionProgress, Assurance, Control, Gap, Risk
from tests.factories import make_action, make_appetite, make_risk, make_user


def _snapshot(risk: Risk) -> dict:
    """Everything the risk page and the API's risk read through relationships."""
    def name(user):
        return user.name if user else None
    return dict(
        owner=name(risk.owner), lead=name(risk.lead), register=risk.register.name,
        directorate=risk.directorate.name if risk.directorate else None,
        appetite=risk.appetite_level.name if risk.appetite_level else None,
        records=[(r.id, r.score, name(r.recorded_by)) for r in risk.score_records],
        controls=[(c.id, c.description, name(c.owner)) for c in risk.controls],
        assurances=[(a.id, a.source) for a in risk.assurances],
        gaps=[(g.id, g.kind, g.closed) for g in risk.gaps],
        committees=[c.name for c in risk.committees],
        actions=[(a.id, name(a.assignee), a.risk.reference,
                  [(n.id, n.note, name(n.by)) for n in a.progress_notes])
                 for a in risk.actions])


def _build(db):
    owner, lead, clerk, noter = (make_user(name=n) for n in
                                 ("Olive Owner", "Larry Lead", "Cleo Clerk", "Nora Noter"))
    directorate = Directorate(name="Estates")
    committees = [Committee(name="Zeta Committee"), Committee(name="Audit Committee")]
    db.session.add_all([directorate, *committees])
    db.session.flush()
    risk = make_risk(owner, lead_id=lead.id, directorate_id=directorate.id,
                     appetite_level_id=make_appetite("Cautious", 9).id)
    risk.committees = committees
    services.rescore_risk(risk, 3, 3, "Better", by=clerk, today=date(2023, 6, 1),
                          seen_version=risk.version)
    services.rescore_risk(risk, 3, 3, "Same", by=None, today=date(2023, 5, 1),
                          seen_version=risk.version)  # recorded later, dated earlier
    db.session.add_all([Control(risk=risk, description="Rota", owner_id=lead.id),
                        Control(risk=risk, description="Audit"),
                        Assurance(risk=risk, line=3, source="Internal audit"),
                        Assurance(risk=risk, line=1, source="Ward returns"),
                        Gap(risk=risk, kind="control", description="No policy"),
                        Gap(risk=risk, kind="assurance", description="No audit", closed=True)])
    busy, idle = make_action(risk, clerk, detail="Recruit"), make_action(risk, detail="Idle")
    # Nora writes a note and nothing else, so only the loader can have loaded her.
    for day, by in ((date(2023, 5, 2), noter), (date(2023, 7, 9), None), (date(2023, 5, 2), owner)):
        db.session.add(ActionProgress(action=busy, noted_on=day, note=f"{day} {by}", by=by))
    other = make_risk(owner, title="Another")  # its action and notes are not this risk's
    db.session.add(ActionProgress(action=make_action(other, clerk), noted_on=date(2023, 1, 1),
                                  note="elsewhere"))
    db.session.commit()
    assert idle.progress_notes == []
    return risk.reference


def test_loads_what_the_relationships_hold_with_nothing_left_to_load(app, db):
    reference = _build(db)
    db.session.remove()
    # What lazy loading, relationship by relationship, finds: the reference.
    expected = _snapshot(db.session.scalar(db.select(Risk).where(Risk.reference == reference)))
    db.session.remove()

    risk = queries.load_risk_page(reference.lower())
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        seen = _snapshot(risk)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert statements == []
    assert seen == expected
    assert seen["committees"] == ["Audit Committee", "Zeta Committee"]
    assert [r[2] for r in seen["records"]] == [None, None, "Cleo Clerk"]  # by date, then id
    notes = seen["actions"][0][3]
    assert [n[1] for n in notes][0].startswith("2023-07-09") and len(notes) == 3
    assert seen["actions"][1][3] == []


def test_unknown_reference_is_none(app, db):
    make_risk()
    db.session.commit()
    assert queries.load_risk_page("BAF9999") is None


def test_risk_page_audit_trail_rows(client, auth, db):
    """The trail is read as rows (issue 9): who, what, the field and values with people's
    names for their ids, newest first, and only the latest 200 with a note saying so."""
    import re
    from datetime import datetime, timedelta, timezone

    from riskapp.audit.models import AuditEntry
    editor, new_owner = make_user(name="Eddie <Editor>"), make_user(name="Nina New")
    risk = make_risk()
    db.session.commit()
    start = datetime(2030, 1, 1, 12, tzinfo=timezone.utc)  # after the risk's own entries

    def entry(minutes, **values):
        db.session.add(AuditEntry(at=start + timedelta(minutes=minutes), object_type="risks",
                                  object_id=risk.id, risk_id=risk.id, **values))
    entry(10_000, user_id=editor.id, operation="update", field="owner_id",
          old_value=str(risk.owner_id), new_value=str(new_owner.id))
    entry(9_999, operation="update", field="title", old_value="Old & <b>", new_value=None)
    db.session.commit()
    auth.login(make_user("board"))
    page = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    rows = re.findall(r"<tr><td class=\"nhsuk-table__cell\">(\d\d \w\w\w \d{4} \d\d:\d\d)</td>"
                      r"(.*?)</tr>", page.split('id="audit"')[1], re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for _, row in rows]
    owner_name = risk.owner.name
    assert rows[0][0] == "08 Jan 2030 10:40"  # 12:00 UTC + 10,000 minutes, London time
    assert cells[0] == ["Eddie &lt;Editor&gt;", "Risks updated", "owner", owner_name, "Nina New"]
    assert cells[1] == ["System", "Risks updated", "title", "Old &amp; &lt;b&gt;", ""]
    assert "Show every change (" in page and "latest 200" not in page

    for minute in range(200):
        entry(minute, operation="update", field="title", old_value="a", new_value="b")
    db.session.commit()
    page = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    assert "Show every change (200+, latest 200)" in page
    audit = page.split('id="audit"')[1]
    assert audit.count("<tr><td") == 200 and "Eddie &lt;Editor&gt;" in audit
