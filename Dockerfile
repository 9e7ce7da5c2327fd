# riskapp: one image for the web processes and the reminders scheduler (see compose.yaml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 FLASK_APP=riskapp
RUN useradd --create-home --uid 10001 riskapp
WORKDIR /app
COPY setup.cfg pyproject.toml requirements.lock ./
COPY riskapp ./riskapp
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
COPY wsgi.py gunicorn.conf.py ./
# Every dependency at the version and hash in requirements.lock; then riskapp itself.
RUN pip install --require-hashes -r requirements.lock && pip install --no-deps . \
    && mkdir -p /app/instance && chown riskapp /app/instance
USER riskapp
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
# The same image runs `flask worker` (long work) and `flask reminders scheduler` (compose.yaml).
# Several workers: nothing is kept in a worker's memory that another needs (sessions are signed
# cookies, sign-in throttles are in the database, the limiter uses RATELIMIT_STORAGE_URI).
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-", "wsgi:app"]
