"""The password rules: length over complexity, common passwords refused (NCSC)."""
import pytest

from riskapp.rules.passwords import MAX_LENGTH, common_passwords, password_problems

COMMON = common_passwords()


@pytest.mark.parametrize("password, problem", [
    ("short", "12 characters or more"),
    ("elevenchars", "12 characters or more"),
    ("x" * (MAX_LENGTH + 1), f"{MAX_LENGTH} characters or fewer"),
    ("password1234", "too common"),
    ("PASSWORD1234", "too common"),
    ("123456789012", "too common"),
    ("qwertyuiop12", "too common"),
    ("passwordpassword", "too common"),
    ("iloveyou2023!", "too common"),
    ("abcabcabcabc", "too common"),
    ("aaaaaaaaaaaaaaaa", "too common"),
    ("abcdefghijklmn", "too common"),
    ("987654321098", "too common"),
    ("ababababababa1", "one or two characters"),
    ("anne.brierley@example.org", "your name or email"),
    ("brierleybrierley", "your name or email"),
])
def test_refused(password, problem):
    problems = password_problems(password, common=COMMON,
                                 personal=["anne.brierley@example.org", "Anne", "Brierley"])
    assert len(problems) == 1 and problem in problems[0]


@pytest.mark.parametrize("password", [
    "correct horse battery staple",   # three or four random words: what NCSC recommends
    "kettle-otter-lantern",
    "all lower case no digits",       # no composition rules
    "Ζωή είναι ωραία 2023",          # any script
    "kettle otter lantern " * 9 + "ab",  # long passphrases up to the limit
])
def test_accepted(password):
    assert password_problems(password, common=COMMON) == []


def test_the_list_is_the_maintained_offline_one():
    assert len(COMMON) >= 30000 - 100
    assert {"123456", "password", "qwerty", "dragon"} <= COMMON
