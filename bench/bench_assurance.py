"""Time the assurance map and the cover paper at a large trust's scale (issue 18), today and as
at a past day.

    python bench/bench_assurance.py [--risks 5000] [--repeat 5] [--db /tmp/bench_assurance.sqlite]
                                    [--reuse] [--write]

Builds `flask demo scale --risks N --seed 1` into an SQLite file (`--reuse` keeps one already
built), then, in one process, through the app's own request handling (the Flask test client,
signed in as the risk manager, templates and JSON included):

- the assurance map's first page, today and as at a month ago (read from the version store);
- the map filtered by a line's state (every open risk of the register judged), both days;
- the API's first page, both days;
- the cover paper between the last two month ends asked for on its page: the job (run at once
  in this process, as the worker would: both reads, the draft, the Word document), then the
  draft's page (its size in kB is printed);

and, as plain calls, the whole register's map (what the BAF pack prints) both days, the cover
paper drafted without a page and its Word document written. Each is
run once to warm up, then `--repeat` times: median and worst wall time, median CPU time (the
machine is shared: CPU time is the cost, wall time what people wait), and SQL statements.
`--write` puts the table into bench/results.md between its markers (the rest is kept).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BEGIN, END = "<!-- bench_assurance: begin -->", "<!-- bench_assurance: end -->"
PASSWORD = "demo-riskapp-2023"


def month_end_before(day: date) -> date:
    return day.replace(day=1) - timedelta(days=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--risks", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench_assurance.sqlite"))
    parser.add_argument("--reuse", action="store_true", help="use --db if it is already built")
    parser.add_argument("--write", action="store_true", help="write into bench/results.md")
    parser.add_argument("--only", default="",
                        help="measure only what has this in its name (e.g. Cover)")
    args = parser.parse_args()

    from sqlalchemy import event, select

    from riskapp import create_app

    built = None
    if not (args.reuse and args.db.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.db}", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "JOBS_RUN_AT_ONCE": True})
    from flask_migrate import upgrade

    from riskapp.assurance import services
    from riskapp.demo.scale import SCALE_REGISTER, build_scale
    from riskapp.extensions import db
    from riskapp.reports.cover import build_cover
    from riskapp.risks.models import Register

    today = date.today()
    with app.app_context():
        upgrade()  # a new file: the schema; one already built: nothing to do
        if db.session.scalar(select(Register).where(Register.prefix == SCALE_REGISTER[1])) \
                is None:
            started = time.perf_counter()
            build_scale(args.risks, seed=1)  # versions the rows it writes, too
            db.session.commit()
            built = time.perf_counter() - started
            print(f"built {args.risks:,} risks in {built:.1f} s", flush=True)
        register_id = db.session.scalar(select(Register.id).where(
            Register.prefix == SCALE_REGISTER[1]))

    past = today - timedelta(days=30)
    as_of = month_end_before(today)
    since = month_end_before(as_of)

    def parts(name: str, day: date) -> str:
        return f"{name}-day={day.day}&{name}-month={day.month}&{name}-year={day.year}"

    client = app.test_client()
    response = client.post("/auth/login", data={"email": "risk.manager@example.org",
                                                "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    r = f"register={register_id}"
    requests = [
        ("Map page, today", f"/assurance/map?{r}"),
        ("Map page, as at a month ago", f"/assurance/map?{r}&{parts('as_of', past)}"),
        ("Map page, 3rd line missing (whole register judged), today",
         f"/assurance/map?{r}&line=3&state=missing"),
        ("Map page, 3rd line missing, as at a month ago",
         f"/assurance/map?{r}&line=3&state=missing&{parts('as_of', past)}"),
        ("Map page, computed gaps only, today", f"/assurance/map?{r}&gaps=y"),
        ("API map, today", f"/api/v1/assurance-map?{r}"),
        ("API map, as at a month ago", f"/api/v1/assurance-map?{r}&as_of={past}"),
    ]

    def cover_form(a: date, b: date) -> dict:
        return {"register": str(register_id), "since-day": a.day, "since-month": a.month,
                "since-year": a.year, "as_of-day": b.day, "as_of-month": b.month,
                "as_of-year": b.year}

    def cover_job(a: date, b: date):
        """Ask for the paper (a new job each time: the last one's row is let go first, else
        the same request reuses it), as the page does; the job runs at once here."""
        def run():
            from riskapp.jobs.models import Job
            with app.app_context():
                db.session.execute(db.delete(Job))
                db.session.commit()
            response = client.post("/reports/cover", data=cover_form(a, b))
            assert response.status_code == 302, response.status_code
            response = client.get(response.headers["Location"])
            assert response.status_code == 302 and "/reports/cover/" in \
                response.headers["Location"], response.status_code
            drafts["page"] = response.headers["Location"]
        return run

    def cover_page():
        response = client.get(drafts["page"])
        assert response.status_code == 200, response.status_code
        drafts["kB"] = len(response.data) / 1024

    drafts: dict = {}
    jobs = [("Cover paper job, last two month ends (both reads, draft, Word document)",
             cover_job(since, as_of)),
            ("Cover paper draft page, last two month ends", cover_page),
            ("Cover paper job, last month end to today", cover_job(as_of, today)),
            ("Cover paper draft page, last month end to today", cover_page)]

    def whole(day: date, as_at: bool):
        def run():
            register = db.session.get(Register, register_id)
            rows = services.whole_register(register, day, as_at=as_at)
            db.session.rollback()
            return rows
        return run

    def cover(a: date, b: date):
        def run():
            register = db.session.get(Register, register_id)
            paper = build_cover(register, a, b, organisation="Benchmark ICB")
            db.session.rollback()
            return paper
        return run

    def word(a: date, b: date):
        papers = {}

        def run():
            from io import BytesIO

            from riskapp.reports.cover_docx import render_cover_docx
            if "paper" not in papers:
                papers["paper"] = cover(a, b)()
            buffer = BytesIO()
            render_cover_docx(papers["paper"], buffer)
            drafts["docx kB"] = len(buffer.getvalue()) / 1024
        return run

    calls = [("Whole register's map (the pack's pages), today", whole(today, False)),
             ("Whole register's map, as at a month ago", whole(past, True)),
             ("Cover paper drafted (no page), last two month ends", cover(since, as_of)),
             ("Cover paper's Word document written (no page), last two month ends",
              word(since, as_of))]

    statements = {"n": 0}

    def count(*_):
        statements["n"] += 1

    results = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)

    def measure(label, fn):
        if args.only not in label:
            return
        fn()  # warm up
        walls, cpus = [], []
        for _ in range(args.repeat):
            statements["n"] = 0
            w, c = time.perf_counter(), time.process_time()
            fn()
            walls.append((time.perf_counter() - w) * 1000)
            cpus.append((time.process_time() - c) * 1000)
        results.append((label, statistics.median(walls), max(walls), statistics.median(cpus),
                        statements["n"]))
        print(f"{label}: median {statistics.median(walls):.0f} ms (worst {max(walls):.0f}), "
              f"CPU {statistics.median(cpus):.0f} ms, {statements['n']} statements",
              flush=True)

    for label, path in requests:
        def get(path=path):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        measure(label, get)
    for label, fn in jobs:
        measure(label, fn)
        if "kB" in drafts and "page" in label:
            print(f"  the draft page: {drafts['kB']:.0f} kB", flush=True)
    with app.app_context():
        for label, fn in calls:
            measure(label, fn)
        if "docx kB" in drafts:
            print(f"  the Word document: {drafts['docx kB']:.0f} kB", flush=True)
        total = db.session.scalar(select(db.func.count()).select_from(
            services.Risk).where(services.Risk.register_id == register_id,
                                 services.Risk.status == "Open"))

    load = os.getloadavg()
    lines = [
        BEGIN, "", "## Assurance map and cover paper at 5,000 risks (issue 18)", "",
        f"Run {time.strftime('%Y-%m-%d %H:%M')} with `python bench/bench_assurance.py "
        f"--risks {args.risks} --repeat {args.repeat}`: {total:,} open risks on the scale "
        f"register, SQLite, one process, through the app's request handling (Flask test "
        f"client, signed in as the risk manager; no network, no gunicorn). "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; load average when "
        f"written {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f} (other work on the machine "
        f"stretches wall times; CPU time is the cost). \"A month ago\" is {past:%-d %b %Y}; "
        f"the cover paper runs from {since:%-d %b %Y} to {as_of:%-d %b %Y}.", "",
        "| what | median ms | worst ms | CPU ms | SQL statements |",
        "| --- | ---: | ---: | ---: | ---: |",
        *[f"| {label} | {wall:.0f} | {worst:.0f} | {cpu:.0f} | {n} |"
          for label, wall, worst, cpu, n in results], "", END]
    section = "\n".join(lines)
    print(section)
    if args.write:
        path = ROOT / "bench" / "results.md"
        text = path.read_text()
        if BEGIN in text and END in text:
            text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
        path.write_text(text)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
