"""The BAF pack as at a past day is that day's pack, however often and whenever it is printed."""
from __future__ import annotations

import io
import re
import subprocess
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from riskapp.extensions import db
from riskapp.reports.baf_pdf import render_baf_pack
from riskapp.reports.pack import Selection, build_pack, pack_filename
from riskapp.risks import services
from riskapp.risks.models import Action, Register, Risk

LONDON = ZoneInfo("Europe/London")
PACK_DAY = date(2023, 11, 29)


def _pack(now: datetime):
    register = db.session.scalar(select(Register).where(Register.prefix == "BAF"))
    return build_pack(Selection(register=register, as_of=PACK_DAY), organisation="BLMK ICB",
                      author="Risk team", now=now)


def _text(pack, tmp_path) -> str:
    out = io.BytesIO()
    render_baf_pack(pack, out)
    pdf = tmp_path / f"{pack.generated_at:%H%M%S%f}.pdf"
    pdf.write_bytes(out.getvalue())
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    # Less the time it was generated, which is printed apart from what it is as at.
    return "\n".join(line for line in text.splitlines() if "Generated" not in line)


def test_the_demo_pack_as_at_29_nov_2023_lists_the_sources_26_actions(baf):
    pack = _pack(datetime(2026, 12, 6, 9, tzinfo=LONDON))
    assert sum(len(r.actions) for r in pack.risks) == 26
    assert pack_filename(pack) == "baf-pack-BAF-as-at-2023-11-29.pdf"
    baf6 = next(r for r in pack.risks if r.ref == "BAF0006")
    assert baf6.actions[0].status == "In Progress" and baf6.actions[0].overdue


def test_the_pack_reads_the_same_after_a_control_an_action_and_a_review_today(baf, tmp_path):
    first = _pack(datetime(2026, 12, 6, 9, tzinfo=LONDON))
    before = _text(first, tmp_path)

    # The pack as at a past day has its cover summary and assurance map (issue 18), read
    # from the record as held then.
    assert first.cover is not None and first.assurance_map
    assert "Executive summary" in before and "Assurance map" in before

    risk = db.session.scalar(select(Risk).where(Risk.reference == "BAF0006"))
    services.add_control(risk, {"description": "Weekly cash review by the finance committee"})
    action = db.session.scalar(select(Action).where(Action.risk_id == risk.id))
    action.status, action.completed_on = "Complete", date.today()
    services.rescore_risk(risk, 3, 3, "Recovery plan agreed", by=None, today=date.today())
    # Assurance given today, dated back into the pack's period, covering every control; an
    # existing one (another risk's) judged negative and made to cover a control.
    services.add_assurance(risk, {"line": 3, "source": "Internal audit of cash management",
                                  "assured_on": date(2023, 11, 1), "positive": True,
                                  "control_ids": [c.id for c in risk.controls]})
    first_risk = db.session.scalar(select(Risk).where(Risk.reference == "BAF0001"))
    old = first_risk.assurances[0]
    services.update_assurance(old, {"positive": False,
                                    "control_ids": [first_risk.controls[0].id]},
                              seen_version=old.version)
    db.session.commit()

    second = _pack(datetime(2026, 12, 7, 15, 30, tzinfo=LONDON))
    after = _text(second, tmp_path)
    assert "Weekly cash review" not in after
    assert "Internal audit of cash management" not in after
    assert sum(len(r.actions) for r in second.risks) == 26
    assert second.cover == first.cover and second.assurance_map == first.assurance_map
    assert after == before
    # Only the time it was generated differs, and it is printed.
    assert re.search(r"Generated", subprocess.run(
        ["pdftotext", str(next(tmp_path.glob("*.pdf"))), "-"], capture_output=True,
        text=True).stdout)
    # Today's pack does show today's changes.
    register = db.session.scalar(select(Register).where(Register.prefix == "BAF"))
    today = build_pack(Selection(register=register), organisation="BLMK ICB", author="Risk team")
    assert "Weekly cash review by the finance committee" in [
        c.description for r in today.risks for c in r.controls]


def test_the_exports_take_as_of(baf, client, auth):
    from riskapp.auth.models import Role
    from tests import factories
    auth.login(factories.make_user(Role.BOARD))
    risk = db.session.scalar(select(Risk).where(Risk.reference == "BAF0006"))
    services.rescore_risk(risk, 3, 3, "Recovery plan agreed", by=None, today=date.today())
    db.session.commit()
    r = client.get(f"/reports/export/actions.csv?register={risk.register_id}&as_of=2023-11-29")
    assert "actions-baf-as-at-2023-11-29.csv" in r.headers["Content-Disposition"]
    assert r.get_data(as_text=True).count("\n") == 27  # the header and the source's 26
    risks = client.get(f"/reports/export/risks.csv?register={risk.register_id}&as_of=2023-11-29"
                       ).get_data(as_text=True)
    baf6 = next(line for line in risks.splitlines() if line.startswith("BAF0006"))
    assert ",5,4,20," in baf6
