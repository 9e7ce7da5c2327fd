"""Day one in Chromium (issue 16): from `flask db upgrade` and `flask users create` only, the
first administrator sets the organisation up through the pages, invites a colleague (real SMTP)
who sets a password and later resets it, and people sign in through a real OpenID Connect
provider on 127.0.0.1, refused on a wrong state or another application's code.

Screenshots of every screen a new administrator meets, in order, at 320 and 1280 px, are in
test-artifacts/browser/<test>/.
"""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.axe import BLOCKING, describe, run_axe
from tests.browser.conftest import ARTIFACTS, ROOT, TIMEOUT_MS
from tests.oidc_provider import free_port, person, provider
from tests.reminders.conftest import SmtpServer

ADMIN = "jane.smith@anytown.nhs.uk"
ADMIN_PASSWORD = "quartz meadow ribbon harbour"
COLLEAGUE = "sam.okafor@anytown.nhs.uk"
COLLEAGUE_PASSWORD = "violet canal teapot summit"
NEW_PASSWORD = "copper lantern willow drum"


def _flask(database: Path, *args, input_text=None, env=None):
    env = dict(env or os.environ, DATABASE_URL=f"sqlite:///{database}", FLASK_APP="riskapp")
    result = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                            input=input_text, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def issuer():
    with provider([person(ADMIN, "Jane Smith"),
                   person("someone.else@anytown.nhs.uk", "Someone Else")]) as url:
        yield url


@pytest.fixture(scope="module")
def day_one_server(tmp_path_factory, smtp_server, issuer):
    """An empty database, the two commands, then the app served on 127.0.0.1."""
    database = tmp_path_factory.mktemp("day-one") / "riskapp.sqlite"
    _flask(database, "db", "upgrade")
    out = _flask(database, "users", "create", ADMIN, "--role", "admin", "--password-stdin",
                 input_text=ADMIN_PASSWORD + "\n")
    assert "Created jane.smith@anytown.nhs.uk (Administrator)" in out
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FLASK_APP")}
    env.update(RISKAPP_BASE_URL=base, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port),
               MAIL_FROM="riskapp@anytown.nhs.uk", OIDC_ISSUER=issuer,
               OIDC_CLIENT_ID="riskapp", OIDC_CLIENT_SECRET="s3cret",
               OIDC_PROVIDER_NAME="NHSmail")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / "day-one-server.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "tests.browser.serve", str(database),
                                "--empty", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = process.stdout.readline()
        assert line == f"PORT {port}\n", f"the day-one server did not start: {line!r}"
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        log.close()


@pytest.fixture
def open_page(browser, day_one_server):
    contexts = []

    def make(width=1280):
        context = browser.new_context(base_url=day_one_server,
                                      viewport={"width": width, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()
    yield make
    for context in contexts:
        context.close()


def _logo_png() -> bytes:
    from PIL import Image, ImageDraw
    image = Image.new("RGB", (240, 80), (0, 94, 184))
    ImageDraw.Draw(image).rectangle((20, 20, 220, 60), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _sign_in(page, email, password):
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()


def _no_serious_axe(page, where, found):
    serious = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    if serious:
        found.append(describe(where, serious))


def _wait_for_mail(server, address, count):
    """Wait (for the condition, not a time) until `address` has `count` messages."""
    import time
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while len(server.to(address)) < count:
        assert time.monotonic() < deadline, f"no email to {address}"
        time.sleep(0.05)
    return server.to(address)[count - 1]


def _link_in(mail, base) -> str:
    match = re.search(re.escape(base) + r"/auth/set-password/[A-Za-z0-9_-]+", mail.text)
    assert match, mail.text
    return match[0]


def test_the_first_administrator_sets_the_organisation_up_through_the_pages(
        open_page, shots, day_one_server, smtp_server, tmp_path):
    page = open_page()
    axe = []
    _sign_in(page, ADMIN, ADMIN_PASSWORD)
    # The first page says what to set up next, in order, with links.
    expect(page.get_by_role("heading", name="Getting started")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Next: Your organisation's name and logo")
    _no_serious_axe(page, "/setup", axe)
    shots(page, "getting-started")

    page.get_by_role("link", name="1. Your organisation's name and logo").click()
    page.get_by_label("Organisation name").fill("NHS Anytown Integrated Care Board")
    logo = tmp_path / "logo.png"
    logo.write_bytes(_logo_png())
    page.get_by_label("Logo (optional)").set_input_files(str(logo))
    page.get_by_role("button", name="Save organisation").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Your organisation's name and logo saved.")
    header = page.locator("header")
    expect(header).to_contain_text("NHS Anytown Integrated Care Board")
    expect(header.locator("img.app-header__organisation-logo")).to_be_visible()
    # Visible is not loaded: wait for the browser to have fetched and decoded the picture.
    page.wait_for_function("() => { const logo = document.querySelector("
                           "'.app-header__organisation-logo');"
                           " return logo !== null && logo.complete && logo.naturalWidth > 0; }")
    assert page.evaluate("document.querySelector('.app-header__organisation-logo')"
                         ".naturalWidth") == 240
    _no_serious_axe(page, "/settings/organisation", axe)
    shots(page, "organisation")

    page.goto("/setup")
    page.get_by_role("link", name="2. Directorates").click()
    rows = page.locator("#directorates ~ form").first
    rows.get_by_label("Name, directorate 1").fill("Nursing and Quality")
    rows.get_by_role("button", name="Add a directorate").click()
    page.get_by_label("Name, directorate 2").fill("Finance")
    page.get_by_role("button", name="Save directorates").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Directorates saved.")

    page.get_by_label("Register name").fill("Board Assurance Framework")
    page.get_by_label("Reference prefix").fill("baf")
    page.get_by_role("button", name="Add register").click()
    expect(page.locator("#registers ~ div table").first).to_contain_text("BAF0001")
    page.get_by_label("Register name").fill("Corporate Risk Register")
    page.get_by_label("Reference prefix").fill("CRR")
    page.get_by_role("button", name="Add register").click()
    expect(page.locator("main")).to_contain_text("CRR0001")

    page.get_by_role("button", name="Fill in the usual NHS bands").click()
    expect(page.get_by_label("Name, band 4 (Extreme)")).to_have_value("Extreme")
    page.get_by_label("Review every (months), band 4 (Extreme)").fill("1")
    page.get_by_role("button", name="Save bands").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Bands saved.")

    page.get_by_label("Name, category 1").fill("Financial")
    page.get_by_role("button", name="Add a category").click()
    page.get_by_label("Name, category 2").fill("Quality and safety")
    page.get_by_role("button", name="Save categories").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Appetite categories saved.")

    page.get_by_role("button", name="Fill in a usual scale").click()
    for word in ("Averse", "Minimal", "Cautious", "Open", "Eager"):
        expect(page.locator(f'input[value="{word}"]')).to_have_count(1)
    page.get_by_role("button", name="Save appetite levels").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Appetite levels saved.")
    _no_serious_axe(page, "/settings/", axe)
    shots(page, "register-settings")
    page.set_viewport_size({"width": 320, "height": 900})
    shots(page, "register-settings-320")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1280, "height": 900})

    # Invite the committee secretary: real SMTP, a link from RISKAPP_BASE_URL.
    page.goto("/admin/users")
    page.get_by_role("link", name="Invite someone by email").click()
    page.get_by_label("Full name").fill("Sam Okafor")
    page.get_by_label("Email address").fill(COLLEAGUE)
    page.get_by_label("Job title or position").fill("Head of Corporate Governance")
    page.get_by_label("Directorate").select_option(label="Nursing and Quality")
    page.get_by_label("Role").select_option(label="Committee secretariat")
    _no_serious_axe(page, "/admin/users/invite", axe)
    shots(page, "invite")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        f"Invitation sent to {COLLEAGUE}")
    expect(page.get_by_role("row", name=re.compile("Sam Okafor"))).to_contain_text("Invited")
    invite = _wait_for_mail(smtp_server, COLLEAGUE, 1)
    assert invite.message["Subject"] == "You are invited to riskapp"
    assert "NHS Anytown Integrated Care Board" in invite.text
    link = _link_in(invite, day_one_server)

    page.goto("/setup")
    for step in ("1. Your organisation", "2. Directorates", "3. Registers", "4. Score bands",
                 "5. Risk appetite", "6. Invite people"):
        item = page.locator(".nhsuk-task-list__item", has_text=step)
        expect(item.locator(".nhsuk-task-list__status")).to_have_text("Done")
    expect(page.locator("main")).to_contain_text("Next: committees")
    shots(page, "getting-started-after")

    # The colleague sets a password from the email, then signs in.
    sam = open_page(width=320)
    sam.goto(link)
    expect(sam.get_by_role("heading", name="Set your password")).to_be_visible()
    sam.get_by_label("New password", exact=True).fill(COLLEAGUE_PASSWORD)
    sam.get_by_label("New password again").fill(COLLEAGUE_PASSWORD)
    _no_serious_axe(sam, "/auth/set-password", axe)
    shots(sam, "set-password-320")
    sam.get_by_role("button", name="Set password").click()
    expect(sam.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Your password has been set")
    expect(sam.get_by_label("Email address")).to_have_value(COLLEAGUE)
    _sign_in(sam, COLLEAGUE, COLLEAGUE_PASSWORD)
    expect(sam.locator("header")).to_contain_text("Sam Okafor")
    # The link worked once.
    sam.goto(link)
    expect(sam.locator("main")).to_contain_text("This link has already been used")
    sam.context.clear_cookies()

    # Later Sam forgets it: the same answer as for any address; a 60-minute link.
    sam.goto("/auth/login")
    sam.get_by_role("link", name="Forgotten your password?").click()
    sam.get_by_label("Email address").fill(COLLEAGUE)
    _no_serious_axe(sam, "/auth/forgot-password", axe)
    sam.get_by_role("button", name="Send the link").click()
    expect(sam.get_by_role("heading", name="Check your email")).to_be_visible()
    shots(sam, "reset-sent-320")
    reset = _wait_for_mail(smtp_server, COLLEAGUE, 2)
    assert reset.message["Subject"] == "Reset your riskapp password"
    sam.goto(_link_in(reset, day_one_server))
    sam.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    sam.get_by_label("New password again").fill(NEW_PASSWORD)
    sam.get_by_role("button", name="Change password").click()
    _sign_in(sam, COLLEAGUE, NEW_PASSWORD)
    expect(sam.locator("header")).to_contain_text("Sam Okafor")
    assert not axe, "serious or critical axe violations:\n" + "\n".join(axe)


def test_single_sign_on_through_a_real_provider(open_page, shots, day_one_server):
    page = open_page()
    page.goto("/auth/login")
    shots(page, "sign-in-with-sso")
    page.get_by_role("button", name="Sign in with NHSmail").click()
    # The provider's own page: choose who signs in.
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/oauth2/authorize\?"))
    page.get_by_role("button", name=ADMIN).click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Signed in with NHSmail.")
    expect(page.locator("header")).to_contain_text("Jane Smith")


def test_single_sign_on_refuses_a_state_this_browser_did_not_start(open_page, shots):
    page = open_page()

    def tamper(route):
        # The provider's answer sends the browser back with our state: forge it on the way.
        if route.request.method != "POST":
            return route.continue_()
        response = route.fetch(max_redirects=0)
        headers = dict(response.headers)
        headers["location"] = headers["location"].replace("state=", "state=forged")
        route.fulfill(response=response, headers=headers)
    page.route(re.compile(r".*/oauth2/authorize\?.*"), tamper)
    page.goto("/auth/login")
    page.get_by_role("button", name="Sign in with NHSmail").click()
    page.get_by_role("button", name=ADMIN).click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "This sign-in did not start from this browser, or it took too long")
    expect(page.get_by_role("button", name="Sign in with NHSmail")).to_be_visible()
    shots(page, "refused-state")
    page.goto("/auth/tokens")
    expect(page).to_have_url(re.compile(r"/auth/login"))  # not signed in


def test_single_sign_on_refuses_a_code_for_another_application(open_page, shots):
    page = open_page()

    def other_client(route):
        # riskapp sends the browser to the provider: make it ask for another application.
        response = route.fetch(max_redirects=0)
        headers = dict(response.headers)
        headers["location"] = headers["location"].replace("client_id=riskapp",
                                                          "client_id=another-app")
        route.fulfill(response=response, headers=headers)
    page.route(re.compile(r".*/auth/sso/start$"), other_client)
    page.goto("/auth/login")
    page.get_by_role("button", name="Sign in with NHSmail").click()
    expect(page.locator("body")).to_contain_text("another-app")
    page.get_by_role("button", name=ADMIN).click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("could not be trusted")
    shots(page, "refused-audience")
