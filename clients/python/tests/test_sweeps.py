"""Sweeps from the Python client against a real manager: a grid whose trials are Python sessions."""
from __future__ import annotations

import sys
import time

import pytest

import swarmlab
from swarmlab.errors import InvalidError

from conftest import PYTHON_DIR

TRIAL = """
import swarmlab
with swarmlab.session() as s:
    p = s.hparams
    for e in (1, 2):
        s.epoch(e, {"score": e * p["q"] + p["w"] / 100})
"""


def test_grid_sweep_with_python_trials(manager, tmp_path):
    script = tmp_path / "trial.py"
    script.write_text(TRIAL)
    sw = swarmlab.sweep({"q": {"kind": "choice", "values": [2, 1]}, "w": {"kind": "int", "min": 10, "max": 20, "step": 10}},
                        algorithm="grid", metric="score", mode="max", parallelism=2, name="py",
                        command=[sys.executable, str(script)],
                        session={"env": {"PYTHONPATH": str(PYTHON_DIR), "PYTHONUNBUFFERED": "1"}},
                        client=manager.client)
    deadline = time.time() + 120
    while sw["state"] == "running" and time.time() < deadline:
        time.sleep(0.2)
        sw = swarmlab.get_sweep(sw["id"], client=manager.client)
    assert sw["state"] == "completed", sw
    assert [t["params"] for t in sw["trials"]] == [{"q": 2, "w": 10}, {"q": 2, "w": 20}, {"q": 1, "w": 10},
                                                   {"q": 1, "w": 20}]
    assert [t["value"] for t in sw["trials"]] == [4.1, 4.2, 2.1, 2.2]
    assert (sw["best"]["index"], sw["best"]["value"], sw["totalResource"]) == (1, 4.2, 8)
    assert sw["id"] in [s["id"] for s in swarmlab.list_sweeps(client=manager.client)["sweeps"]]
    assert swarmlab.stop_sweep(sw["id"], client=manager.client)["state"] == "completed"  # ended: as it was


def test_a_bad_field_is_named(manager):
    with pytest.raises(InvalidError) as e:
        swarmlab.sweep({"lr": {"kind": "uniform", "min": 0, "max": 1}}, algorithm="random", metric="m", mode="max",
                       command=["true"], client=manager.client)
    assert e.value.details["field"] == "trials"
