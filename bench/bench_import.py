"""Time the three steps of a register import (read, check, apply) at N rows, in one process.

    python bench/bench_import.py --rows 10000                 # new risks, SQLite in memory
    python bench/bench_import.py --rows 1000 --profile apply  # where applying spends its time
    python bench/bench_import.py --rows 10000 --database sqlite:////tmp/x.sqlite

Loads the BLMK demo data (as `flask demo load` does), writes a workbook in the export's
columns holding N new BAF risks (and, with --updates, every demo risk changed too), then runs
`imports.read_upload`, `imports.plan_import` and `imports.apply_plan` + commit, as the worker
does, and prints the time of each. `--profile read|plan|apply` prints cProfile's top 25
(cumulative) for that step.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))


def workbook(rows: int, owner_email: str) -> bytes:
    from openpyxl import Workbook

    from riskapp.reports.exports import RISK_COLUMNS
    headers = [c.header for c in RISK_COLUMNS]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Risks")
    sheet.append(headers)
    for n in range(rows):
        values = {"Register": "BAF", "Title": f"Imported risk number {n + 1}",
                  "Description": f"A risk brought in from the old register, number {n + 1}.",
                  "Owner email": owner_email, "Status": "Open",
                  "Initial consequence": 4, "Initial likelihood": 4,
                  "Current consequence": 3 + n % 3, "Current likelihood": 2 + n % 3}
        sheet.append([values.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database", default="sqlite://")
    parser.add_argument("--profile", choices=("read", "plan", "apply"))
    args = parser.parse_args()
    from riskapp import create_app
    from riskapp.auth.models import User
    from riskapp.demo.loader import load_demo
    from riskapp.extensions import db
    from riskapp.reports import imports
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "SECRET_KEY": "b" * 32,
                      "TESTING": True})
    with app.app_context():
        db.create_all()
        load_demo()
        db.session.commit()
        manager = db.session.scalar(db.select(User).where(
            User.email == "risk.manager@example.org"))
        owner = db.session.scalar(db.select(User).where(User.active.is_(True))
                                  .order_by(User.id))
        data = workbook(args.rows, owner.email)
        print(f"{args.rows:,} new risks, workbook {len(data) / 1024:.0f} KB, "
              f"load average {os.getloadavg()[0]:.1f}")
        steps = {}

        def timed(name, function):
            profile = cProfile.Profile() if args.profile == name else None
            started = time.perf_counter()
            if profile:
                profile.enable()
            value = function()
            if profile:
                profile.disable()
            steps[name] = time.perf_counter() - started
            print(f"{name}: {steps[name]:.2f} s", flush=True)
            if profile:
                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            return value

        tables = timed("read", lambda: imports.read_upload("bench.xlsx", data))
        plan = timed("plan", lambda: imports.plan_import(tables))
        assert plan.ok, plan.errors[:5]

        def apply():
            outcome = imports.apply_plan(plan, by=manager, today=date.today(),
                                         source="bench.xlsx")
            db.session.commit()
            return outcome
        outcome = timed("apply", apply)
        print(f"added {len(outcome.added):,}, updated {len(outcome.updated):,}; "
              f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
