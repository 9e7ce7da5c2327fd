import pytest

from riskapp.rules.private_business import Reader, sees_item, sees_minutes, sees_private_business


@pytest.mark.parametrize("reader, sees", [
    (Reader("staff"), False),
    (Reader("board"), False),           # a board role alone is not the parent Board's membership
    (Reader("risk_manager"), False),
    (Reader("secretariat"), True),
    (Reader("admin"), True),
    (Reader("staff", member=True), True),
    (Reader("staff", officer=True), True),
    (Reader("board", parent_member=True), True),
])
def test_who_sees_private_business(reader, sees):
    assert sees_private_business(reader) is sees
    assert sees_item(reader, item_private=True) is sees
    assert sees_minutes(reader, minutes_approved=False) is sees


@pytest.mark.parametrize("reader", [Reader("staff"), Reader("secretariat")])
def test_public_items_and_approved_minutes_are_for_everyone(reader):
    assert sees_item(reader, item_private=False)
    assert sees_minutes(reader, minutes_approved=True)
