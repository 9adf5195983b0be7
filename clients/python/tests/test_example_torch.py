"""The PyTorch example end to end, with fewer epochs: datasets pushed, a Python session trained and promoted by its
rules, the production generation measured through the server and checked against torch's own outputs."""
import json
import os
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
RUN = os.path.join(REPO, "examples", "fashion-mnist-torch", "run.py")
DATA = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


@pytest.mark.skipif(not os.path.exists(os.path.join(DATA, "train-images-idx3-ubyte.gz")) and not os.environ.get("CI"),
                    reason="Debian's dataset-fashion-mnist is not installed")
def test_pytorch_example_trains_promotes_and_serves(manager):
    env = {**os.environ, **manager.env}
    done = subprocess.run([sys.executable, RUN, "--epochs", "2", "--min-accuracy", "0.85", "--python", sys.executable],
                          env=env, capture_output=True, text=True, timeout=900)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-4000:]
    result = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
    assert result["state"] == "succeeded"
    assert result["rows"] == 10_000
    assert 0.85 <= result["testAccuracy"] <= 1.0, result
    assert result["maxAbsDiffVsTorch"] <= 1e-4, result
    assert result["servedGenerations"] == [str(result["generation"])], result
    epochs = manager.events(session=result["session"], types=["session.epoch"])
    assert [e["data"]["epoch"] for e in epochs] == [1, 2]
    promoted = manager.events(session=result["session"], types=["rule.fired"])
    assert any(e["data"]["action"] == "stage:production" for e in promoted)
