"""Hyperparameter sweeps: trials run as sessions with their params; grid, seeded random or ASHA (early stopping).

    import swarmlab

    sw = swarmlab.sweep({"lr": {"kind": "loguniform", "min": 1e-4, "max": 1e-1},
                         "hidden": {"kind": "choice", "values": [64, 128, 256]}},
                        algorithm="asha", metric="val_accuracy", mode="max", trials=20, parallelism=2,
                        asha={"maxResource": 9}, command=["python", "train.py"])
    sw = swarmlab.get_sweep(sw["id"])  # {"state", "trials": [{params, state, value, best, resource, rung}], "best"}

A trial reads its params with `swarmlab.session().hparams` (or SWARMLAB_PARAM_<NAME>) and reports the metric
each epoch with `s.epoch(n, {...})`; ASHA stops the trials that fall behind at each rung.
"""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence

from ._http import Client


def sweep(space: Mapping[str, Any], *, algorithm: str, metric: str, mode: str,
          command: Optional[Sequence[str]] = None, session: Optional[Mapping[str, Any]] = None,
          trials: Optional[int] = None, parallelism: Optional[int] = None, seed: Optional[int] = None,
          asha: Optional[Mapping[str, Any]] = None, accept: Optional[Sequence[Mapping[str, Any]]] = None,
          name: Optional[str] = None, client: Optional[Client] = None) -> Dict[str, Any]:
    """Starts a sweep (`POST /api/v1/sweeps`) and returns its view. `session` is the trials' session spec (as for
    a submit, without params); `command` fills its `command`. A bad field raises InvalidError naming it."""
    template = dict(session or {})
    if command is not None:
        template["command"] = list(command)
    body: Dict[str, Any] = {"space": dict(space), "algorithm": algorithm, "metric": metric, "mode": mode,
                            "session": template}
    optional = {"trials": trials, "parallelism": parallelism, "seed": seed, "asha": asha, "accept": accept,
                "name": name}
    body.update({k: v for k, v in optional.items() if v is not None})
    return (client or Client()).json("POST", "/api/v1/sweeps", json=body)


def get_sweep(sweep_id: str, *, client: Optional[Client] = None) -> Dict[str, Any]:
    """The sweep: its trials (state, params, value, best, resource, rung), `best` so far, `totalResource`."""
    return (client or Client()).json("GET", f"/api/v1/sweeps/{sweep_id}")


def list_sweeps(*, limit: Optional[int] = None, client: Optional[Client] = None) -> Dict[str, Any]:
    """`{sweeps: [...]}`, newest first, without their trials."""
    return (client or Client()).json("GET", "/api/v1/sweeps", query={"limit": limit})


def stop_sweep(sweep_id: str, *, client: Optional[Client] = None) -> Dict[str, Any]:
    """No new trial; the active ones are stopped (their SDK asked first)."""
    return (client or Client()).json("POST", f"/api/v1/sweeps/{sweep_id}/stop", json={})
