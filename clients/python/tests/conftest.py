"""Shared fixtures: a REAL manager (`node bin/swarmlab.js up`) on a free port, on LMDB or Redis, and a helper that
runs a Python script as a session of it.

    def test_x(manager):                      # LMDB, one manager per test module
        url, token, data_dir, client = manager  # or manager.url, manager.client, …

    @pytest.mark.parametrize("manager", ["lmdb", "redis"], indirect=True)
    def test_y(manager): ...                  # the same test on both stores (Redis skipped when none answers)

    def test_z(manager_factory):              # a manager of the test's own (to kill and restart it)
        m = manager_factory(store="lmdb")
        m.kill(); m.start()

    rec = manager.run_session("import swarmlab\\n...", rules={...})   # → the final session record

Redis: `SWARMLAB_TEST_REDIS_URL` (default `redis://127.0.0.1:6379/0`), under a random `pytest-<uuid>:` prefix
removed at the end. Without a Redis answering there the Redis cases are skipped, except under `CI=true`.
The manager must be built (`npm run build`): the fixtures fail with that advice when `dist/` is missing.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

import pytest

PYTHON_DIR = Path(__file__).resolve().parent.parent  # clients/python
REPO_ROOT = PYTHON_DIR.parent.parent  # the Swarmlab checkout
BIN = REPO_ROOT / "bin" / "swarmlab.js"
DIST_MAIN = REPO_ROOT / "dist" / "cli" / "main.js"

if str(PYTHON_DIR) not in sys.path:  # tests run against this checkout's package, installed or not
    sys.path.insert(0, str(PYTHON_DIR))

from swarmlab import Client  # noqa: E402
from swarmlab.errors import SwarmlabError  # noqa: E402

TERMINAL_STATES = ("succeeded", "failed", "stopped", "rejected", "lost")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: the Python client's tests start a real Swarmlab manager (Node 20)")
    return node


def _check_built() -> None:
    if not DIST_MAIN.exists():
        pytest.fail(f"{DIST_MAIN} is missing: build the manager first (`cd {REPO_ROOT} && npm run build`)",
                    pytrace=False)


# ---------------------------------------------------------------------------------------------------- Redis

def redis_url() -> str:
    return os.environ.get("SWARMLAB_TEST_REDIS_URL") or DEFAULT_REDIS_URL


class _Redis:
    """Just enough RESP over a socket (stdlib) to check Redis answers and to remove a test's key prefix."""

    def __init__(self, url: str):
        u = urllib.parse.urlsplit(url)
        self.host = u.hostname or "127.0.0.1"
        self.port = u.port or 6379
        self.db = int((u.path or "/0").strip("/") or 0)
        self.password = urllib.parse.unquote(u.password) if u.password else None
        self.username = urllib.parse.unquote(u.username) if u.username else None

    def __enter__(self) -> "_Redis":
        self.sock = socket.create_connection((self.host, self.port), timeout=2)
        self.f = self.sock.makefile("rb")
        if self.password is not None:
            self.call(*(["AUTH", self.username] if self.username else ["AUTH"]), self.password)
        self.call("SELECT", str(self.db))
        return self

    def __exit__(self, *exc: Any) -> None:
        self.f.close()
        self.sock.close()

    def call(self, *args: str) -> Any:
        out = [f"*{len(args)}\r\n".encode()]
        for a in args:
            b = a.encode()
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.sock.sendall(b"".join(out))
        return self._read()

    def _read(self) -> Any:
        line = self.f.readline()
        if not line:
            raise ConnectionError("redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode("utf-8", "replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise RuntimeError(f"unexpected RESP reply {line!r}")

    def drop_prefix(self, prefix: str) -> int:
        cursor, dropped = "0", 0
        while True:
            cursor, keys = self.call("SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000")
            if keys:
                dropped += self.call("DEL", *keys)
            if cursor == "0":
                return dropped


def redis_available(url: Optional[str] = None) -> Optional[str]:
    """None when Redis answers PING at `url`, else why not."""
    try:
        with _Redis(url or redis_url()) as r:
            r.call("PING")
        return None
    except Exception as e:  # noqa: BLE001 - any failure means "not usable"
        return f"{e.__class__.__name__}: {e}"


def _require_redis() -> str:
    url = redis_url()
    why = redis_available(url)
    if why is not None:
        msg = f"no Redis at {url} ({why}); set SWARMLAB_TEST_REDIS_URL"
        if os.environ.get("CI") == "true":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    return url


# -------------------------------------------------------------------------------------------------- Manager

class Manager:
    """One `swarmlab up` child process. Unpacks as `(url, token, data_dir, client)`."""

    def __init__(self, data_dir: str, *, store: str = "lmdb", port: Optional[int] = None,
                 token: Optional[str] = None, extra_args: Sequence[str] = ()):
        self.data_dir = data_dir
        self.kind = "redis" if store.startswith("redis") else "lmdb"
        self.redis_prefix: Optional[str] = None
        if store == "redis":
            self.redis_prefix = f"pytest-{uuid.uuid4().hex}:"
            u = urllib.parse.urlsplit(_require_redis())
            store = urllib.parse.urlunsplit((u.scheme, u.netloc, u.path or "/0",
                                             urllib.parse.urlencode({"prefix": self.redis_prefix}), ""))
        self.store = store
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.url = f"http://{self.host}:{self.port}"
        self.token = token or "pytest-" + uuid.uuid4().hex
        self.extra_args = list(extra_args)
        self.proc: Optional[subprocess.Popen] = None
        self.log_path = os.path.join(data_dir, "manager.log")
        self.client = Client(self.url, self.token, timeout=30)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.url, self.token, self.data_dir, self.client))

    def __repr__(self) -> str:
        return f"Manager({self.url}, store={self.kind}, data_dir={self.data_dir})"

    @property
    def env(self) -> Dict[str, str]:
        """Environment variables pointing a client at this manager (as a session's would)."""
        return {"SWARMLAB_URL": self.url, "SWARMLAB_TOKEN": self.token}

    # -- lifecycle

    def start(self, timeout: float = 30.0, *, standby: bool = False) -> "Manager":
        """`standby`: wait for the store's lease (after a crash on Redis it is freed only when its TTL runs out)."""
        _check_built()
        assert self.proc is None or self.proc.poll() is not None, "already running"
        argv = [_node(), str(BIN), "up", "--data-dir", self.data_dir, "--port", str(self.port),
                "--host", self.host, "--token", self.token, "--store", self.store, "--log-level", "warn",
                *(["--standby"] if standby else []), *self.extra_args]
        env = {k: v for k, v in os.environ.items() if not k.startswith("SWARMLAB_")}
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(argv, cwd=str(REPO_ROOT), env=env, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"the manager exited with {self.proc.returncode} while starting:\n{self.log_tail()}")
            try:
                body = self.client.json("GET", "/healthz")
                if isinstance(body, dict) and body.get("status") == "ok":
                    return
                last = body
            except SwarmlabError as e:
                last = e
            time.sleep(0.05)
        raise RuntimeError(f"the manager at {self.url} was not healthy after {timeout}s ({last}):\n{self.log_tail()}")

    def stop(self, timeout: float = 20.0) -> Optional[int]:
        """SIGTERM (graceful), SIGKILL if it does not end within `timeout`. Returns the exit status."""
        return self._signal(signal.SIGTERM, timeout)

    def kill(self) -> Optional[int]:
        """SIGKILL, as a crash would: nothing is flushed or closed."""
        return self._signal(signal.SIGKILL, 10.0)

    def _signal(self, sig: int, timeout: float) -> Optional[int]:
        self.client.close()
        p = self.proc
        if p is None or p.poll() is not None:
            return None if p is None else p.returncode
        p.send_signal(sig)
        try:
            return p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            return p.wait(10)

    def restart(self, *, crash: bool = False) -> "Manager":
        """Stops (SIGKILL with `crash`) and starts it again on the same data dir, port and store."""
        self.kill() if crash else self.stop()
        self._wait_port_free()
        return self.start(60.0, standby=True) if crash else self.start()

    def _wait_port_free(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                try:
                    s.bind((self.host, self.port))
                    return
                except OSError:
                    time.sleep(0.05)

    def close(self) -> None:
        self.stop()
        if self.redis_prefix is not None:
            try:
                with _Redis(redis_url()) as r:
                    r.drop_prefix(self.redis_prefix)
            except Exception:  # noqa: BLE001 - cleanup is best effort
                pass

    def log_tail(self, n: int = 60) -> str:
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return "(no manager log)"

    # -- API helpers

    def get(self, path: str, **query: Any) -> Any:
        return self.client.json("GET", path, query=query)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.json("POST", path, json=body if body is not None else {})

    def events(self, *, session: Optional[str] = None, types: Sequence[str] = (), limit: int = 1000) -> List[dict]:
        """Every archived event matching (all pages), oldest first."""
        out: List[dict] = []
        after: Optional[str] = None
        while True:
            q: List[tuple] = [("limit", str(limit))]
            if session:
                q.append(("session", session))
            q += [("type", t) for t in types]
            if after is not None:
                q.append(("after", after))
            page = self.client.json("GET", "/api/v1/events?" + urllib.parse.urlencode(q))
            evs = page.get("events") or []
            out += evs
            nxt = page.get("next")
            if not evs or nxt is None or nxt == after:
                return out
            after = str(nxt)

    # -- sessions

    def submit_session(self, script: str, *, name: Optional[str] = None, rules: Any = None,
                       env: Optional[Dict[str, str]] = None, dataset: Optional[str] = None,
                       args: Sequence[str] = (), python: str = sys.executable, **spec: Any) -> dict:
        """Writes `script` (dedented) to a file and submits `python FILE ARGS…` as a session whose PYTHONPATH
        holds this checkout's client. Returns the `queued` record."""
        d = tempfile.mkdtemp(prefix="script-", dir=self.data_dir)
        path = os.path.join(d, "job.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(script))
        session_env = {"PYTHONPATH": str(PYTHON_DIR), "PYTHONUNBUFFERED": "1", **(env or {})}
        body: Dict[str, Any] = {"command": [python, path, *args], "env": session_env,
                                "name": name or "pytest", **spec}
        if rules is not None:
            body["rules"] = rules
        if dataset is not None:
            body["dataset"] = dataset
        return self.post("/api/v1/sessions", body)

    def session(self, sid: str) -> dict:
        return self.get(f"/api/v1/sessions/{sid}")

    def wait_session(self, sid: str, states: Sequence[str] = TERMINAL_STATES, timeout: float = 90.0,
                     interval: float = 0.1) -> dict:
        """Polls until the session is in one of `states`; on timeout fails showing its state and output."""
        deadline = time.monotonic() + timeout
        rec: dict = {}
        while time.monotonic() < deadline:
            try:
                rec = self.session(sid)
            except SwarmlabError:  # e.g. while the manager restarts
                rec = rec or {}
            else:
                if rec.get("state") in states:
                    return rec
            time.sleep(interval)
        raise AssertionError(f"session {sid} not in {list(states)} after {timeout}s "
                             f"(state {rec.get('state')}); output:\n{self.session_output(sid)}")

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05,
                 what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                v = predicate()
            except SwarmlabError:
                v = None
            if v:
                return v
            time.sleep(interval)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")

    def session_output(self, sid: str, tail: int = 200) -> str:
        try:
            lines = self.get(f"/api/v1/sessions/{sid}/logs", tail=tail).get("lines") or []
        except SwarmlabError as e:
            return f"(logs unavailable: {e})"
        return "\n".join(f"[{ln.get('stream')}] {ln.get('line')}" for ln in lines)

    def run_session(self, script: str, *, timeout: float = 90.0, **kw: Any) -> dict:
        """Submits `script` as a session and waits for a terminal state; returns the final record, with
        `output` (the session's last log lines) added for assertions and failure messages."""
        rec = self.submit_session(script, **kw)
        final = self.wait_session(rec["id"], timeout=timeout)
        final["output"] = self.session_output(rec["id"])
        return final


def _start_manager(kind: str) -> Manager:
    data_dir = tempfile.mkdtemp(prefix=f"swarmlab-pytest-{kind}-")
    m = Manager(data_dir, store=kind)
    try:
        m.start()
    except BaseException:
        m.close()
        raise
    return m


def _finish(m: Manager) -> None:
    m.close()
    shutil.rmtree(m.data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def manager(request: pytest.FixtureRequest) -> Iterator[Manager]:
    """A running manager shared by a test module: LMDB, or `indirect` parametrization `"lmdb"` / `"redis"`."""
    kind = getattr(request, "param", "lmdb")
    assert kind in ("lmdb", "redis"), f"manager store must be 'lmdb' or 'redis', not {kind!r}"
    m = _start_manager(kind)
    try:
        yield m
    finally:
        _finish(m)


@pytest.fixture
def manager_factory() -> Iterator[Callable[..., Manager]]:
    """Managers of the test's own: `manager_factory(store="lmdb"|"redis", extra_args=[...])`, started; all
    stopped and removed at the end of the test."""
    made: List[Manager] = []

    def make(store: str = "lmdb", extra_args: Sequence[str] = ()) -> Manager:
        data_dir = tempfile.mkdtemp(prefix=f"swarmlab-pytest-{store}-")
        m = Manager(data_dir, store=store, extra_args=extra_args)
        made.append(m)
        return m.start()

    yield make
    for m in made:
        _finish(m)


@pytest.fixture
def client(manager: Manager) -> Client:
    return manager.client


def pytest_report_header(config: pytest.Config) -> str:
    return f"swarmlab manager: {BIN} (built: {DIST_MAIN.exists()}); redis: {redis_url()}"
