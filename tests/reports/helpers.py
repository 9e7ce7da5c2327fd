"""Helpers for the report tests: count SQL statements, read a PDF's text back."""
from __future__ import annotations

import re
import shutil
import subprocess
from contextlib import contextmanager

import pytest
from flask import current_app
from sqlalchemy import event

from riskapp.extensions import db


@contextmanager
def count_queries():
    """Count the statements sent to the database inside the block: `with count_queries() as n`."""
    counter = {"n": 0}

    def before(conn, cursor, statement, parameters, context, executemany):
        counter["n"] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)


def pdf_text(data: bytes, tmp_path) -> str:
    """The PDF's text in content-stream order (pdftotext -raw), whitespace collapsed."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "read.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                         check=True).stdout.decode("utf-8")
    return out


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def make_pack(client, data=None):
    """Ask for the BAF pack as the form does and download it once made (jobs run at once in
    tests): the download's response, or the refusal."""
    asked = client.post("/reports/baf.pdf", data=data or {})
    if asked.status_code != 302:
        return asked
    job_page = asked.headers["Location"]
    return client.get(job_page.rstrip("/") + "/download")
