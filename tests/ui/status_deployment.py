"""A real `vmib serve` over real S3 regions (rclone) for the status page's tests.

Regions: eastus on one rclone server, capped by vmib's limiter at 1.5 MB/s so that a
replication there takes a few seconds; westus on a second rclone server, uncapped; westeurope
on the second server too, with an access key the server does not know, so that it fails and
says why. Tokens: a Contributor (the test's own writes), a Reader of the subscription and a
Reader of resource group `fleet-rg` only. Only SHA-256 hashes are in the token file.
"""
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
ACCESS_KEY, SECRET_KEY = "AKIAVMIBUITEST", "vmibuisecret"
TOKENS = {"writer-token": ("writer", "Contributor", f"/subscriptions/{SUBSCRIPTION}"),
          "reader-token": ("reader", "Reader", f"/subscriptions/{SUBSCRIPTION}"),
          "fleet-reader-token": ("fleet-reader", "Reader", f"/subscriptions/{SUBSCRIPTION}/resourceGroups/fleet-rg")}
CAP_BYTES_PER_SECOND = 1_500_000
SCREENSHOTS = os.environ.get("VMIB_UI_SCREENSHOTS", os.path.join(ROOT, ".build", "ui-screenshots"))


def _vmib():
    for config in ("debug", "release"):
        path = os.path.join(ROOT, ".build", config, "vmib")
        if os.path.exists(path):
            return path
    pytest.fail("vmib is not built (swift build)")


def _reported_port(log_path, process, marker, timeout=60):
    """The port a server started on port 0 reports in its log (no race for a free port)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(log_path, errors="replace") as f:
            for line in f:
                if marker in line:
                    m = re.search(r"://[^\s:/\]]+:(\d+)", line)
                    if m:
                        return int(m.group(1))
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"no '{marker}' line with a port:\n" + open(log_path, errors="replace").read())


class Rclone:
    """`rclone serve s3` on a loopback port of its choosing, over a directory of buckets."""

    def __init__(self, work, name, buckets):
        self.data = os.path.join(work, name)
        for b in buckets:
            os.makedirs(os.path.join(self.data, b), exist_ok=True)
        self.log = os.path.join(work, f"{name}.log")
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(
                ["rclone", "serve", "s3", "--addr", "127.0.0.1:0", "--auth-key", f"{ACCESS_KEY},{SECRET_KEY}",
                 "--config", "", self.data], stdout=out, stderr=subprocess.STDOUT)
        self.endpoint = f"http://127.0.0.1:{_reported_port(self.log, self.process, 'Starting s3 server on')}"

    def stop(self):
        self.process.kill()
        self.process.wait()


class Deployment:
    def __init__(self, work, base_url, process, log, log_path, regions):
        self.work, self.base_url, self.process = work, base_url, process
        self.log, self.log_path, self.regions = log, log_path, regions

    def call(self, method, path, body=None, api_version="2025-03-03", token="writer-token"):
        """The API with a token; returns (status, JSON body or None)."""
        url = f"{self.base_url}{path}{'&' if '?' in path else '?'}api-version={api_version}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method,
                                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                text = r.read()
                return r.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read()
            return e.code, json.loads(text) if text else None

    def gallery_path(self, rg, gallery):
        return f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.Compute/galleries/{gallery}"

    def disk(self, name, size):
        path = os.path.join(self.work, name)
        with open(path, "wb") as f:
            f.write(os.urandom(size))
        return path


def start(work):
    """Starts the regions and the server in `work`; `stop` ends them. A start that fails
    stops what it had started."""
    if not shutil.which("rclone"):
        pytest.fail("rclone is not on PATH (scripts/setup --test installs it)")
    regions = []
    try:
        capped = Rclone(work, "s3-east", ["eastus"])
        regions.append(capped)
        other = Rclone(work, "s3-west", ["westus", "westeurope"])
        regions.append(other)
        write_topology(work, capped.endpoint, other.endpoint)
        tokens = {"tokens": [{"sha256": hashlib.sha256(t.encode()).hexdigest(), "principal": p, "role": r, "scope": s}
                             for t, (p, r, s) in TOKENS.items()]}
        with open(os.path.join(work, "tokens.json"), "w") as f:
            json.dump(tokens, f)
        return serve(work, regions)
    except BaseException:
        for r in regions:
            r.stop()
        raise


def write_topology(work, capped_endpoint, other_endpoint):
    def region(name, endpoint, key_env, limits):
        return {"name": name, "storage": {"Standard_LRS": {"kind": "s3", "endpoint": endpoint, "bucket": name,
                                                           "accessKeyEnv": key_env, "secretKeyEnv": "VMIB_UI_SECRET"}},
                "limits": limits}
    topology = {"name": "ui-test",
                "defaults": {"limits": {"concurrentTransfers": 4, "bytesPerSecond": 0, "requestsPerSecond": 0},
                             "retry": {"maxAttempts": 2, "baseDelayMs": 100, "maxDelayMs": 200}},
                "regions": [region("eastus", capped_endpoint, "VMIB_UI_KEY",
                                   {"concurrentTransfers": 4, "bytesPerSecond": CAP_BYTES_PER_SECOND, "requestsPerSecond": 0}),
                            region("westus", other_endpoint, "VMIB_UI_KEY", {"concurrentTransfers": 4}),
                            region("westeurope", other_endpoint, "VMIB_UI_WRONG_KEY", {"concurrentTransfers": 4})]}
    with open(os.path.join(work, "topology.json"), "w") as f:
        json.dump(topology, f)


def serve(work, regions):
    env = dict(os.environ, VMIB_TOPOLOGY_DIR=os.path.join(ROOT, "topology"), VMIB_TOPOLOGY=os.path.join(work, "topology.json"),
               VMIB_UI_KEY=ACCESS_KEY, VMIB_UI_SECRET=SECRET_KEY, VMIB_UI_WRONG_KEY="AKIANOTKNOWNHERE")
    log_path = os.path.join(work, "serve.log")
    log = open(log_path, "w")
    process = subprocess.Popen(
        [_vmib(), "serve", "--state-dir", os.path.join(work, "state"), "--port", "0", "--location", "eastus",
         "--token-file", os.path.join(work, "tokens.json"), "--source-root", work],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    d = Deployment(work, None, process, log, log_path, regions)
    try:
        d.base_url = f"http://127.0.0.1:{_reported_port(log_path, process, 'vmib: listening on')}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(d.base_url + "/readyz", timeout=1).status == 200:
                    return d
            except Exception:
                time.sleep(0.05)
        pytest.fail("vmib serve did not become ready:\n" + open(log_path).read())
    except BaseException:
        process.kill()
        process.wait()
        log.close()
        raise


def stop(d):
    """Stops the server (SIGTERM: it must exit 0) and the regions; the server's log must hold no token."""
    d.process.send_signal(signal.SIGTERM)
    try:
        code = d.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        d.process.kill()
        code = "killed after 60 s"
    d.log.close()
    for r in d.regions:
        r.stop()
    served = open(d.log_path).read()
    assert code == 0, f"vmib serve exited {code} on SIGTERM:\n{served[-3000:]}"
    for token in TOKENS:
        assert token not in served, "a token reached the server's log"
