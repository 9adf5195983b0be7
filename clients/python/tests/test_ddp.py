"""A gang session through the platform: 2 ranks of PyTorch DDP (gloo, CPU) started together with the rendezvous in
their environment, each streaming its own share of the dataset, train like 1 rank with the same global batch."""
from __future__ import annotations

import json
import os
import sys

import pytest

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")

from swarmlab import push_dataset  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TRAIN = os.path.join(REPO, "examples", "ddp-torch", "train.py")
ROWS = 512


@pytest.fixture(scope="module")
def regression(manager):
    """y = tanh(x·w / 2) + noise over 8 features: a tiny nonlinear regression."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(ROWS, 8))
    y = np.tanh(x @ rng.normal(size=8) / 2) + 0.05 * rng.normal(size=ROWS)
    lines = ["id," + ",".join(f"x{i}" for i in range(8)) + ",y"]
    lines += [f"{i}," + ",".join(f"{v:.6f}" for v in x[i]) + f",{y[i]:.6f}" for i in range(ROWS)]
    push_dataset("ddp-regression", [("\n".join(lines) + "\n").encode()], format="csv", client=manager.client)
    return "ddp-regression"


def train(manager, dataset: str, replicas: int) -> dict:
    body = {
        "name": f"ddp-{replicas}",
        "command": [sys.executable, TRAIN],
        "env": {"PYTHONPATH": os.path.join(REPO, "clients", "python"), "PYTHONUNBUFFERED": "1"},
        "dataset": dataset,
        "resources": {"cpus": 1, "memoryMb": 1024},
        "replicas": replicas,
    }
    rec = manager.post("/api/v1/sessions", body)
    final = manager.wait_session(rec["id"], timeout=240)
    lines = manager.get(f"/api/v1/sessions/{rec['id']}/logs", limit=10_000)["lines"]
    assert final["state"] == "succeeded", "\n".join(f"[{ln.get('rank')}] {ln['line']}" for ln in lines[-60:])
    final["shares"] = {}
    for ln in lines:
        if ln["line"].startswith("SHARE "):
            share = json.loads(ln["line"][6:])
            assert share["rank"] == ln.get("rank", 0), "each log line carries the rank that wrote it"
            final["shares"][share["rank"]] = share
        elif ln["line"].startswith("RESULT "):
            final["result"] = json.loads(ln["line"][7:])
    return final


def test_two_rank_ddp_converges_like_one_rank(manager, regression):
    one = train(manager, regression, 1)
    two = train(manager, regression, 2)
    assert "ranks" not in one and one.get("replicas") is None
    assert [r["exitCode"] for r in two["ranks"]] == [0, 0]
    assert two["result"]["world"] == 2 and one["result"]["world"] == 1

    # Each rank read its own half of every epoch; together, every row once.
    a, b = two["shares"][0]["ids"], two["shares"][1]["ids"]
    assert len(a) == len(b) == ROWS // 2 and not set(a) & set(b)
    assert sorted(a + b) == list(range(ROWS)) == one["shares"][0]["ids"]
    # The same number of samples: half the steps' rows per rank, as many steps as the single rank took.
    assert two["shares"][0]["steps"] == two["shares"][1]["steps"] == one["shares"][0]["steps"] == 10 * ROWS // 32

    l1, l2 = one["result"]["loss"], two["result"]["loss"]
    print(f"DDP loss: 1 rank {l1:.5f}, 2 ranks {l2:.5f} ({abs(l2 - l1) / l1:.2%} apart); "
          f"run {(one['endedAt'] - one['startedAt']) / 1000:.1f} s, {(two['endedAt'] - two['startedAt']) / 1000:.1f} s")
    assert l1 < 0.05, f"the single rank did not converge (loss {l1}; about 0.8 untrained)"
    assert abs(l2 - l1) / l1 <= 0.02, f"2 ranks: loss {l2}, 1 rank: loss {l1}"
