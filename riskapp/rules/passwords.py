"""Password rules of the NCSC kind: length over complexity, and no password everyone uses.

NCSC "Password administration for system owners" and NHS Digital's password policy: no
composition rules (no "one capital, one digit"), a minimum length, no maximum that stops a
passphrase, and a deny list of the passwords attackers try first. The deny list is the 30,000
most common passwords from leaked sets that ships offline with zxcvbn (Dropbox's estimator);
the caller passes it in, so these functions stay plain Python.
"""
from __future__ import annotations

from collections.abc import Collection

MIN_LENGTH = 12
#: Long enough for any passphrase; a ceiling stops a megabyte "password" costing a scrypt run.
MAX_LENGTH = 200


def common_passwords() -> frozenset[str]:
    """The deny list: zxcvbn's ranked list of the most used passwords, lower case."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problems(password: str, *, common: Collection[str], personal: Collection[str] = (),
                      min_length: int = MIN_LENGTH) -> list[str]:
    """Return what is wrong with `password`, as messages for the person choosing it.

    `personal` holds the account's own words (email, name): a password made of them is refused.
    """
    if len(password) < min_length:
        return [f"Password must be {min_length} characters or more"]
    if len(password) > MAX_LENGTH:
        return [f"Password must be {MAX_LENGTH} characters or fewer"]
    folded = password.casefold()
    squashed = "".join(folded.split())
    if folded in common or squashed in common or _is_repeated(squashed, common) \
            or _is_run(squashed):
        return ["This password is too common: choose three random words or a longer phrase"]
    if len(set(squashed)) < 4:
        return ["Password must not be one or two characters repeated"]
    for word in personal:
        word = word.casefold().strip()
        if len(word) >= 4 and squashed.replace(word, "") == "":
            return ["Password must not be your name or email address"]
    return []


def _is_repeated(text: str, common: Collection[str]) -> bool:
    """"passwordpassword", "123456123456", "password2023": a common one padded out."""
    stripped = text.rstrip("0123456789!?.")
    if stripped != text and stripped in common and len(stripped) >= 4:
        return True
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size] in common or size <= 3
    return False


def _is_run(text: str) -> bool:
    """"123456789012", "abcdefghijkl": a keyboard or alphabet run."""
    steps = {(ord(b) - ord(a)) % 10 if a.isdigit() and b.isdigit() else ord(b) - ord(a)
             for a, b in zip(text, text[1:])}
    return steps <= {1} or steps <= {-1, 9}
