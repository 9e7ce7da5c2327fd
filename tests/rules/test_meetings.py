"""A meeting can be marked held only once it has started."""
from datetime import datetime, timedelta, timezone

import pytest

from riskapp.rules.meetings import held_too_early

NOW = datetime(2024, 5, 16, 10, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("status, starts_at, refused", [
    ("Held", NOW - timedelta(days=30), False),
    ("Held", NOW, False),                          # started this minute
    ("Held", NOW + timedelta(minutes=1), True),    # not started yet
    ("Held", NOW + timedelta(days=365), True),
    ("Planned", NOW + timedelta(days=365), False),
    ("Cancelled", NOW + timedelta(days=1), False),
    ("Held", None, False),                         # no start yet: the form asks for one
])
def test_held_only_once_started(status, starts_at, refused):
    assert (held_too_early(status, starts_at, NOW) is not None) is refused
