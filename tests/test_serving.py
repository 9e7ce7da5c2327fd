"""What a gunicorn worker does before its first request (riskapp/serving.py)."""
import gc

from riskapp.serving import compile_templates, prepare_for_requests


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
    finally:
        gc.unfreeze()
