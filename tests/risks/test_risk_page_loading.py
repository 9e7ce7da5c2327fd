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
    services.rescore_risk(risk, 3, 3, "Same", by=None, today=date(2023, 6, 1),
                          held_on=date(2023, 5, 1), correcting=True,
                          seen_version=risk.version)  # recorded later, held earlier
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
    """The trail comes from the version store (issue 14): who, the record in words, the field
    and values with people's names for their ids, newest first; the page shows the latest
    changes and links to the whole trail."""
    import re

    from riskapp.audit.tracking import reset_actor, set_actor
    editor, new_owner = make_user(name="Eddie <Editor>"), make_user(name="Nina New")
    risk = make_risk()
    db.session.commit()
    owner_name = risk.owner.name
    token = set_actor(editor.id)
    try:
        risk.title = "Old & <b>"
        db.session.commit()
        risk.owner_id = new_owner.id
        db.session.commit()
    finally:
        reset_actor(token)
    auth.login(make_user("board"))
    page = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    rows = re.findall(r"<tr><td class=\"nhsuk-table__cell\">(\d\d \w\w\w \d{4} \d\d:\d\d)</td>"
                      r"(.*?)</tr>", page.split('id="audit"')[1], re.S)
    cells = [[c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
             for _, row in rows]
    assert cells[0] == ["Eddie &lt;Editor&gt;", f"Risk {risk.reference}", "Changed: Owner",
                        owner_name, "Nina New"]
    assert cells[1][:3] == ["Eddie &lt;Editor&gt;", f"Risk {risk.reference}",
                            "Changed: Title"] and cells[1][4] == "Old &amp; &lt;b&gt;"
    assert f"/risks/{risk.reference}/trail" in page
