"""The BAF cover paper on the demo BAF: 31 May to 30 June 2023."""
import io
import json
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select

from riskapp.reports.cli import find_register
from riskapp.reports.cover import CoverError, build_cover
from riskapp.reports.cover_docx import render_cover_docx
from tests.factories import make_user

SOURCE = json.loads(Path("riskapp/demo/data/blmk_baf_2023.json").read_text())



def _changed_in_june():
    """From the source: risks whose monthly score for June differs from May's."""
    out = {}
    for risk in SOURCE["risks"]:
        months = {m["month"]: m["score"] for m in risk["history"]}
        if "2023-05" in months and "2023-06" in months and months["2023-05"] != months["2023-06"]:
            out[risk["ref"]] = (months["2023-05"], months["2023-06"])
    return out


def _paper(baf):
    return build_cover(find_register("BAF"), date(2023, 5, 31), date(2023, 6, 30),
                       organisation="NHS Bedfordshire, Luton and Milton Keynes ICB")


def test_names_exactly_the_risks_whose_scores_changed_in_june(baf):
    paper = _paper(baf)
    expected = _changed_in_june()
    assert expected  # the source has some
    section = next(s for s in paper.sections if s.heading == "Scores that rose or fell")
    assert {s.ref for s in section.statements} == set(expected)
    for s in section.statements:
        old, new = expected[s.ref]
        assert f"={old})" in s.text.split(" to ")[0] and f"={new})" in s.text.split(" to ")[1]
        assert s.on == date(2023, 6, 15)  # the June review that changed it
        assert "Rationale:" in s.text
    # every statement is traceable: a reference and a date
    for sec in paper.sections:
        for s in sec.statements:
            assert s.ref and s.ref in s.text and s.on


def test_drafting_twice_gives_identical_text_and_docx_text(baf):
    first, second = _paper(baf), _paper(baf)
    assert first.text() == second.text()
    docs = []
    for paper in (first, second):
        buffer = io.BytesIO()
        render_cover_docx(paper, buffer)
        buffer.seek(0)
        docs.append(Document(buffer))
    assert [p.text for p in docs[0].paragraphs] == [p.text for p in docs[1].paragraphs]


def test_docx_has_the_board_paper_headings(baf):
    buffer = io.BytesIO()
    render_cover_docx(_paper(baf), buffer)
    buffer.seek(0)
    doc = Document(buffer)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == "Board Assurance Framework: cover paper"
    for h in ("Executive summary", "What changed", "New and closed risks",
              "Scores that rose or fell", "Reviews overdue", "Controls and assurances",
              "Actions completed", "Actions whose target dates moved", "Actions overdue",
              "Recommendation", "Appendices"):
        assert h in headings
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "The Committee is asked to" in text
    facts = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert facts["Purpose"] == "For assurance" and facts["Date"] == "30 June 2023"


def test_since_after_as_of_is_refused(baf):
    with pytest.raises(CoverError) as refusal:
        build_cover(find_register("BAF"), date(2023, 7, 1), date(2023, 6, 30), organisation="x")
    assert refusal.value.field == "since"


JUNE = {"register": "1", "since-day": "31", "since-month": "5", "since-year": "2023",
        "as_of-day": "30", "as_of-month": "6", "as_of-year": "2023"}


def test_page_drafts_the_paper_as_a_job_then_shows_it_and_offers_the_word_document(
        client, auth, baf):
    from riskapp.jobs.models import Job
    auth.login(make_user("board"))
    assert "Cover paper" in client.get("/reports/").get_data(as_text=True)
    assert "Draft the paper" in client.get("/reports/cover").get_data(as_text=True)
    asked = client.post("/reports/cover", data=JUNE)
    assert asked.status_code == 302 and asked.headers["Location"].startswith("/jobs/")
    shown = client.get(asked.headers["Location"])  # done at once here: on to the draft
    assert shown.status_code == 302
    html = client.get(shown.headers["Location"]).get_data(as_text=True)
    assert "Scores that rose or fell" in html and 'href="/risks/BAF0001"' in html
    assert "Report covers" in html and "31 May 2023 to 30 June 2023" in html
    job = baf.session.scalar(select(Job))
    assert job.kind == "cover" and f'href="/jobs/{job.id}/download"' in html
    download = client.get(f"/jobs/{job.id}/download")
    assert download.status_code == 200
    assert download.mimetype.endswith("wordprocessingml.document")
    doc = Document(io.BytesIO(download.data))
    assert "Scores that rose or fell" in [p.text for p in doc.paragraphs]
    # The same paper asked for again, the record unchanged: the same job, not a new one
    assert client.post("/reports/cover", data=JUNE).headers["Location"] == \
        asked.headers["Location"]
    # The options page can be opened filled in, from an address
    html = client.get("/reports/cover?register=1&since=2023-05-31&as_of=2023-06-30"
                      ).get_data(as_text=True)
    assert 'value="31"' in html and 'value="2023"' in html


def test_page_bad_input_is_refused_beside_the_field_and_kept(client, auth, baf):
    from riskapp.jobs.models import Job
    auth.login(make_user("board"))
    bad = client.post("/reports/cover", data={**JUNE, "since-day": "1", "since-month": "7"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "The date of the last paper must be on or before the date of this one" in html
    assert 'value="7"' in html  # what was typed is kept
    bad = client.post("/reports/cover", data={**JUNE, "register": "99"})
    assert bad.status_code == 422 and "nhsuk-error-message" in bad.get_data(as_text=True)
    future = date.today().replace(year=date.today().year + 1)
    bad = client.post("/reports/cover", data={**JUNE, "as_of-year": str(future.year)})
    assert bad.status_code == 422
    assert "must be today or in the past" in bad.get_data(as_text=True)
    assert baf.session.scalar(select(Job)) is None  # nothing asked for


def test_someone_elses_paper_is_not_found(client, auth, baf):
    auth.login(make_user("board"))
    draft = client.get(client.get(client.post("/reports/cover", data=JUNE)
                                  .headers["Location"]).headers["Location"])
    assert draft.status_code == 200
    auth.logout()
    auth.login(make_user("board"))
    assert client.get(draft.request.path).status_code == 404


def test_cli(runner, baf, tmp_path):
    out = tmp_path / "cover.docx"
    result = runner.invoke(args=["report", "cover", "--register", "BAF", "--since",
                                 "2023-05-31", "--as-of", "2023-06-30", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Scores that rose or fell" in [p.text for p in Document(str(out)).paragraphs]
    result = runner.invoke(args=["report", "cover", "--register", "NOPE", "--since",
                                 "2023-05-31", "--out", str(out)])
    assert result.exit_code != 0 and "no register" in result.output
    result = runner.invoke(args=["report", "cover", "--register", "BAF", "--since",
                                 "2023-07-31", "--as-of", "2023-06-30", "--out", str(out)])
    assert result.exit_code != 0 and "on or before the date of this one" in result.output


def test_since_defaults_to_the_last_pack_drawn_on_the_page_or_from_the_command_line(
        baf, client, auth, runner, tmp_path):
    from datetime import datetime, timezone

    from riskapp.reports.cover import default_since
    from riskapp.reports.models import DrawnPack
    register = find_register("BAF")
    today = date.today()
    # No pack drawn yet: the end of the month before
    assert default_since(register, date(2023, 12, 20)) == date(2023, 11, 30)

    # From the command line
    result = runner.invoke(args=["report", "baf", "--register", "BAF", "--as-of", "2023-11-29",
                                 "--out", str(tmp_path / "pack.pdf")])
    assert result.exit_code == 0, result.output
    assert default_since(register, today) == date(2023, 11, 29)
    # On the page (made by the worker)
    auth.login(make_user("board"))
    asked = client.post("/reports/baf.pdf", data={
        "register": register.id, "as_of-day": "15", "as_of-month": "12", "as_of-year": "2023"})
    assert asked.status_code == 302
    assert "Your BAF pack is ready" in client.get(asked.headers["Location"]).get_data(
        as_text=True)
    assert default_since(register, today) == date(2023, 12, 15)
    drawn = baf.session.scalars(select(DrawnPack).order_by(DrawnPack.id)).all()
    assert [(d.via, d.as_of, d.risks) for d in drawn] == [
        ("command line", date(2023, 11, 29), 11), ("download", date(2023, 12, 15), 11)]
    # A pack of one committee's risks is not a paper of the whole register
    from riskapp.committees.models import Committee
    committee = baf.session.scalars(select(Committee)).first()
    baf.session.add(DrawnPack(register_id=register.id, as_of=date(2024, 1, 10), via="download",
                              committee_id=committee.id))
    baf.session.commit()
    assert default_since(register, today) == date(2023, 12, 15)
    # A paper of a past day only sees the packs drawn by then: later drawings never change it
    baf.session.add(DrawnPack(register_id=register.id, as_of=date(2023, 10, 31),
                              via="download",
                              drawn_at=datetime(2023, 11, 2, 10, tzinfo=timezone.utc)))
    baf.session.commit()
    assert default_since(register, date(2023, 11, 20)) == date(2023, 10, 31)
    assert default_since(register, date(2023, 11, 1)) == date(2023, 10, 31)  # the month end
    # The packs drawn today were not drawn by 15 Dec 2023
    assert default_since(register, date(2023, 12, 15)) == date(2023, 10, 31)
    # A pack as at the paper's own day is not the last paper
    assert default_since(register, date(2023, 11, 29)) == date(2023, 10, 31)


def test_the_paper_for_past_dates_reads_the_same_after_later_edits(baf):
    """Read from the record as held at the two dates: today's edits, even ones dated back into
    the paper's period, do not change it."""
    from riskapp.risks import services
    from riskapp.risks.models import Action, Risk
    before = _paper(baf).text()
    risk = baf.session.scalar(select(Risk).where(Risk.reference == "BAF0006"))
    services.add_control(risk, {"description": "Weekly cash review",
                                "in_place_from": date(2023, 6, 10)})
    services.add_assurance(risk, {"line": 3, "source": "Internal audit of cash",
                                  "assured_on": date(2023, 6, 5), "positive": False})
    services.rescore_risk(risk, 2, 2, "Recovered", by=None, today=date.today())
    action = baf.session.scalar(select(Action).where(Action.risk_id == risk.id))
    action.status, action.completed_on = "Complete", date(2023, 6, 20)
    baf.session.commit()
    assert _paper(baf).text() == before
    # Today's paper does see them.
    today = build_cover(find_register("BAF"), date(2023, 5, 31), date.today(),
                        organisation="x").text()
    assert "Internal audit of cash" in today and "Weekly cash review" in today


def test_while_the_paper_is_drafted_its_page_shows_progress_then_opens_the_draft(
        client, auth, baf, app, monkeypatch):
    from riskapp.jobs import services
    app.config["JOBS_RUN_AT_ONCE"] = False  # no worker here: the job waits until run below
    app.config["TASK_QUEUE_URL"] = f"sqlite:///{app.instance_path}/test-cover-tasks.sqlite"
    try:
        auth.login(make_user("board"))
        page_url = client.post("/reports/cover", data=JUNE).headers["Location"]
        html = client.get(page_url).get_data(as_text=True)
        assert "Your cover paper is being made" in html and "<progress" in html
        assert f'data-job-progress="{page_url}/progress"' in html and "job.js" in html
        assert client.get(f"{page_url}/progress").get_json() == {
            "state": "queued", "percent": 0, "step": "Waiting to start", "finished": False}
        steps = []
        real = services._progress
        monkeypatch.setattr(services, "_progress", lambda job_id, percent, step, **values: (
            steps.append(step), real(job_id, percent, step, **values)))
        services.run_job(int(page_url.rsplit("/", 1)[1]))  # what the worker does
        assert steps[1:3] == ["Reading the register as at 31 May 2023",
                              "Reading the register as at 30 June 2023"]
        assert "Writing the Word document" in steps and steps[-1] == "Ready"
        assert client.get(f"{page_url}/progress").get_json()["finished"] is True
        draft = client.get(page_url)
        assert draft.status_code == 302 and draft.headers["Location"].startswith("/reports/cover/")
    finally:
        app.config["JOBS_RUN_AT_ONCE"] = True


def test_the_lean_read_agrees_with_the_whole_record_as_held(baf):
    """The paper reads only what it says (scores, latest reviews, the period's reviews,
    actions); what it reads equals what the whole record as held says."""
    from riskapp.assurance.held import register_held
    from riskapp.reports.cover import read_facts
    register = find_register("BAF")
    for since, as_of in ((date(2023, 5, 31), date(2023, 6, 30)),
                         (date(2023, 11, 30), date.today())):
        facts = read_facts(register, since, as_of)
        full = register_held(register.id, as_of)
        overdue = []
        for r in full.risks:
            ref, state = r.risk.reference, facts.now[r.risk.reference]
            assert (state.consequence, state.likelihood) == r.current
            assert (state.next_review is None) == (r.latest_review is None)
            assert facts.reviews[ref] == [
                (v.recorded_on, v.consequence, v.likelihood, v.consequence * v.likelihood,
                 v.rationale) for v in r.reviews if since < v.recorded_on <= as_of]
            if r.risk.status == "Open":
                overdue += [(ref, a.target_date, a.detail) for a in r.actions
                            if a.target_date and a.target_date < as_of
                            and not (a.completed_on and a.completed_on <= as_of)
                            and a.status != "Cancelled"
                            and not (a.status == "Complete" and not a.completed_on)]
        assert sorted(facts.actions_overdue) == sorted(overdue)
    assert facts.actions_overdue  # the demo's actions are overdue today
