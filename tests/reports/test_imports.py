"""Import: preview with a per-row, per-column report, then all or nothing."""
import csv
import io
import json
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from sqlalchemy_continuum import versioning_manager

from riskapp.record import trail as record_trail
from riskapp.auth.models import Role
from riskapp.jobs.models import Job
from riskapp.reports import imports
from riskapp.risks.models import Action, Risk, ScoreRecord
from tests.factories import make_action, make_risk, make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _snapshot(db):
    """Everything an import could change, to prove nothing did."""
    risks = [(r.reference, r.version, r.title, r.description, r.owner_id, r.lead_id, r.status,
              r.initial_consequence, r.initial_likelihood, r.current_consequence,
              r.current_likelihood, r.target_consequence, r.target_likelihood, r.target_date)
             for r in db.session.scalars(select(Risk).order_by(Risk.id))]
    actions = [(a.id, a.version, a.detail, a.assignee_id, a.target_date, a.status,
                a.completed_on, a.target_date_changes)
               for a in db.session.scalars(select(Action).order_by(Action.id))]
    counts = [db.session.scalar(select(func.count()).select_from(m))
              for m in (versioning_manager.transaction_cls, ScoreRecord)]
    return risks, actions, counts


def _export(client, what="register", fmt="xlsx") -> bytes:
    response = client.get(f"/reports/export/{what}.{fmt}")
    assert response.status_code == 200
    return response.data


def _upload(client, data: bytes, filename: str):
    """Upload, then follow to the preview (the worker checks the file: at once in tests)."""
    return client.post("/reports/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", follow_redirects=True)


def confirm_address(preview_html: str) -> str:
    found = re.search(r'action="(/reports/import/\d+/confirm)"', preview_html)
    assert found, "no confirm form on the preview"
    return found.group(1)


def _confirm(client, preview_html: str, follow: bool = True):
    """Confirm, then follow to the outcome (the worker saves it: at once in tests)."""
    return client.post(confirm_address(preview_html), follow_redirects=follow)


def _edit_xlsx(data: bytes, sheet: str, edits: dict[tuple[int, str], object],
               append: list[dict] | None = None) -> bytes:
    """Change cells by (row, header) and append rows given as {header: value}."""
    workbook = load_workbook(io.BytesIO(data))
    ws = workbook[sheet]
    headers = [c.value for c in ws[1]]
    for (row, header), value in edits.items():
        ws.cell(row=row, column=headers.index(header) + 1, value=value)
    for values in append or []:
        ws.append([values.get(h) for h in headers])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def manager(auth, baf):
    user = baf.session.scalar(select(imports.User).where(
        imports.User.email == "risk.manager@example.org"))
    user.set_password("pw-for-tests-123")
    baf.session.commit()
    auth.login(user, "pw-for-tests-123")
    return user


def test_importing_an_unchanged_xlsx_export_changes_nothing(client, baf, manager):
    before = _snapshot(baf)
    response = _upload(client, _export(client), "register.xlsx")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "0 to add, 0 to update, 11 unchanged" in page
    assert "0 to add, 0 to update, 26 unchanged" in page
    assert "nothing to import" in page
    baf.session.expire_all()
    assert _snapshot(baf) == before


def test_importing_an_unchanged_csv_export_changes_nothing(client, baf, manager):
    before = _snapshot(baf)
    for what in ("risks", "actions"):
        response = _upload(client, _export(client, what, "csv"), f"{what}.csv")
        assert response.status_code == 200, response.get_data(as_text=True)[:3000]
        assert "0 to add, 0 to update" in response.get_data(as_text=True)
    baf.session.expire_all()
    assert _snapshot(baf) == before


def test_updates_by_reference_and_new_rows_get_new_references(client, baf, manager):
    data = _export(client)
    data = _edit_xlsx(data, "Risks", {(2, "Title"): "Recovery of elective services (revised)",
                                      (3, "Current likelihood"): 3},
                      append=[{"Register": "BAF", "Title": "+Cyber attack", "Owner email":
                               "dean.westcott@example.org", "Status": "Open",
                               "Initial consequence": 5, "Initial likelihood": 4,
                               "Current consequence": 5, "Current likelihood": 3}])
    data = _edit_xlsx(data, "Actions", {(2, "Status"): "Complete"},
                      append=[{"Risk reference": "BAF0003", "Detail": "New action",
                               "Assignee email": "dean.westcott@example.org",
                               "Target date": "2024-03-31", "Status": "Not Started"}])
    preview = _upload(client, data, "changes.xlsx")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page[page.find("<main"):][:4000]
    assert "1 to add, 2 to update, 9 unchanged" in page
    assert "1 to add, 1 to update, 25 unchanged" in page
    # Nothing is saved by the preview.
    assert baf.session.scalar(select(Risk).where(Risk.reference == "BAF0012")) is None
    done = _confirm(client, page)
    outcome = done.get_data(as_text=True)
    assert done.status_code == 200 and "Import saved" in outcome
    assert "2 records added, 3 records updated and 34 unchanged" in outcome
    assert "<li>BAF0012</li>" in outcome and "<li>BAF0001</li>" in outcome
    assert re.search(r"<li>BAF0003 action \d+</li>", outcome)
    baf.session.expire_all()
    new = baf.session.scalar(select(Risk).where(Risk.reference == "BAF0012"))
    assert new.title == "+Cyber attack" and new.current_score == 15
    assert new.owner.email == "dean.westcott@example.org"
    first = baf.session.scalar(select(Risk).where(Risk.reference == "BAF0001"))
    assert first.title == "Recovery of elective services (revised)"
    audit = [e for e in record_trail.risk_trail(first.id) if e.field == "Title"]
    assert audit and audit[0].user_id == manager.id
    assert audit[0].now == "Recovery of elective services (revised)"
    second = baf.session.scalar(select(Risk).where(Risk.reference == "BAF0002"))
    assert second.current_likelihood == 3
    assert second.score_records[-1].rationale == "Imported from changes.xlsx"
    first_action = baf.session.scalar(select(Action).order_by(Action.id))
    assert first_action.status == "Complete" and first_action.completed_on is not None
    added = baf.session.scalar(select(Action).where(Action.detail == "New action"))
    assert added.risk.reference == "BAF0003"


def test_one_bad_row_saves_nothing_and_names_the_row_and_column(client, baf, manager):
    before = _snapshot(baf)
    data = _edit_xlsx(_export(client), "Risks", {(2, "Title"): "A good change",
                                                 (5, "Initial likelihood"): 6,
                                                 (7, "Current consequence"): 0,
                                                 (8, "Owner email"): "nobody@example.org"})
    response = _upload(client, data, "bad.xlsx")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<title>Error: " in page and "nothing has been saved" in page
    assert "Risks row 5: Initial likelihood must be a whole number from 1 to 5, not 6" in page
    assert "Risks row 7: Current consequence must be a whole number from 1 to 5, not 0" in page
    assert "Unknown owner: no user has the e-mail address &#39;nobody@example.org&#39;" in page
    assert "<td>Risks</td><td>8</td><td>Owner email</td>" in page
    assert "/confirm" not in page  # no way to confirm a file with problems
    baf.session.expire_all()
    assert _snapshot(baf) == before


def test_confirm_checks_again_and_a_failure_midway_saves_nothing(client, baf, manager,
                                                                 monkeypatch):
    before = _snapshot(baf)
    data = _edit_xlsx(_export(client), "Risks", {(2, "Title"): "Changed title"})
    data = _edit_xlsx(data, "Actions", {(2, "Detail"): "Changed detail"})
    page = _upload(client, data, "x.xlsx").get_data(as_text=True)

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports.action_services, "set_action", explode)
    failed = _confirm(client, page).get_data(as_text=True)
    assert "Nothing has been saved: the import could not be finished" in failed
    baf.session.expire_all()
    assert _snapshot(baf) == before


def test_confirm_refuses_someone_elses_check_or_a_check_with_problems(client, auth, baf,
                                                                       manager):
    data = _edit_xlsx(_export(client), "Risks", {(2, "Title"): "Changed title"})
    address = confirm_address(_upload(client, data, "x.xlsx").get_data(as_text=True))
    bad = _edit_xlsx(data, "Risks", {(3, "Initial likelihood"): 9})
    assert _upload(client, bad, "bad.xlsx").status_code == 422
    bad_check = baf.session.scalar(select(Job.id).order_by(Job.id.desc()))
    refused = client.post(f"/reports/import/{bad_check}/confirm")
    assert refused.status_code == 422
    assert "could not be confirmed" in refused.get_data(as_text=True)
    other = make_user(Role.RISK_MANAGER)
    baf.session.commit()
    auth.logout()
    auth.login(other)
    assert client.post(address).status_code == 404  # not theirs: not even its existence
    assert client.get(address.removesuffix("/confirm")).status_code == 404
    baf.session.expire_all()
    assert baf.session.scalar(select(Risk.title).where(Risk.reference == "BAF0001")) != \
        "Changed title"


def test_a_check_more_than_an_hour_old_is_checked_again(client, baf, manager):
    from datetime import timedelta
    data = _edit_xlsx(_export(client), "Risks", {(2, "Title"): "Changed title"})
    page = _upload(client, data, "x.xlsx").get_data(as_text=True)
    check = baf.session.scalar(select(Job).order_by(Job.id.desc()))
    check.finished_at = check.finished_at - timedelta(hours=2)
    baf.session.commit()
    refused = client.post(confirm_address(page))
    assert refused.status_code == 422 and "more than an hour old" in refused.get_data(as_text=True)
    again = client.get(f"/reports/import/{check.id}").get_data(as_text=True)
    assert "checked more than an hour ago" in again and "/confirm" not in again


def test_a_register_changed_since_the_check_saves_nothing(client, baf, manager):
    """The worker checks the rows again when saving: a change in between is caught."""
    data = _edit_xlsx(_export(client), "Risks", {(2, "Title"): "Changed title",
                                                 (3, "Owner email"): "dean.westcott@example.org"})
    page = _upload(client, data, "x.xlsx").get_data(as_text=True)
    dean = baf.session.scalar(select(imports.User).where(
        imports.User.email == "dean.westcott@example.org"))
    dean.active = False  # left since the check: no longer a valid new owner
    baf.session.commit()
    before = _snapshot(baf)
    saved = _confirm(client, page)
    text = saved.get_data(as_text=True)
    assert saved.status_code == 422
    assert "The register changed since the preview" in text and "nothing has been saved" in text
    assert "is not an active user" in text
    baf.session.expire_all()
    assert _snapshot(baf) == before


def _refused(client, data, filename) -> str:
    response = _upload(client, data, filename)
    assert response.status_code == 422
    return response.get_data(as_text=True)


def test_files_that_are_not_spreadsheets_are_refused(client, baf, manager):
    assert "not a spreadsheet" in _refused(client, b"%PDF-1.4 ...", "register.pdf")
    assert "not a spreadsheet" in _refused(client, b"hello", "register.xlsx")
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert "not an Excel workbook" in _refused(client, docx.getvalue(), "register.xlsx")
    assert "not a spreadsheet" in _refused(client, b"a,b\x00\x00", "register.csv")
    assert "Select an Excel or CSV file" in client.post(
        "/reports/import", data={}, content_type="multipart/form-data").get_data(as_text=True)


def test_wrong_columns_are_refused_naming_them(client, baf, manager):
    page = _refused(client, b"Name,Score\nA,5\n", "list.csv")
    assert "does not have the columns of a risks export" in page
    assert "missing Register, Title, Owner email" in page and "not recognised Name, Score" in page


def test_an_oversized_file_is_refused(client, app, baf, manager):
    app.config["IMPORT_MAX_BYTES"] = 1000
    page = _refused(client, b"Reference,Title\n" + b"x" * 2000, "big.csv")
    assert "must be smaller than 1 KB" in page


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(client, app, baf, manager,
                                                        monkeypatch):
    def must_not_open(*args, **kwargs):
        raise AssertionError("openpyxl opened a zip bomb")

    monkeypatch.setattr("openpyxl.load_workbook", must_not_open)
    app.config["IMPORT_MAX_UNCOMPRESSED_BYTES"] = 5 * 1024 * 1024
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    assert len(bomb.getvalue()) < 100_000
    assert "unpacks to more than 5.0 MB" in _refused(client, bomb.getvalue(), "bomb.xlsx")


def test_a_zip_whose_headers_lie_about_sizes_is_still_stopped():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 1024 * 1024))
    raw = bytearray(bomb.getvalue())
    # Rewrite the declared uncompressed size (central directory) of the big member to 10.
    name = b"xl/worksheets/sheet1.xml"
    central = raw.rfind(b"PK\x01\x02", 0, raw.rfind(name))
    raw[central + 24:central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(imports.ImportRefused, match="unpacks to more than|damaged"):
        imports.read_upload("x.xlsx", bytes(raw), imports.Limits(max_uncompressed=1024 * 1024))


def test_a_workbook_of_my_own_with_the_export_columns_imports(client, baf, manager):
    workbook = Workbook()
    ws = workbook.active
    ws.title = "My risks"  # not the export's sheet name: told apart by its columns
    ws.append(["Register", "Title", "Owner email", "Status", "Initial consequence",
               "Initial likelihood", "Current consequence", "Current likelihood"])
    ws.append(["BAF", "Estates backlog", "dean.westcott@example.org", "Open", 3, 3, 3, 2])
    out = io.BytesIO()
    workbook.save(out)
    page = _upload(client, out.getvalue(), "mine.xlsx").get_data(as_text=True)
    assert "1 to add, 0 to update, 0 unchanged" in page
    assert "Import saved" in _confirm(client, page).get_data(as_text=True)
    baf.session.expire_all()
    assert baf.session.scalar(select(Risk.title).where(Risk.reference == "BAF0012")) == \
        "Estates backlog"


def test_csv_rows_are_checked_per_column(client, baf, manager):
    rows = [["Action ID", "Risk reference", "Detail", "Assignee email", "Target date",
             "Status"],
            ["", "BAF0001", "Fine", "", "2024-01-31", "Not Started"],
            ["", "BAF0099", "", "ghost@example.org", "31/02/2024", "Someday"],
            ["999999", "BAF0001", "Update a missing action", "", "", "Complete"]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    page = _refused(client, buffer.getvalue().encode(), "actions.csv")
    assert "<td>Actions</td><td>3</td><td>Risk reference</td><td>No risk has the reference BAF0099" \
        in page
    for column in ("Detail", "Assignee email", "Target date", "Status"):
        assert f"<td>{column}</td>" in page
    assert "No action has the ID 999999" in page
    assert "Actions row 2" not in page  # the good row has no problems


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SECRETARIAT, Role.BOARD, Role.STAFF])
def test_only_the_risk_manager_may_import(client, auth, db, role):
    make_risk()
    db.session.commit()
    auth.login(make_user(role))
    assert client.get("/reports/import").status_code == 403
    assert _upload(client, b"Reference\n", "x.csv").status_code == 403
    assert client.post("/reports/import/1/confirm").status_code == 403
    assert client.get("/reports/import/1").status_code == 403


def test_risk_manager_sees_the_upload_form(client, auth, db):
    auth.login(make_user(Role.RISK_MANAGER))
    response = client.get("/reports/import")
    assert response.status_code == 200
    assert 'type="file"' in response.get_data(as_text=True)


def test_unchanged_inactive_owner_is_accepted_but_cannot_be_newly_assigned(app, db):
    owner = make_user(email="gone@example.org")
    risk = make_risk(owner)
    make_action(risk, owner)
    owner.active = False
    db.session.commit()
    table = imports.Table("Risks", ["Reference", "Register", "Title", "Owner email", "Status",
                                    "Initial consequence", "Initial likelihood",
                                    "Current consequence", "Current likelihood"],
                          [(2, [risk.reference, "BAF", risk.title, "gone@example.org", "Open",
                                4, 5, 4, 4]),
                           (3, ["", "BAF", "New", "gone@example.org", "Open", 4, 5, 4, 4])])
    plan = imports.plan_import([table])
    assert [(e.row, e.column) for e in plan.errors] == [(3, "Owner email")]
    assert plan.rows[0].outcome == "unchanged"


def test_a_confirmation_sent_twice_adds_its_risks_once(client, baf, manager):
    """Issue 15, finding 9: a signed preview replayed (or double-sent) within the hour."""
    data = _edit_xlsx(_export(client), "Risks", {}, append=[{
        "Register": "BAF", "Title": "Cyber attack", "Owner email": "dean.westcott@example.org",
        "Status": "Open", "Initial consequence": 5, "Initial likelihood": 4,
        "Current consequence": 5, "Current likelihood": 3}])
    page = _upload(client, data, "new.xlsx").get_data(as_text=True)
    assert "Import saved" in _confirm(client, page).get_data(as_text=True)
    again = _confirm(client, page, follow=False)
    assert again.status_code == 302
    assert baf.session.scalar(select(func.count(Risk.id)).where(
        Risk.title == "Cyber attack")) == 1
    assert "already been saved" in client.get(again.headers["Location"]).get_data(as_text=True)
    # The preview no longer offers to save it.
    check = baf.session.scalar(select(Job).where(Job.params.contains('"check"')))
    assert "This import has been saved" in client.get(f"/reports/import/{check.id}").get_data(
        as_text=True)


def test_two_saves_of_one_check_at_the_same_moment_add_its_risks_once(client, baf, manager):
    """Both reach the worker (the second before the first is saved): the check's mark, saved
    with the import, lets one through."""
    from riskapp.jobs.services import run_job
    data = _edit_xlsx(_export(client), "Risks", {}, append=[{
        "Register": "BAF", "Title": "Cyber attack", "Owner email": "dean.westcott@example.org",
        "Status": "Open", "Initial consequence": 5, "Initial likelihood": 4,
        "Current consequence": 5, "Current likelihood": 3}])
    _upload(client, data, "new.xlsx")
    check = baf.session.scalar(select(Job).order_by(Job.id.desc()))
    params = json.dumps({"check": check.id, "filename": "new.xlsx", "step": "apply"})
    saves = [Job(user_id=manager.id, kind="import", params=params, key=f"k{n}") for n in (1, 2)]
    baf.session.add_all(saves)
    baf.session.commit()
    for save in saves:
        run_job(save.id)
    baf.session.expire_all()
    assert [s.state for s in saves] == ["done", "done"]
    outcomes = [json.loads(s.result) for s in saves]
    assert "outcome" in outcomes[0] and outcomes[1].get("already") is True
    assert baf.session.scalar(select(func.count(Risk.id)).where(
        Risk.title == "Cyber attack")) == 1


def test_one_import_under_way_per_person(client, app, baf, manager):
    app.config["JOBS_RUN_AT_ONCE"] = False  # nothing runs: the first check stays queued
    app.config["TASK_QUEUE_URL"] = f"sqlite:///{app.instance_path}/test-tasks.sqlite"
    try:
        data = _export(client)
        first = client.post("/reports/import", data={"file": (io.BytesIO(data), "a.xlsx")},
                            content_type="multipart/form-data")
        assert first.status_code == 302 and "/jobs/" in first.location
        page = client.get(first.location).get_data(as_text=True)
        assert "Your import is being checked" in page and "<progress" in page
        assert 'http-equiv="refresh"' in page
        second = client.post("/reports/import", data={"file": (io.BytesIO(data), "b.xlsx")},
                             content_type="multipart/form-data")
        assert second.location == first.location  # shown the one under way
        assert "Your import below is still under way" in client.get(first.location).get_data(
            as_text=True)
        assert baf.session.scalar(select(func.count(Job.id))) == 1
    finally:
        app.config["JOBS_RUN_AT_ONCE"] = True


def test_the_file_is_let_go_once_read_and_a_check_is_no_download(client, baf, manager):
    page = _upload(client, _export(client), "register.xlsx")
    assert page.status_code == 200
    check = baf.session.scalar(select(Job).order_by(Job.id.desc()))
    assert check.kind == "import" and check.upload is None  # the file is let go once read
    assert client.get(f"/jobs/{check.id}/download").status_code == 302  # no raw download
