"""swarmlab.session() against a real manager: reports reach the archive in order, once; stop requests reach the job."""
from __future__ import annotations

import json
import math
import os

import pytest

import swarmlab
from swarmlab.errors import ConfigError, UnavailableError

EPOCHS = 40
POINTS_PER_EPOCH = 250


def epochs_of(manager, sid):
    return [e["data"]["epoch"] for e in manager.events(session=sid, types=["session.epoch"])]


def series(manager, sid, *names):
    q = {"maxPoints": 0}
    if names:
        q["names"] = ",".join(names)
    return manager.get(f"/api/v1/sessions/{sid}/metrics", **q)["series"]


REPORTER = f"""
import json, math, swarmlab
with swarmlab.session() as s:
    assert s.id and s.info.session_id == s.id and s.params is s.info
    for e in range(1, {EPOCHS} + 1):
        for i in range({POINTS_PER_EPOCH}):
            step = (e - 1) * {POINTS_PER_EPOCH} + i
            s.metric("loss", 1.0 / (step + 1), step)
            s.metric("lr", 0.001, step)
        s.epoch(e, {{"loss": 1.0 / e, "val_accuracy": e / 100}}, total={EPOCHS})
        s.log(f"epoch {{e}} done")
    s.metric("odd", float("nan"), 1)
    s.metric("odd", float("inf"), 2)
    s.metric("odd", float("-inf"), 3)
    hw = s.hardware()
    s.log("two\\nlines")
    assert s.flush(30), s.stats
    print("STATS " + json.dumps(s.stats))
    print("HW " + json.dumps(hw))
"""


@pytest.mark.parametrize("manager", ["lmdb", "redis"], indirect=True)
def test_reports_reach_the_archive_in_order_once(manager):
    rec = manager.run_session(REPORTER)
    assert rec["state"] == "succeeded", rec["output"]
    sid = rec["id"]

    assert epochs_of(manager, sid) == list(range(1, EPOCHS + 1))
    ep = manager.events(session=sid, types=["session.epoch"])[-1]["data"]
    assert ep["total"] == EPOCHS and ep["metrics"]["val_accuracy"] == pytest.approx(EPOCHS / 100)

    s = series(manager, sid)
    n = EPOCHS * POINTS_PER_EPOCH
    assert s["lr"]["points"] == n
    loss = s["loss"]  # the metric points plus one per epoch (step = epoch)
    assert loss["points"] == n + EPOCHS
    assert s["odd"]["points"] == 3
    assert s["val_accuracy"]["points"] == EPOCHS
    steps = s["lr"]["step"]
    assert steps == list(range(n))  # every step once
    times = s["lr"]["time"]
    assert times == sorted(times)

    logs = [e["data"] for e in manager.events(session=sid, types=["session.log"])]
    lines = [ln for d in logs for ln in (d.get("lines") or [d.get("line")])]
    assert [ln for ln in lines if ln and ln.startswith("epoch ")] == [f"epoch {e} done" for e in range(1, EPOCHS + 1)]
    assert "two" in lines and "lines" in lines

    hw = manager.events(session=sid, types=["session.hardware"])
    assert len(hw) == 1
    report = hw[0]["data"]
    assert report["pid"] > 0 and report["host"] and report["rssMb"] > 0 and "cpuPercent" in report
    assert report["memoryTotalMb"] > 0 and isinstance(report["gpus"], list)

    stats = json.loads(next(ln for ln in rec["output"].splitlines() if "STATS " in ln).split("STATS ", 1)[1])
    assert stats["dropped"] == 0 and stats["queued"] == 0
    assert stats["acked"] == n * 2 + EPOCHS * 2 + 3 + 1 + 1

    connected = manager.events(session=sid, types=["session.connected"])
    assert len(connected) == 1 and connected[0]["data"]["transport"] == "http"
    assert connected[0]["data"]["sdk"] == "python"
    assert len(manager.events(session=sid, types=["session.disconnected"])) == 1


def test_non_finite_values_are_sent_as_the_protocol_spells_them(manager):
    rec = manager.run_session("""
        import swarmlab
        with swarmlab.session() as s:
            s.epoch(1, {"loss": float("nan"), "acc": float("inf"), "x": float("-inf"), "ok": 0.5})
            s.metric("m", float("nan"), 7)
    """)
    assert rec["state"] == "succeeded", rec["output"]
    [ep] = manager.events(session=rec["id"], types=["session.epoch"])
    m = ep["data"]["metrics"]
    assert m["ok"] == 0.5
    # The batch was accepted whole (non-finite values as the protocol's strings); the events API renders them
    # as null today (JSON has no NaN) or as the same strings.
    assert m["loss"] in (None, "NaN") and m["acc"] in (None, "Infinity") and m["x"] in (None, "-Infinity")
    assert series(manager, rec["id"], "m")["m"]["points"] == 1


@pytest.mark.parametrize("store", ["lmdb", "redis"])
def test_reports_survive_a_manager_crash_and_restart(manager_factory, store):
    """SIGKILL the manager while a session reports; start it again on the same data dir and port; every epoch
    1..N arrives exactly once and every metric point once."""
    m = manager_factory(store=store)
    n_epochs = 60
    rec = m.submit_session(f"""
        import time, swarmlab
        with swarmlab.session(close_timeout=60) as s:
            for e in range(1, {n_epochs} + 1):
                for i in range(100):
                    s.metric("p", float(e * 1000 + i), e * 1000 + i)
                s.epoch(e, {{"loss": 1.0 / e}}, total={n_epochs})
                time.sleep(0.05)
            assert s.flush(60), s.stats
            print("STATS", s.stats)
    """)
    sid = rec["id"]
    m.wait_for(lambda: len(epochs_of(m, sid)) >= 10, timeout=60, what="10 epochs before the crash")
    m.kill()
    m.start(60.0, standby=True)  # on Redis the crashed manager's lease runs out first (10 s)
    m.wait_for(lambda: len(epochs_of(m, sid)) >= n_epochs and m.session(sid)["state"] in ("succeeded", "failed",
                                                                                              "lost"),
               timeout=90, what="all epochs after the restart")
    got = epochs_of(m, sid)
    assert got == list(range(1, n_epochs + 1)), got
    p = series(m, sid, "p")["p"]
    assert p["points"] == n_epochs * 100
    assert sorted(p["step"]) == [e * 1000 + i for e in range(1, n_epochs + 1) for i in range(100)]


STOPPABLE = """
import json, os, sys, threading, time, swarmlab
seen = []
with swarmlab.session(poll_interval=0.2) as s:
    s.on_stop(lambda reason: seen.append(("cb", reason, threading.current_thread().name)))
    s.on_stop(lambda: seen.append(("noarg", None, threading.current_thread().name)))
    remove = s.on_stop(lambda r: seen.append(("removed", r, "")))
    remove()
    {body}
    deadline = time.monotonic() + 30
    while not s.stop_requested and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # let the callback run in the reporting thread
    s.log("stopping: " + str(s.stop_reason))
    print("SEEN " + json.dumps({{"requested": s.stop_requested, "reason": s.stop_reason, "calls": seen}}))
sys.exit(0 if s.stop_requested else 5)
"""


def _seen(rec):
    line = next((ln for ln in rec["output"].splitlines() if "SEEN " in ln), None)
    assert line is not None, rec["output"]
    return json.loads(line.split("SEEN ", 1)[1])


def test_stop_if_rule_stops_a_python_session_reporting_nan(manager):
    rec = manager.run_session(
        STOPPABLE.format(body='s.epoch(1, {"loss": 0.5}); s.epoch(2, {"loss": float("nan")})'),
        rules={"stopIf": [{"metric": "loss", "kind": "nonFinite"}]},
    )
    assert rec["state"] == "stopped", (rec, rec["output"])
    seen = _seen(rec)
    assert seen["requested"] is True and seen["reason"]
    # Each callback once, in the reporting thread; a callback without parameters is called without the reason.
    assert [c[0] for c in seen["calls"]] == ["cb", "noarg"], seen
    kind, reason, thread = seen["calls"][0]
    assert reason == seen["reason"] and thread.startswith("swarmlab-reports")
    fired = manager.events(session=rec["id"], types=["rule.fired"])
    assert fired and fired[0]["data"]["kind"] == "nonFinite"


def test_swarmlab_stop_reaches_on_stop(manager):
    sub = manager.submit_session(STOPPABLE.format(body='s.epoch(1, {"loss": 0.5})'))
    sid = sub["id"]
    manager.wait_for(lambda: epochs_of(manager, sid), timeout=30, what="the first epoch")
    manager.post(f"/api/v1/sessions/{sid}/stop", {"reason": "enough"})
    rec = manager.wait_session(sid)
    rec["output"] = manager.session_output(sid)
    assert rec["state"] == "stopped", (rec, rec["output"])
    seen = _seen(rec)
    assert seen["requested"] and "enough" in seen["reason"]
    assert [c[1] for c in seen["calls"]] == [seen["reason"], None]
    # The job's last words arrived before it exited (it was asked, not killed).
    logs = [ln for e in manager.events(session=sid, types=["session.log"]) for ln in e["data"].get("lines", [])]
    assert any(ln.startswith("stopping: ") for ln in logs)


def test_reports_are_delivered_at_exit_without_close(manager):
    """A script that never closes its session: what it queued is delivered at interpreter exit."""
    rec = manager.run_session("""
        import swarmlab
        s = swarmlab.session()
        for i in range(5000):
            s.metric("x", i, i)
        s.epoch(1, {"loss": 0.5})
        s.log("bye")
    """)
    assert rec["state"] == "succeeded", rec["output"]
    assert series(manager, rec["id"], "x")["x"]["points"] == 5000
    assert epochs_of(manager, rec["id"]) == [1]


def test_a_forked_child_neither_hangs_nor_duplicates(manager):
    """DataLoader workers fork the process: a child's reports are dropped with a warning, its exit is immediate,
    and the parent's reports are unaffected."""
    rec = manager.run_session("""
        import os, sys, warnings, swarmlab
        with swarmlab.session() as s:
            s.metric("x", 1.0, 1)
            pid = os.fork()
            if pid == 0:
                with warnings.catch_warnings(record=True) as w:
                    warnings.simplefilter("always")
                    s.metric("x", 2.0, 2)
                    s.epoch(9, {"loss": 1.0})
                ok = s.stats["dropped"] == 2 and any("forked child" in str(x.message) for x in w)
                ok = ok and s.flush(1) is not False and s.close(1) is not None
                os._exit(0 if ok else 7)
            _, status = os.waitpid(pid, 0)
            assert os.WEXITSTATUS(status) == 0, status
            s.metric("x", 3.0, 3)
            s.epoch(1, {"loss": 0.5})
    """, timeout=60)
    assert rec["state"] == "succeeded", rec["output"]
    assert series(manager, rec["id"], "x")["x"]["step"] == [1, 3]
    assert epochs_of(manager, rec["id"]) == [1]


def test_session_outside_a_session_is_a_config_error(monkeypatch):
    monkeypatch.delenv("SWARMLAB_SESSION_ID", raising=False)
    with pytest.raises(ConfigError) as e:
        swarmlab.session()
    assert e.value.field == "SWARMLAB_SESSION_ID"


@pytest.mark.filterwarnings("ignore:swarmlab. reports to .* are refused")
def test_unknown_session_drops_reports_and_flush_raises(manager):
    s = swarmlab.session(url=manager.url, token=manager.token, session_id="no-such-session")
    s.metric("x", 1.0, 1)
    with pytest.raises(swarmlab.NotFoundError) as e:
        s.flush(10)
    assert e.value.code == "NOT_FOUND"
    s.close(1)
    assert s.stats["dropped"] >= 1


def test_never_blocks_and_keeps_reports_while_the_manager_is_unreachable():
    """With nothing listening, calls return at once; reports wait in the queue (bounded) and flush times out."""
    from conftest import free_port

    s = swarmlab.session(url=f"http://127.0.0.1:{free_port()}", token="t", session_id="s1", max_queue=1000)
    with pytest.warns(RuntimeWarning, match="queue is full"):
        for i in range(1500):
            s.metric("x", i, i)
    assert s.stats["dropped"] == 500
    assert s.flush(0.3) is False
    assert s.stats["queued"] >= 999
    with pytest.warns(RuntimeWarning, match="could not be delivered"):
        assert s.close(0.2) is False


def test_flush_and_close_in_process(manager):
    """A session driven from the test process itself (a session record submitted, reports sent from here)."""
    sub = manager.submit_session("import time; time.sleep(30)")
    sid = sub["id"]
    try:
        s = swarmlab.session(url=manager.url, token=manager.token, session_id=sid)
        for i in range(20_000):
            s.metric("x", i * 0.5, i)
        assert s.flush(30)
        st = s.stats
        assert st["acked"] == 20_000 and st["queued"] == 0 and st["batches"] >= 2  # 16,384 points per batch
        s.close()
        assert s.close() is True  # idempotent
        assert series(manager, sid, "x")["x"]["points"] == 20_000
        assert not math.isnan(series(manager, sid, "x")["x"]["value"][-1])
    finally:
        manager.post(f"/api/v1/sessions/{sid}/stop", {})


@pytest.mark.filterwarnings("ignore:swarmlab. reports to .* are refused")
def test_bad_argument_raises_in_the_caller(manager):
    s = swarmlab.session(url=manager.url, token=manager.token, session_id="whatever", poll_interval=60)
    try:
        with pytest.raises(ValueError):
            s.metric("", 1.0, 1)
        with pytest.raises((TypeError, ValueError)):
            s.metric("x", "not a number", 1)
        with pytest.raises(TypeError):
            s.metric("x", None, 1)
        with pytest.raises(TypeError):
            s.epoch(1, {"loss": "high"})
    finally:
        s.close(0.5)


def test_unavailable_error_is_clear():
    from conftest import free_port

    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(UnavailableError) as e:
        swarmlab.Client(url, "t").json("GET", "/healthz")
    assert url in str(e.value) and "swarmlab up" in str(e.value)
    assert e.value.code == "UNAVAILABLE" and e.value.details["url"] == url


@pytest.fixture(autouse=True)
def _no_session_env(monkeypatch):
    for k in list(os.environ):
        if k.startswith("SWARMLAB_"):
            monkeypatch.delenv(k)


def test_hardware_sample_and_nvidia_smi_parsing():
    from swarmlab._hardware import HardwareProbe, parse_nvidia_smi

    probe = HardwareProbe()
    sum(i * i for i in range(200_000))  # some CPU
    r = probe.report(gpus=False)
    assert r["pid"] == os.getpid() and r["cpus"] >= 1 and r["rssMb"] > 1
    assert 0 <= r["cpuPercent"] and r["memoryTotalMb"] >= r["memoryFreeMb"] > 0 and len(r["loadAverage"]) == 3
    csv = "0, NVIDIA A100-SXM4-40GB, 87, 30512, 40960\n1, NVIDIA A100-SXM4-40GB, [N/A], 3, 40960\n\n"
    assert parse_nvidia_smi(csv) == [
        {"index": 0, "name": "NVIDIA A100-SXM4-40GB", "utilizationPercent": 87.0, "memoryUsedMb": 30512.0,
         "memoryTotalMb": 40960.0},
        {"index": 1, "name": "NVIDIA A100-SXM4-40GB", "utilizationPercent": 0, "memoryUsedMb": 3.0,
         "memoryTotalMb": 40960.0},
    ]
