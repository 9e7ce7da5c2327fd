"""What a person is told when they have asked for too much long work in a while (issue 15).

Plain Python: the caller passes the limit's numbers (from Flask-Limiter's parsed limit) and
the seconds until its window ends; the page or JSON answer shows the sentences.
"""
from __future__ import annotations

from dataclasses import dataclass

#: Per kind of work: (what one is, what several are, what the person does to ask for one).
WORK = {
    "packs": ("pack", "packs", "ask for"),  # the BAF pack and agenda packs: one allowance
    "exports": ("register export", "register exports", "download"),
    "imports": ("file to import", "files to import", "upload"),
}

_UNITS = {"second": ("second", "seconds"), "minute": ("minute", "minutes"),
          "hour": ("hour", "hours"), "day": ("day", "days"), "month": ("month", "months"),
          "year": ("year", "years")}


@dataclass(frozen=True)
class Refusal:
    #: "Wait before you ask for another pack"
    heading: str
    #: "You can ask for 20 packs an hour."
    allowance: str
    #: "You can ask again in 12 minutes."
    when: str
    #: Whole seconds to wait (at least 1): the Retry-After header.
    retry_after: int


def window_words(multiples: int, unit: str) -> str:
    """ "an hour", "a day", "every 5 minutes"."""
    one, many = _UNITS.get(unit, (unit, unit + "s"))
    if multiples == 1:
        return f"{'an' if one[0] in 'aeiou' or one == 'hour' else 'a'} {one}"
    return f"every {multiples:,} {many}"


def wait_words(seconds: float) -> str:
    """ "in 1 minute", "in 12 minutes", "in 2 hours", "in a few seconds"."""
    seconds = max(int(seconds), 0)
    if seconds < 60:
        return "in a few seconds" if seconds < 45 else "in 1 minute"
    minutes = -(-seconds // 60)  # up: never say a minute sooner than it is
    if minutes < 120:
        return f"in {minutes} minute{'' if minutes == 1 else 's'}"
    hours = -(-minutes // 60)
    return f"in {hours} hours"


def refusal(kind: str, amount: int, multiples: int, unit: str, seconds_left: float) -> Refusal:
    one, many, verb = WORK[kind]
    allowance = f"You can {verb} {amount:,} {one if amount == 1 else many} " \
                f"{window_words(multiples, unit)}."
    return Refusal(heading=f"Wait before you {verb} another {one}", allowance=allowance,
                   when=f"You can {verb} another {wait_words(seconds_left)}.",
                   retry_after=max(int(-(-seconds_left // 1)), 1))
