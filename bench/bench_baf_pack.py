"""Time the BAF pack PDF for a large register: 500 risks, ~6 controls, ~3 assurances, ~4 actions.

Text lengths follow the BLMK source (shared/data/blmk_baf_2023.json): descriptions of about 50
words, controls about 12, assurances about 8, actions about 14, words of about 6 characters.

    python bench/bench_baf_pack.py [--risks 500] [--repeat 3] [--out /tmp/baf_500.pdf]

Prints the seconds of each render and the best; the budget is well under 10 s on the
project's 2-core machine.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from riskapp.reports.baf_pdf import render_baf_pack  # noqa: E402
from riskapp.reports.pack_data import (  # noqa: E402
    BafPack,
    Band,
    MovementCell,
    PackAction,
    PackAssurance,
    PackControl,
    PackRisk,
    Score,
)

WORDS = (
    "system elective recovery workforce capacity pressure provider primary care partnership "
    "finance estates digital population inequalities resilience winter discharge quality "
    "assurance committee board oversight governance performance transformation programme "
    "pathway demand access outcomes staff retention recruitment community mental health "
    "safeguarding maternity urgent emergency planning delivery monitoring escalation"
).split()
# Short words as often as in the source's prose (about 5.9 characters a word on average).
STOP_WORDS = "the to of and in for with on by a is are will be our across within".split()
PEOPLE = ("Anne Brierley", "Michael Ramsden", "Martha Roberts", "Bethan Billington",
          "Sarah Stanley", "Dean Westcott", "Maria Wogan", "Tim Simmance", "Nicky Poulain")
STATUSES = ("Not Started", "In Progress", "Complete")
MONTHS = ("Apr-23", "May-23", "Jun-23", "Jul-23", "Aug-23", "Sep-23", "Oct-23", "Nov-23",
          "Dec-23", "Jan-24", "Feb-24", "Mar-24")
AS_OF = date(2023, 11, 29)


def _text(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(STOP_WORDS if rng.random() < 0.4 else WORDS)
             for _ in range(rng.randint(low, high))]
    return (" ".join(words) + ".").capitalize()


def _score(rng: random.Random) -> Score:
    return Score(rng.randint(1, 5), rng.randint(1, 5))


def make_pack(n_risks: int = 500, seed: int = 2023) -> BafPack:
    """Build a pack of `n_risks` generated risks, the size a large trust's register reaches."""
    rng = random.Random(seed)
    risks = []
    for i in range(1, n_risks + 1):
        start = rng.choice((0, 0, 0, 2, 5))
        movement = []
        for month in range(12):
            if month < start or month > 7:  # before the risk existed / after the report date
                movement.append(MovementCell(None))
            else:
                movement.append(MovementCell(rng.choice((9, 12, 16, 20)), rng.random() > 0.15))
        actions = []
        for _ in range(rng.randint(3, 5)):
            target = date(2023, rng.randint(1, 12), rng.randint(1, 28))
            status = rng.choice(STATUSES)
            actions.append(PackAction(_text(rng, 6, 22), rng.choice(PEOPLE), target, status,
                                      overdue=target < AS_OF and status != "Complete"))
        risks.append(PackRisk(
            ref=f"BAF{i:04d}",
            title=_text(rng, 3, 8).rstrip("."),
            description=_text(rng, 30, 75),
            owner=rng.choice(PEOPLE),
            lead=rng.choice(PEOPLE),
            status="Open",
            initial=_score(rng),
            current=_score(rng),
            target=_score(rng),
            controls=tuple(PackControl(_text(rng, 4, 20), rng.choice(PEOPLE), "Partially effective")
                           for _ in range(rng.randint(5, 7))),
            assurances=tuple(PackAssurance(rng.randint(1, 3), _text(rng, 3, 13), rng.random() > 0.2)
                             for _ in range(rng.randint(2, 4))),
            actions=tuple(actions),
            movement=tuple(movement),
        ))
    return BafPack(
        organisation="NHS Bedfordshire, Luton and Milton Keynes Integrated Care Board",
        register_name="System Risk Register (BAF)",
        generated_at=datetime(2023, 11, 29, 11, 47, tzinfo=ZoneInfo("Europe/London")),
        filters={"Project": "LIVE - Risk", "Risk Area": "ICB Board Assurance Framework"},
        fy_label="23/24",
        month_labels=MONTHS,
        bands=(Band("Low", 1, 3, "#00B050"), Band("Medium", 4, 9, "#FFC000"),
               Band("High", 10, 25, "#FF0000")),
        risks=tuple(risks),
        author="Corporate Governance Team",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--risks", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the PDF here")
    args = parser.parse_args()

    pack = make_pack(args.risks)
    times = []
    for _ in range(args.repeat):
        buffer = io.BytesIO()
        started, cpu_started = time.perf_counter(), time.process_time()
        render_baf_pack(pack, buffer)
        times.append(time.perf_counter() - started)
        cpu = time.process_time() - cpu_started
        print(f"{args.risks} risks: {times[-1]:.2f} s wall, {cpu:.2f} s CPU, "
              f"{len(buffer.getvalue()) / 1024:.0f} KiB", flush=True)
    if args.out:
        args.out.write_bytes(buffer.getvalue())
    print(f"best {min(times):.2f} s of {len(times)}")


if __name__ == "__main__":
    main()
