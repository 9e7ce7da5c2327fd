"""What a long-running web server process does once, before it answers its first request.

Called from `gunicorn.conf.py` (`post_worker_init`), in each worker. Two reasons:

* A request's first use of a template or mapper pays for compiling it; doing that up front
  keeps the first user of each page from seeing a slow page.
* After start-up a worker holds ~200,000 long-lived objects (mappers, compiled templates,
  imported modules). Python's cyclic garbage collector walks all of them on every full
  collection, which a large page (the heatmap, the calendar) triggers every few requests:
  measured at 5,000 risks, ~115 ms pauses that set the p95 of the biggest pages.
  `gc.freeze()` moves everything alive at that moment out of the collector's sight, so full
  collections only walk what requests create (~10 ms). Nothing is leaked: frozen objects
  are still freed by reference counting; only cycles among them are left, and start-up
  objects live for the whole process anyway.
"""
from __future__ import annotations

import gc
import importlib

from sqlalchemy.orm import configure_mappers


#: Modules the views import only when they draw a PDF or read or write a spreadsheet, so that
#: CLI commands (the reminders run has a 5 s budget) start without ReportLab and openpyxl. A
#: web worker loads them here, before freezing, so no user pays for the import.
LAZY_MODULES = ("riskapp.reports.baf_pdf", "riskapp.reports.attendance_pdf",
                "riskapp.reports.exports", "riskapp.reports.imports")


def compile_templates(app) -> list[str]:
    """Load (compile) every template the app can find; return their names."""
    names = app.jinja_env.list_templates(extensions=("html", "txt"))
    for name in names:
        app.jinja_env.get_template(name)
    return names


def prepare_for_requests(app) -> None:
    with app.app_context():
        configure_mappers()
        compile_templates(app)
    for name in LAZY_MODULES:
        importlib.import_module(name)
    gc.collect()
    gc.freeze()
