"""The audit trail page of a record (a risk, a committee, a meeting): one page, one filter form."""
from __future__ import annotations

from flask import render_template, request

from ..web_args import trail_filters


def trail_page(read, kinds: dict, changes, *, caption: str, back_url: str, intro: str):
    """The trail page's response: `read(**filters)` gives the record's trail entries, newest
    first (no filters: all of them); bad dates are said beside their fields (422)."""
    everything = read()
    filters, errors = trail_filters(kinds, changes)
    shown = everything if errors else read(**filters)
    people = sorted({(e.user_id, e.who) for e in everything if e.user_id}, key=lambda p: p[1])
    return render_template(
        "record/trail.html", caption=caption, back_url=back_url, intro=intro,
        trail=shown, total=len(everything), people=people, kinds=kinds, changes=changes,
        errors=errors, args=request.args), 422 if errors else 200
