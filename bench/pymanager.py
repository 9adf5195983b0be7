"""The Python benchmarks' own manager: `swarmlab up` from dist/ on a temp data dir and a free port."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))

import swarmlab  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BenchManager:
    """A started manager: `url`, `token`, `data_dir`, `client`; `stop()` ends it and removes its data."""

    def __init__(self, store: str = "lmdb", prefix: str = "swarmlab-bench-py-"):
        if not os.path.exists(os.path.join(ROOT, "dist", "cli", "main.js")):
            sys.exit("dist/ is missing: run `npm run build` first")
        self.data_dir = tempfile.mkdtemp(prefix=prefix)
        port, self.token = free_port(), uuid.uuid4().hex
        env = {k: v for k, v in os.environ.items() if not k.startswith("SWARMLAB_")}
        self.proc = subprocess.Popen(
            ["node", os.path.join(ROOT, "bin", "swarmlab.js"), "up", "--data-dir", self.data_dir, "--port", str(port),
             "--host", "127.0.0.1", "--token", self.token, "--store", store, "--log-level", "warn"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.url = f"http://127.0.0.1:{port}"
        self.client = swarmlab.Client(self.url, self.token)
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.client.json("GET", "/healthz").get("status") == "ok":
                    return
            except swarmlab.SwarmlabError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                sys.exit("the manager did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.proc.kill()
        shutil.rmtree(self.data_dir, ignore_errors=True)
