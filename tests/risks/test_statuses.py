"""Statuses a board member can trust: nothing reads as assurance or as on time when it is not."""
import re

from sqlalchemy import select

from riskapp.risks.models import Control
from tests.factories import make_risk, make_user


def test_a_new_control_starts_not_yet_assessed(client, auth, db):
    owner = make_user()
    risk = make_risk(owner)
    db.session.commit()
    auth.login(owner)
    page = client.get(f"/risks/{risk.reference}/controls/new").get_data(as_text=True)
    form = page.split('name="effectiveness"', 1)[1].split("</select>", 1)[0]
    chosen = re.findall(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected',
                        form)
    assert [a or b for a, b in chosen] == ["Not yet assessed"]
    # Posted without a choice (a client that leaves it out) it is not "Effective" either.
    assert client.post(f"/risks/{risk.reference}/controls/new", data={
        "description": "Weekly waiting list review"}).status_code == 302
    control = db.session.scalar(select(Control))
    assert control.effectiveness == "Not yet assessed"
