"""Time a reminders run over 20,000 risk actions: queue into the outbox, then send the digests.

A fresh SQLite file with 1,500 people, 2,000 open risks and 20,000 actions (about 60% overdue,
some by more than the 14 escalation days, the rest due later, complete or cancelled), and a real
SMTP server (aiosmtpd on 127.0.0.1) receiving the digests.

    python bench/bench_reminders.py [--actions 20000] [--people 1500] [--database URL]

Prints the seconds of each step. The budget (issue 6) is under 5 s for the whole run. The run
is `outbox.run`, as `flask reminders run` calls it: the rows it queues go in already claimed.

Measured 23 Nov 2026, 18:40-18:55, on the shared 2-core dev box, busy with other work (load
average 2.7 to 4.6), old and new code alternated run by run in the same conditions:

* `flask reminders run` over the 5,000-risk data of `flask demo scale --risks 5000 --seed 1`
  (23,343 reminders in 519 digests to an aiosmtpd sink, as bench/run.py times it), wall time
  including start-up, median of 3: PostgreSQL 15 at load about 3: 7.5 s before, 4.8 s after
  (4.1 to 5.1 s); riskapp CPU 3.6 s before, 2.7 s after. SQLite, same load: 5.8 s before,
  3.9 s after; CPU 4.2 s before, 3.2 s after. At load 4 to 4.6: PostgreSQL 10.8 s before,
  7.4 s after; SQLite 7.8 s before, 7.0 s after (wall times at that load are mostly waiting
  for the cores).
* This script, SQLite, load about 4: whole run 4.3 to 4.6 s after (riskapp CPU 2.3 s), 4.8
  to 7.0 s before (CPU 2.8 to 3.1 s); the SMTP server used another 1.1 to 1.2 s CPU.

Where the time went before (cProfile): each reminder was inserted, claimed (UPDATE), read
back, its item reloaded to check it was still due, marked sent (UPDATE) and given an attempt
row. Now it is inserted claimed (PostgreSQL: COPY into a temporary table, one INSERT ...
SELECT ... RETURNING), sent from what the run found, and marked sent (PostgreSQL one UPDATE
over arrays; SQLite one prepared UPDATE by executemany); the row records the successful
attempt. What is left: about 1 s of start-up (imports, create_app), finding what is due
(0.5 s), building 519 digests (0.6 s), and the database writes.
"""
from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402

from riskapp import create_app  # noqa: E402
from riskapp.auth.models import User  # noqa: E402
from riskapp.extensions import db  # noqa: E402
from riskapp.reminders import outbox, services  # noqa: E402
from riskapp.reminders.models import Reminder  # noqa: E402
from riskapp.risks.models import Action, Register, Risk  # noqa: E402
from tests.reminders.conftest import free_port  # noqa: E402

TODAY = date(2023, 11, 29)

#: An SMTP server in its own process (as a real one would be), counting what it accepts.
SERVER = """
import asyncio, signal, sys
from aiosmtpd.controller import Controller
class Count:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        return "250 OK"
c = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
print(Count.n, flush=True)
"""


class SmtpProcess:
    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER, str(self.port)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "ready"

    def stop(self) -> tuple[int, float]:
        """Stop it; return the messages it received and the CPU seconds it used."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out, _ = self.proc.communicate("", timeout=30)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        return int(out.strip() or 0), cpu


def populate(actions: int, people: int, risks: int) -> None:
    rnd = random.Random(6)
    now = datetime.now(timezone.utc)
    db.session.execute(insert(User), [
        dict(id=i, email=f"person{i}@example.org", name=f"Person {i}", role="staff", active=True,
             session_nonce="x", created_at=now) for i in range(1, people + 1)])
    register = Register(name="Board Assurance Framework", prefix="BAF", next_number=risks + 1)
    db.session.add(register)
    db.session.flush()
    db.session.execute(insert(Risk), [
        dict(id=i, register_id=register.id, number=i, reference=f"BAF{i:05d}",
             title=f"Risk {i}", description="", owner_id=rnd.randint(1, people),
             lead_id=rnd.randint(1, people), status="Open", initial_consequence=4,
             initial_likelihood=4, current_consequence=4, current_likelihood=3, current_score=12,
             next_review_date=TODAY + timedelta(days=rnd.randint(-20, 60)),
             opened_on=date(2023, 4, 1), version=1, created_at=now, updated_at=now)
        for i in range(1, risks + 1)])
    rows = []
    for i in range(1, actions + 1):
        roll = rnd.random()
        status = ("Complete" if roll < 0.15 else "Cancelled" if roll < 0.2 else
                  rnd.choice(("Not Started", "In Progress")))
        target = TODAY + timedelta(days=rnd.randint(-120, 60))
        rows.append(dict(id=i, risk_id=rnd.randint(1, risks),
                         detail=f"Action {i}: deliver the {rnd.choice(('plan', 'review', 'audit'))}",
                         assignee_id=rnd.randint(1, people), target_date=target,
                         original_target_date=target, target_date_changes=0, status=status,
                         version=1, created_at=now))
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(Action), rows[start:start + 2000])
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=20000)
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--risks", type=int, default=2000)
    parser.add_argument("--database", default=None, help="default: a new SQLite file")
    parser.add_argument("--connections", type=int, default=4, help="SMTP connections at once")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="bench-reminders-")
    url = args.database or f"sqlite:///{folder}/bench.sqlite"
    smtp = SmtpProcess()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port,
                      "BASE_URL": "https://riskapp.example.nhs.uk",
                      "SMTP_CONNECTIONS": args.connections})
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
            db.session.commit()
            populate(args.actions, args.people, args.risks)

            t0 = time.perf_counter()
            found = services.find_due(TODAY)
            t_find = time.perf_counter() - t0

            # The daily job as `flask reminders run` does it: queue (rows go in claimed by the
            # run), then send. The first digest settled marks the end of the queueing, roughly.
            first_digest: list[float] = []
            t0, c0 = time.perf_counter(), time.process_time()
            queued, result = outbox.run(
                TODAY, progress=lambda done, total: first_digest or first_digest.append(
                    time.perf_counter()))
            t_run = time.perf_counter() - t0
            cpu_run = time.process_time() - c0
            t_queue = (first_digest[0] - t0) if first_digest else t_run
            t_send = t_run - t_queue

            t0 = time.perf_counter()
            again, result2 = outbox.run(TODAY)
            t_rerun = time.perf_counter() - t0

            sent = db.session.scalar(select(func.count()).where(Reminder.status == "sent"))
            print(f"{args.actions} actions, {args.risks} risks, {args.people} people "
                  f"({db.engine.dialect.name}, {args.connections} SMTP connections)")
            print(f"  find due (dry run):  {t_find:6.2f} s  {len(found)} reminders")
            print(f"  queue, first digest: {t_queue:6.2f} s  {queued['queued']} rows")
            print(f"  send digests (SMTP): {t_send:6.2f} s  {result.sent} reminders in "
                  f"{result.messages} messages, {result.failed} failed")
            print(f"  run = queue + send:  {t_run:6.2f} s  (riskapp CPU {cpu_run:.2f} s; "
                  f"the rest is waiting on the SMTP server)")
            print(f"  second run same day: {t_rerun:6.2f} s  {again['queued']} queued, "
                  f"{result2.messages} messages")
            assert result2.messages == 0
            db.session.remove()  # release its locks, or PostgreSQL's DROP waits on them
            db.drop_all()
    finally:
        received, smtp_cpu = smtp.stop()
    print(f"  server received {received} messages; outbox sent={sent}; the SMTP server used "
          f"{smtp_cpu:.2f} s CPU (same cores) over the whole script, mostly the send step")
    assert received == result.messages


if __name__ == "__main__":
    main()
