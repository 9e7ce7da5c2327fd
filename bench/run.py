"""Benchmark riskapp as its users meet it, at a large trust's scale (issues 9 and 20).

    python bench/run.py [--dbs sqlite,postgresql] [--users 50] [--duration 120] [--think 2]
                        [--sizes 500,5000] [--requests 100] [--no-load] [--no-single]
                        [--no-pack] [--no-reminders]

For each database (an SQLite file; a throwaway PostgreSQL started with scripts/postgres.sh) it
builds the data with `flask demo scale --risks N --seed S` and serves it with gunicorn on
127.0.0.1. Two measurements:

- **Concurrent load** (at the largest size, gunicorn `--load-workers` = 4): `--users` people
  signed in at once, each in their own session, for `--duration` seconds. Each of them, after a
  pause to read (random, `--think` seconds on average), does one thing: 80% reads (the pages in
  READS) and 20% writes (WRITES: a review with its rationale, a progress note, an attendance
  mark; each is the form's page then its save, as a browser does). Reported: throughput,
  p50/p95/p99 of every page and save, and errors by kind; `database is locked` (from the
  server's log) is an error. Targets: p95 < 100 ms on PostgreSQL, < 200 ms on SQLite, no errors.
- **One client** (`--sizes`, gunicorn `--workers` = 2): each page of PAGES `--requests`
  times, one request at a time, pages interleaved, after a warm-up: p50 and p95, beside
  `/health` (one `SELECT 1` through the same app and server) for scale.

It also times the BAF pack PDF of the 500-risk register and a reminders run over the 20,000
actions of the 5,000-risk one (mail to a local SMTP sink). Everything it starts it stops.
Results go to bench/results.md (and the console), with the machine's load average: other work
on the machine shows in every figure.

To measure another page, add a line to PAGES (one client) and, if people use it all day, to
READS (the load); `endpoint=` makes it wait until the app has that page. Paths may use the ids
that `pick` finds: {register} {risk} {committee} {meeting}, and per user {my_risk} {my_action}.

Not a test: the suite stays fast and never times anything. Needs gunicorn, requests and
aiosmtpd (the test extras) and, for PostgreSQL, a PostgreSQL server (scripts/postgres.sh).
"""
from __future__ import annotations

import argparse
import html.parser
import os
import platform
import random
import re
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "demo-riskapp-2023"
#: p95 targets of every page under the concurrent load, per database (issue 20).
TARGET_P95_MS = {"postgresql": 100.0, "sqlite": 200.0}
TARGET_PACK_S = 10.0
TARGET_REMINDERS_S = 5.0


@dataclass
class Page:
    label: str
    #: A format string over the ids `pick` finds (see the module's docstring).
    path: str
    #: Whose session reads it, one client at a time: the risk manager, or the busiest assignee.
    who: str = "manager"
    #: Measured only once the app has this endpoint (pages other engineers are adding).
    endpoint: str | None = None


#: One client at a time, side by side. The first is the floor every page is compared with.
PAGES = [
    Page("floor: /health (SELECT 1)", "/health"),
    Page("risk list", "/risks/?register={register}"),
    Page("risk list, filtered and sorted by score",
         "/risks/?register={register}&status=Open&band=High&sort=score"),
    Page("risk list, text search", "/risks/?q=capacity&sort=review"),
    Page("risk list, last page", "/risks/?register={register}&page=80"),
    Page("risk page", "/risks/{risk}"),
    Page("my risks", "/risks/mine", "assignee"),
    Page("my actions", "/actions/mine", "assignee"),
    Page("heatmap", "/reports/heatmap?register={register}"),
    Page("assurance map", "/assurance/map?register={register}"),
    Page("movement", "/risks/movement?register={register}"),
    Page("committees", "/committees/"),
    Page("committee page", "/committees/{committee}"),
    Page("meetings", "/meetings/"),
    Page("meeting page with quoracy", "/meetings/{meeting}"),
    Page("attendance register", "/meetings/{meeting}/attendance"),
    Page("attendance report", "/committees/{committee}/attendance",
         endpoint="committees.attendance_report"),
    Page("API risk list", "/api/v1/risks?register={register}"),
    Page("API risk", "/api/v1/risks/{risk}"),
    Page("API assurance map", "/api/v1/assurance-map?register={register}"),
    Page("API committees", "/api/v1/committees"),
    Page("API meetings", "/api/v1/meetings"),
    Page("API meeting quoracy", "/api/v1/meetings/{meeting}/quoracy"),
    # As at a past day (issue 14): read from the version store, not today's rows.
    Page("risk page as at a month ago", "/risks/{risk}?as_of={month_ago}"),
    Page("risk audit trail", "/risks/{risk}/trail", endpoint="risks.trail"),
    Page("meeting audit trail", "/meetings/{meeting}/trail", endpoint="meetings.trail"),
    Page("API risk list as at a month ago", "/api/v1/risks?register={register}&as_of={month_ago}"),
    Page("API risk as at a month ago", "/api/v1/risks/{risk}?as_of={month_ago}"),
    Page("risk list as at a month ago", "/risks/?register={register}&as_of={month_ago}"),
    Page("risk list as at a month ago, sorted by score",
         "/risks/?register={register}&as_of={month_ago}&sort=score"),
    Page("heatmap as at a month ago", "/reports/heatmap?register={register}&as_of={month_ago}"),
    Page("movement as at a month ago", "/risks/movement?register={register}&as_of={month_ago}"),
    Page("risk page as at a year ago", "/risks/{risk}?as_of={year_ago}"),
    # Issue 18: the assurance map judged over the whole register (a state filter), as at a
    # past day, and the cover paper between two past days.
    Page("assurance map, 3rd line missing", "/assurance/map?register={register}&line=3"
         "&state=missing"),
    Page("assurance map as at a month ago", "/assurance/map?register={register}"
         "&as_of-day={month_ago_d}&as_of-month={month_ago_m}&as_of-year={month_ago_y}"),
    Page("API assurance map as at a month ago",
         "/api/v1/assurance-map?register={register}&as_of={month_ago}"),
    Page("cover paper preview, two months ago to one", "/reports/cover?register={register}"
         "&since-day={two_months_ago_d}&since-month={two_months_ago_m}"
         "&since-year={two_months_ago_y}&as_of-day={month_ago_d}&as_of-month={month_ago_m}"
         "&as_of-year={month_ago_y}"),
]

#: Under the concurrent load: what people read all day, equally often (80% of what they do).
READS = [
    Page("risk list", "/risks/?register={register}"),
    Page("risk page", "/risks/{my_risk}"),
    Page("my actions", "/actions/mine"),
    Page("heatmap", "/reports/heatmap?register={register}"),
    Page("meeting page", "/meetings/{meeting}"),
    Page("API risk list", "/api/v1/risks?register={register}"),
]


@dataclass
class Write:
    label: str
    #: The page with the form, as a browser opens it before saving.
    form_page: str
    #: The form to fill on that page: a regular expression its action (path) must match.
    form_action: str
    #: Changes what the page pre-filled, as the person would: fill(rng, data, choices), where
    #: data maps each field to the value the browser would send, choices each select's values.
    fill: Callable[[random.Random, dict, dict], None]
    #: "staff" (risk owners and assignees) or "secretariat".
    who: str = "staff"


def _note(rng: random.Random) -> str:
    return f"Bench note {rng.getrandbits(32):08x}: progress checked with the team this week."


def _review(rng, data, choices):
    data["rationale"] = _note(rng)  # the score stays: a review that confirms it


def _progress(rng, data, choices):
    data["note"] = _note(rng)


def _attendance_mark(rng, data, choices):
    """One member's attendance marked (or changed) on the register: present, remote,
    apologies or absent, with no deputy and no late arrival or early leaving."""
    member = rng.choice([k[:-len("-status")] for k in data if re.fullmatch(r"m\d+-status", k)])
    data[f"{member}-status"] = rng.choice([c for c in choices[f"{member}-status"]
                                           if c in ("present", "remote", "apologies", "absent")])
    for field in ("deputy_name", "arrived_at_item_id", "left_at_item_id"):
        if f"{member}-{field}" in data:
            data[f"{member}-{field}"] = ""


#: Under the concurrent load: what people save (20% of what they do), equally often among the
#: writes open to each person.
WRITES = [
    Write("review with rationale", "/risks/{my_risk}/review", r"/risks/[^/]+/review$", _review),
    Write("progress note", "/actions/{my_action}/progress?back=mine", r"/actions/\d+/progress$",
          _progress),
    Write("attendance mark", "/meetings/{open_meeting}/attendance", r"/meetings/\d+/attendance$",
          _attendance_mark, who="secretariat"),
]
READ_SHARE = 0.8


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(url: str, **extra) -> dict:
    # PYTHONFAULTHANDLER: a worker that crashes leaves its Python traceback in the server log.
    env = dict(os.environ, FLASK_APP="riskapp", DATABASE_URL=url, SECRET_KEY="bench-secret-0123456789abcdef0123456789",
               PYTHONPATH=str(ROOT), PYTHONFAULTHANDLER="1", **extra)
    env.pop("RISKAPP_TEST_DATABASE_URL", None)
    return env


def flask(url: str, *args: str, **extra) -> float:
    """Run a flask command; return its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env_for(url, **extra),
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile of seconds, in milliseconds."""
    if not samples:
        return float("nan")
    data = sorted(samples)
    k = max(0, min(len(data) - 1, int(round(p / 100 * len(data) + 0.5)) - 1))
    return data[k] * 1000


# -- databases -------------------------------------------------------------------------------

class Postgres:
    """A throwaway PostgreSQL from scripts/postgres.sh, with one database per size."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="riskapp-bench-pg.")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        out = subprocess.run([str(ROOT / "scripts/postgres.sh"), "start", self.dir,
                              str(self.port)], check=True, capture_output=True, text=True)
        self.base_url = out.stdout.strip().splitlines()[-1]
        self.version = self._run("SHOW server_version")

    def _run(self, sql: str):
        import psycopg
        conninfo = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(conninfo, autocommit=True) as conn:
            row = conn.execute(sql)
            return row.fetchone()[0] if sql.startswith("SHOW") else None

    def database(self, name: str) -> str:
        self._run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self._run(f"CREATE DATABASE {name}")
        return self.base_url.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        subprocess.run([str(ROOT / "scripts/postgres.sh"), "stop", self.dir], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


# -- the server and its users ------------------------------------------------------------------

class Server:
    def __init__(self, url: str, workers: int):
        self.port = free_port()
        self.log_path = Path(tempfile.gettempdir()) / f"riskapp-bench-{self.port}.log"
        self.logfile = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b",
             f"127.0.0.1:{self.port}", "--access-logfile", "-", "wsgi:app"],
            # As behind the trust's proxy: each person comes from their own address (the
            # sign-in limit is per address; 50 sign-ins from one would be refused).
            cwd=ROOT, env=env_for(url, RISKAPP_PROXY_HOPS="1"), stdout=self.logfile,
            stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/health", timeout=2).ok:
                    return
            except requests.RequestException:  # refused or timed out while the workers boot
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log_path}")
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer /health within 120 s")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of gunicorn and its workers so far, from /proc."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended meanwhile
                continue
            pid = int(stat.parent.name)
            if pid == self.proc.pid or int(fields[1]) == self.proc.pid:  # fields[1]: its parent
                total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        return total

    def log_text(self) -> str:
        self.logfile.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.logfile.close()


class Forms(html.parser.HTMLParser):
    """Every form of a page with the values a browser would send unchanged, and the choices of
    each select and radio group."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select = self._textarea = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}, "choices": {}})
            return
        if not self.forms or not a.get("name") or "disabled" in a:
            if tag != "option":
                return
        form = self.forms[-1] if self.forms else None
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio"):
                form["choices"].setdefault(a["name"], []).append(a.get("value", "on"))
                if "checked" in a:
                    form["fields"][a["name"]] = a.get("value", "on")
                return
            form["fields"][a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
            form["choices"][a["name"]] = []
        elif tag == "option" and self._select and form:
            value = a.get("value", "")
            form["choices"][self._select].append(value)
            if "selected" in a or self._select not in form["fields"]:
                form["fields"][self._select] = value
        elif tag == "textarea":
            self._textarea = a["name"]
            form["fields"][a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


@dataclass
class Sample:
    label: str
    seconds: float
    #: None when the answer was the one expected, else the kind of error.
    error: str | None = None


class User:
    """One person signed in to their own session (cookies kept, redirects not followed)."""

    def __init__(self, base: str, email: str, ids: dict, role: str, seed: int):
        self.base, self.email, self.ids, self.role = base, email, ids, role
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.http.headers["X-Forwarded-For"] = f"10.{seed // 65536 % 256}.{seed // 256 % 256}.{seed % 256}"
        page = self.http.get(base + "/auth/login", timeout=60).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        data = {"email": email, "password": PASSWORD, **({"csrf_token": token[1]} if token else {})}
        response = self.http.post(base + "/auth/login", data=data, allow_redirects=False,
                                  timeout=60)
        if response.status_code != 302 or "/auth/login" in response.headers.get("Location", ""):
            raise RuntimeError(f"could not sign in as {email}: {response.status_code}")

    def path(self, template: str) -> str:
        return template.format(**self.ids)

    def request(self, label: str, method: str, path: str, expect: tuple[int, ...], **kw):
        started = time.perf_counter()
        try:
            response = self.http.request(method, self.base + path, allow_redirects=False,
                                         timeout=60, **kw)
            seconds = time.perf_counter() - started
        except requests.Timeout:
            return Sample(label, time.perf_counter() - started, "no answer within 60 s"), None
        except requests.RequestException as error:
            return Sample(label, time.perf_counter() - started,
                          f"connection: {type(error).__name__}"), None
        error = None
        if response.status_code not in expect:
            error = f"HTTP {response.status_code} on {label}"
            if response.status_code == 302 and "/auth/login" in response.headers.get("Location", ""):
                error = f"signed out on {label}"
        return Sample(label, seconds, error), response

    def read(self, page: Page) -> list[Sample]:
        return [self.request(page.label, "GET", self.path(page.path), (200,))[0]]

    def write(self, write: Write) -> list[Sample]:
        shown, response = self.request(f"{write.label}: form", "GET", self.path(write.form_page),
                                       (200,))
        if response is None or shown.error:
            return [shown]
        here = self.path(write.form_page).split("?")[0]
        forms = Forms(response.text).forms
        for form in forms:  # a form without an action posts to the page it is on
            form["action"] = form["action"].replace(self.base, "") or here
        forms = [f for f in forms if re.search(write.form_action, f["action"].split("?")[0])]
        if not forms:
            shown.error = f"no form to fill on {write.label}"
            return [shown]
        form = forms[0]
        data = dict(form["fields"])
        write.fill(self.rng, data, form["choices"])
        saved, response = self.request(f"{write.label}: save", "POST", form["action"], (302, 303),
                                       data=data)
        if saved.error and response is not None and response.status_code in (200, 409, 422):
            message = re.search(r'class="nhsuk-error-message"[^>]*>(?:<span[^>]*>[^<]*</span>)?'
                                r'\s*([^<]+)', response.text)
            saved.error += f" (refused: {message[1].strip() if message else 'no message'})"
        return [shown, saved]


# -- what to measure -------------------------------------------------------------------------

def pick(url: str, users: int) -> dict:
    """Ids of typical records, the busiest assignee, and the people of the concurrent load."""
    os.environ["DATABASE_URL"] = url
    from sqlalchemy import func, or_, select

    from riskapp import create_app
    from riskapp.auth.models import Role, User as Person
    from riskapp.committees.models import Committee
    from riskapp.extensions import db
    from riskapp.meetings.models import Meeting
    from riskapp.risks.models import Action, Register, Risk

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        s = db.session
        register = s.scalar(select(Register).where(Register.prefix == "CRR"))
        risk = s.scalars(select(Risk.reference).where(Risk.register_id == register.id)
                         .order_by(Risk.id).offset(100)).first() or "CRR0001"
        committee = s.scalar(select(Committee.id).where(Committee.short_name == "C001"))
        meeting = s.scalar(select(Meeting.id).where(
            Meeting.committee_id == committee, Meeting.status == "Held")
            .order_by(Meeting.starts_at.desc()))
        assignee = s.execute(
            select(Action.assignee_id, func.count()).group_by(Action.assignee_id)
            .order_by(func.count().desc(), Action.assignee_id)).first()[0]
        email = s.get(Person, assignee).email
        # Held meetings with items whose record is still open: where attendance is marked.
        open_meetings = s.scalars(select(Meeting.id).where(
            Meeting.status == "Held", Meeting.items.any(),
            or_(Meeting.minutes_status.is_(None), Meeting.minutes_status != "approved"))
            .order_by(Meeting.starts_at.desc()).limit(200)).all()
        held = s.scalars(select(Meeting.id).where(Meeting.status == "Held", Meeting.items.any())
                         .order_by(Meeting.starts_at.desc()).limit(200)).all()
        # The load's people: staff who own an open risk and have an open action; secretariat.
        staff = []
        for person in s.scalars(select(Person).where(Person.role == Role.STAFF,
                                                     Person.email.like("scale.user%"))
                                .order_by(Person.id)):
            my_risk = s.scalar(select(Risk.reference).where(
                Risk.owner_id == person.id, Risk.status == "Open").order_by(Risk.id))
            my_action = s.scalar(select(Action.id).where(
                Action.assignee_id == person.id, Action.status.not_in(("Complete", "Closed")))
                .order_by(Action.id))
            if my_risk and my_action:
                staff.append((person.email, my_risk, my_action))
            if len(staff) >= users:
                break
        secretariat = s.scalars(select(Person.email).where(
            Person.role == Role.SECRETARIAT, Person.email.like("scale.user%"))
            .order_by(Person.id)).all()
        endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
        s.remove()
        for engine in db.engines.values():
            engine.dispose()
    return dict(register=register.id, risk=risk, committee=committee, meeting=meeting,
                email=email, endpoints=endpoints, open_meetings=open_meetings, held=held,
                staff=staff, secretariat=secretariat, today=date.today().isoformat(),
                month_ago=(date.today() - timedelta(days=30)).isoformat(),
                year_ago=(date.today() - timedelta(days=365)).isoformat(),
                **_date_parts("month_ago", date.today() - timedelta(days=30)),
                **_date_parts("two_months_ago", date.today() - timedelta(days=60)))


def _date_parts(name: str, day: date) -> dict[str, int]:
    """A day as the pages' date inputs take it: `{name}_d`, `{name}_m`, `{name}_y`."""
    return {f"{name}_d": day.day, f"{name}_m": day.month, f"{name}_y": day.year}


def available(pages: list[Page], ids: dict) -> list[Page]:
    return [p for p in pages if p.endpoint is None or p.endpoint in ids["endpoints"]]


# -- one client --------------------------------------------------------------------------------

@dataclass
class Single:
    page: Page
    samples: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)


def measure_single(server: Server, ids: dict, rounds: int, warmup: int) -> list[Single]:
    who = {"manager": User(server.base, "risk.manager@example.org", ids, "manager", 0),
           "assignee": User(server.base, ids["email"], ids, "staff", 0)}
    results = [Single(p) for p in available(PAGES, ids)]
    for r in range(warmup + rounds):
        for result in results:
            sample = who[result.page.who].read(result.page)[0]
            if r >= warmup:
                result.samples.append(sample.seconds)
                if sample.error:
                    result.errors[sample.error] += 1
    return results


# -- many users at once ------------------------------------------------------------------------

def run_load(server: Server, ids: dict, users: int, duration: float, think: float,
             seed: int) -> dict:
    """`users` people at once for `duration` seconds; every request's time and outcome."""
    people = []
    n_secretariat = min(len(ids["secretariat"]), max(1, users // 10))
    for n, email in enumerate(ids["secretariat"][:n_secretariat]):
        # The secretariat own no risks: as "the risk page" they read one a colleague owns.
        people.append((email, "secretariat", dict(my_risk=ids["staff"][n][1], my_action=0)))
    for email, my_risk, my_action in ids["staff"][:users - len(people)]:
        people.append((email, "staff", dict(my_risk=my_risk, my_action=my_action)))
    if len(people) < users:
        raise RuntimeError(f"only {len(people)} people to sign in; the data has too few")
    rng = random.Random(seed)
    signed_in = []
    for n, (email, role, own) in enumerate(people):
        meeting = rng.choice(ids["held"]) if ids["held"] else ids["meeting"]
        values = dict(ids, **own, meeting=meeting,
                      open_meeting=rng.choice(ids["open_meetings"] or [meeting]))
        signed_in.append(User(server.base, email, values, role, seed * 1000 + n))
    log(f"  {len(signed_in)} people signed in; load for {duration:.0f} s")
    samples: list[Sample] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def live(user: User) -> None:
        reads = READS
        writes = [w for w in WRITES if w.who == user.role]
        mine = []
        while True:
            time.sleep(user.rng.expovariate(1 / think) if think else 0)
            if time.monotonic() >= stop_at:
                break
            if not writes or user.rng.random() < READ_SHARE:
                mine += user.read(user.rng.choice(reads))
            else:
                mine += user.write(user.rng.choice(writes))
        with lock:
            samples.extend(mine)

    started = time.monotonic()
    server_cpu, client_cpu = server.cpu_seconds(), time.process_time()
    threads = [threading.Thread(target=live, args=(u,)) for u in signed_in]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    server_cpu, client_cpu = server.cpu_seconds() - server_cpu, time.process_time() - client_cpu
    server_log = server.log_text()
    return {"samples": samples, "elapsed": elapsed, "users": users, "think": think,
            "locked": server_log.count("database is locked"),
            "tracebacks": server_log.count("Traceback (most recent call last)"),
            "load": os.getloadavg(), "server_cpu": server_cpu, "client_cpu": client_cpu}


# -- the run ----------------------------------------------------------------------------------

def build(db_name: str, url: str, size: int, seed: int) -> float:
    log(f"{db_name} {size}: building (flask db upgrade; flask demo scale --risks {size})")
    flask(url, "db", "upgrade")
    return flask(url, "demo", "scale", "--risks", str(size), "--seed", str(seed))


def run_size(db_name: str, url: str, size: int, args, load: bool) -> dict:
    built = build(db_name, url, size, args.seed)
    ids = pick(url, args.users)
    out = {"db": db_name, "size": size, "build_s": built}
    if not args.no_single:
        log(f"{db_name} {size}: one client, gunicorn -w {args.workers}")
        server = Server(url, args.workers)
        try:
            out["single"] = measure_single(server, ids, args.requests, args.warmup)
            out["single_load"] = os.getloadavg()
        finally:
            server.stop()
        for r in out["single"]:
            log(f"  {r.page.label:42} p50 {statistics.median(r.samples) * 1000:7.1f} ms  "
                f"p95 {percentile(r.samples, 95):7.1f} ms  {dict(r.errors) or ''}")
    if load:
        log(f"{db_name} {size}: {args.users} people at once, gunicorn -w {args.load_workers}")
        server = Server(url, args.load_workers)
        try:
            out["load"] = run_load(server, ids, args.users, args.duration, args.think, args.seed)
        finally:
            server.stop()
        out["load"]["log"] = str(server.log_path)
        for line in load_table(out["load"], db_name):
            log("  " + line)
    if size == 500 and not args.no_pack:
        pdf = Path(tempfile.gettempdir()) / f"riskapp-bench-pack-{db_name}.pdf"
        out["pack_s"] = flask(url, "report", "baf", "--register", "CRR", "--out", str(pdf))
        log(f"{db_name} {size}: BAF pack of 500 risks in {out['pack_s']:.1f} s")
    if size >= 5000 and not args.no_reminders:
        # Three runs, the outbox emptied before each: one run on a shared machine is noisy.
        runs = []
        for _ in range(REMINDER_RUNS):
            empty_outbox(url)
            runs.append(reminders_run(url, ids["today"]))
            log(f"{db_name} {size}: reminders run in {runs[-1][0]:.1f} s")
        runs.sort()
        out["reminders_s"], out["reminders_cpu"], out["sink_cpu"] = runs[len(runs) // 2]
        out["reminders_all"] = [r[0] for r in runs]
    return out


#: bench/results.md from this heading on (what the figures say, the test suite's wall time) is
#: written by hand and kept when the benchmark rewrites the file.
SUITE_HEADING = "## Notes by hand"

#: Reminders runs timed at 5,000 risks; the median is reported.
REMINDER_RUNS = 3


def empty_outbox(url: str) -> None:
    """Delete every reminder and attempt, so the next run queues and sends them all again."""
    statements = ("DELETE FROM reminder_attempts", "DELETE FROM reminders")
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url[len("sqlite:///"):]) as conn:
            for statement in statements:
                conn.execute(statement)
    else:
        import psycopg
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                             autocommit=True) as conn:
            conn.execute("TRUNCATE reminder_attempts, reminders")  # as new: no dead rows


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reminders_run(url: str, today: str) -> tuple[float, float, float]:
    """`flask reminders run` over every action, mail going to a local SMTP sink: its wall time,
    the CPU of the flask process and the CPU of the sink (on the same cores)."""
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c",
                             "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # until the sink listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        cpu0 = _children_cpu()
        wall = flask(url, "reminders", "run", "--date", today, SMTP_PORT=str(port),
                     SMTP_HOST="127.0.0.1")
        cpu1 = _children_cpu()
    finally:
        sink.terminate()
        sink.wait()
    return wall, cpu1 - cpu0, _children_cpu() - cpu1


# -- results -------------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "yes" if ok else "**NO**"


def load_table(load: dict, db_name: str) -> list[str]:
    samples = load["samples"]
    target = TARGET_P95_MS[db_name]
    labels = [p.label for p in READS] + [f"{w.label}: {part}" for w in WRITES
                                         for part in ("form", "save")]
    by_label: dict[str, list[Sample]] = {}
    for s in samples:
        by_label.setdefault(s.label, []).append(s)
    lines = [f"| page | requests | p50 | p95 | p99 | errors | p95 < {target:.0f} ms |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for label in labels + sorted(set(by_label) - set(labels)):
        got = by_label.get(label, [])
        if not got:
            continue
        times = [s.seconds for s in got]
        p95 = percentile(times, 95)
        lines.append(f"| {label} | {len(got)} | {percentile(times, 50):.1f} | {p95:.1f} | "
                     f"{percentile(times, 99):.1f} | {sum(1 for s in got if s.error)} | "
                     f"{verdict(p95 < target)} |")
    return lines


def load_summary(load: dict, db_name: str) -> list[str]:
    samples = load["samples"]
    errors = Counter(s.error for s in samples if s.error)
    if load["locked"]:
        errors["`database is locked` in the server's log"] = load["locked"]
    unexplained = load["tracebacks"] - load["locked"]
    if unexplained > 0:
        errors["other tracebacks in the server's log"] = unexplained
    writes = sum(1 for s in samples if s.label.endswith(": save"))
    reads = sum(1 for s in samples if ":" not in s.label)
    target = TARGET_P95_MS[db_name]
    slow = [line.split(" | ")[0].lstrip("| ") for line in load_table(load, db_name)[2:]
            if line.endswith("**NO** |")]
    one, five, fifteen = load["load"]
    out = [f"{load['users']} people signed in, each pausing {load['think']:g} s on average "
           f"(at random) between one thing and the next, for {load['elapsed']:.0f} s: "
           f"**{len(samples) / load['elapsed']:.1f} requests a second** "
           f"({reads} page reads, {writes} saves, each save after opening its form: "
           f"{reads / max(1, reads + writes):.0%} reads). Load average at the end: "
           f"{one:.1f}, {five:.1f}, {fifteen:.1f} on {os.cpu_count()} CPUs.", "",
           f"CPU used: gunicorn and its workers {load['server_cpu']:.0f} s "
           f"(**{load['server_cpu'] / max(1, len(samples)) * 1000:.0f} ms a request**, "
           f"{load['server_cpu'] / load['elapsed'] / (os.cpu_count() or 1):.0%} of the machine's "
           f"{os.cpu_count()} CPUs), the load generator {load['client_cpu']:.0f} s.", ""]
    out += load_table(load, db_name)
    out += ["", "Errors by kind: " + ("none." if not errors else "; ".join(
        f"{kind}: {count}" for kind, count in errors.most_common()) + ".")]
    out += ["", f"Target (p95 < {target:.0f} ms on every page, no errors): "
            + ("**met**." if not slow and not errors else
               "**not met**: " + ", ".join(slow + (["errors"] if errors else [])) + ".")]
    return out


def write_results(runs: list[dict], args, pg_version: str | None, started: datetime) -> str:
    one, five, fifteen = os.getloadavg()
    lines = [
        "# Benchmark results (issue 20: as users meet the app)", "",
        f"Run {started:%Y-%m-%d %H:%M} to {datetime.now():%H:%M} with `python bench/run.py "
        f"--dbs {args.dbs} --sizes {args.sizes} --users {args.users} --duration {args.duration:g} "
        f"--think {args.think:g}` (seed {args.seed}): {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}"
        + (f", PostgreSQL {pg_version}" if pg_version else "")
        + "; gunicorn sync workers on 127.0.0.1, the load generator on the same machine. "
        f"Load average when written: {one:.1f}, {five:.1f}, {fifteen:.1f}.", "",
        "Targets: under the concurrent load, p95 < 100 ms on PostgreSQL and < 200 ms on "
        f"SQLite for every page, and no errors; the BAF pack (500 risks) < {TARGET_PACK_S:.0f} s; "
        f"the reminders run (20,000 actions) < {TARGET_REMINDERS_S:.0f} s. Times in ms.", "",
    ]
    for run in runs:
        if "load" in run:
            lines += [f"## Concurrent load: {run['size']:,} risks on {run['db']}, gunicorn "
                      f"{args.load_workers} workers", ""]
            lines += load_summary(run["load"], run["db"]) + [""]
    for run in runs:
        if "single" not in run:
            continue
        one = run["single_load"][0]
        lines += [f"## One client: {run['size']:,} risks on {run['db']}, gunicorn "
                  f"{args.workers} workers", "",
                  f"Data built by `flask demo scale` in {run['build_s']:.1f} s. Each page "
                  f"{args.warmup} times to warm up, then {args.requests} times, one request at "
                  f"a time, pages interleaved. Load average: {one:.1f}.", "",
                  "| page | path | p50 | p95 | errors |", "| --- | --- | ---: | ---: | --- |"]
        for r in run["single"]:
            errors = ", ".join(f"{k}: {v}" for k, v in r.errors.items())
            lines.append(f"| {r.page.label} | `{r.page.path}` | "
                         f"{statistics.median(r.samples) * 1000:.1f} | "
                         f"{percentile(r.samples, 95):.1f} | {errors} |")
        lines.append("")
    for run in runs:
        if "pack_s" in run:
            lines += [f"BAF pack PDF of the 500-risk register on {run['db']} (`flask report baf "
                      f"--register CRR`, wall time including start-up): **{run['pack_s']:.1f} s** "
                      f"(target < {TARGET_PACK_S:.0f} s: {verdict(run['pack_s'] < TARGET_PACK_S)}).",
                      ""]
        if "reminders_s" in run:
            lines += [f"Reminders run over the 20,000 actions on {run['db']} (`flask reminders "
                      f"run`, queue and send to a local SMTP sink; the median of "
                      f"{', '.join(f'{t:.1f}' for t in run['reminders_all'])} s, the outbox "
                      f"emptied before each): **{run['reminders_s']:.1f} s** (target < "
                      f"{TARGET_REMINDERS_S:.0f} s: {verdict(run['reminders_s'] < TARGET_REMINDERS_S)}"
                      f"). CPU in that time: the `flask` process {run['reminders_cpu']:.1f} s, the "
                      f"aiosmtpd sink {run['sink_cpu']:.1f} s.", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dbs", default="sqlite,postgresql")
    parser.add_argument("--sizes", default="500,5000",
                        help="risks; the concurrent load runs at the largest")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120, help="seconds of load")
    parser.add_argument("--think", type=float, default=2.0,
                        help="seconds each person pauses, on average, between requests")
    parser.add_argument("--load-workers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=100, help="one client: per page")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="one client: gunicorn workers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--no-single", action="store_true")
    parser.add_argument("--no-pack", action="store_true")
    parser.add_argument("--no-reminders", action="store_true")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    started = datetime.now()
    runs, pg_version = [], None
    workdir = Path(tempfile.mkdtemp(prefix="riskapp-bench."))
    try:
        for db_name in args.dbs.split(","):
            pg = Postgres() if db_name == "postgresql" else None
            try:
                if pg:
                    pg_version = pg.version
                for size in sizes:
                    url = (pg.database(f"bench_{size}") if pg
                           else f"sqlite:///{workdir}/bench_{size}.sqlite")
                    load = not args.no_load and size == sizes[-1]
                    runs.append(run_size(db_name, url, size, args, load))
            finally:
                if pg:
                    pg.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    text = write_results(runs, args, pg_version, started)
    out = Path(args.out)
    # The notes by hand under SUITE_HEADING stay.
    kept = out.read_text().partition(SUITE_HEADING)[1:] if out.exists() else ("", "")
    out.write_text(text + ("\n" + "".join(kept) if kept[0] else ""))
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
