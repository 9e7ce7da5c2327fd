"""Time the BAF pack from the database for a large register, and the export/import round trip.

    python bench/bench_pack.py [--risks 500] [--repeat 3] [--db /tmp/bench_pack.sqlite]
                               [--out /tmp/bench_pack.pdf]

`bench/bench_baf_pack.py` times the renderer alone on generated dataclasses; this one times
what a board member waits for after pressing "Download the BAF pack": loading the risks with
their controls, assurances, actions and score history (`reports.pack.build_pack`, a fixed
number of queries), the movement derivation, and the PDF. The register is `flask demo scale`'s
(about 6 controls and assurances, 4 actions and 12 score records a risk) in a SQLite file, as
the default single-process deployment. Budget: under 10 s for 500 risks.

Measured 23 Nov 2026 on the project's 2-core machine (load average ~7 from other work):
500 risks, 2,000 actions: load 6 queries, 0.45 s CPU (1.1 s wall); render 6.9 s CPU
(17-20 s wall under that load); best total 7.3 s CPU. Export of 2,500 rows to XLSX 1.8 s,
read back and checked 1.9 s; the signed preview payload 172 KiB (form limit 500 KB).
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--risks", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench_pack.sqlite"))
    parser.add_argument("--out", type=Path, help="also write the PDF here")
    args = parser.parse_args()

    from sqlalchemy import event, select, update

    from riskapp import create_app

    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    # The app first: it imports the models in an order that has no import cycle.
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.db}", "SECRET_KEY": "bench"})

    from riskapp.demo.scale import SCALE_REGISTER, build_scale
    from riskapp.extensions import db
    from riskapp.reports import exports, imports
    from riskapp.reports.baf_pdf import render_baf_pack
    from riskapp.reports.pack import Selection, build_pack
    from riskapp.risks.models import Register, Risk

    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        build_scale(args.risks, seed=1, today=date(2023, 11, 29))
        db.session.commit()
        print(f"generated {args.risks} risks in {time.perf_counter() - started:.1f} s")
        register = db.session.scalar(select(Register).where(
            Register.prefix == SCALE_REGISTER[1]))
        # The pack shows open risks; the generator closes some. Open them all, so the pack
        # really holds --risks risks.
        db.session.execute(update(Risk).where(Risk.register_id == register.id)
                           .values(status="Open"))
        register_id = register.id
        db.session.commit()

        queries = {"n": 0}

        def count(*_):
            queries["n"] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        times, cpu_times = [], []
        for _ in range(args.repeat):
            db.session.expunge_all()
            register = db.session.get(Register, register_id)
            queries["n"] = 0
            started, cpu_started = time.perf_counter(), time.process_time()
            pack = build_pack(Selection(register=register, as_of=date(2023, 11, 29)),
                              organisation="Benchmark ICB", author="bench")
            loaded, cpu_loaded = time.perf_counter(), time.process_time()
            buffer = io.BytesIO()
            render_baf_pack(pack, buffer)
            done, cpu_done = time.perf_counter(), time.process_time()
            times.append(done - started)
            cpu_times.append(cpu_done - cpu_started)
            actions = sum(len(r.actions) for r in pack.risks)
            print(f"{len(pack.risks)} risks, {actions} actions: load {loaded - started:.2f} s "
                  f"({queries['n']} queries, {cpu_loaded - cpu_started:.2f} s CPU), render "
                  f"{done - loaded:.2f} s ({cpu_done - cpu_loaded:.2f} s CPU), total "
                  f"{done - started:.2f} s wall, {cpu_done - cpu_started:.2f} s CPU, "
                  f"{len(buffer.getvalue()) / 1024:.0f} KiB", flush=True)
        event.remove(db.engine, "before_cursor_execute", count)
        if args.out:
            args.out.write_bytes(buffer.getvalue())
        # Other work on a shared 2-core machine stretches wall time; CPU time is the cost.
        print(f"pack best {min(times):.2f} s wall, {min(cpu_times):.2f} s CPU, of {len(times)}")

        started = time.perf_counter()
        workbook = exports.to_xlsx({
            "Risks": (exports.RISK_COLUMNS, exports.risk_rows(register)),
            "Actions": (exports.ACTION_COLUMNS, exports.action_rows(register))})
        exported = time.perf_counter()
        tables = imports.read_upload("bench.xlsx", workbook,
                                     imports.Limits(max_bytes=50 * 1024 * 1024))
        plan = imports.plan_import(tables)
        planned = time.perf_counter()
        changed = sum(1 for r in plan.rows if r.outcome != "unchanged")
        print(f"export XLSX {exported - started:.2f} s ({len(workbook) / 1024:.0f} KiB); "
              f"read and check it back {planned - exported:.2f} s: {len(plan.rows)} rows, "
              f"{len(plan.errors)} problems, {changed} changes")
        from itsdangerous import URLSafeTimedSerializer
        payload = URLSafeTimedSerializer("bench", salt="x").dumps(
            {"tables": [t.as_json() for t in tables]})
        print(f"signed preview payload: {len(payload) / 1024:.0f} KiB "
              f"(MAX_FORM_MEMORY_SIZE {app.config.get('MAX_FORM_MEMORY_SIZE')})")


if __name__ == "__main__":
    main()
