"""Start, reuse or wait: the rules of long work (issue 15)."""
from datetime import datetime, timedelta, timezone

import pytest

from riskapp.rules.jobs import Decision, JobFacts, decide

NOW = datetime(2026, 12, 6, 12, tzinfo=timezone.utc)


def job(id, state, key="k", age=timedelta(minutes=1), expires_in=timedelta(hours=20)):
    return JobFacts(id, state, key, NOW - age, NOW + expires_in if state == "done" else None)


@pytest.mark.parametrize("jobs, expected", [
    ([], Decision("start")),
    ([job(1, "running")], Decision("reuse", 1)),            # the same request under way
    ([job(1, "queued", key="other")], Decision("busy", 1)),  # one at a time per kind
    ([job(1, "done")], Decision("reuse", 1)),               # same request, same data
    ([job(1, "done", expires_in=-timedelta(minutes=1))], Decision("start")),  # let go
    ([job(1, "done", key="other")], Decision("start")),     # the data changed since
    ([job(1, "failed")], Decision("start")),
    ([job(1, "running", key="x", age=timedelta(hours=1))], Decision("start")),  # died
])
def test_decide(jobs, expected):
    assert decide(jobs, "k", NOW) == expected
