"""gunicorn settings read automatically when gunicorn starts in this directory.

    gunicorn --workers 4 --bind 0.0.0.0:8000 wsgi:app
"""
from riskapp.serving import prepare_for_requests

# Set on purpose (issue 15). No request should run long: the BAF pack and the register
# workbook are made by `flask worker`, and every page answers in well under a second at
# 5,000 risks. A worker stuck for 30 s is killed and replaced, so one bad request cannot hold
# a worker for good; graceful_timeout lets a request under way finish on a restart.
timeout = 30
graceful_timeout = 30
# Requests queue at the socket, not in a worker, so /health answers while others wait.
keepalive = 5


def post_worker_init(worker):
    # worker.wsgi is the Flask app this worker loaded (wsgi:app).
    prepare_for_requests(worker.wsgi)

# gunicorn 25+ opens a control socket at one fixed path per user ($HOME/.gunicorn/gunicorn.ctl):
# a second gunicorn on the host (the demo beside the benchmark, two deployments) would take it
# over. Nothing here uses it.
control_socket_disable = True
