"""The binary frame of the intake stream (and of stored shards), as `src/datasets/frame.ts` defines it:

    [u32 frame length][u32 header length][header JSON, zero-padded to 8][column payloads, each 8-aligned]

all little-endian. Column offsets count from the first payload byte, so every column starts 8-aligned
relative to the frame, and views over a frame held in an aligned buffer need no copy.
"""
from __future__ import annotations

import json
import struct
from typing import Any, Dict, Iterator, List, Optional, Tuple

from .errors import InvalidError, UnavailableError

try:  # numpy is optional: without it columns are memoryviews cast to the element format
    import numpy as np
except ImportError:  # pragma: no cover - exercised only where numpy is missing
    np = None  # type: ignore[assignment]

FRAME_PREFIX = 8
_PREFIX = struct.Struct("<II")

# dtype → (numpy dtype, memoryview format, item size)
DTYPES: Dict[str, Tuple[str, str, int]] = {
    "uint8": ("<u1", "B", 1),
    "int8": ("<i1", "b", 1),
    "uint16": ("<u2", "H", 2),
    "int16": ("<i2", "h", 2),
    "uint32": ("<u4", "I", 4),
    "int32": ("<i4", "i", 4),
    "int64": ("<i8", "q", 8),
    "uint64": ("<u8", "Q", 8),
    "float32": ("<f4", "f", 4),
    "float64": ("<f8", "d", 8),
    "bool": ("?", "?", 1),
    "utf8": ("<u1", "B", 1),
}


def align8(n: int) -> int:
    return (n + 7) & ~7


def _bad(message: str) -> InvalidError:
    return InvalidError(message, details={"field": "frame"})


class Column:
    """One column of a batch. `data` is a view over the frame's bytes: a numpy array shaped `shape` (or, without
    numpy, a memoryview cast to the element format). utf8 columns: `data` holds the concatenated UTF-8 bytes and
    row `i` is `data[offsets[i]:offsets[i + 1]]` (`strings()` decodes them)."""

    __slots__ = ("name", "dtype", "shape", "data", "offsets")

    def __init__(self, name: str, dtype: str, shape: List[int], data: Any, offsets: Any = None):
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.data = data
        self.offsets = offsets

    def strings(self) -> List[str]:
        """utf8 columns: the rows as Python strings."""
        if self.offsets is None:
            raise TypeError(f"column {self.name} is {self.dtype}, not utf8")
        raw = bytes(self.data)
        off = self.offsets.tolist()
        return [raw[off[i]:off[i + 1]].decode("utf-8") for i in range(len(off) - 1)]

    def __repr__(self) -> str:
        return f"Column({self.name!r}, {self.dtype}, shape={self.shape})"


def view(buf: Any, dtype: str, at: int, length: int, shape: Optional[List[int]]) -> Any:
    """A typed view of `length` bytes of `buf` from `at`, reshaped to `shape` (no copy)."""
    npdt, fmt, size = DTYPES[dtype]
    if length % size:
        raise _bad(f"a {dtype} column of {length} bytes")
    count = length // size
    rows_shape = shape if shape and _prod(shape) == count else [count]
    if np is not None:
        arr = np.frombuffer(buf, dtype=npdt, count=count, offset=at)
        return arr.reshape(rows_shape) if len(rows_shape) > 1 else arr
    mv = memoryview(buf)[at:at + length]
    if fmt != "B" or len(rows_shape) > 1:
        mv = mv.cast("B").cast(fmt, rows_shape) if count else mv.cast(fmt)
    return mv


def _prod(shape: List[int]) -> int:
    p = 1
    for s in shape:
        p *= s
    return p


def parse_frame(buf: Any) -> Tuple[Dict[str, Any], List[Column]]:
    """The header and the column views of one whole frame held in `buf` (a bytes-like, 8-aligned)."""
    total = len(buf) if not hasattr(buf, "nbytes") else buf.nbytes
    if total < FRAME_PREFIX:
        raise _bad("frame shorter than its 8-byte prefix")
    _length, hlen = _PREFIX.unpack_from(buf, 0)
    if FRAME_PREFIX + hlen > total:
        raise _bad("frame header runs past the frame")
    try:
        header = json.loads(bytes(memoryview(buf)[FRAME_PREFIX:FRAME_PREFIX + hlen]))
    except ValueError:
        raise _bad("frame header is not JSON") from None
    if header.get("t") not in ("batch", "shard"):
        return header, []
    payload = align8(FRAME_PREFIX + hlen)
    cols: List[Column] = []
    for c in header["columns"]:
        at = payload + c["offset"]
        if at + c["length"] > total:
            raise _bad(f"column {c['name']} runs past the frame")
        data = view(buf, c["dtype"], at, c["length"], c["shape"])
        offsets = None
        if c.get("offsets"):
            o_at, o_len = c["offsets"]
            offsets = view(buf, "uint32", payload + o_at, o_len, None)
        cols.append(Column(c["name"], c["dtype"], list(c["shape"]), data, offsets))
    return header, cols


def _alloc(n: int) -> Any:
    # np.empty is not zero-filled (and is 16-aligned); bytearray is the stdlib fallback.
    return np.empty(n, dtype=np.uint8) if np is not None else bytearray(n)


def _fill(readinto: Any, mv: memoryview) -> int:
    got = 0
    n = len(mv)
    while got < n:
        k = readinto(mv[got:])
        if not k:
            break
        got += k
    return got


def iter_frames(readinto: Any, url: str = "") -> Iterator[Any]:
    """Cuts a stream of length-prefixed frames into whole frames, each read straight into its own new buffer
    (`readinto`: the response's method; one copy from the socket, no parsing). Ends at a clean EOF."""
    prefix = bytearray(FRAME_PREFIX)
    pv = memoryview(prefix)
    while True:
        got = _fill(readinto, pv)
        if got == 0:
            return
        if got < FRAME_PREFIX:
            raise _ended(url)
        length, _h = _PREFIX.unpack_from(prefix, 0)
        if length < FRAME_PREFIX or length % 8:
            raise _bad(f"bad frame length {length} in the dataset stream")
        buf = _alloc(length)
        mv = memoryview(buf)
        mv[:FRAME_PREFIX] = prefix
        if _fill(readinto, mv[FRAME_PREFIX:]) != length - FRAME_PREFIX:
            raise _ended(url)
        yield buf


def _ended(url: str) -> UnavailableError:
    return UnavailableError("the dataset stream ended in the middle of a frame (manager gone?)",
                            details={"url": url})
