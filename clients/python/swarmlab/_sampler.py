"""The order rows are delivered in: a bit-exact port of the manager's `src/datasets/sampler.ts`.

Shuffled epochs permute the shards (sfc32 seeded with `(seed, epoch, 0x5eed)`), group them into windows of
about `window_bytes`, and permute the rows inside each window (seeded with `(seed, epoch, window + 1)`); the
global order is then cut into `world_size` contiguous shares: rank r takes positions [⌊rN/W⌋, ⌊(r+1)N/W⌋).
The node-local reader must yield exactly the batches of the manager's stream, so every operation here mirrors
the JavaScript one, including its float arithmetic (`Math.floor(random() * (i + 1))`).
"""
from __future__ import annotations

import math
from typing import Callable, Iterator, List, Optional, Sequence, Tuple

M32 = 0xFFFFFFFF
DEFAULT_WINDOW_BYTES = 64 * 1024 * 1024
_TWO32 = 4294967296.0


def _imul(a: int, b: int) -> int:
    return (a * b) & M32


class Sfc32:
    """sfc32 seeded from 32-bit words, as `rng(...words)` in sampler.ts (state kept as unsigned 32-bit ints)."""

    __slots__ = ("a", "b", "c", "d")

    def __init__(self, *words: int):
        a, b, c = 0x9E3779B9, 0x243F6A88, 0xB7E15162
        for w in words:
            a = _imul(a ^ (w & M32), 0x85EBCA6B)
            b = _imul(b ^ a, 0xC2B2AE35) ^ (b >> 13)
            c = (c + (a ^ (a >> 16))) & M32
        self.a, self.b, self.c, self.d = a, b, c, 1
        for _ in range(12):
            self.next_u32()

    def next_u32(self) -> int:
        a, b, c, d = self.a, self.b, self.c, self.d
        t = (a + b + d) & M32
        self.d = (d + 1) & M32
        self.a = b ^ (b >> 9)
        self.b = (c + (c << 3)) & M32
        c = ((c << 21) & M32) | (c >> 11)
        self.c = (c + t) & M32
        return t

    def random(self) -> float:
        return self.next_u32() / _TWO32


def shuffle(a: List[int], rng: Sfc32) -> List[int]:
    """Fisher–Yates in place, as `shuffle()` in sampler.ts (the generator inlined: this is the hot loop)."""
    ra, rb, rc, rd = rng.a, rng.b, rng.c, rng.d
    floor = math.floor
    for i in range(len(a) - 1, 0, -1):
        t = (ra + rb + rd) & M32
        rd = (rd + 1) & M32
        ra = rb ^ (rb >> 9)
        rb = (rc + (rc << 3)) & M32
        rc = ((((rc << 21) & M32) | (rc >> 11)) + t) & M32
        j = floor(t / _TWO32 * (i + 1))
        a[i], a[j] = a[j], a[i]
    rng.a, rng.b, rng.c, rng.d = ra, rb, rc, rd
    return a


class Window:
    """The shards (indices into the manifest's list) whose rows it permutes, and this rank's picks:
    positions within the window's rows (its shards concatenated in `shards` order), in delivery order.
    `picks` is a list of ints, or a `range` for unshuffled reads."""

    __slots__ = ("shards", "picks")

    def __init__(self, shards: List[int], picks: Sequence[int]):
        self.shards = shards
        self.picks = picks

    def __repr__(self) -> str:
        return f"Window(shards={self.shards}, picks={len(self.picks)})"


def rank_windows(shards: Sequence[Tuple[int, int]], *, rank: int, world_size: int, epoch: int,
                 shuffle_seed: Optional[int], window_bytes: int = DEFAULT_WINDOW_BYTES) -> Iterator[Window]:
    """This rank's rows for one epoch, window by window. `shards`: (rows, bytes) per shard, manifest order."""
    total = sum(r for r, _ in shards)
    lo = math.floor(rank * total / world_size)
    hi = math.floor((rank + 1) * total / world_size)
    seeded = shuffle_seed is not None
    order = list(range(len(shards)))
    if seeded:
        shuffle(order, Sfc32(shuffle_seed, epoch, 0x5EED))  # type: ignore[arg-type]
    pos = 0
    window_index = 0
    i = 0
    n = len(order)
    while i < n and pos < hi:
        members: List[int] = []
        nbytes = 0
        rows = 0
        while True:
            r, b = shards[order[i]]
            members.append(order[i])
            nbytes += b
            rows += r
            i += 1
            if not (seeded and i < n and nbytes + shards[order[i]][1] <= window_bytes):
                break
        frm = max(lo - pos, 0)
        to = min(hi - pos, rows)
        if to > frm:
            if seeded:
                perm = shuffle(list(range(rows)), Sfc32(shuffle_seed, epoch, window_index + 1))  # type: ignore[arg-type]
                picks: Sequence[int] = perm[frm:to]
            else:
                picks = range(frm, to)
            yield Window(members, picks)
        pos += rows
        window_index += 1


RandomFn = Callable[[], float]
