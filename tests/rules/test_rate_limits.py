"""The words of a refused request for long work (issue 15): the allowance and when to come back."""
import pytest

from riskapp.rules.rate_limits import refusal, wait_words, window_words


@pytest.mark.parametrize("multiples, unit, expected", [
    (1, "hour", "an hour"),
    (1, "day", "a day"),
    (1, "minute", "a minute"),
    (5, "minute", "every 5 minutes"),
    (2, "hour", "every 2 hours"),
])
def test_window_words(multiples, unit, expected):
    assert window_words(multiples, unit) == expected


@pytest.mark.parametrize("seconds, expected", [
    (0, "in a few seconds"),
    (44, "in a few seconds"),
    (50, "in 1 minute"),
    (60, "in 1 minute"),
    (61, "in 2 minutes"),  # rounded up: never sooner than it is
    (719, "in 12 minutes"),
    (7140, "in 119 minutes"),
    (7200, "in 2 hours"),
    (7201, "in 3 hours"),
])
def test_wait_words(seconds, expected):
    assert wait_words(seconds) == expected


@pytest.mark.parametrize("kind, amount, seconds, allowance, when, retry_after", [
    ("packs", 20, 719.2, "You can ask for 20 packs an hour.",
     "You can ask for another in 12 minutes.", 720),
    ("exports", 1, 0.2, "You can download 1 register export an hour.",
     "You can download another in a few seconds.", 1),
    ("imports", 1_000, 3599, "You can upload 1,000 files to import an hour.",
     "You can upload another in 60 minutes.", 3599),
])
def test_refusal(kind, amount, seconds, allowance, when, retry_after):
    words = refusal(kind, amount, 1, "hour", seconds)
    assert (words.allowance, words.when, words.retry_after) == (allowance, when, retry_after)


def test_the_heading_names_the_work():
    assert refusal("packs", 20, 1, "hour", 60).heading == "Wait before you ask for another pack"
    assert refusal("imports", 20, 1, "hour", 60).heading == \
        "Wait before you upload another file to import"
