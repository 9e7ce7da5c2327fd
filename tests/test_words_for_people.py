"""Words are for NHS staff (issue 19): no page, email or PDF names a command, a Python name or
"the source" report. Three nets, so a new sentence cannot slip through:

1. every template's text and string literals, read with Jinja's own lexer (comments skipped);
2. the visible text of every page reachable from the home page, signed in as each role;
3. the BAF pack and attendance report PDFs, read back with pdftotext.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

from riskapp.auth.models import User
from tests.reports.helpers import pdf_text

TEMPLATES = Path(__file__).parents[1] / "templates"

#: What developers say and board members should never read.
DEVELOPER_WORDS = [
    (re.compile(r"\bflask\s+[a-z]+", re.I), "a command (flask ...)"),
    (re.compile(r"\b(?:pip|python3?|pytest|alembic|gunicorn)\s+[a-z-]+", re.I), "a command"),
    (re.compile(r"\bscripts/\w+\.sh\b"), "a script"),
    (re.compile(r"\briskapp\.[a-z_]+"), "a Python module"),
    (re.compile(r"\b[a-z]+\.py\b"), "a Python file"),
    (re.compile(r"\bsource report\b|\bas the source\b|\bthe source does\b", re.I),
     'the source report'),
    (re.compile(r"\bHold Ctrl\b", re.I), "a mouse-and-keyboard trick"),
]
#: In visible text and PDFs: a Python name (snake_case or a call).
PYTHON_NAME = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z_]+\(\)")


def problems_in(text: str, *, python_names: bool) -> list[str]:
    found = [f"{why}: {m.group(0)!r}" for pattern, why in DEVELOPER_WORDS
             for m in pattern.finditer(text)]
    if python_names:
        found += [f"a Python name: {m.group(0)!r}" for m in PYTHON_NAME.finditer(text)]
    return found


@pytest.mark.parametrize("text, bad", [
    ("The same PDF as flask report baf.", True),
    ("Priorities are written as the source report does.", True),
    ("Hold Ctrl (Cmd on a Mac) to choose more than one.", True),
    ("Worked out by riskapp.derived.", True),
    ("Run scripts/demo.sh first.", True),
    ("Choose the consequence: 1 Negligible to 5 Catastrophic.", False),
    ("Download the BAF pack (PDF)", False),
])
def test_the_net_catches_developer_wording(text, bad):
    assert bool(problems_in(text, python_names=False)) is bad


def _template_words(path: Path) -> str:
    """The text and string literals of a template, as Jinja reads them (comments left out)."""
    from jinja2 import Environment
    env = Environment()
    parts = []
    for _, kind, value in env.lex(path.read_text()):
        if kind == "data":
            parts.append(value)
        elif kind == "string":
            parts.append(value.strip("\"'"))
    return "\n".join(parts)


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")) + sorted(
    TEMPLATES.rglob("*.txt")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_speaks_developer(path):
    problems = problems_in(_template_words(path), python_names=False)
    assert not problems, f"{path.relative_to(TEMPLATES)}: " + "; ".join(problems)


class _VisibleText(HTMLParser):
    """The text a reader sees (and a screen reader hears): no script, style or attributes."""

    def __init__(self):
        super().__init__()
        self.parts, self.links, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


SKIP = re.compile(r"\.(pdf|csv|xlsx|ics|docx|json)$|^/api/|/logout|/static/|/feed")


def _crawl(client, limit: int = 120) -> tuple[dict[str, list[str]], set[str]]:
    """Visit pages reachable from "/" (GET links only); return the problems found per page
    and the pages read."""
    seen, queue, problems = set(), ["/"], {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow_redirects=True)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        parser = _VisibleText()
        parser.feed(response.get_data(as_text=True))
        found = problems_in(" ".join(parser.parts), python_names=True)
        if found:
            problems[url] = found
        for href in parser.links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/") or SKIP.search(parts.path):
                continue
            # One page of each list is enough: the words repeat.
            if re.search(r"[?&](page|\w+_page)=\d", href) and not href.endswith("page=1"):
                continue
            queue.append(href)
    return problems, seen


@pytest.mark.parametrize("email", ["risk.manager@example.org", "secretariat@example.org",
                                   "admin@example.org", "anne.brierley@example.org",
                                   "board.member@example.org"])
def test_no_page_speaks_developer(baf, client, auth, email):
    from sqlalchemy import select
    from tests.factories import PASSWORD
    user = baf.session.scalar(select(User).where(User.email == email))
    user.set_password(PASSWORD)
    auth.login(user)
    problems, seen = _crawl(client)
    assert len(seen) > 15, seen  # the crawl really went round the app
    assert not problems, "\n".join(f"{url}: {'; '.join(p)}" for url, p in problems.items())


def test_no_pdf_speaks_developer(baf, tmp_path):
    """The pack as the worker draws it (the pages queue it as a job: riskapp.jobs)."""
    import io
    from datetime import date

    from sqlalchemy import select

    from riskapp.reports.baf_pdf import render_baf_pack
    from riskapp.reports.pack import Selection, build_pack
    from riskapp.risks.models import Register
    register = baf.session.scalar(select(Register).order_by(Register.id))
    pack = build_pack(Selection(register=register, as_of=date(2023, 11, 29)),
                      organisation="NHS Bedfordshire, Luton and Milton Keynes ICB",
                      author="Risk Manager", fy=2023)
    buffer = io.BytesIO()
    render_baf_pack(pack, buffer)
    text = pdf_text(buffer.getvalue(), tmp_path)
    assert "Heatmaps" in text and "BAF0001" in text  # the PDF was read back
    # The heatmap's axes name each rating as the heatmap page and the forms do.
    for words in ("1 Rare", "5 Almost certain", "Negligible", "Catastrophic"):
        assert words in text, words  # (pdftotext reads the rotated row labels in two lines)
    # A completed action says when it was completed (BAF0002's workforce planning, in the demo).
    assert re.search(r"Status: Complete \u00b7 Completed: \d\d \w{3} \d{4}", " ".join(text.split()))
    # "Not yet assessed" is said once, in the key, not after every control.
    assert "Effectiveness: Not yet assessed" not in text
    problems = problems_in(text, python_names=True)
    assert not problems, "BAF pack: " + "; ".join(problems)
