"""Day one: what an organisation sets up, in order, and which step comes next.

Framework-free: the caller says what exists (`Present`) and what the person may change; this
says which steps are done and which one to do next.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Present:
    """What the database has, as counts or yes/no."""
    organisation_named: bool
    directorates: int
    registers: int
    bands: int
    appetite_categories: int
    appetite_levels: int
    users: int
    committees: int
    risks: int


@dataclass(frozen=True)
class Step:
    key: str
    name: str
    hint: str
    done: bool
    #: Which permission the step's page needs: "organisation", "register", "users",
    #: "committees" or "risks".
    needs: str


def steps(present: Present) -> list[Step]:
    """The setup steps in the order a new organisation does them."""
    p = present
    return [
        Step("organisation", "Your organisation's name and logo",
             "Shown at the top of every page and on reports.", p.organisation_named,
             "organisation"),
        Step("directorates", "Directorates", "The parts of your organisation that own risks.",
             p.directorates > 0, "register"),
        Step("registers", "Registers",
             "Such as the Board Assurance Framework (BAF) and the corporate risk register (CRR).",
             p.registers > 0, "register"),
        Step("bands", "Score bands and review frequencies",
             "Which scores are low, moderate, high or extreme, and how often each is reviewed.",
             p.bands > 0, "register"),
        Step("appetite", "Risk appetite categories and levels",
             "Your board's appetite scale, like Averse, Minimal, Cautious, Open and Eager.",
             p.appetite_categories > 0 and p.appetite_levels > 0, "register"),
        Step("people", "Invite people",
             "Risk owners, the risk manager, the committee secretariat and board members.",
             p.users > 1, "users"),
        Step("committees", "Committees", "The board's committees, their terms of reference "
             "and members.", p.committees > 0, "committees"),
        Step("risks", "Your first risk", "Add it to a register, with its owner and scores.",
             p.risks > 0, "risks"),
    ]


#: Who does a step, for someone who cannot: by the step's `needs`.
WHO_DOES = {"organisation": "An administrator does this.",
            "register": "The risk manager or an administrator does this.",
            "users": "An administrator does this.",
            "committees": "The committee secretariat or an administrator does this.",
            "risks": "The risk manager does this: invite one first."}


def who_does(step: Step) -> str:
    """ "An administrator does this." for a step the reader cannot do themselves."""
    return WHO_DOES.get(step.needs, "")


def next_step(all_steps: list[Step]) -> Step | None:
    """The first step not yet done, or None when all are."""
    return next((s for s in all_steps if not s.done), None)
