"""Preemption from Python, on Redis: a demoted PyTorch job that declared itself checkpointable yields its node to
waiting work of higher priority, checkpoints on `s.preempted`, and its next attempt resumes from that checkpoint
and ends with exactly the weights of an uninterrupted run (examples/checkpoint-torch/train.py)."""
from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import time

import pytest

torch = pytest.importorskip("torch")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TRAIN = os.path.join(REPO, "examples", "checkpoint-torch", "train.py")
BOX = {"box": "small"}
STEPS = 300


def reference_weights() -> list:
    spec = importlib.util.spec_from_file_location("checkpoint_train", TRAIN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    model, opt = mod.build()
    for step in range(STEPS):
        mod.train_step(model, opt, step)
    return model.weight.detach().flatten().tolist()


def test_a_preempted_torch_job_resumes_and_matches_an_uninterrupted_run(manager_factory, tmp_path):
    nodes = tmp_path / "nodes.json"
    nodes.write_text(json.dumps({"nodes": [
        {"name": "box", "pool": "training", "labels": BOX, "capacity": {"cpus": 2, "memoryMb": 1000, "gpus": []}},
    ]}))
    m = manager_factory(store="redis", extra_args=["--long-run", "500ms", "--nodes", str(nodes)])
    env = {"PYTHONPATH": os.path.join(REPO, "clients", "python"), "PYTHONUNBUFFERED": "1",
           "CKPT_STEPS": str(STEPS), "CKPT_PAUSE_S": "0.03"}
    spec = {"labels": BOX, "resources": {"cpus": 1, "memoryMb": 800}}
    victim = m.post("/api/v1/sessions", {"name": "torch-long", "command": [sys.executable, TRAIN], "env": env, **spec})
    m.wait_for(lambda: (lambda r: r.get("demotedAt") and r.get("checkpointable"))(m.session(victim["id"])),
               what="the job demoted and checkpointable")
    m.wait_for(lambda: "starting at step 0" in m.session_output(victim["id"]), what="training under way")
    time.sleep(1.0)
    urgent = m.post("/api/v1/sessions", {"name": "urgent", "command": [sys.executable, "-c", "pass"], **spec})

    stopped = m.wait_session(victim["id"])
    out = m.session_output(victim["id"])
    assert stopped["state"] == "stopped", out
    assert stopped["preemptedBy"] == urgent["id"]
    assert stopped["reason"].startswith(f"preempted: session {urgent['id']}")
    at = int(re.search(r"preempted at step (\d+): checkpoint saved", out).group(1))
    assert 0 < at < STEPS

    assert m.wait_session(urgent["id"])["state"] == "succeeded"
    # The next attempt is submitted right after the end is recorded.
    next_id = m.wait_for(lambda: m.session(victim["id"]).get("retriedBy"), what="the next attempt")
    nxt = m.wait_session(next_id, timeout=120)
    out2 = m.session_output(nxt["id"])
    assert nxt["state"] == "succeeded", out2
    assert (nxt["attempt"], nxt["retryOf"]) == (2, victim["id"])
    assert f"attempt 2: starting at step {at}" in out2
    weights = json.loads(re.search(r"final weights (\[.*\])", out2).group(1))
    assert weights == pytest.approx(reference_weights(), rel=1e-6, abs=1e-7)
