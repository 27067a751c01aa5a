"""A real `vmib serve` over HTTPS for the SDK and schemathesis tests.

The server runs from the build folder on a free loopback port with a throwaway state
directory, a self-signed certificate and a token file holding only SHA-256 hashes.
"""
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import ssl

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
# A second subscription, which the server serves because a token's scope names it.
OTHER_SUBSCRIPTION = "11111111-2222-3333-4444-555555555555"
TOKENS = {"admin-token": ("admin", "Contributor", f"/subscriptions/{SUBSCRIPTION}"),
          "reader-token": ("reader", "Reader", f"/subscriptions/{SUBSCRIPTION}"),
          "other-token": ("other", "Contributor", f"/subscriptions/{OTHER_SUBSCRIPTION}")}


def _vmib():
    for config in ("debug", "release"):
        path = os.path.join(ROOT, ".build", config, "vmib")
        if os.path.exists(path):
            return path
    pytest.fail("vmib is not built (swift build)")


def _reported_port(log_path, process, timeout=60):
    """The port `vmib serve --port 0` bound, from its "vmib: listening on URL" line (picking a
    free port first and passing it races with other test runs binding the same port)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(log_path) as f:
            m = re.search(r"vmib: listening on \S+://[^\s:/]+:(\d+)", f.read())
        if m:
            return int(m.group(1))
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    pytest.fail("vmib serve did not report its port:\n" + open(log_path).read())


class Server:
    def __init__(self, base_url, workdir, process):
        self.base_url, self.workdir, self.process = base_url, workdir, process
        self.token = "admin-token"

    def disk(self, name, size):
        path = os.path.join(self.workdir, name)
        with open(path, "wb") as f:
            f.write(os.urandom(size))
        return path


def prepare(work):
    """The token file and the self-signed certificate a server in `work` uses."""
    tokens = {"tokens": [{"sha256": hashlib.sha256(t.encode()).hexdigest(), "principal": p, "role": r, "scope": s}
                         for t, (p, r, s) in TOKENS.items()]}
    with open(os.path.join(work, "tokens.json"), "w") as f:
        json.dump(tokens, f)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", os.path.join(work, "key.pem"), "-out", os.path.join(work, "cert.pem")],
                   check=True, capture_output=True)


def start_server(work, extra=(), log_name="serve.log"):
    """`vmib serve` over `work/state` (prepared by `prepare`), ready; `extra` arguments added."""
    env = dict(os.environ, VMIB_TOPOLOGY_DIR=os.path.join(ROOT, "topology"))
    env.pop("VMIB_TOPOLOGY", None)
    log_path = os.path.join(work, log_name)
    log = open(log_path, "w")
    process = subprocess.Popen(
        [_vmib(), "serve", "--state-dir", os.path.join(work, "state"), "--port", "0",
         "--token-file", os.path.join(work, "tokens.json"), "--source-root", work,
         "--tls-cert", os.path.join(work, "cert.pem"), "--tls-key", os.path.join(work, "key.pem"), *extra],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    base = f"https://127.0.0.1:{_reported_port(log_path, process)}"
    context = ssl._create_unverified_context()
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(base + "/readyz", context=context, timeout=1).status == 200:
                break
        except Exception:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("vmib serve did not become ready:\n" + open(log_path).read())
    server = Server(base, work, process)
    server.log_path = log_path
    return server


def stop_server(server):
    """SIGTERM, as an operator stops it: it must exit 0 within 60 s, and no token in its log."""
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.process.kill()
        pytest.fail("vmib serve did not exit within 60 s of SIGTERM")
    text = open(server.log_path).read()
    assert server.process.returncode == 0, text
    # Tokens never reach the log.
    assert "admin-token" not in text


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("vmib-sdk"))
    prepare(work)
    server = start_server(work)
    yield server
    stop_server(server)


CHECKS = ("not_a_server_error,azure_error_shape,reader_cannot_write,"
          "response_schema_conformance,status_code_conformance")


def run_schemathesis(spec, server, operations, token=None):
    """Runs schemathesis on `spec` against `server` with `token` (default: the Contributor's):
    no 5xx, every error in Azure's shape, every response and status code as the spec documents
    it, a Reader's writes all refused; the examples, coverage, fuzzing and stateful phases.
    Asserts it selected and tested exactly `operations` operations."""
    env = dict(os.environ, SCHEMATHESIS_HOOKS="schemathesis_hooks", PYTHONPATH=os.path.dirname(__file__))
    result = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", spec, "--url", server.base_url, "--tls-verify", "false",
         "-H", f"Authorization: Bearer {token or server.token}", "--checks", CHECKS,
         "--max-examples", os.environ.get("VMIB_SCHEMATHESIS_EXAMPLES", "25"), "--phases", "examples,coverage,fuzzing,stateful",
         "--no-color", "--seed", "1"],
        env=env, capture_output=True, text=True, timeout=600)
    print(result.stdout[-4000:])
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert f"Selected: {operations}/{operations}" in result.stdout and f"Tested: {operations}" in result.stdout
