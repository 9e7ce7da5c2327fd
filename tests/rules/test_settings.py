"""Register settings: when a table of bands, levels or names, or a register, can be saved."""
import pytest

from riskapp.rules.scoring import Band
from riskapp.rules.settings import (band_table_problems, clean_prefix, directorate_removal_problem,
                                    level_removal_problem, names_problem, register_problems,
                                    repeated_names)

NPSA = [Band("Low", 1, 3), Band("Moderate", 4, 6), Band("High", 8, 12), Band("Extreme", 15, 25)]


@pytest.mark.parametrize("names, repeated", [
    (["Finance", "Nursing"], []),
    (["Finance", " finance "], ["Finance"]),
    (["A", "B", "a", "b", "A"], ["A", "B"]),
    ([], []),
])
def test_repeated_names_ignore_case_and_spaces(names, repeated):
    assert repeated_names(names) == repeated


@pytest.mark.parametrize("names, message", [
    (["Low", "High"], None),
    (["Low", "low"], "Each band needs a different name: Low is given more than once"),
    (["Low", "low", "High", "HIGH"],
     "Each band needs a different name: Low, High are given more than once"),
])
def test_names_problem(names, message):
    assert names_problem("band", names) == message


@pytest.mark.parametrize("kept, removed, first", [
    (NPSA, [], None),
    ([], ["Low"], "Keep at least one band: every risk's score needs one"),
    ([Band("Low", 1, 3), Band("low", 4, 25)], [], "Each band needs a different name"),
    # Removing Moderate leaves 4-6 in no band: said first, then which scores.
    ([NPSA[0], NPSA[2], NPSA[3]], ["Moderate"],
     "Removing Moderate would leave scores in no band: widen another band"),
    # ...unless another band is widened in the same save.
    ([Band("Low", 1, 6), NPSA[2], NPSA[3]], ["Moderate"], None),
    ([Band("Low", 1, 4), Band("High", 4, 25)], [], "A score of 4 is in more than one band"),
    ([Band("Low", 1, 3), Band("High", 5, 25)], [], "No band covers a score of 4"),
])
def test_band_tables(kept, removed, first):
    problems = band_table_problems(kept, removed)
    if first is None:
        assert problems == []
    else:
        assert problems[0].startswith(first)


@pytest.mark.parametrize("risks, message", [
    (0, None),
    (1, "Cautious cannot be removed: 1 risk has it as appetite level. Choose another level "
        "for them first"),
    (3, "Cautious cannot be removed: 3 risks have it as appetite level. Choose another level "
        "for them first"),
])
def test_a_level_in_use_stays(risks, message):
    assert level_removal_problem("Cautious", risks) == message


@pytest.mark.parametrize("risks, people, message", [
    (0, 0, None),
    (1, 0, "Finance cannot be removed: it has 1 risk. Rename it instead"),
    (0, 1, "Finance cannot be removed: it has 1 person. Rename it instead"),
    (2, 5, "Finance cannot be removed: it has 2 risks and 5 people. Rename it instead"),
])
def test_a_directorate_in_use_stays(risks, people, message):
    assert directorate_removal_problem("Finance", risks, people) == message


@pytest.mark.parametrize("typed, stored", [("crr", "CRR"), (" b a f ", "BAF"), (None, "")])
def test_prefixes_are_stored_in_capitals_without_spaces(typed, stored):
    assert clean_prefix(typed) == stored


BAF = [("Board Assurance Framework", "BAF")]


@pytest.mark.parametrize("name, prefix, kwargs, problems", [
    ("Corporate Risk Register", "CRR", {}, {}),
    ("", "CRR", {}, {"name": "Enter the register's name"}),
    ("Corporate", "C1", {}, {"prefix": "The prefix is 2 to 6 letters, like CRR"}),
    ("Corporate", "C", {}, {"prefix": "The prefix is 2 to 6 letters, like CRR"}),
    ("Corporate", "ABCDEFG", {}, {"prefix": "The prefix is 2 to 6 letters, like CRR"}),
    ("board assurance framework ", "CRR", {},
     {"name": "The register Board Assurance Framework (BAF) has that name"}),
    ("Other", "BAF", {}, {"prefix": "The register Board Assurance Framework (BAF) has that "
                                    "prefix"}),
    # A prefix may change until the register gives out a reference...
    ("Corporate", "CRR", dict(old_prefix="COR", references_given=False), {}),
    # ...then its references are made of it, so it stays.
    ("Corporate", "CRR", dict(old_prefix="COR", references_given=True),
     {"prefix": "The prefix stays COR: this register has given out references made of it. "
                "Add a new register instead"}),
    # Renaming alone is always allowed.
    ("Corporate risks", "COR", dict(old_prefix="COR", references_given=True), {}),
])
def test_register_names_and_prefixes(name, prefix, kwargs, problems):
    assert register_problems(name, prefix, BAF, **kwargs) == problems
