from datetime import date

import pytest

from riskapp.rules.actions import days_overdue, is_overdue, worklist_key

TODAY = date(2023, 11, 29)


@pytest.mark.parametrize("target, status, overdue", [
    (date(2023, 11, 28), "In Progress", True),
    (date(2023, 11, 28), "Not Started", True),
    (date(2023, 11, 29), "In Progress", False),  # due today is not yet overdue
    (date(2023, 3, 31), "Complete", False),
    (date(2023, 3, 31), "Cancelled", False),
    (None, "In Progress", False),
])
def test_is_overdue(target, status, overdue):
    assert is_overdue(target, status, TODAY) is overdue


def test_days_overdue():
    assert days_overdue(date(2023, 11, 15), "Not Started", TODAY) == 14
    assert days_overdue(date(2023, 11, 15), "Complete", TODAY) == 0


def test_worklist_overdue_first_then_soonest_due():
    actions = [("later", date(2024, 3, 1), "In Progress"), ("undated", None, "In Progress"),
               ("overdue-recent", date(2023, 11, 1), "In Progress"),
               ("overdue-old", date(2023, 7, 31), "Not Started"),
               ("soon", date(2023, 12, 4), "Not Started"), ("done", date(2023, 1, 1), "Complete")]
    ordered = sorted(actions, key=lambda a: worklist_key(a[1], a[2], TODAY))
    assert [a[0] for a in ordered] == ["overdue-old", "overdue-recent", "soon", "later",
                                       "undated", "done"]
