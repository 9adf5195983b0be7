"""Session params in the Python client against a real manager: read from the environment, added by the job."""
from __future__ import annotations

import json

from swarmlab import SessionEnv

JOB = """
import json, swarmlab
from swarmlab.errors import ConflictError
with swarmlab.session() as s:
    print("SUBMITTED " + json.dumps([s.hparams, s.info.project, list(s.info.tags)]))
    print("ADDED " + json.dumps(s.add_hparams({"opt.beta-1": 0.9}, batch_size=64, gpu="A100")))
    s.add_hparams(batch_size=64)  # the same value again: fine
    try:
        s.add_hparams(lr=0.1)
    except ConflictError as e:
        print("CONFLICT " + e.details["field"])
"""


def test_params_come_from_the_environment_and_the_job_adds_some(manager):
    rec = manager.run_session(JOB, params={"lr": 0.001, "arch": "cnn", "aug": True}, tags=["baseline", "v1"],
                              project="fashion")
    assert rec["state"] == "succeeded", rec["output"]
    lines = [ln.split("] ", 1)[1] for ln in rec["output"].splitlines() if ln.startswith("[stdout] ")]
    out = dict(ln.split(" ", 1) for ln in lines if " " in ln)
    assert json.loads(out["SUBMITTED"]) == [{"lr": 0.001, "arch": "cnn", "aug": True}, "fashion", ["baseline", "v1"]]
    assert json.loads(out["ADDED"]) == {"lr": 0.001, "arch": "cnn", "aug": True, "opt.beta-1": 0.9,
                                        "batch_size": 64, "gpu": "A100"}
    assert out["CONFLICT"] == "params.lr"
    assert manager.session(rec["id"])["params"]["gpu"] == "A100"


def test_session_env_reads_params_project_and_tags():
    env = SessionEnv.read({"SWARMLAB_PARAMS": '{"lr": 0.01, "name": "x"}', "SWARMLAB_PROJECT": "p",
                           "SWARMLAB_TAGS": "a,b"})
    assert (env.params, env.project, env.tags) == ({"lr": 0.01, "name": "x"}, "p", ("a", "b"))
    assert (SessionEnv.read({}).params, SessionEnv.read({}).tags) == ({}, ())


def test_list_and_compare_sessions(manager):
    from swarmlab import compare, list_sessions

    a = manager.run_session("print(1)", params={"lr": 0.1, "aug": True}, project="pyexp", tags=["t1"])
    b = manager.run_session("print(2)", params={"lr": 0.01, "aug": True}, project="pyexp", tags=["t1", "t2"])
    got = list_sessions(project="pyexp", order="param.lr", client=manager.client)
    assert [s["id"] for s in got["sessions"]] == [b["id"], a["id"]] and got["total"] == 2
    assert [s["id"] for s in list_sessions(tags=["t1", "t2"], client=manager.client)["sessions"]] == [b["id"]]
    assert [s["id"] for s in list_sessions(params={"lr": 0.1, "aug": True}, client=manager.client)["sessions"]] \
        == [a["id"]]
    c = compare([a["id"], b["id"]], client=manager.client)
    assert c["params"] == ["lr"] and [s["params"]["lr"] for s in c["sessions"]] == [0.1, 0.01]
