"""Benchmark every main page against a trivial route, at a large trust's scale (issue 9).

    python bench/run.py [--sizes 500,5000] [--dbs sqlite,postgresql] [--requests 100] [--after-change 20]

For each database (SQLite file; a throwaway PostgreSQL started with scripts/postgres.sh) and
each size, it builds the data with `flask demo scale --risks N --seed S`, serves the app with
gunicorn (2 workers, 127.0.0.1), signs in and requests each page `--requests` times, pages
interleaved so noise is shared, after a warm-up. Figures are per request, one client at a time:
p50 and p95 in milliseconds and the p95's ratio to the floor's p95 (`/health`: the same app,
the same gunicorn, one `SELECT 1`). It also times the BAF pack PDF of the 500-risk register and
a reminders run over the 20,000 actions of the 5,000-risk one (mail to a local SMTP sink).
Everything it starts it stops. Results go to bench/results.md (and the console).

Not a test: the suite stays fast. Needs gunicorn, aiosmtpd (the test extra) and, for
PostgreSQL, a PostgreSQL server installed (scripts/postgres.sh).
"""
from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import os
import platform
import re
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "demo-riskapp-2023"
TARGET_P95_MS = 100.0
TARGET_RATIO = 3.0
TARGET_PACK_S = 10.0
TARGET_REMINDERS_S = 5.0


@dataclass
class Page:
    label: str
    path: str
    who: str = "manager"  # "manager" (risk manager) or "assignee" (the busiest action assignee)


@dataclass
class Result:
    page: Page
    status: int
    samples: list[float] = field(default_factory=list)
    #: Requests that did not answer 200 (the status column shows the last odd one).
    failures: int = 0
    #: Seconds of requests made straight after a change to the data (see `measure`).
    after_change: list[float] = field(default_factory=list)

    def pct(self, p: float, samples: list[float] | None = None) -> float:
        """Nearest-rank percentile, in milliseconds."""
        data = sorted(self.samples if samples is None else samples)
        k = max(0, min(len(data) - 1, int(round(p / 100 * len(data) + 0.5)) - 1))
        return data[k] * 1000

    @property
    def p50(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95(self) -> float:
        return self.pct(95)

    @property
    def changed_p50(self) -> float:
        return statistics.median(self.after_change) * 1000 if self.after_change else float("nan")

    @property
    def changed_p95(self) -> float:
        return self.pct(95, self.after_change) if self.after_change else float("nan")


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(url: str, **extra) -> dict:
    # PYTHONFAULTHANDLER: a worker that crashes leaves its Python traceback in the server log.
    env = dict(os.environ, FLASK_APP="riskapp", DATABASE_URL=url, SECRET_KEY="bench-secret",
               PYTHONPATH=str(ROOT), PYTHONFAULTHANDLER="1", **extra)
    env.pop("RISKAPP_TEST_DATABASE_URL", None)
    return env


def flask(url: str, *args: str, **extra) -> float:
    """Run a flask command; return its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env_for(url, **extra),
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


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
        self.version = self._scalar("SHOW server_version")

    def _scalar(self, sql: str):
        import psycopg
        conninfo = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(conninfo, autocommit=True) as conn:
            return conn.execute(sql).fetchone()[0] if sql.startswith("SHOW") else \
                conn.execute(sql)

    def database(self, name: str) -> str:
        self._scalar(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self._scalar(f"CREATE DATABASE {name}")
        return self.base_url.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        subprocess.run([str(ROOT / "scripts/postgres.sh"), "stop", self.dir], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


# -- the server and the client -----------------------------------------------------------------

class Server:
    def __init__(self, url: str, workers: int):
        self.port = free_port()
        self.logfile = open(Path(tempfile.gettempdir()) / f"riskapp-bench-{self.port}.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b",
             f"127.0.0.1:{self.port}", "--access-logfile", "-", "wsgi:app"],
            cwd=ROOT, env=env_for(url), stdout=self.logfile, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/health", timeout=2).read()
                return
            except OSError:  # refused, reset or timed out while the workers boot
                if self.proc.poll() is not None:
                    raise RuntimeError(f"gunicorn exited: see {self.logfile.name}")
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer /health within 60 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.logfile.close()


class Client:
    """One signed-in browser: a cookie jar, no redirects followed on purpose."""

    def __init__(self, base: str, email: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.opener.open(base + "/auth/login").read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        data = urllib.parse.urlencode({"email": email, "password": PASSWORD,
                                       **({"csrf_token": token.group(1)} if token else {})})
        self.opener.open(base + "/auth/login", data=data.encode()).read()
        if not any(c.name == "session" for c in self.jar):
            raise RuntimeError(f"could not sign in as {email}")

    def get(self, path: str) -> tuple[int, float]:
        started = time.perf_counter()
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            error.read()
            status = error.code
        except (OSError, http.client.HTTPException) as error:
            # A worker that died mid-request (gunicorn starts another): count it, carry on.
            log(f"  {path}: {error!r}")
            status = 599
        return status, time.perf_counter() - started


# -- what to measure -------------------------------------------------------------------------

def pick(url: str) -> dict:
    """Ids of a typical risk, committee, meeting and the busiest assignee, from the database."""
    os.environ["DATABASE_URL"] = url
    from sqlalchemy import func, select

    from riskapp import create_app
    from riskapp.committees.models import Committee
    from riskapp.extensions import db
    from riskapp.meetings.models import Meeting
    from riskapp.risks.models import Action, Register, Risk

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        register = db.session.scalar(select(Register).where(Register.prefix == "CRR"))
        risk = db.session.scalars(select(Risk.reference).where(Risk.register_id == register.id)
                                  .order_by(Risk.id).offset(100)).first() or "CRR0001"
        committee = db.session.scalar(select(Committee.id).where(Committee.short_name == "C001"))
        meeting = db.session.scalar(select(Meeting.id).where(
            Meeting.committee_id == committee, Meeting.status == "Held")
            .order_by(Meeting.starts_at.desc()))
        assignee = db.session.execute(
            select(Action.assignee_id, func.count()).group_by(Action.assignee_id)
            .order_by(func.count().desc(), Action.assignee_id)).first()[0]
        from riskapp.auth.models import User
        email = db.session.get(User, assignee).email
        endpoints = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    return dict(register=register.id, risk=risk, committee=committee, meeting=meeting,
                email=email, endpoints=endpoints, today=date.today().isoformat())


def pages_for(ids: dict) -> list[Page]:
    reg, risk, com, mtg = ids["register"], ids["risk"], ids["committee"], ids["meeting"]
    pages = [
        Page("floor: /health (SELECT 1)", "/health"),
        Page("risk list", f"/risks/?register={reg}"),
        Page("risk list, filtered and sorted by score",
             f"/risks/?register={reg}&status=Open&band=High&sort=score"),
        Page("risk list, text search", "/risks/?q=capacity&sort=review"),
        Page("risk list, last page", f"/risks/?register={reg}&page=80"),
        Page("risk page", f"/risks/{risk}"),
        Page("my risks", "/risks/mine", "assignee"),
        Page("my actions", "/actions/mine", "assignee"),
        Page("heatmap", f"/reports/heatmap?register={reg}"),
        Page("movement", f"/risks/movement?register={reg}"),
        Page("committees", "/committees/"),
        Page("committee page", f"/committees/{com}"),
        Page("meetings", "/meetings/"),
        Page("meeting page with quoracy", f"/meetings/{mtg}"),
        Page("attendance register", f"/meetings/{mtg}/attendance"),
        Page("API risk list", f"/api/v1/risks?register={reg}"),
        Page("API risk", f"/api/v1/risks/{risk}"),
        Page("API committees", "/api/v1/committees"),
        Page("API meetings", "/api/v1/meetings"),
        Page("API meeting quoracy", f"/api/v1/meetings/{mtg}/quoracy"),
    ]
    # Pages other engineers are adding: measured once they exist.
    optional = [
        ("attendance report", ("committees.attendance_report", "committees.attendance",
                               "reports.attendance"), {"committee_id": com}),
        ("governance calendar", ("committees.calendar", "meetings.calendar", "main.calendar"),
         {}),
    ]
    for label, endpoints, kwargs in optional:
        for endpoint in endpoints:
            rule = ids["endpoints"].get(endpoint)
            if rule:
                path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs.get(m.group(1), "")), rule)
                pages.append(Page(label, path))
                break
    return pages


class VersionRenewer:
    """Gives every table's data a new version, as any change through the app does to the
    tables it writes (riskapp.derived): the next request of each page works out again every
    figure the app keeps between changes."""

    def __init__(self, url: str):
        if url.startswith("sqlite:///"):
            self.conn = sqlite3.connect(url[len("sqlite:///"):], isolation_level=None)
        else:
            import psycopg
            self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                                        autocommit=True)

    def renew(self) -> None:
        self.conn.execute("UPDATE data_versions SET version = version + 1")

    def close(self) -> None:
        self.conn.close()


def measure(server: Server, pages: list[Page], email: str, rounds: int, warmup: int,
            url: str, after_change: int):
    """Each page `rounds` times as people read it, then `after_change` times each straight
    after a change (every derived figure worked out again)."""
    clients = {"manager": Client(server.base, "risk.manager@example.org"),
               "assignee": Client(server.base, email)}
    results = [Result(p, 0) for p in pages]
    for r in range(warmup + rounds):
        for result in results:
            status, seconds = clients[result.page.who].get(result.page.path)
            if status != 200:
                result.failures += 1
            result.status = status if not result.status or status != 200 else result.status
            if r >= warmup:
                result.samples.append(seconds)
    renewer = VersionRenewer(url)
    try:
        for _ in range(after_change):
            for result in results:
                renewer.renew()
                status, seconds = clients[result.page.who].get(result.page.path)
                if status != 200:
                    result.failures += 1
                result.after_change.append(seconds)
    finally:
        renewer.close()
    return results


# -- the run ----------------------------------------------------------------------------------

def run_one(db_name: str, url: str, size: int, args, extras: dict) -> dict:
    log(f"{db_name} {size}: building (flask db upgrade; flask demo scale --risks {size})")
    flask(url, "db", "upgrade")
    build = flask(url, "demo", "scale", "--risks", str(size), "--seed", str(args.seed))
    ids = pick(url)
    pages = pages_for(ids)
    log(f"{db_name} {size}: built in {build:.1f} s; serving with gunicorn -w {args.workers}")
    server = Server(url, args.workers)
    try:
        results = measure(server, pages, ids["email"], args.requests, args.warmup, url,
                          args.after_change)
    finally:
        server.stop()
    out = {"db": db_name, "size": size, "build_s": build, "results": results,
           "load": os.getloadavg()[0]}
    if size == 500 and "pack" in extras:
        pdf = Path(tempfile.gettempdir()) / f"riskapp-bench-pack-{db_name}.pdf"
        out["pack_s"] = flask(url, "report", "baf", "--register", "CRR", "--out", str(pdf))
        log(f"{db_name} {size}: BAF pack of 500 risks in {out['pack_s']:.1f} s")
    if size >= 5000 and "reminders" in extras:
        # Three runs, the outbox emptied before each: one run on a shared machine is noisy.
        runs = []
        for _ in range(REMINDER_RUNS):
            empty_outbox(url)
            runs.append(reminders_run(url, ids["today"]))
            log(f"{db_name} {size}: reminders run in {runs[-1][0]:.1f} s (CPU: riskapp "
                f"{runs[-1][1]:.1f} s, SMTP sink {runs[-1][2]:.1f} s)")
        runs.sort()
        out["reminders_s"], out["reminders_cpu"], out["sink_cpu"] = runs[len(runs) // 2]
        out["reminders_all"] = [r[0] for r in runs]
    for r in results:
        log(f"  {r.page.label:42} {r.status} p50 {r.p50:7.1f} ms  p95 {r.p95:7.1f} ms")
    if any(r.failures for r in results):
        log(f"  some requests failed: see the server log {server.logfile.name}")
    return out


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
    """`flask reminders run` over every action, mail going to a local SMTP sink.

    Returns its wall time, the CPU of the flask process and the CPU of the sink (a Python
    SMTP server on the same cores, so part of the wall time is the sink's, not riskapp's).
    """
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c",
                             "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        cpu0 = _children_cpu()
        wall = flask(url, "reminders", "run", "--date", today, SMTP_PORT=str(port),
                     SMTP_HOST="127.0.0.1")
        cpu1 = _children_cpu()
    finally:
        sink.terminate()
        sink.wait()
    return wall, cpu1 - cpu0, _children_cpu() - cpu1


def verdict(ok: bool) -> str:
    return "yes" if ok else "**NO**"


def write_results(runs: list[dict], args, pg_version: str | None, started: datetime) -> str:
    lines = [
        "# Benchmark results (issue 9)", "",
        f"Run {started:%Y-%m-%d %H:%M} with `python bench/run.py --sizes {args.sizes} "
        f"--dbs {args.dbs} --requests {args.requests} --after-change {args.after_change}` "
        f"(seed {args.seed}): "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}" + (f", PostgreSQL {pg_version}" if pg_version else "")
        + f"; gunicorn {args.workers} sync workers on 127.0.0.1.", "",
        f"Each page: {args.warmup} warm-up requests, then {args.requests} measured, one client, "
        "pages interleaved. The floor is `/health` (one `SELECT 1` through the same app and "
        "server). The app keeps figures derived from many rows (the heatmap's counts, the "
        "risk list's count and choices, a page of the list, the movement table) until a change "
        "to the tables they come from (`riskapp/derived.py`). The first columns are pages as "
        f"read between changes; the last two are {args.after_change} requests of each page "
        "made straight after a change to every table, when everything is worked out again "
        "(the cost of the first view after someone saves). Times in ms. Targets at 5,000 "
        "risks: p95 < "
        f"{TARGET_P95_MS:.0f} ms and p95 ≤ {TARGET_RATIO:.0f}× the floor's p95; the BAF pack "
        f"(500 risks) < {TARGET_PACK_S:.0f} s; the reminders run (20,000 actions) < "
        f"{TARGET_REMINDERS_S:.0f} s.", "",
    ]
    for run in runs:
        results = run["results"]
        floor = results[0]
        lines += [f"## {run['size']:,} risks on {run['db']}", "",
                  f"Data built by `flask demo scale` in {run['build_s']:.1f} s. Load average "
                  f"when measured: {run['load']:.1f} on {os.cpu_count()} CPUs (other work on the "
                  "machine shows in the p95s).", "",
                  "| page | path | status | p50 | p95 | p95 ÷ floor | p95 < 100 ms | ≤ 3× floor "
                  "| after a change: p50 | p95 |",
                  "| --- | --- | --- | ---: | ---: | ---: | --- | --- | ---: | ---: |"]
        for r in results:
            ratio = r.p95 / floor.p95 if floor.p95 else float("nan")
            is_floor = r is floor
            lines.append(
                f"| {r.page.label} | `{r.page.path}` | {r.status}"
                f"{f' ({r.failures} failed)' if r.failures else ''} | {r.p50:.1f} | {r.p95:.1f} | "
                f"{ratio:.1f} | {'' if is_floor else verdict(r.p95 < TARGET_P95_MS)} | "
                f"{'' if is_floor else verdict(ratio <= TARGET_RATIO)} | "
                f"{r.changed_p50:.1f} | {r.changed_p95:.1f} |")
        if "pack_s" in run:
            lines += ["", f"BAF pack PDF of the 500-risk register (`flask report baf --register "
                      f"CRR`, wall time including start-up): **{run['pack_s']:.1f} s** "
                      f"(target < {TARGET_PACK_S:.0f} s: {verdict(run['pack_s'] < TARGET_PACK_S)})."]
        if "reminders_s" in run:
            lines += ["", f"Reminders run over the 20,000 actions (`flask reminders run`, queue "
                      f"and send to a local SMTP sink, wall time, the median of "
                      f"{len(run['reminders_all'])} runs with the outbox emptied before each: "
                      f"{', '.join(f'{t:.1f}' for t in run['reminders_all'])} s): "
                      f"**{run['reminders_s']:.1f} s** "
                      f"(target < {TARGET_REMINDERS_S:.0f} s: "
                      f"{verdict(run['reminders_s'] < TARGET_REMINDERS_S)}). CPU seconds in "
                      f"that time: the `flask` process {run['reminders_cpu']:.1f} s (start-up "
                      f"included), the aiosmtpd sink {run['sink_cpu']:.1f} s, on the same "
                      f"{os.cpu_count()} CPUs."]
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,5000")
    parser.add_argument("--dbs", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--after-change", type=int, default=20,
                        help="requests of each page straight after a change to the data")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    parser.add_argument("--no-pack", action="store_true")
    parser.add_argument("--no-reminders", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    extras = set()
    if not args.no_pack:
        extras.add("pack")
    if not args.no_reminders:
        extras.add("reminders")
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
                    runs.append(run_one(db_name, url, size, args, extras))
            finally:
                if pg:
                    pg.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    text = write_results(runs, args, pg_version, started)
    Path(args.out).write_text(text)
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
