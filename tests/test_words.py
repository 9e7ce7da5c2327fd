"""Counts read as English: "1 risk", "2 risks", never "1 risks" or "1 item need"."""
import pytest

from riskapp.words import plural


@pytest.mark.parametrize("count, forms, number, expected", [
    (0, ("risk",), True, "0 risks"),
    (1, ("risk",), True, "1 risk"),
    (2, ("risk",), True, "2 risks"),
    (1087, ("day",), True, "1,087 days"),
    (1, ("person", "people"), True, "1 person"),
    (3, ("person", "people"), True, "3 people"),
    (1, ("matches", "match"), False, "matches"),
    (5, ("matches", "match"), False, "match"),
    (1, ("has", "have"), False, "has"),
    (0, ("has", "have"), False, "have"),
])
def test_plural(count, forms, number, expected):
    assert plural(count, *forms, number=number) == expected


def test_templates_use_it(app):
    render = app.jinja_env.from_string(
        '{{ plural(n, "item") }} {{ plural(n, "needs", "need", number=False) }} your attention')
    assert render.render(n=1) == "1 item needs your attention"
    assert render.render(n=4) == "4 items need your attention"
