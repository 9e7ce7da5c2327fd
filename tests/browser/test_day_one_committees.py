"""Issue 16, done when: from an empty database and only `flask db upgrade` and
`flask users create EMAIL --role admin`, a new administrator sets up the PCCAC of the source
entirely through the pages: the Board and the committee, its terms of reference v3.0 with the
quorum rule and deputies policy, nine members in their positions, a meeting with an officer in
attendance; records "NEM chair, CMD, CFO, CND present" and sees "Quorate"."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from riskapp.committees.demo import DATA

from .conftest import ARTIFACTS, ROOT, TIMEOUT_MS, settle

SOURCE = json.loads((DATA / "pccac_terms_of_reference.json").read_text())
ADMIN, PASSWORD = "ada.admin@trust.example", "Correct-Horse-Battery-9"
#: A key as long as the app asks of a real installation (32 characters or more).
SECRET_KEY = "day-one-browser-test-" + "k" * 43
LABELS = ["A non-executive member, who chairs", "CPCO or CMD", "CFO",
          "One other executive board member"]
PEOPLE = ["Dr Ruth Ellison", "Marcus Holt", "Anne Brierley", "Dean Westcott", "Sarah Stanley",
          "Dr Sanhita Chakrabarti", "Dr Ian Roberts", "Dr Nina Patel", "Dr Omar Farouk"]
PRESENT = {"Non-Executive Member (Chair)", "ICB Chief Medical Director",
           "ICB Chief Finance Officer", "ICB Chief Nursing Director"}


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory):
    """The app on an empty database made by the two commands an organisation runs."""
    database = tmp_path_factory.mktemp("day-one") / "riskapp.sqlite"
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP",)}
    env.update(DATABASE_URL=f"sqlite:///{database}", FLASK_APP="riskapp",
               SECRET_KEY=SECRET_KEY)
    flask = [sys.executable, "-m", "flask"]
    for args, stdin in ((["db", "upgrade"], None),
                        (["users", "create", ADMIN, "--name", "Ada Admin", "--role", "admin",
                          "--password-stdin"], PASSWORD + "\n")):
        done = subprocess.run(flask + args, cwd=ROOT, env=env, input=stdin, text=True,
                              capture_output=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / "day-one-server.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "tests.browser.test_day_one_committees",
                                str(database)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=log, text=True)
    try:
        line = process.stdout.readline()
        match = re.fullmatch(r"PORT (\d+)\n", line)
        assert match, f"the test server did not start: {line!r}"
        yield f"http://127.0.0.1:{match[1]}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        log.close()


def _submit(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def _date(page, name: str, iso: str) -> None:
    year, month, day = iso.split("-")
    page.locator(f'[name="{name}-day"]').fill(str(int(day)))
    page.locator(f'[name="{name}-month"]').fill(str(int(month)))
    page.locator(f'[name="{name}-year"]').fill(year)


def _flash(page, text: str) -> None:
    expect(page.locator("main")).to_contain_text(text)


def test_a_new_administrator_sets_up_the_pccac_in_the_pages_and_sees_quorate(
        browser, empty_server, shots):
    context = browser.new_context(base_url=empty_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("response", lambda r: r.status >= 500 and errors.append(f"{r.status} {r.url}"))
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    _submit(page, "Sign in")

    # The Board, then the committee that reports to it.
    page.goto("/committees/")
    shots(page, "no committees yet")
    with page.expect_navigation():
        page.get_by_role("link", name="Create a committee").click()
    page.get_by_label("Name", exact=True).fill(SOURCE["committee"]["accountable_to"])
    page.get_by_label("Kind of committee").select_option("Board of the ICB")
    _submit(page, "Create the committee")
    _flash(page, "Board of the Integrated Care Board created.")
    page.goto("/committees/new")
    page.get_by_label("Name", exact=True).fill(SOURCE["committee"]["name"])
    page.get_by_label("Short name").fill(SOURCE["committee"]["short_name"])
    page.get_by_label("Reports to").select_option(label=SOURCE["committee"]["accountable_to"])
    shots(page, "create the committee")
    _submit(page, "Create the committee")
    _flash(page, "Primary Care Commissioning and Assurance Committee created.")
    committee_url = page.url

    # Terms of reference v3.0: rules, positions, the quorum rule, approval.
    v3 = next(v for v in SOURCE["versions"] if v["version"] == "3.0")
    page.get_by_label("New version number").fill("3.0")
    _submit(page, "Start a new draft")
    page.get_by_label("Deputies").select_option("required_members_only")
    page.get_by_label("Who votes (as written)").fill(SOURCE["decisions"]["who_votes"])
    page.get_by_label("Text of the terms of reference").fill(
        f"{SOURCE['quorum']['text']}\n\n{SOURCE['quorum']['deputies']}")
    _submit(page, "Save the terms of reference")
    _flash(page, "Terms of reference saved.")
    for p in SOURCE["membership"]["voting"]:
        page.get_by_label("Position", exact=True).fill(p["position"])
        page.get_by_label("Category").select_option(p["category"])
        page.get_by_role("checkbox", name="Voting member").check()
        if p.get("chair"):
            page.get_by_label("Chairs the committee").check()
        if p.get("deputy_chair"):
            page.get_by_label("Deputy chair", exact=True).check()
        _submit(page, "Add the position")
    for label, r in zip(LABELS, SOURCE["quorum"]["requirements"]):
        page.get_by_label("Requirement", exact=True).fill(label)
        page.get_by_label("How many people").fill(str(r["count"]))
        form = page.locator("form", has=page.get_by_role("button", name="Add the requirement"))
        for name in r.get("any_of", []):
            form.get_by_label(name, exact=True).check()
        if r.get("any_of_category"):
            form.get_by_label("Executive board member", exact=True).check()
        _submit(page, "Add the requirement")
    shots(page, "draft terms of reference")
    with page.expect_navigation():
        page.get_by_role("link", name="Approve this draft").click()
    page.get_by_label("Approved by").fill(v3["approved_by"])
    _date(page, "approved_on", v3["approved_on"])
    _date(page, "review_due", v3["review_due"])
    _submit(page, "Approve and bring into force")
    _flash(page, "Version 3.0 is now in force.")

    # Nine members in their positions (people with no login).
    for person, p in zip(PEOPLE, SOURCE["membership"]["voting"]):
        page.goto(committee_url + "/members/new")
        page.get_by_label("Or the name of someone with no login").fill(person)
        page.get_by_label("Organisation").fill("BLMK ICB")
        page.get_by_label(p["position"], exact=True).check()
        _date(page, "appointed_on", "2023-04-01")
        _date(page, "term_ends_on", "2026-03-31")
        _submit(page, "Add the member")
        _flash(page, "Member added.")
    expect(page.locator("main")).not_to_contain_text("The quorum rule cannot be met")
    shots(page, "committee with nine members")

    # A meeting, an officer in attendance, and the register of the source's case.
    with page.expect_navigation():
        page.get_by_role("link", name="Schedule a meeting").click()
    _date(page, "day", "2023-11-16")
    page.get_by_label("Place").fill("Room 1, Capability House")
    _submit(page, "Save the meeting")
    with page.expect_navigation():
        page.get_by_role("link", name="Attendance register").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Add an officer in attendance").click()
    page.get_by_label("Name", exact=True).fill("Jo Francis")
    page.get_by_label("Job title").fill(SOURCE["membership"]["non_voting_attendees"][0])
    page.get_by_label("Organisation").fill("BLMK ICB")
    _submit(page, "Add the officer")
    for person, p in zip(PEOPLE, SOURCE["membership"]["voting"]):
        page.get_by_label(f"Attendance of {person}", exact=True).select_option(
            "present" if p["position"] in PRESENT else "apologies")
    page.get_by_label("Attendance of Jo Francis").select_option("present")
    _submit(page, "Save the register")
    panel = page.locator("#quoracy-panel")
    expect(panel).to_contain_text("Quorate")
    expect(panel).not_to_contain_text("Not quorate")
    expect(page.locator("#officers")).to_be_visible()
    settle(page)
    shots(page, "register quorate")
    assert errors == []
    context.close()


def serve(database_file: str) -> None:
    """Serve the database the two commands made, as it is, on a free port of 127.0.0.1."""
    from werkzeug.serving import make_server

    from riskapp import create_app
    app = create_app({"SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_file}"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"PORT {server.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve(sys.argv[1])
