"""Reporting from a training session: epochs, metric points, log lines and hardware samples, over the HTTP + JSON
report protocol (README, "Report protocol").

    import swarmlab

    with swarmlab.session() as s:          # reads SWARMLAB_URL, SWARMLAB_TOKEN, SWARMLAB_SESSION_ID, …
        for epoch in range(1, 11):
            for step, batch in enumerate(data):
                loss = train_step(batch)
                s.metric("loss", loss, step)      # a deque append: never waits for the network
                if s.stop_requested:
                    break
            s.epoch(epoch, {"loss": loss, "val_accuracy": acc}, total=10)
    # leaving the block delivers everything queued (flush), then closes the report stream

How it works: every call appends one tuple to an in-memory queue (bounded: `max_queue` reports, default 1,000,000;
beyond that reports are dropped, counted in `stats["dropped"]`, with one warning) and returns. ONE daemon thread
ships the queue in numbered batches (≤ `batch_points` metric points, default 16,384), every `flush_interval`
(50 ms) or as soon as a batch is full, with one batch in flight. When the manager cannot be reached (restart,
connection refused, 503, timeout) it resends the SAME batch with the SAME number, with backoff, until the
manager answers; the manager stores each batch number once, so a restart loses and duplicates nothing. While
idle it polls the stream about once a second, which is how it learns that the session was asked to stop.

Stop requests (`swarmlab stop`, a `stopIf` rule, the max runtime): `s.stop_requested` becomes True and
`s.stop_reason` says why; callbacks registered with `s.on_stop(cb)` are called once each, with the reason, IN
THE BACKGROUND THREAD (keep them short and thread-safe: set a flag, don't train there). The job should finish
its step, save what it wants, deliver its reports and exit before the stop grace period ends (SIGTERM follows).

Non-finite values (NaN, ±inf) are sent as the strings the protocol defines, so `stopIf … nonFinite` sees them.
A session that was neither closed nor used as a context manager is flushed (up to `close_timeout`) at
interpreter exit.
"""
from __future__ import annotations

import atexit
import collections
import http.client
import inspect
import json
import math
import os
import secrets
import tempfile
import threading
import time
import warnings
import weakref
from typing import Any, Callable, Dict, List, Mapping, Optional

from ._env import SessionEnv
from ._gpu import apply_torch_memory_fraction
from ._hardware import HardwareProbe
from ._http import Client
from .errors import ConfigError, ConflictError, NotFoundError, SwarmlabError, UnavailableError

#: The stop reason of a preemption (see `Session.preempted`), as the manager sends it.
PREEMPTED = "preempted"

#: Kinds of queued reports (first element of each tuple).
_METRIC, _EPOCH, _LOG, _HARDWARE, _MARK = 0, 1, 2, 3, 4

MAX_BATCH_POINTS = 16_384
MAX_BATCH_ITEMS = 10_000
MAX_LINE = 65_536
_BACKOFF_MIN, _BACKOFF_MAX = 0.05, 2.0

_now = time.time
_isfinite = math.isfinite


def _json_number(v: float) -> Any:
    """A float as the protocol spells it: itself when finite, else "NaN" / "Infinity" / "-Infinity"."""
    if _isfinite(v):
        return v
    if v != v:
        return "NaN"
    return "Infinity" if v > 0 else "-Infinity"


def _number(name: str, v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: {v!r} is not a number") from None


class _Batch:
    __slots__ = ("q", "body", "count", "marks")

    def __init__(self, body: bytes, count: int, marks: List[threading.Event]):
        self.q = 0
        self.body = body
        self.count = count
        self.marks = marks


class Session:
    """The reporting side of a training session; see the module docstring. Build it with `swarmlab.session()`."""

    def __init__(self, env: Optional[SessionEnv] = None, *, url: Optional[str] = None, token: Optional[str] = None,
                 session_id: Optional[str] = None, max_queue: int = 1_000_000, batch_points: int = MAX_BATCH_POINTS,
                 flush_interval: float = 0.05, poll_interval: float = 1.0, close_timeout: float = 30.0,
                 request_timeout: float = 30.0, sdk: str = "python"):
        base = env or SessionEnv.read()
        sid = session_id or base.session_id
        if not sid:
            raise ConfigError(
                "SWARMLAB_SESSION_ID is not set: swarmlab.session() reports for the session this process runs in "
                "(start it with `swarmlab run … -- python train.py`), or pass session_id=",
                details={"field": "SWARMLAB_SESSION_ID"},
            )
        if url is not None or token is not None or sid != base.session_id:
            import dataclasses  # noqa: PLC0415

            base = dataclasses.replace(base, url=(url or base.url).rstrip("/"),
                                       token=token if token is not None else base.token, session_id=sid)
        if not 1 <= batch_points <= 131_072:
            raise ValueError("batch_points: must be within 1…131,072")
        self.info: SessionEnv = base
        self._hparams: Dict[str, Any] = dict(base.params)
        self.id: str = sid
        self.stream = secrets.token_urlsafe(16)  # 22 chars of [A-Za-z0-9_-]
        self._client = Client(base.url, base.token, timeout=request_timeout)
        self._path = f"/api/v1/sessions/{sid}/reports/{self.stream}"
        self._query = {"sdk": sdk}
        self._q: collections.deque = collections.deque()
        self._append = self._q.append
        self._max = int(max_queue)
        self._batch_points = int(batch_points)
        self._interval = float(flush_interval)
        self._poll_interval = float(poll_interval)
        self.close_timeout = float(close_timeout)
        self._names: set = set()
        self._probe = HardwareProbe()
        self._wake = threading.Event()
        self._lock = threading.Lock()  # stats and callbacks; never held by the training loop for long
        self._dropped = 0
        self._warned = False
        self._acked = 0
        self._retries = 0
        self._batches = 0
        self._rejected = 0
        self._q_next = 1
        self._stop_reason: Optional[str] = None
        self._callbacks: List[Callable[..., Any]] = []
        self._called = 0
        self._closing = False
        self._closed = False
        self._deadline: Optional[float] = None
        self._fatal: Optional[SwarmlabError] = None
        self._last_error: Optional[BaseException] = None
        self._forked = False
        self._thread = threading.Thread(target=self._run, name=f"swarmlab-reports-{sid}", daemon=True)
        self._thread.start()
        ref = weakref.ref(self)
        self._atexit = lambda: (lambda s: s is not None and s.close(s.close_timeout))(ref())
        atexit.register(self._atexit)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=lambda: (lambda s: s is not None and s._after_fork())(ref()))

    # ------------------------------------------------------------------------------------------ the job's side

    @property
    def params(self) -> SessionEnv:
        """The session environment (url, session id, dataset, rank, world size, device, output dir); the
        session's hyperparameters are `hparams`."""
        return self.info

    @property
    def hparams(self) -> Dict[str, Any]:
        """The session's params (`swarmlab run --param lr=0.001` → `{"lr": 0.001}`): those submitted, read from
        SWARMLAB_PARAMS, plus those added with `add_hparams`. A copy: change them with `add_hparams`."""
        return dict(self._hparams)

    def add_hparams(self, params: Optional[Mapping[str, Any]] = None, **kw: Any) -> Dict[str, Any]:
        """Records params the job discovered (`s.add_hparams(batch_size=64, gpu="A100")`) on the session, where
        `swarmlab ps --param` and `swarmlab compare` see them; returns all of them. New names only: a name already
        set to another value raises ConflictError (submitted params are immutable); the same value is a no-op.
        Values: numbers, strings (≤ 1 KiB) or booleans. One HTTP request, made now (not queued)."""
        added = {**(params or {}), **kw}
        # A connection of its own: the report thread owns `self._client`'s, and http.client is not thread-safe.
        client = Client(self.info.url, self.info.token)
        try:
            rec = client.json("POST", f"/api/v1/sessions/{self.id}/params", json={"params": added})
        finally:
            client.close()
        self._hparams = dict(rec["params"])
        return dict(self._hparams)

    @property
    def stop_requested(self) -> bool:
        """True once the manager asked this session to stop (`stop_reason` says why)."""
        return self._stop_reason is not None

    @property
    def stop_reason(self) -> Optional[str]:
        return self._stop_reason

    def metric(self, name: str, value: float, step: int) -> None:
        """Queues one metric point (`value` at `step`, timed now). Cheap: no I/O, no JSON, no waiting."""
        if len(self._q) >= self._max:
            self._overflow(1)
            return
        if name not in self._names:
            self._check_name(name)
        self._append((_METRIC, name, float(value), step if step.__class__ is int else int(step), _now()))

    def epoch(self, n: int, metrics: Mapping[str, float], total: Optional[int] = None) -> None:
        """Queues the end of epoch `n` (of `total`) with its metrics: a `session.epoch` event and one point per
        metric at step = n — what `stopIf` and `accept` rules watch."""
        m = {}
        for k, v in metrics.items():
            k = str(k)
            if not 1 <= len(k) <= 256:
                raise ValueError(f"metrics: name {k!r} must be 1–256 characters")
            m[k] = _number(f"metrics[{k!r}]", v)
        n = _number("epoch", n)
        total_v = None if total is None else _number("total", total)
        if len(self._q) >= self._max:
            self._overflow(1)
            return
        self._append((_EPOCH, _now(), int(n) if n.is_integer() else n, total_v, m))

    def log(self, *lines: Any) -> None:
        """Queues log lines (archived as `session.log`, stream `sdk`); a string with newlines is several lines."""
        out: List[str] = []
        for line in lines:
            for part in str(line).split("\n"):
                out.append(part if len(part) <= MAX_LINE else part[:MAX_LINE])
        if not out:
            return
        if len(self._q) >= self._max:
            self._overflow(1)
            return
        self._append((_LOG, _now(), out))

    def hardware(self, gpus: bool = True) -> Dict[str, Any]:
        """Measures this process's CPU % (since the previous call), RSS, the machine's memory and load average,
        and the GPUs through `nvidia-smi` when present (a subprocess: pass gpus=False to skip it); queues it as a
        `session.hardware` report and returns it."""
        report = self._probe.report(gpus=gpus)
        if len(self._q) >= self._max:
            self._overflow(1)
        else:
            self._append((_HARDWARE, _now(), report))
        return report

    def on_stop(self, callback: Callable[..., Any]) -> Callable[[], None]:
        """Calls `callback(reason)` once when the manager asks this session to stop (soon, if it already has).
        Callbacks run in the background reporting thread. Returns a function that unregisters it."""
        with self._lock:
            self._callbacks.append(callback)
        if self._stop_reason is not None:
            self._wake.set()

        def remove() -> None:
            with self._lock:
                try:
                    i = self._callbacks.index(callback)
                except ValueError:
                    return
                self._callbacks[i] = None  # keeps indices of callbacks already called stable
        return remove

    def flush(self, timeout: Optional[float] = 30.0) -> bool:
        """Waits until everything queued before this call is stored by the manager (True), or `timeout` seconds
        passed (False). Raises the error that made reporting impossible (unknown session, bad token)."""
        if self._fatal is not None:
            raise self._fatal
        if not self._thread.is_alive():
            return not self._q
        done = threading.Event()
        self._append((_MARK, done))
        self._wake.set()
        ok = done.wait(timeout)
        if self._fatal is not None:
            raise self._fatal
        return ok

    def close(self, timeout: Optional[float] = None) -> bool:
        """Delivers everything queued (waiting up to `timeout`, default `close_timeout`), then closes the report
        stream. Idempotent. Returns True when everything was delivered."""
        if self._closed:
            return not self._q and self._fatal is None
        self._closed = True
        atexit.unregister(self._atexit)
        timeout = self.close_timeout if timeout is None else timeout
        self._deadline = time.monotonic() + timeout
        self._closing = True
        self._wake.set()
        self._thread.join(timeout + 5)
        ok = not self._q and self._fatal is None and not self._thread.is_alive()
        if self._q:
            self._warned_unsent()
        self._client.close()
        return ok

    def save_generation(self, model: str, type: Optional[str] = None, format: Optional[str] = None,
                        **kw: Any) -> Dict[str, Any]:
        """`swarmlab.models.save_generation` with this session's id and dataset as lineage."""
        from . import models  # noqa: PLC0415

        kw.setdefault("session_id", self.id)
        kw.setdefault("dataset", self.info.dataset)
        kw.setdefault("url", self.info.url)
        kw.setdefault("token", self.info.token)
        return models.save_generation(model, type, format, **kw)

    def artifact(self, file: Any, name: Optional[str] = None) -> Dict[str, Any]:
        """Stores a file (streamed) as an artifact of this session under `name` (default: the file's name); one
        HTTP request, made now. Files left in SWARMLAB_OUTPUT_DIR are kept without this when the session ends, when
        the manager can read that dir (same host)."""
        from .artifacts import upload_artifact  # noqa: PLC0415

        return upload_artifact(self.id, file, name, url=self.info.url, token=self.info.token)

    @property
    def attempt(self) -> int:
        """1, or more for a retried or resubmitted (preempted) session (SWARMLAB_ATTEMPT)."""
        return self.info.attempt

    @property
    def preempted(self) -> bool:
        """True once the manager asked this session to stop to make room for other work (stop reason
        "preempted"): save a checkpoint and exit; the manager submits the next attempt."""
        return self._stop_reason == PREEMPTED

    def checkpointable(self) -> None:
        """Declares this job restartable: on a `preempted` stop it saves what it needs (a generation, or a file in
        SWARMLAB_OUTPUT_DIR) and exits, and its next attempt resumes from it (`resume`, `resume_artifact`). Once the
        long-run rule demotes it, the manager may preempt it for waiting work of higher priority and resubmit it
        with attempt + 1. One HTTP request, made now."""
        client = Client(self.info.url, self.info.token)
        try:
            client.json("POST", f"/api/v1/sessions/{self.id}/checkpointable")
        finally:
            client.close()

    def resume(self, model: Optional[str] = None) -> Dict[str, Any]:
        """What this session's earlier attempts left (see `swarmlab.artifacts.resume_info`); with `model`, also
        the newest generation of it they saved (load it with `load_generation(model, generation=...)`)."""
        from .artifacts import resume_info  # noqa: PLC0415

        return resume_info(self.id, model, url=self.info.url, token=self.info.token)

    def resume_artifact(self, name: str, dest: Optional[Any] = None) -> Optional[str]:
        """Downloads the newest earlier attempt's artifact `name` to `dest` (default: that name in a temporary
        directory) and returns its path; None on a first attempt or when no earlier attempt left one."""
        from .artifacts import download_resumed  # noqa: PLC0415

        if self.info.retry_of is None:
            return None
        if dest is None:
            dest = os.path.join(tempfile.mkdtemp(prefix="swarmlab-resume-"), os.path.basename(name))
        try:
            download_resumed(self.id, name, dest, url=self.info.url, token=self.info.token)
        except NotFoundError:
            return None
        return os.fspath(dest)

    def load_generation(self, name: str, stage: Optional[str] = None, generation: Optional[int] = None,
                        **kw: Any) -> Any:
        from . import models  # noqa: PLC0415

        kw.setdefault("url", self.info.url)
        kw.setdefault("token", self.info.token)
        return models.load_generation(name, stage=stage, generation=generation, **kw)

    @property
    def stats(self) -> Dict[str, int]:
        """queued (waiting in memory), dropped (queue full or refused by the manager), acked (stored by the
        manager), retries (resends after no answer), batches (stored batches)."""
        return {"queued": len(self._q), "dropped": self._dropped + self._rejected, "acked": self._acked,
                "retries": self._retries, "batches": self._batches}

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Session({self.id!r}, url={self.info.url!r}, stream={self.stream!r})"

    # ------------------------------------------------------------------------------------------ helpers

    def _check_name(self, name: Any) -> None:
        if not isinstance(name, str) or not 1 <= len(name) <= 256:
            raise ValueError(f"metric name {name!r} must be a 1–256 character string")
        self._names.add(name)

    def _after_fork(self) -> None:
        """In a forked child (a DataLoader worker…): the reporting thread is the parent's; reports made here
        are dropped (counted), with one warning. A child that wants to report opens its own session()."""
        self._lock = threading.Lock()
        self._q.clear()
        self._max = 0
        self._closed = True
        self._forked = True
        try:
            atexit.unregister(self._atexit)
        except Exception:  # noqa: BLE001
            pass

    def _overflow(self, n: int) -> None:
        with self._lock:
            self._dropped += n
            first = not self._warned
            self._warned = True
        if first and self._forked:
            warnings.warn("swarmlab: reports from a forked child process are dropped (the session's reporting "
                          "thread runs in the parent); call swarmlab.session() in the child to report from it",
                          RuntimeWarning, stacklevel=3)
        elif first:
            warnings.warn(f"swarmlab: the report queue is full ({self._max:,} reports); further reports are "
                          "dropped (counted in Session.stats['dropped'])", RuntimeWarning, stacklevel=3)

    def _warned_unsent(self) -> bool:
        warnings.warn(f"swarmlab: {len(self._q):,} reports could not be delivered to {self.info.url} before "
                      f"close() timed out ({self._last_error})", RuntimeWarning, stacklevel=3)
        return True

    # ------------------------------------------------------------------------------------------ the sender thread

    def _take(self) -> Optional[_Batch]:
        """Pops the next batch off the queue (None when there is nothing): points in columns, other reports as
        items, flush marks attached (set once the batch is stored)."""
        q = self._q
        popleft = q.popleft
        names: Dict[str, int] = {}
        index: List[int] = []
        value: List[Any] = []
        step: List[Any] = []
        times: List[int] = []
        items: List[Dict[str, Any]] = []
        marks: List[threading.Event] = []
        max_points = self._batch_points
        while q and len(index) < max_points and len(items) < MAX_BATCH_ITEMS:
            r = popleft()
            kind = r[0]
            if kind == _METRIC:
                i = names.get(r[1])
                if i is None:
                    i = names[r[1]] = len(names)
                index.append(i)
                v = r[2]
                value.append(v if _isfinite(v) else _json_number(v))
                step.append(r[3])
                times.append(int(r[4] * 1000))
            elif kind == _EPOCH:
                item: Dict[str, Any] = {"k": "epoch", "t": int(r[1] * 1000), "epoch": r[2],
                                        "metrics": {k: _json_number(v) for k, v in r[4].items()}}
                if r[3] is not None:
                    item["total"] = r[3]
                items.append(item)
            elif kind == _LOG:
                items.append({"k": "log", "t": int(r[1] * 1000), "lines": r[2]})
            elif kind == _HARDWARE:
                items.append({"k": "hardware", "t": int(r[1] * 1000), "report": r[2]})
            else:
                marks.append(r[1])
        count = len(index) + len(items)
        if count == 0:
            for m in marks:
                m.set()
            return None
        body: Dict[str, Any] = {"q": 0}
        if index:
            body["points"] = {"names": list(names), "index": index, "value": value, "step": step, "time": times}
        if items:
            body["items"] = items
        try:
            raw = json.dumps(body, separators=(",", ":"), allow_nan=False, default=_default)
        except (TypeError, ValueError) as e:  # e.g. an unserialisable hardware field: drop, don't wedge
            warnings.warn(f"swarmlab: a report batch could not be encoded ({e}); dropped", RuntimeWarning)
            with self._lock:
                self._rejected += count
            for m in marks:
                m.set()
            return None
        # The batch number is spliced in at send time: `{"q":0,` is the fixed prefix of every body.
        return _Batch(raw[len('{"q":0'):].encode(), count, marks)

    def _post(self, batch: _Batch) -> Dict[str, Any]:
        body = b'{"q":%d' % batch.q + batch.body
        return self._client.json("POST", self._path, query=self._query, body=body,
                                 headers={"content-type": "application/json"})

    def _answer(self, ans: Any) -> None:
        reason = ans.get("stop") if isinstance(ans, dict) else None
        if reason and self._stop_reason is None:
            self._stop_reason = str(reason)

    def _run_callbacks(self) -> None:
        if self._stop_reason is None:
            return
        while True:
            with self._lock:
                if self._called >= len(self._callbacks):
                    return
                cb = self._callbacks[self._called]
                self._called += 1
            if cb is None:
                continue
            try:
                if _takes_argument(cb):
                    cb(self._stop_reason)
                else:
                    cb()
            except Exception as e:  # noqa: BLE001 - a failing callback must not stop the reports
                warnings.warn(f"swarmlab: on_stop callback {cb!r} failed: {e!r}", RuntimeWarning)

    def _give_up(self, e: SwarmlabError) -> None:
        """The manager refuses this stream for good (unknown session, bad token): drop everything from now on."""
        if self._fatal is None:
            self._fatal = e
            warnings.warn(f"swarmlab: reports to {self.info.url} are refused ({e.code}: {e}); they are dropped "
                          "from now on", RuntimeWarning)

    def _run(self) -> None:
        pending: Optional[_Batch] = None
        opened = False
        backoff = 0.0
        last_contact = 0.0
        while True:
            closing = self._closing
            if closing and self._deadline is not None and time.monotonic() > self._deadline:
                break
            if self._fatal is not None:
                self._drain_dropped(pending)
                pending = None
                if closing:
                    break
                self._wake.wait(self._interval)
                self._wake.clear()
                continue
            try:
                if not opened:
                    self._answer(self._client.json("GET", self._path, query=self._query))
                    opened = True
                    last_contact = time.monotonic()
                    backoff = 0.0
                if pending is None:
                    pending = self._take()
                    if pending is not None:
                        pending.q = self._q_next
                if pending is not None:
                    ans = self._post(pending)
                    last_contact = time.monotonic()
                    backoff = 0.0
                    self._q_next = pending.q + 1
                    with self._lock:
                        self._acked += pending.count
                        self._batches += 1
                    for m in pending.marks:
                        m.set()
                    pending = None
                    self._answer(ans)
                    self._run_callbacks()
                    if len(self._q) >= self._batch_points or closing or self._wake.is_set():
                        continue  # more to send now: a full batch, a flush, or close
                elif closing:
                    break
                elif time.monotonic() - last_contact >= self._poll_interval:
                    self._answer(self._client.json("GET", self._path, query=self._query))
                    last_contact = time.monotonic()
            except (UnavailableError, ConnectionError, OSError, http.client.HTTPException, ValueError) as e:
                # No (complete) answer: the batch may or may not be stored; resend it with the same number.
                self._last_error = e
                self._client.close()
                if pending is not None:
                    with self._lock:
                        self._retries += 1
                backoff = min(_BACKOFF_MAX, max(_BACKOFF_MIN, backoff * 2))
                self._sleep(backoff)
                continue
            except ConflictError as e:
                # A gap (the manager has fewer batches of this stream than we sent): renumber from its count.
                acked = e.details.get("acked")
                if pending is not None and isinstance(acked, int):
                    pending.q = self._q_next = acked + 1
                    continue
                self._give_up(e)
                continue
            except SwarmlabError as e:
                self._last_error = e
                if e.status is not None and e.status >= 500:
                    with self._lock:
                        self._retries += 1
                    backoff = min(_BACKOFF_MAX, max(_BACKOFF_MIN, backoff * 2))
                    self._sleep(backoff)
                    continue
                if e.code in ("NOT_FOUND", "UNAUTHORIZED", "FORBIDDEN"):
                    self._give_up(e)
                    continue
                # A batch the manager refused (400): nothing of it was stored; drop it, keep its number.
                warnings.warn(f"swarmlab: a report batch was refused ({e.code}: {e}); "
                              f"{pending.count if pending else 0} reports dropped", RuntimeWarning)
                if pending is not None:
                    with self._lock:
                        self._rejected += pending.count
                    for m in pending.marks:
                        m.set()
                    pending = None
                continue
            except Exception as e:  # noqa: BLE001 - the thread must not die silently
                self._last_error = e
                warnings.warn(f"swarmlab: report thread error: {e!r}", RuntimeWarning)
                self._sleep(max(_BACKOFF_MIN, backoff))
                continue
            self._run_callbacks()
            self._sleep(self._interval)
        # Closing: the report stream is done.
        self._run_callbacks()
        if opened and self._fatal is None:
            try:
                self._client.request("DELETE", self._path).read()
            except Exception:  # noqa: BLE001 - optional
                pass
        self._client.close()

    def _sleep(self, seconds: float) -> None:
        if self._deadline is not None:
            seconds = min(seconds, max(0.0, self._deadline - time.monotonic()))
        if self._wake.wait(seconds):
            self._wake.clear()

    def _drain_dropped(self, pending: Optional[_Batch]) -> None:
        n = pending.count if pending is not None else 0
        marks = list(pending.marks) if pending is not None else []
        q = self._q
        while q:
            r = q.popleft()
            if r[0] == _MARK:
                marks.append(r[1])
            else:
                n += 1
        if n:
            with self._lock:
                self._rejected += n
        for m in marks:
            m.set()


def _takes_argument(cb: Callable[..., Any]) -> bool:
    """Whether `cb` can be called with the stop reason (else it is called with nothing)."""
    try:
        sig = inspect.signature(cb)
    except (TypeError, ValueError):
        return True
    try:
        sig.bind("reason")
        return True
    except TypeError:
        return False


def _default(o: Any) -> Any:
    """JSON for what a hardware report may hold beyond plain types (numpy scalars and the like)."""
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, (set, tuple)):
        return list(o)
    raise TypeError(f"{o!r} is not JSON serialisable")


def session(*, gpu_fraction: bool = True, **options: Any) -> Session:
    """The session this process runs in, from its environment (`SWARMLAB_URL`, `SWARMLAB_TOKEN`,
    `SWARMLAB_SESSION_ID`, …). Options: url, token, session_id, max_queue, batch_points, flush_interval,
    poll_interval, close_timeout, request_timeout. Use it as a context manager, or call `close()` at the end.

    A session granted part of a GPU (`gpuMemoryFraction` < 1) has PyTorch held to that share of each visible GPU
    (`torch.cuda.set_per_process_memory_fraction`) when torch with CUDA is importable; `gpu_fraction=False` skips
    it (a job that does not use torch, or sets its own limit)."""
    if gpu_fraction:
        apply_torch_memory_fraction()
    return Session(**options)
