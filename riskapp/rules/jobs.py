"""Whether a request for long work starts a job, reuses one, or waits for the one running.

Plain Python: the caller passes the person's jobs of that kind as (state, key, created_at,
expires_at) facts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

#: A result is kept this long after it is made.
KEEP_FOR = timedelta(days=1)
#: A job queued or running longer than this has died with its worker: it no longer blocks.
GIVE_UP_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class JobFacts:
    id: int
    state: str
    key: str
    created_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class Decision:
    #: "reuse" (same request, same data: that job), "busy" (another of the kind is under way:
    #: that job) or "start".
    action: str
    job_id: int | None = None


def decide(jobs: list[JobFacts], key: str, now: datetime) -> Decision:
    """One running job of a kind per person; the same request for the same data reuses."""
    alive = [j for j in jobs if j.state in ("queued", "running")
             and now - j.created_at < GIVE_UP_AFTER]
    for job in alive:
        if job.key == key:
            return Decision("reuse", job.id)
    for job in jobs:
        if job.state == "done" and job.key == key and job.expires_at and job.expires_at > now:
            return Decision("reuse", job.id)
    if alive:
        return Decision("busy", alive[0].id)
    return Decision("start")
