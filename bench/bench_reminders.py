"""Time a reminders run over 20,000 risk actions: queue into the outbox, then send the digests.

A fresh SQLite file with 1,500 people, 2,000 open risks and 20,000 actions (about 60% overdue,
some by more than the 14 escalation days, the rest due later, complete or cancelled), and a real
SMTP server (aiosmtpd on 127.0.0.1) receiving the digests.

    python bench/bench_reminders.py [--actions 20000] [--people 1500] [--database URL]

Prints the seconds of each step. The budget (issue 6) is under 5 s for the whole run.

Measured 23 Nov 2026 on the shared 2-core dev box, SQLite, 4 connections, load average 0.8
to 0.9: queue 0.60 s; send 3.15 s; whole run 3.75 s, riskapp CPU 3.26 s; the SMTP server (a
Python aiosmtpd process on the same two cores) used another 1.2 to 1.3 s CPU. The code before
the digest and link changes (issue 9), same load: 4.59 s, riskapp CPU 4.06 s. At load 2:
7.7 s before, 5.4 s after; at load 4 to 6 expect 8 s and more. PostgreSQL was 17 s at load 8
to 10 (earlier code).
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

            t0, c0 = time.perf_counter(), time.process_time()
            queued = services.queue_due_reminders(TODAY, datetime.now(timezone.utc))
            db.session.commit()
            t_queue = time.perf_counter() - t0

            t0 = time.perf_counter()
            result = outbox.send_pending()
            t_send = time.perf_counter() - t0
            cpu_run = time.process_time() - c0

            t0 = time.perf_counter()
            again, result2 = outbox.run(TODAY)
            t_rerun = time.perf_counter() - t0

            sent = db.session.scalar(select(func.count()).where(Reminder.status == "sent"))
            print(f"{args.actions} actions, {args.risks} risks, {args.people} people "
                  f"({db.engine.dialect.name}, {args.connections} SMTP connections)")
            print(f"  find due (dry run):  {t_find:6.2f} s  {len(found)} reminders")
            print(f"  queue (insert):      {t_queue:6.2f} s  {queued['queued']} rows")
            print(f"  send digests (SMTP): {t_send:6.2f} s  {result.sent} reminders in "
                  f"{result.messages} messages, {result.failed} failed")
            print(f"  run = queue + send:  {t_queue + t_send:6.2f} s  (riskapp CPU {cpu_run:.2f} s; "
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
