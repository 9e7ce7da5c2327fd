"""A correction of the record is printed by the next pack as a correction (issue 14)."""
from __future__ import annotations

import io
import subprocess
from datetime import date, datetime, timezone

from sqlalchemy import select

from riskapp.extensions import db
from riskapp.record import date_learnt
from riskapp.reports.baf_pdf import render_baf_pack
from riskapp.reports.pack import Selection, build_pack
from riskapp.risks import services
from riskapp.risks.models import Register, Risk


def test_a_review_that_corrects_the_history_is_printed_as_a_correction(baf, tmp_path):
    register = db.session.scalar(select(Register).where(Register.prefix == "BAF"))
    risk = db.session.scalar(select(Risk).where(Risk.reference == "BAF0006"))
    services.rescore_risk(risk, 5, 4, "December review", by=None, today=date(2024, 1, 5),
                          held_on=date(2023, 12, 15))
    date_learnt(db.session, datetime(2023, 12, 15, 16, 0))
    db.session.commit()
    # Recorded later, held before the review already recorded: a correction of the history.
    services.rescore_risk(risk, 4, 4, "Earlier review missed", by=None, today=date(2024, 1, 5),
                          held_on=date(2023, 12, 10), correcting=True)
    date_learnt(db.session, datetime(2024, 1, 5, 10, 0))
    db.session.commit()

    before = build_pack(Selection(register=register, as_of=date(2023, 12, 31)),
                        organisation="O", author="A")
    assert before.corrections == ()
    after = build_pack(Selection(register=register, as_of=date(2024, 1, 31)),
                       organisation="O", author="A")
    assert after.corrections == (
        "BAF0006: the review held on 10 Dec 2023 was recorded on 5 Jan 2024, after a later "
        "review, so it corrects the history printed before then: 4 \u00d7 4 = 16.",)
    today = build_pack(Selection(register=register), organisation="O", author="A",
                       now=datetime.now(timezone.utc))
    assert len(today.corrections) == 1 and "held on 10 Dec 2023" in today.corrections[0]

    out = io.BytesIO()
    render_baf_pack(after, out)
    path = tmp_path / "pack.pdf"
    path.write_bytes(out.getvalue())
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Corrections to the record" in text
    assert "review held on 10 Dec 2023 was recorded on 5 Jan 2024" in " ".join(text.split())
