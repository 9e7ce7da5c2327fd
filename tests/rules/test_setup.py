"""The day-one steps: done from what exists, in order, the next one the first not done."""
from dataclasses import replace

import pytest

from riskapp.rules.setup import Present, next_step, steps

EMPTY = Present(organisation_named=False, directorates=0, registers=0, bands=0,
                appetite_categories=0, appetite_levels=0, users=1, committees=0, risks=0)


def test_an_empty_database_starts_with_the_organisation():
    all_steps = steps(EMPTY)
    assert [s.key for s in all_steps] == ["organisation", "directorates", "registers", "bands",
                                          "appetite", "people", "committees", "risks"]
    assert not any(s.done for s in all_steps)
    assert next_step(all_steps).key == "organisation"


@pytest.mark.parametrize("present, done, next_key", [
    (replace(EMPTY, organisation_named=True), {"organisation"}, "directorates"),
    # Steps may be done out of order: the next is still the first not done.
    (replace(EMPTY, registers=2), {"registers"}, "organisation"),
    # Appetite needs both categories and levels.
    (replace(EMPTY, appetite_levels=5), set(), "organisation"),
    (replace(EMPTY, appetite_levels=5, appetite_categories=3), {"appetite"}, "organisation"),
    # The first administrator alone is not "people invited".
    (replace(EMPTY, users=2), {"people"}, "organisation"),
])
def test_done_and_next(present, done, next_key):
    all_steps = steps(present)
    assert {s.key for s in all_steps if s.done} == done
    assert next_step(all_steps).key == next_key


def test_nothing_next_when_everything_is_done():
    everything = Present(True, 1, 1, 4, 3, 5, 2, 1, 1)
    assert next_step(steps(everything)) is None


@pytest.mark.parametrize("key, words", [
    ("organisation", "An administrator does this."),
    ("bands", "The risk manager or an administrator does this."),
    ("people", "An administrator does this."),
    # An administrator cannot add risks: the risk manager does, once invited.
    ("risks", "The risk manager does this: invite one first."),
])
def test_who_does_a_step_someone_cannot(key, words):
    from riskapp.rules.setup import who_does
    step = next(s for s in steps(EMPTY) if s.key == key)
    assert who_does(step) == words
