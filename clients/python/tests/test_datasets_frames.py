"""The intake stream's framing against a scripted server: an `error` frame raises its typed error, an `end` frame
that disagrees with what arrived is CorruptError, a stream cut mid-frame or before its `end` is UnavailableError.
(The manager itself only sends these on failures that are hard to provoke on cue.)"""
from __future__ import annotations

import json
import socket
import struct
import threading

import pytest

from swarmlab import Client, NotFoundError, UnavailableError
from swarmlab._frames import align8, parse_frame
from swarmlab.datasets import DatasetReader
from swarmlab.errors import CorruptError

np = pytest.importorskip("numpy")

MANIFEST = {"name": "fake", "version": 1, "rows": 6, "columns": [{"name": "x", "dtype": "int32", "shape": [6],
                                                                   "axis": "row"}],
            "shards": [{"digest": "0" * 64, "rowStart": 0, "rows": 6, "bytes": 64}], "kind": "table", "meta": {}}


def frame(header: dict, payloads=()) -> bytes:
    """A frame as frame.ts lays it out (payload offsets from the first payload byte, each 8-aligned)."""
    cols, body, at = [], b"", 0
    for name, dtype, arr in payloads:
        raw = arr.tobytes()
        cols.append({"name": name, "dtype": dtype, "shape": list(arr.shape), "offset": at, "length": len(raw)})
        body += raw + b"\0" * (align8(len(raw)) - len(raw))
        at = align8(at + len(raw))
    if payloads:
        header = {**header, "columns": cols}
    js = json.dumps(header).encode()
    head = struct.pack("<II", 0, len(js)) + js
    head += b"\0" * (align8(len(head)) - len(head))
    out = bytearray(head + body)
    struct.pack_into("<I", out, 0, len(out))
    return bytes(out)


def batch(i: int, values) -> bytes:
    arr = np.asarray(values, dtype=np.int32)
    return frame({"t": "batch", "batch": i, "rows": len(arr)}, [("x", "int32", arr)])


def serve(body: bytes):
    """One-shot HTTP server answering any request with `body` (then closing, as the manager does)."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)

    def run():
        while True:
            try:
                conn, _ = ls.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.swarmlab.frames\r\n"
                             b"Connection: close\r\n\r\n" + body)

    threading.Thread(target=run, daemon=True).start()
    return ls, f"http://127.0.0.1:{ls.getsockname()[1]}"


def read(body: bytes):
    ls, url = serve(body)
    try:
        reader = DatasetReader(Client(url, "t"), MANIFEST, batch_size=3, rank=0, world_size=1, shuffle_seed=None)
        out = []
        try:
            for b in reader.epoch(0):
                out.append(b["x"].tolist())
        except Exception as e:  # noqa: BLE001 - returned for the assertions
            return out, e
        return out, None
    finally:
        ls.close()


def test_frames_parse_to_views():
    f = batch(0, [1, 2, 3])
    buf = np.frombuffer(f, dtype=np.uint8)
    header, cols = parse_frame(buf)
    assert header["t"] == "batch" and cols[0].data.tolist() == [1, 2, 3] and cols[0].data.base is not None


def test_a_clean_stream():
    out, err = read(batch(0, [1, 2, 3]) + batch(1, [4, 5, 6]) + frame({"t": "end", "batches": 2, "rows": 6}))
    assert err is None and out == [[1, 2, 3], [4, 5, 6]]


def test_an_error_frame_raises_its_typed_error():
    err_frame = frame({"t": "error", "error": {"code": "NOT_FOUND", "message": "blob abc not found",
                                               "details": {"digest": "abc"}}})
    out, err = read(batch(0, [1, 2, 3]) + err_frame)
    assert out == [[1, 2, 3]]
    assert isinstance(err, NotFoundError) and "blob abc not found" in str(err) and err.details["digest"] == "abc"


def test_an_end_frame_that_disagrees_is_corrupt():
    out, err = read(batch(0, [1, 2, 3]) + frame({"t": "end", "batches": 2, "rows": 6}))
    assert isinstance(err, CorruptError)


def test_a_stream_cut_short_is_unavailable():
    whole = batch(0, [1, 2, 3]) + batch(1, [4, 5, 6])
    out, err = read(whole[: len(whole) - 5])
    assert out == [[1, 2, 3]] and isinstance(err, UnavailableError) and "middle of a frame" in str(err)
    out, err = read(whole)
    assert len(out) == 2 and isinstance(err, UnavailableError) and "ended early" in str(err)
