"""The shared fixtures themselves: a real manager on each store, a Python script run as a session."""
import pytest


@pytest.mark.parametrize("manager", ["lmdb", "redis"], indirect=True)
def test_manager_is_healthy(manager):
    url, token, data_dir, client = manager
    health = client.json("GET", "/healthz")
    assert health["status"] == "ok"
    assert health["store"] == manager.kind


def test_run_session(manager):
    rec = manager.run_session("import sys, swarmlab; print('hello from', swarmlab.__name__); sys.exit(3)")
    assert rec["state"] == "failed", rec
    assert rec["exitCode"] == 3
    assert "hello from swarmlab" in rec["output"]
