#!/usr/bin/python3
"""Report overhead of the Python client: 100,000 metric points through `Session.metric(...)`.

Measures the time the training loop spends in its calls (target < 2 s for 100k points), then flushes and checks
that every point reached the manager (counted through `GET /api/v1/sessions/ID/metrics?maxPoints=0`). The
baseline, measured in the same run, is a bare loop appending the same tuples to a list.

    npm run build && /usr/bin/python3 bench/python-reports.py [--points 100000] [--store lmdb|redis://…]

Starts its own manager (`node bin/swarmlab.js up`) on a free port and a temp data dir, unless SWARMLAB_URL and
SWARMLAB_TOKEN point at one already.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))

import swarmlab  # noqa: E402
from pymanager import BenchManager  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--store", default="lmdb")
    args = ap.parse_args()
    n = args.points

    if os.environ.get("SWARMLAB_URL") and os.environ.get("SWARMLAB_TOKEN"):
        url, token, stop = os.environ["SWARMLAB_URL"], os.environ["SWARMLAB_TOKEN"], (lambda: None)
    else:
        m = BenchManager(args.store)
        url, token, stop = m.url, m.token, m.stop
    client = swarmlab.Client(url, token)
    # A session record to report for (its own process only sleeps); the reports come from this process.
    sid = client.json("POST", "/api/v1/sessions", json={"name": "bench-python-reports",
                                                       "command": ["sleep", "600"]})["id"]
    try:
        s = swarmlab.session(url=url, token=token, session_id=sid, close_timeout=120)
        names = ("loss", "accuracy", "lr", "grad_norm")

        # Baseline: the same tuples appended to a list, nothing else (best of 3).
        now = time.time
        bare = float("inf")
        for _ in range(3):
            sink = []
            t0 = time.perf_counter()
            append = sink.append
            for i in range(n):
                append((0, names[i & 3], float(i * 0.001), i, now()))
            bare = min(bare, time.perf_counter() - t0)
            del sink

        t0 = time.perf_counter()
        metric = s.metric
        for i in range(n):
            metric(names[i & 3], i * 0.001, i)
        loop = time.perf_counter() - t0

        t1 = time.perf_counter()
        ok = s.flush(120)
        delivered = time.perf_counter() - t1
        total = time.perf_counter() - t0
        stats = s.stats
        s.close()

        series = client.json("GET", f"/api/v1/sessions/{sid}/metrics", query={"maxPoints": 0})["series"]
        stored = sum(series[k]["points"] for k in names if k in series)
        steps = sorted(st for k in names if k in series for st in series[k]["step"])
        exact = steps == list(range(n))

        print(f"python {sys.version.split()[0]}, store {args.store}, {n:,} metric points")
        print(f"  training loop, s.metric() x {n:,}:  {loop:.3f} s  ({loop / n * 1e9:,.0f} ns/point)"
              f"   target < 2 s: {'PASS' if loop < 2 else 'FAIL'}")
        print(f"  bare loop, list.append(tuple):     {bare:.3f} s  ({bare / n * 1e9:,.0f} ns/point)")
        print(f"  ratio s.metric / bare append:      {loop / bare:.2f}x")
        print(f"  flush after the loop:              {delivered:.3f} s  (delivered {ok}); "
              f"first call → all stored {total:.3f} s = {n / total:,.0f} points/s")
        print(f"  batches {stats['batches']}, retries {stats['retries']}, dropped {stats['dropped']}, "
              f"acked {stats['acked']:,}")
        print(f"  stored by the manager:             {stored:,} of {n:,}  (every step exactly once: {exact})")
        if not (ok and stored == n and exact and stats["dropped"] == 0):
            sys.exit(1)
    finally:
        try:
            client.json("POST", f"/api/v1/sessions/{sid}/stop", json={})
        except swarmlab.SwarmlabError:
            pass
        stop()


if __name__ == "__main__":
    main()
