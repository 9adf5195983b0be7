#!/usr/bin/python3
"""Intake rates of the Python client on Fashion-MNIST train (60,000 × 784 uint8 + labels), all in one run:

  (a) remote: `open_dataset(local=False)`, one consumer, batches of 256 as numpy views of the received frames;
  (b) loopback TCP: a Node process pushing the same number of bytes into a Python socket, received with
      `recv_into` a preallocated buffer — the ceiling (a) is divided by (target a ≥ 0.5 × b);
  (c) node-local: `open_dataset(local=True)` cutting batches from the LMDB memory map, beside `np.copyto` of the
      same bytes into a preallocated array (target ≥ 0.5×);
  (e) the same Python reader fed by a bare Node socket replaying the recorded stream bytes: the client's own
      ceiling, which tells whether (a) is bound by the manager or by Python;
  (f) the TypeScript SDK's reader (`openDataset`, Node) on the same manager: what the manager's stream gives a
      client that is not Python;
  (d) the seed's way: `GET …/rows?offset&limit=1000` pages, JSON arrays parsed into Python lists.

Each rate is the median of `--epochs` passes after `--warmup` passes (default 5: the manager's shard cache, the
page cache and the map are warm after one, the manager's JIT reaches its steady rate after a few more — a training
job streams many epochs); the first, cold pass is printed too. Rates count column payload bytes (785 B per row);
the wire carries a few more (frame headers, padding).

    npm run build && /usr/bin/python3 bench/python-intake.py [--epochs 7] [--warmup 5] [--batch-size 256]

Starts its own manager (`node bin/swarmlab.js up`, LMDB store) on a free port and a temp data dir.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))

import numpy as np  # noqa: E402

import swarmlab  # noqa: E402
from pymanager import BenchManager  # noqa: E402

FASHION = "/usr/share/datasets/fashion-mnist"
MB = 1e6

SENDER = r"""
const net = require('node:net');
const [port, total] = [Number(process.argv[1]), Number(process.argv[2])];
const chunk = Buffer.alloc(1 << 20, 7);
const s = net.connect(port, '127.0.0.1', () => {
  let left = total;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!s.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return s.once('drain', pump);
    }
    s.end();
  };
  pump();
});
"""


REPLAYER = r"""
const net = require('node:net');
const fs = require('node:fs');
const body = fs.readFileSync(process.argv[1]);
const head = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.swarmlab.frames\r\nConnection: close\r\n\r\n');
const srv = net.createServer((s) => s.once('data', () => { s.write(head); s.end(body); }));
srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
"""


TS_READER = r"""
const [url, token, batchSize, epochs, warmup] = process.argv.slice(1);
const { openDataset } = await import(process.env.SWARMLAB_SDK);
const ds = await openDataset('fashion', { url, token, local: false, batchSize: Number(batchSize) });
const rates = [];
for (let e = 0; e < Number(warmup) + Number(epochs); e++) {
  const t = performance.now();
  let n = 0;
  for await (const b of ds.epoch(e)) for (const c of Object.values(b.columns)) n += c.data.byteLength;
  if (e >= Number(warmup)) rates.push(n / (performance.now() - t) / 1e3);
}
rates.sort((a, b) => a - b);
console.log(rates[rates.length >> 1]);
"""


def epoch_bytes(reader, epoch: int):
    """(payload bytes, seconds, batches) of one pass; each batch's columns are touched as numpy arrays."""
    n = k = 0
    t = time.perf_counter()
    for b in reader.epoch(epoch):
        for c in b.columns.values():
            n += c.data.nbytes
        k += 1
    return n, time.perf_counter() - t, k


def passes(reader, epochs: int, warmup: int):
    """(first pass, the `epochs` passes after `warmup` passes)."""
    cold = epoch_bytes(reader, 0)
    for e in range(1, warmup):
        epoch_bytes(reader, e)
    rates = [epoch_bytes(reader, max(warmup, 1) + e) for e in range(epochs)]
    return cold, rates


def median_rate(runs) -> float:
    return statistics.median(n / dt / MB for n, dt, *_ in runs)


def tcp_loopback(total: int, epochs: int):
    """A Node process pushes `total` bytes into this process's socket; recv_into one preallocated buffer."""
    runs = []
    buf = bytearray(4 << 20)
    mv = memoryview(buf)
    for _ in range(epochs + 1):
        with socket.socket() as ls:
            ls.bind(("127.0.0.1", 0))
            ls.listen(1)
            port = ls.getsockname()[1]
            sender = subprocess.Popen(["node", "-e", SENDER, str(port), str(total)])
            conn, _ = ls.accept()
            t = time.perf_counter()
            got = 0
            with conn:
                while True:
                    k = conn.recv_into(mv)
                    if not k:
                        break
                    got += k
            dt = time.perf_counter() - t
            sender.wait()
            assert got == total, (got, total)
            runs.append((got, dt))
    return runs[1:]  # the first one warms up


def replayed(manifest, url: str, token: str, batch_size: int, epochs: int, warmup: int, tmp: str):
    """(e): records one stream epoch's raw bytes, then reads them through the Python reader from a Node replayer."""
    from swarmlab.datasets import DatasetReader

    path = os.path.join(tmp, "stream.bin")
    res = swarmlab.Client(url, token).request(
        "GET", f"/api/v1/datasets/{manifest['name']}/versions/{manifest['version']}/stream",
        query={"batchSize": batch_size})
    with open(path, "wb") as f:
        shutil.copyfileobj(res, f, 1 << 20)
    node = subprocess.Popen(["node", "-e", REPLAYER, path], stdout=subprocess.PIPE, text=True)
    try:
        port = int(node.stdout.readline())
        reader = DatasetReader(swarmlab.Client(f"http://127.0.0.1:{port}", "x"), manifest, batch_size=batch_size,
                               rank=0, world_size=1, shuffle_seed=None)
        return passes(reader, epochs, warmup)
    finally:
        node.terminate()
        node.wait()


def ts_reader(url: str, token: str, batch_size: int, epochs: int, warmup: int) -> float:
    sdk = os.path.join(ROOT, "dist", "sdk", "index.js")
    out = subprocess.run(["node", "--input-type=module", "-e", TS_READER, url, token, str(batch_size), str(epochs), str(warmup)],
                         env={**os.environ, "SWARMLAB_SDK": sdk}, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def copyto(total: int, epochs: int):
    src = np.frombuffer(os.urandom(total), dtype=np.uint8)
    dst = np.empty_like(src)
    np.copyto(dst, src)  # warm: both touched
    runs = []
    for _ in range(epochs):
        t = time.perf_counter()
        np.copyto(dst, src)
        runs.append((total, time.perf_counter() - t))
    return runs


def json_rows(client, name: str, rows: int, row_bytes: int, seconds: float):
    """Pages of 1000 rows as JSON into Python lists, for up to `seconds` (extrapolated to a rate)."""
    t = time.perf_counter()
    done = 0
    while done < rows and time.perf_counter() - t < seconds:
        page = client.json("GET", f"/api/v1/datasets/{name}/versions/latest/rows",
                           query={"offset": done, "limit": 1000})
        got = page["rows"]
        assert isinstance(got[0]["image"], list)
        done += len(got)
    dt = time.perf_counter() - t
    return done * row_bytes, dt, done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--json-seconds", type=float, default=6.0)
    args = ap.parse_args()
    files = [os.path.join(FASHION, f) for f in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")]
    if not all(os.path.exists(f) for f in files):
        sys.exit(f"needs Debian's dataset-fashion-mnist ({FASHION})")
    m = BenchManager(prefix="swarmlab-bench-pyintake-")
    data_dir, url, token, client = m.data_dir, m.url, m.token, m.client
    try:
        t = time.perf_counter()
        pushed = swarmlab.push_dataset("fashion", files, format="idx", client=client)
        print(f"pushed fashion@{pushed['version']}: {pushed['rows']} rows, {pushed['bytes'] / MB:.1f} MB "
              f"in {time.perf_counter() - t:.2f} s")
        kw = dict(url=url, token=token, batch_size=args.batch_size)
        print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs; "
              f"batch {args.batch_size}, median of {args.epochs} passes after {args.warmup} warm-up passes\n")

        remote = swarmlab.open_dataset("fashion", local=False, **kw)
        (a_cold, a_runs) = passes(remote, args.epochs, args.warmup)
        total = a_runs[0][0]
        remote_s = swarmlab.open_dataset("fashion", local=False, shuffle_seed=1, **kw)
        (_as_cold, as_runs) = passes(remote_s, args.epochs, args.warmup)
        # The same bytes into Python through a bare socket (the stream's frame headers add ~0.1 % on the wire).
        b_runs = tcp_loopback(total, args.epochs)
        f = ts_reader(url, token, args.batch_size, args.epochs, args.warmup)
        (_e_cold, e_runs) = replayed(remote.manifest, url, token, args.batch_size, args.epochs, args.warmup, data_dir)

        local = swarmlab.open_dataset("fashion", local=True, **kw)
        assert local.mode == "local"
        (c_cold, c_runs) = passes(local, args.epochs, args.warmup)
        local_s = swarmlab.open_dataset("fashion", local=True, shuffle_seed=1, **kw)
        (_cs_cold, cs_runs) = passes(local_s, args.epochs, args.warmup)
        copy_runs = copyto(total, args.epochs)

        d_bytes, d_dt, d_rows = json_rows(client, "fashion", 60000, total // 60000, args.json_seconds)

        a, a_s, b, e = median_rate(a_runs), median_rate(as_runs), median_rate(b_runs), median_rate(e_runs)
        c, c_s, cp = median_rate(c_runs), median_rate(cs_runs), median_rate(copy_runs)
        d = d_bytes / d_dt / MB
        rows = [
            ("(a) remote stream, stored order", a, f"{a / b:.2f}× (b)", f"cold pass {a_cold[0] / a_cold[1] / MB:.0f}"),
            ("(a') remote stream, shuffled (seed 1)", a_s, f"{a_s / b:.2f}× (b)", ""),
            ("(b) loopback TCP → recv_into (Node sender)", b, "1.00×", ""),
            ("(e) Python reader, stream replayed by Node", e, f"{e / b:.2f}× (b)", "the client's ceiling"),
            ("(f) TypeScript SDK reader, same manager", f, f"{f / b:.2f}× (b)", "stored order"),
            ("(c) node-local LMDB mmap, stored order", c, f"{c / cp:.2f}× copyto",
             f"cold pass {c_cold[0] / c_cold[1] / MB:.0f}"),
            ("(c') node-local LMDB mmap, shuffled (seed 1)", c_s, f"{c_s / cp:.2f}× copyto", ""),
            ("    np.copyto of the same bytes", cp, "1.00×", ""),
            ("(d) JSON rows → Python lists (seed's way)", d, f"{d / b:.4f}× (b)",
             f"{d_rows} rows in {d_dt:.1f} s"),
        ]
        print(f"{'path':48} {'MB/s':>9}  {'ratio':>16}  note")
        for name, rate, ratio, note in rows:
            print(f"{name:48} {rate:9.0f}  {ratio:>16}  {note}")
        print(f"\n{total / MB:.1f} MB per pass ({total} bytes). Targets: (a)/(b) ≥ 0.5 → "
              f"{'met' if a / b >= 0.5 else 'NOT met'} ({a / b:.2f}); (c)/copyto ≥ 0.5 → "
              f"{'met' if c / cp >= 0.5 else 'NOT met'} ({c / cp:.2f}); (a)/(d) = {a / d:.0f}×")
        for r in (remote, remote_s, local, local_s):
            r.close()
    finally:
        m.stop()


if __name__ == "__main__":
    main()
