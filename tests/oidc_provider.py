"""A real OpenID Connect provider on 127.0.0.1 for the single sign-on tests.

`oidc-provider-mock` (PyPI) is an Authlib-based provider: discovery, JWKS, authorization code
with PKCE, nonce, signed ID tokens. Its sign-in page lets the test choose who signs in. It
runs in a process of its own (as a real provider would), so its warnings are its own.

    with provider([person(email, name), ...]) as issuer: ...   # "http://127.0.0.1:<port>"

The port is a free one from RISKAPP_TEST_PORTS ("5400-5499") when that is set, else any.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    ports = os.environ.get("RISKAPP_TEST_PORTS")
    candidates = [0]
    if ports:
        low, _, high = ports.partition("-")
        candidates = list(range(int(low), int(high or low) + 1))
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError(f"no free port in {ports}")


def person(email: str, name: str, verified: bool = True) -> dict:
    """A user the provider knows: subject, verified email and name."""
    return {"sub": f"sub-{email}", "claims": {"email": email, "email_verified": verified,
                                              "name": name}}


@contextmanager
def provider(users=()):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider", str(port), json.dumps(list(users))],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()  # once the port is bound
        assert line.strip() == "READY", f"the OpenID provider did not start: {line!r}"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def _serve(port: int, users_json: str) -> None:
    import logging

    from oidc_provider_mock import User, app
    from werkzeug.serving import make_server
    logging.basicConfig(level=logging.WARNING)
    users = [User(sub=u["sub"], claims=u["claims"]) for u in json.loads(users_json)]
    server = make_server("127.0.0.1", port, app(require_nonce=True, user_claims=users),
                         threaded=True)
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    _serve(int(sys.argv[1]), sys.argv[2])
