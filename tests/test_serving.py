"""What a gunicorn worker does before its first request (riskapp/serving.py)."""
import gc
import os
import subprocess
import sys

from riskapp.serving import LAZY_MODULES, compile_templates, prepare_for_requests


def test_every_template_compiles(app):
    names = compile_templates(app)
    # The layout, a page of each kind and the e-mail bodies are all among them.
    assert "base.html" in names
    assert "risks/list.html" in names
    assert any(name.endswith(".txt") for name in names)


def test_prepare_freezes_what_start_up_made(app):
    try:
        prepare_for_requests(app)
        assert gc.get_freeze_count() > 10_000
        assert all(name in sys.modules for name in LAZY_MODULES)
    finally:
        gc.unfreeze()


def test_commands_start_without_the_pdf_and_spreadsheet_libraries():
    """`flask reminders run` has a 5 s budget at a large trust's size: no ReportLab, openpyxl
    or APScheduler in a process that only creates the app (issue 9)."""
    code = ("import sys; from riskapp import create_app; create_app(); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'reportlab', 'openpyxl', 'apscheduler'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True,
                         env={**os.environ, "DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 32})
    assert out.stdout.strip() == "[]"
