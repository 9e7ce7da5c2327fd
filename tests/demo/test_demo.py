"""The demo BAF is the BLMK ICB's of November 2023, and its movement table is the source's."""
from datetime import date

from sqlalchemy import func, select

from riskapp.demo.loader import load_demo
from riskapp.risks.models import Action, Risk
from riskapp.rules.scoring import movement

#: "Risk Movement Over Time (23/24)" as printed in the source report (board papers, p. 1096),
#: generated 29 Nov 2023. Columns Apr-23 .. Apr-24; the Apr-24 column is empty for every risk.
SOURCE_TABLE = """\
BAF0001	16	16	20	20	20	20	20	20
BAF0002	20	20	20	20	20	20	20	20
BAF0003	20	20	20	20	20	20	20	20
BAF0004	16	16	16	16	16	16	16	16
BAF0005	16	16	20	20	20	20	20	20
BAF0006	15	15	20	20	20	20	20	20
BAF0007	16	16	16	16	16	16	16	16
BAF0008	20	20	20	20	20	20	20	20
BAF0009	16	16	16	16	16	16	16	16
BAF0010			9	9	9	9	9	9
BAF0011							16	16
"""
GENERATED = date(2023, 11, 29)


def source_rows() -> dict[str, list[int | None]]:
    rows = {}
    for line in SOURCE_TABLE.splitlines():
        ref, *cells = line.split("\t")
        scores = [int(c) if c else None for c in cells]
        rows[ref] = scores + [None] * (12 - len(scores))  # Dec-23 .. Mar-24 blank
    return rows


def test_movement_of_every_demo_risk_equals_the_source_report(baf, db):
    expected = source_rows()
    risks = db.session.scalars(select(Risk).order_by(Risk.reference)).all()
    assert [r.reference for r in risks] == list(expected)
    for risk in risks:
        cells = movement([r.as_point() for r in risk.score_records], 2023, as_of=GENERATED)
        assert [c.score for c in cells] == expected[risk.reference], risk.reference
        # Every month with a score in the source was a monthly review.
        assert all(c.reviewed for c in cells if c.score is not None), risk.reference


def test_movement_api_matches_the_source_row_for_row(baf, client, auth, db):
    from tests.factories import make_user
    auth.login(make_user("board"))
    for ref, scores in source_rows().items():
        body = client.get(f"/api/v1/risks/{ref}/movement?fy=2023&as_of=2023-11-29").get_json()
        assert [m["score"] for m in body["months"]] == scores
        assert body["months"][0]["month"] == "2023-04" and body["months"][-1]["month"] == "2024-03"


def test_loading_twice_leaves_eleven_risks_and_26_actions(app, db):
    load_demo()
    db.session.commit()
    second = load_demo()
    db.session.commit()
    assert second["risks_created"] == 0 and second["risks_existing"] == 11
    assert db.session.scalar(select(func.count()).select_from(Risk)) == 11
    assert db.session.scalar(select(func.count()).select_from(Action)) == 26


def test_demo_scores_are_the_source_scores(baf, db):
    risk = db.session.scalar(select(Risk).where(Risk.reference == "BAF0006"))
    # Source: initial High (5:4=20), current High (5:4=20), target High (4:3=12).
    assert (risk.initial_consequence, risk.initial_likelihood) == (5, 4)
    assert (risk.current_consequence, risk.current_likelihood, risk.current_score) == (5, 4, 20)
    assert (risk.target_consequence, risk.target_likelihood) == (4, 3)
    assert risk.owner.email == "dean.westcott@example.org"
    assert risk.lead.name == "Stephen Makin"


def test_demo_load_command_prints_the_logins(runner, db):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "anne.brierley@example.org" in result.output
    for email in ("admin@example.org", "risk.manager@example.org", "secretariat@example.org",
                  "board.member@example.org"):
        assert email in result.output
    again = runner.invoke(args=["demo", "load"])
    assert "0 risks created, 11 already there" in again.output
