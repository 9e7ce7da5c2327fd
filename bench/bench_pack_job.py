"""Time from asking for the BAF pack to downloading it, on a live gunicorn and `flask worker`.

    python bench/bench_pack_job.py --risks 500 --port 5302

Builds a fresh SQLite database with `flask demo scale --risks N` in a temporary folder, starts
gunicorn (2 workers) and `flask worker`, signs in as the demo board member, asks for the pack
of the generated register, polls its page until it is ready and downloads it. Prints the time
from the request to the finished download and the slowest `/health` answer meanwhile.
"""
from __future__ import annotations

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import requests

ROOT = Path(__file__).parents[1]


class Fields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == "csrf_token":
            self.fields["csrf_token"] = attrs.get("value", "")


def csrf(html: str) -> str:
    parser = Fields()
    parser.feed(html)
    return parser.fields["csrf_token"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--risks", type=int, default=500)
    parser.add_argument("--port", type=int, default=5302)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-pack-"))
    env = dict(os.environ, FLASK_APP="riskapp", PYTHONPATH=str(ROOT),
               DATABASE_URL=f"sqlite:///{folder}/riskapp.sqlite",
               SECRET_KEY="bench-pack-job-key-0123456789abcdef",
               RISKAPP_TASK_QUEUE_URL=f"sqlite:///{folder}/tasks.sqlite")
    flask = [sys.executable, "-m", "flask"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(flask + ["demo", "scale", "--risks", str(args.risks)], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    with sqlite3.connect(folder / "riskapp.sqlite") as connection:
        (register_id,) = connection.execute(
            "SELECT id FROM registers WHERE prefix = 'CRR'").fetchone()
    base = f"http://127.0.0.1:{args.port}"
    processes = [subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
                                   f"127.0.0.1:{args.port}", "wsgi:app"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                 subprocess.Popen(flask + ["worker"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(600):
            try:
                if requests.get(f"{base}/health", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        http = requests.Session()
        token = csrf(http.get(f"{base}/auth/login").text)
        http.post(f"{base}/auth/login", data={"csrf_token": token, "password": "demo-riskapp-2023",
                                               "email": "board.member@example.org"})
        token = csrf(http.get(f"{base}/reports/pack").text)
        started = time.monotonic()
        asked = http.post(f"{base}/reports/baf.pdf", data={"csrf_token": token,
                                                           "register": register_id},
                          allow_redirects=False)
        page = base + asked.headers["Location"]
        slowest = 0.0
        while "is ready" not in http.get(page).text:
            t = time.monotonic()
            requests.get(f"{base}/health", timeout=10)
            slowest = max(slowest, time.monotonic() - t)
            time.sleep(0.25)
        pdf = http.get(page + "/download")
        took = time.monotonic() - started
        assert pdf.content.startswith(b"%PDF")
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.content))
        print(f"{args.risks} risks: request to download {took:.1f} s, {len(pdf.content):,} bytes, "
              f"{pages} pages; slowest /health meanwhile {slowest * 1000:.0f} ms")
    finally:
        for process in processes:
            process.terminate()
            process.wait(20)


if __name__ == "__main__":
    main()
