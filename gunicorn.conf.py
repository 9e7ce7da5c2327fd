"""gunicorn settings read automatically when gunicorn starts in this directory.

    gunicorn --workers 4 --bind 0.0.0.0:8000 wsgi:app
"""
from riskapp.serving import prepare_for_requests


def post_worker_init(worker):
    # worker.wsgi is the Flask app this worker loaded (wsgi:app).
    prepare_for_requests(worker.wsgi)

# gunicorn 25+ opens a control socket at one fixed path per user ($HOME/.gunicorn/gunicorn.ctl):
# a second gunicorn on the host (the demo beside the benchmark, two deployments) would take it
# over. Nothing here uses it.
control_socket_disable = True
