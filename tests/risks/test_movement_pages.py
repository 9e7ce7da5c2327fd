"""The movement page shows a page of risks at a time (issue 9: thousands of open risks)."""
from __future__ import annotations

import re

from riskapp.auth.models import Role

from ..factories import make_register, make_risk, make_user


def test_movement_is_paged_and_the_next_page_has_the_rest(app, client, auth):
    app.config["RISKS_PER_PAGE"] = 3
    owner = make_user(Role.RISK_MANAGER)
    register = make_register()
    for n in range(5):
        make_risk(owner, register=register, title=f"Risk {n}")
    auth.login(owner)

    first = client.get(f"/risks/movement?register={register.id}").get_data(as_text=True)
    second = client.get(f"/risks/movement?register={register.id}&page=2").get_data(as_text=True)

    refs = lambda html: re.findall(r'>(BAF\d{4})</a></th>', html)  # noqa: E731
    assert refs(first) == ["BAF0001", "BAF0002", "BAF0003"]
    assert refs(second) == ["BAF0004", "BAF0005"]
    assert "5 open risks, page 1 of 2" in first
    assert "page=2" in first and "Next" in first
