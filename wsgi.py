"""The WSGI entry point for production servers: `gunicorn wsgi:app` (see gunicorn.conf.py)."""
from riskapp import create_app

app = create_app()
