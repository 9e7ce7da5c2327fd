"""Register settings: when a table of bands, appetite levels, categories or directorates, or a
register, can be saved as sent, and the plain words for why not.

Framework-free: the caller says what is being kept, what removed and how many risks or people
use a row; these say what refuses the save. The settings pages and the API both save through
`riskapp.settings.services`, which asks these.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .scoring import Band, bands_problems


def name_key(name: str | None) -> str:
    """Names match whatever their case and surrounding spaces: "finance " is "Finance"."""
    return (name or "").strip().lower()


def repeated_names(names: Iterable[str | None]) -> list[str]:
    """The names given more than once (as first typed), in the order they first repeat."""
    seen: dict[str, str] = {}
    repeated: list[str] = []
    for name in names:
        key = name_key(name)
        if key in seen and seen[key] not in repeated:
            repeated.append(seen[key])
        seen.setdefault(key, (name or "").strip())
    return repeated


def names_problem(noun: str, names: Iterable[str | None]) -> str | None:
    """ "Each band needs a different name: Low is given twice"."""
    repeated = repeated_names(names)
    if not repeated:
        return None
    listed = ", ".join(repeated)
    return (f"Each {noun} needs a different name: {listed} "
            f"{'is' if len(repeated) == 1 else 'are'} given more than once")


def band_table_problems(kept: Sequence[Band], removed: Sequence[str] = ()) -> list[str]:
    """Why this set of bands cannot replace the current one ([] when it can).

    Every score a 5x5 matrix can give must be in exactly one band, so no risk is ever left
    unbanded; removing a band is allowed only when the others cover its scores.
    """
    if not kept:
        return ["Keep at least one band: every risk's score needs one"]
    problem = names_problem("band", [b.name for b in kept])
    if problem:
        return [problem]
    problems = bands_problems(kept)
    if removed and any(p.startswith("No band covers") for p in problems):
        problems.insert(0, f"Removing {', '.join(removed)} would leave scores in no band: "
                           "widen another band to cover them in the same save")
    return problems


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def level_removal_problem(name: str, risks: int) -> str | None:
    """An appetite level a risk has stays until its risks are given another."""
    if not risks:
        return None
    return (f"{name} cannot be removed: {_count(risks, 'risk has', 'risks have')} it as "
            "appetite level. Choose another level for them first")


def directorate_removal_problem(name: str, risks: int, people: int) -> str | None:
    """A directorate with risks or people in it is renamed, never removed."""
    if not risks and not people:
        return None
    parts = [p for p in (_count(risks, "risk", "risks") if risks else "",
                         _count(people, "person", "people") if people else "") if p]
    return f"{name} cannot be removed: it has {' and '.join(parts)}. Rename it instead"


PREFIX_PATTERN = re.compile(r"^[A-Z]{2,6}$")


def clean_prefix(text: str | None) -> str:
    """A reference prefix as stored: no spaces, capitals ("crr " -> "CRR")."""
    return re.sub(r"\s", "", text or "").upper()


def prefix_problem(prefix: str) -> str | None:
    if not PREFIX_PATTERN.match(prefix):
        return "The prefix is 2 to 6 letters, like CRR"
    return None


def register_problems(name: str, prefix: str, others: Iterable[tuple[str, str]],
                      *, old_prefix: str | None = None,
                      references_given: bool = False) -> dict[str, str]:
    """What refuses a register's name and prefix, by field ({} when none).

    `others` are the other registers' (name, prefix). A prefix stays once the register has
    given out a reference: its risks' references (and their former ones) are made of it.
    """
    problems: dict[str, str] = {}
    if not name.strip():
        problems["name"] = "Enter the register's name"
    bad_prefix = prefix_problem(prefix)
    if bad_prefix:
        problems["prefix"] = bad_prefix
    elif old_prefix is not None and prefix != old_prefix and references_given:
        problems["prefix"] = (f"The prefix stays {old_prefix}: this register has given out "
                              "references made of it. Add a new register instead")
    for other_name, other_prefix in others:
        if "name" not in problems and name_key(other_name) == name_key(name):
            problems["name"] = f"The register {other_name} ({other_prefix}) has that name"
        if "prefix" not in problems and other_prefix == prefix:
            problems["prefix"] = f"The register {other_name} ({other_prefix}) has that prefix"
    return problems
