"""gunicorn settings read automatically when gunicorn starts in this directory.

    gunicorn --workers 4 --bind 0.0.0.0:8000 wsgi:app
"""
from riskapp.serving import prepare_for_requests


def post_worker_init(worker):
    # worker.wsgi is the Flask app this worker loaded (wsgi:app).
    prepare_for_requests(worker.wsgi)
