"""
Fashion-MNIST with PyTorch through Swarmlab, end to end (the PyTorch twin of examples/fashion-mnist/run.ts).

1. Pushes Debian's Fashion-MNIST (dataset-fashion-mnist) as three datasets, once: `fashion-train-55k` and
   `fashion-val-5k` (the train file's first 55,000 and last 5,000 rows) and `fashion-test` (t10k).
2. Submits train.py as a session on `fashion-train-55k` with rules.json (early stop on val_accuracy, reject a
   non-finite loss, promote every generation that beats production's val_accuracy), run by the interpreter that
   has torch (`--python`, default $SWARMLAB_PYTHON or /usr/bin/python3: Debian's python3-torch is installed for it,
   which need not be the first python3 on PATH).
3. Prints epochs, generations and rule firings as they happen.
4. Measures the production generation of `fashion-cnn` on t10k THROUGH THE SERVER (`POST /v2/models/fashion-cnn/infer`,
   binary tensors), and checks the served logits against torch's own outputs for the same epoch's state dict
   (generation of `fashion-cnn-torch`).
Prints a last line `RESULT {json}`; exits 1 if the session failed, nothing reached production, the accuracy is
under --min-accuracy, or served and torch outputs differ by more than 1e-4.

    python3 examples/fashion-mnist-torch/run.py [--epochs 10] [--min-accuracy 0.91]
"""
import argparse
import gzip
import io
import json
import os
import struct
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "clients", "python"))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

import swarmlab  # noqa: E402

DATA = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
TRAIN, VAL, TEST = "fashion-train-55k", "fashion-val-5k", "fashion-test"
VAL_ROWS = 5000


def read_idx(path: str) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        raw = f.read()
    _, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def write_idx(path: str, arr: np.ndarray) -> str:
    with open(path, "wb") as f:
        f.write(struct.pack(">HBB", 0, 0x08, arr.ndim) + struct.pack(">" + "I" * arr.ndim, *arr.shape))
        f.write(np.ascontiguousarray(arr).tobytes())
    return path


def ensure_datasets(client: swarmlab.Client) -> None:
    have = {d["name"] for d in client.json("GET", "/api/v1/datasets")["datasets"]}
    if TRAIN not in have or VAL not in have:
        images = read_idx(os.path.join(DATA, "train-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(DATA, "train-labels-idx1-ubyte.gz"))
        split = len(labels) - VAL_ROWS
        with tempfile.TemporaryDirectory() as tmp:
            for name, rows in ((TRAIN, slice(0, split)), (VAL, slice(split, None))):
                if name in have:
                    continue
                files = [write_idx(os.path.join(tmp, f"{name}-images-idx3-ubyte"), images[rows]),
                         write_idx(os.path.join(tmp, f"{name}-labels-idx1-ubyte"), labels[rows])]
                v = swarmlab.push_dataset(name, files, format="idx", client=client)
                print(f"pushed {name}@{v['version']}: {v['rows']} rows", flush=True)
    if TEST not in have:
        files = [os.path.join(DATA, f"t10k-{k}-idx{n}-ubyte.gz") for k, n in (("images", 3), ("labels", 1))]
        v = swarmlab.push_dataset(TEST, files, format="idx", client=client)
        print(f"pushed {TEST}@{v['version']}: {v['rows']} rows", flush=True)


def follow(client: swarmlab.Client, session_id: str, after: int) -> dict:
    """Prints the session's epochs, generations and rule firings until it ends; returns its record."""
    while True:
        page = client.json("GET", "/api/v1/events", query={"after": after, "session": session_id, "limit": 500})
        for e in page["events"]:
            after = e["cursor"]
            d = e.get("data", {})
            t = e["type"]
            if t == "session.epoch":
                m = d["metrics"]
                print(f"  epoch {d['epoch']}/{d.get('total', '?')}: " +
                      " ".join(f"{k} {v:.4f}" for k, v in m.items() if isinstance(v, (int, float))), flush=True)
            elif t == "generation.saved":
                acc = d.get("metrics", {}).get("val_accuracy")
                print(f"  generation {d['model']}#{d['generation']} saved (val_accuracy {acc})", flush=True)
            elif t == "rule.fired":
                print(f"  rule {d['rule']} fired: {d['action']} (observed {d.get('observed')})", flush=True)
            elif t == "session.log" and d.get("stream") in ("stdout", "stderr", "sdk"):
                for line in d.get("lines", []):
                    print(f"  | {line}", flush=True)
            elif t == "session.exited":
                return client.json("GET", f"/api/v1/sessions/{session_id}")
        if not page["events"]:
            time.sleep(0.5)


def infer(client: swarmlab.Client, model: str, x: np.ndarray) -> tuple:
    """KServe v2 with the binary tensor extension: the input as raw float32 bytes, logits back as JSON."""
    header = json.dumps({
        "inputs": [{"name": "image", "shape": list(x.shape), "datatype": "FP32",
                    "parameters": {"binary_data_size": x.nbytes}}],
    }).encode()
    res = client.request("POST", f"/v2/models/{model}/infer", body=header + x.tobytes(),
                         headers={"inference-header-content-length": str(len(header))})
    out = json.loads(res.read())["outputs"][0]
    return np.asarray(out["data"], dtype=np.float32).reshape(out["shape"]), res.getheader("x-swarmlab-generation")


def same_epoch(client: swarmlab.Client, epoch: int) -> list:
    """Numbers of the `fashion-cnn-torch` generations saved at `epoch`, oldest first."""
    listed = client.json("GET", "/api/v1/models/fashion-cnn-torch")["generationList"]
    return [g["generation"] for g in listed if g["metrics"].get("epoch") == epoch]


def generation_record(client: swarmlab.Client):
    return lambda n: client.json("GET", f"/api/v1/models/fashion-cnn-torch/generations/{n}")


def measure(client: swarmlab.Client, production: dict, torch_generation: dict) -> dict:
    import torch

    from model import FashionCNN, images_to_input

    reader = swarmlab.open_dataset(TEST, batch_size=1000, client=client, local=False)
    net = FashionCNN()
    loaded = swarmlab.load_generation(torch_generation["model"], generation=torch_generation["generation"],
                                      client=client)
    net.load_state_dict(torch.load(io.BytesIO(loaded.bytes)))
    net.eval()
    correct = total = 0
    max_diff = 0.0
    served_by = set()
    for batch in reader.epoch(1):
        x = images_to_input(batch.columns["image"].data).numpy()
        y = np.asarray(batch.columns["label"].data)
        logits, gen = infer(client, production["model"], np.ascontiguousarray(x))
        served_by.add(gen)
        with torch.no_grad():
            ours = net(torch.from_numpy(x)).numpy()
        max_diff = max(max_diff, float(np.abs(logits - ours).max()))
        correct += int((logits.argmax(1) == y).sum())
        total += len(y)
    reader.close()
    return {"testAccuracy": correct / total, "rows": total, "maxAbsDiffVsTorch": max_diff,
            "servedGenerations": sorted(served_by)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--min-accuracy", type=float, default=0.91)
    p.add_argument("--python", default=os.environ.get("SWARMLAB_PYTHON", "/usr/bin/python3"))
    p.add_argument("--cpus", type=float, default=float(os.cpu_count() or 1))
    # The grant is a limit where cgroups hold sessions to it: torch alone takes about 250 MB.
    p.add_argument("--memory-mb", type=int, default=2048)
    args = p.parse_args()

    client = swarmlab.Client()
    ensure_datasets(client)
    with open(os.path.join(HERE, "rules.json")) as f:
        rules = json.load(f)
    after = client.json("GET", "/api/v1/events/cursor")["cursor"]
    env = {"PYTHONPATH": os.path.join(REPO, "clients", "python"), "FASHION_EPOCHS": str(args.epochs),
           "FASHION_LR": str(args.lr), "FASHION_VAL_DATASET": VAL}
    record = client.json("POST", "/api/v1/sessions", json={
        "name": "fashion-cnn-torch", "command": [args.python, os.path.join(HERE, "train.py")], "cwd": HERE,
        "env": env, "dataset": TRAIN, "resources": {"cpus": args.cpus, "memoryMb": args.memory_mb}, "rules": rules,
    })
    session_id = record["id"]
    print(f"session {session_id} submitted ({args.python}, {args.epochs} epochs)", flush=True)
    ended = follow(client, session_id, after)
    print(f"session {session_id} ended {ended['state']} (exit code {ended.get('exitCode')})", flush=True)

    result = {"session": session_id, "state": ended["state"]}
    try:
        production = client.json("GET", "/api/v1/models/fashion-cnn/generations/production")
    except swarmlab.NotFoundError:
        production = None
    ok = ended["state"] in ("succeeded", "stopped") and production is not None
    if production is not None:
        epoch = production["metrics"]["epoch"]
        twins = [g for g in map(generation_record(client), same_epoch(client, epoch))
                 if g["sessionId"] == production["sessionId"]]
        result.update({"generation": production["generation"], "epoch": epoch,
                       "valAccuracy": production["metrics"]["val_accuracy"]})
        if twins:
            result.update(measure(client, production, twins[-1]))
            ok = ok and result["testAccuracy"] >= args.min_accuracy and result["maxAbsDiffVsTorch"] <= 1e-4
            print(f"test accuracy {result['testAccuracy']:.4f} through the server (generation "
                  f"{production['generation']}, epoch {epoch}); served vs torch max |Δ| "
                  f"{result['maxAbsDiffVsTorch']:.2e}", flush=True)
        else:
            ok = False
            print("no pytorch generation of the production epoch to compare with", flush=True)
    print("RESULT " + json.dumps(result), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
