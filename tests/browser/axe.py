"""Run axe-core (vendored, tests/browser/vendor/axe.min.js) on the page a Playwright page shows."""
from __future__ import annotations

from pathlib import Path

AXE_VERSION = "4.14.1"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
#: WCAG 2.0/2.1 A and AA, as the public sector accessibility regulations require, and axe's
#: best practices (landmarks, one h1, skip links) reported beside them.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("serious", "critical")


def run_axe(page) -> list[dict]:
    """Violations on the current page, each {id, impact, help, nodes: [target, ...]}."""
    from .conftest import settle
    settle(page)  # e.g. a wide table is made a focusable region once it is laid out
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluate() runs outside the page's Content Security Policy (no inline <script>).
        page.evaluate(AXE_SOURCE)
    assert page.evaluate("axe.version") == AXE_VERSION
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                       resultTypes: ['violations']})
                 .then(r => r.violations.map(v => ({
                     id: v.id, impact: v.impact, help: v.help,
                     nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.html.slice(0, 160))})))""",
        TAGS)
    return result


def describe(url: str, violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{url}: [{v['impact']}] {v['id']}: {v['help']}")
        lines.extend(f"    {node}" for node in v["nodes"][:5])
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)
