"""The risk page's trend chart: placed in Python, drawn by its template, described in words."""
from datetime import date

from riskapp.risks.charts import trend
from riskapp.rules import scoring

BANDS = [scoring.Band("Low", 1, 6, "#007f3b"), scoring.Band("High", 7, 25, "#d5281b")]


def _cells():
    points = [scoring.ScorePoint(date(2023, 4, 20), 4, 4), scoring.ScorePoint(date(2023, 6, 3), 2, 3)]
    return scoring.movement(points, 2023, date(2023, 8, 15))


def test_points_go_where_the_scores_are_and_months_without_a_score_have_none():
    cells = _cells()
    chart = trend(cells, BANDS, "BAF0001 score")
    scored = [c for c in cells if c.score is not None]
    assert [p.cell for p in chart.points] == scored
    # 0 at the bottom of the plot, 25 at its top: 16 sits higher (smaller y) than 6.
    sixteen = next(p for p in chart.points if p.cell.score == 16)
    six = next(p for p in chart.points if p.cell.score == 6)
    assert sixteen.y < six.y and sixteen.band.name == "High" and six.band.name == "Low"
    assert [label for _, label in chart.months][:3] == ["Apr", "May", "Jun"]
    assert chart.description.startswith("Apr-23: 16; May-23: 16 (not reviewed); Jun-23: 6;")


def test_template_draws_a_circle_a_score_and_says_which_were_not_reviewed(app):
    cells = _cells()
    chart = trend(cells, BANDS, "BAF0001 <score>")
    macro = app.jinja_env.get_template("risks/_trend.html").module.trend_chart
    svg = str(macro(chart))
    assert svg.count("<circle") == len(chart.points)
    assert "<title id=\"trend-title\">BAF0001 &lt;score&gt;</title>" in svg
    assert "(not reviewed)" in svg  # May repeats April's score without a review
    assert svg.count("<rect") == len(BANDS)
