"""`open_dataset`: a dataset version as batches of typed columns, from the manager's intake stream or, on the
manager's own machine with the LMDB store, straight from the store's memory map — the Python twin of the
TypeScript SDK's `openDataset` (same defaults, same batches, same order for a given seed and epoch).

    import swarmlab
    with swarmlab.open_dataset("fashion", batch_size=256, shuffle_seed=7) as ds:
        for epoch in range(10):
            for batch in ds.epoch(epoch):
                x = batch.columns["image"].data   # numpy uint8 [256, 28, 28, 1], a view over the received bytes
                y = batch["label"]                # the same as batch.columns["label"].data

Column `data` are numpy arrays viewing the frame the batch arrived in (`np.frombuffer`, no per-value parsing);
without numpy they are memoryviews cast to the element format. Sparse (libsvm) versions arrive as one CSR per
batch: columns `indptr` (from 0), `indices`, `values` and `label` (`batch.csr()` returns them together).
"""
from __future__ import annotations

import os
import re
import socket
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from . import _frames
from ._frames import Column, iter_frames, parse_frame
from ._http import Client
from ._sampler import DEFAULT_WINDOW_BYTES, rank_windows
from .errors import (
    ConfigError,
    CorruptError,
    InvalidError,
    NotFoundError,
    UnavailableError,
    from_body,
)

np = _frames.np

__all__ = ["Batch", "Column", "DatasetReader", "open_dataset", "list_datasets"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
U32 = 0xFFFFFFFF
MAX_FRAME_BYTES = 0xFFFFFFF8


class Batch:
    """One batch: `index` within this rank's epoch, `rows`, and `columns` by name (`batch[name]` is the column's
    data). Every batch owns fresh memory — over HTTP its columns are views of the one buffer its frame was received
    into; the node-local reader gathers each column into a new array (never a view of the store's map) — so
    batches may be kept and modified."""

    __slots__ = ("index", "rows", "columns")

    def __init__(self, index: int, rows: int, columns: Dict[str, Column]):
        self.index = index
        self.rows = rows
        self.columns = columns

    def __getitem__(self, name: str) -> Any:
        return self.columns[name].data

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def csr(self, scipy: bool = False) -> Any:
        """Sparse versions: `(indptr, indices, values)` of this batch (indptr from 0), or with `scipy=True` a
        `scipy.sparse.csr_matrix` (scipy must be importable; it is not a dependency)."""
        try:
            indptr, indices, values = (self.columns[k].data for k in ("indptr", "indices", "values"))
        except KeyError:
            raise TypeError("this batch is not sparse: it has no indptr/indices/values columns") from None
        if not scipy:
            return indptr, indices, values
        import scipy.sparse  # noqa: PLC0415 - optional

        width = int(indices.max()) + 1 if len(indices) else 0
        return scipy.sparse.csr_matrix((values, indices, indptr), shape=(self.rows, width))

    def __repr__(self) -> str:
        cols = ", ".join(f"{c.name}: {c.dtype}{c.shape}" for c in self.columns.values())
        return f"Batch(index={self.index}, rows={self.rows}, {{{cols}}})"


def _batch_of(header: Dict[str, Any], columns: List[Column]) -> Batch:
    return Batch(int(header["batch"]), int(header["rows"]), {c.name: c for c in columns})


# ----------------------------------------------------------------------------------------------- options

def _env_int(env: Mapping[str, str], key: str) -> Optional[int]:
    v = env.get(key)
    if v is None or v == "":
        return None
    try:
        n = int(v)
    except ValueError:
        n = -1
    if n < 0:
        raise InvalidError(f'{key}="{v}" is not a non-negative integer', details={"field": key})
    return n


def parse_ref(ref: str) -> Tuple[str, Optional[int]]:
    """`name` or `name@version` (`@latest` or `@` → None), as parseDatasetRef in the manager."""
    at = ref.rfind("@")
    name, v = (ref, None) if at < 0 else (ref[:at], ref[at + 1:])
    if not _NAME.match(name) or ".." in name:
        raise InvalidError(f"invalid dataset name {name!r}", details={"field": "name"})
    if v is None or v in ("", "latest"):
        return name, None
    if not v.isdigit() or int(v) < 1:
        raise InvalidError(f"invalid dataset version {v!r}", details={"field": "version"})
    return name, int(v)


def check_stream_options(manifest: Mapping[str, Any], batch_size: int, rank: int, world_size: int,
                         epoch: int, shuffle_seed: Optional[int]) -> None:
    """The manager's checkStreamOptions: InvalidError naming the parameter (local reads check the same)."""
    def bad(field: str, message: str) -> None:
        raise InvalidError(f"{field}: {message}", details={"field": field})

    def is_int(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    if not is_int(batch_size) or not 1 <= batch_size <= 1_000_000:
        bad("batchSize", "must be an integer from 1 to 1000000")
    if not is_int(world_size) or not 1 <= world_size <= 65536:
        bad("worldSize", "must be an integer from 1 to 65536")
    if not is_int(rank) or not 0 <= rank < world_size:
        bad("rank", f"must be an integer from 0 to worldSize - 1 ({world_size - 1})")
    if not is_int(epoch) or not 0 <= epoch <= U32:
        bad("epoch", "must be an integer ≥ 0")
    if shuffle_seed is not None and (not is_int(shuffle_seed) or not 0 <= shuffle_seed <= U32):
        bad("shuffleSeed", "must be an integer from 0 to 4294967295")
    rows = manifest["rows"]
    per_row = 0 if rows == 0 else sum(s["bytes"] for s in manifest["shards"]) / rows
    if per_row * batch_size * 1.5 > MAX_FRAME_BYTES:
        bad("batchSize", f"a batch of {batch_size} rows would exceed the 4 GiB frame limit")


def _path(name: str, version: Union[int, str]) -> str:
    return f"/api/v1/datasets/{name}/versions/{version}"


def list_datasets(client: Optional[Client] = None) -> Dict[str, Any]:
    """`{datasets: [{name, versions, latest}], store: {backend, host, path?}}`."""
    return (client or Client()).json("GET", "/api/v1/datasets")


def local_store_path(info: Optional[Mapping[str, Any]], env: Mapping[str, str]) -> Optional[str]:
    """The store path to read locally, or None when the store is not on this machine (or not LMDB)."""
    path = env.get("SWARMLAB_STORE_PATH") or None
    if path is None and info and info.get("backend") == "lmdb" and info.get("host") == socket.gethostname():
        path = info.get("path")
    return path if path and os.path.exists(path) else None


# ------------------------------------------------------------------------------------------------ reader

class DatasetReader:
    """What `open_dataset` returns: `manifest`, `mode` ('http' | 'local'), `epoch(e)` (iterating the reader
    itself gives epoch 0), `close()`; a context manager."""

    def __init__(self, client: Client, manifest: Dict[str, Any], *, batch_size: int, rank: int, world_size: int,
                 shuffle_seed: Optional[int], store: Any = None, owns_client: bool = False):
        self.client = client
        self.manifest = manifest
        self.name: str = manifest["name"]
        self.version: int = manifest["version"]
        self.batch_size = batch_size
        self.rank = rank
        self.world_size = world_size
        self.shuffle_seed = shuffle_seed
        self._store = store
        self._owns_client = owns_client
        self._blocks: Dict[str, "_Block"] = {}
        self._window_cache: Optional[Tuple[tuple, "_Block"]] = None
        self.window_bytes = DEFAULT_WINDOW_BYTES

    @property
    def mode(self) -> str:
        return "local" if self._store is not None else "http"

    @property
    def rows(self) -> int:
        """Rows of the whole version (this rank reads about rows / world_size of them per epoch)."""
        return int(self.manifest["rows"])

    def rank_rows(self, rank: Optional[int] = None, world_size: Optional[int] = None) -> int:
        """How many rows `rank` of `world_size` (default: this reader's) gets per epoch."""
        r = self.rank if rank is None else rank
        w = self.world_size if world_size is None else world_size
        n = self.rows
        return (r + 1) * n // w - r * n // w

    def epoch(self, epoch: int = 0, *, rank: Optional[int] = None, world_size: Optional[int] = None) -> Iterator[Batch]:
        """The batches of one epoch for this reader's rank (or the `rank`/`world_size` given: the torch adapter
        reads one share per DataLoader worker)."""
        r = self.rank if rank is None else rank
        w = self.world_size if world_size is None else world_size
        if self._store is not None:
            check_stream_options(self.manifest, self.batch_size, r, w, epoch, self.shuffle_seed)
            return self._local_epoch(epoch, r, w)
        return self._http_epoch(epoch, r, w)

    def __iter__(self) -> Iterator[Batch]:
        return self.epoch(0)

    def close(self) -> None:
        self._blocks.clear()
        self._window_cache = None
        if self._store is not None:
            self._store.close()
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> "DatasetReader":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"DatasetReader({self.name}@{self.version}, mode={self.mode}, batch_size={self.batch_size}, "
                f"rank={self.rank}/{self.world_size}, shuffle_seed={self.shuffle_seed})")

    # -- HTTP: the intake stream

    def _http_epoch(self, epoch: int, rank: int, world_size: int) -> Iterator[Batch]:
        query = {"batchSize": self.batch_size, "rank": rank, "worldSize": world_size, "epoch": epoch,
                 "shuffleSeed": self.shuffle_seed}
        res = self.client.request("GET", _path(self.name, self.version) + "/stream", query=query,
                                  headers={"accept": "application/vnd.swarmlab.frames"})
        batches = rows = 0
        try:
            for buf in iter_frames(res.readinto, self.client.url):
                header, columns = parse_frame(buf)
                t = header.get("t")
                if t == "batch":
                    batches += 1
                    rows += int(header["rows"])
                    yield _batch_of(header, columns)
                elif t == "end":
                    if header.get("batches") != batches or header.get("rows") != rows:
                        raise CorruptError(
                            f"dataset stream of {self.name}@{self.version}: received {batches} batches / {rows} "
                            f"rows, the end frame says {header.get('batches')} / {header.get('rows')}",
                            details={"field": "frame"})
                    return
                elif t == "error":
                    err = header.get("error") or {}
                    e = from_body(500, {"error": err})
                    e.args = (f"dataset stream failed: {e.message}",)
                    e.message = e.args[0]
                    raise e
                else:
                    raise InvalidError(f"unexpected {t} frame in the dataset stream", details={"field": "frame"})
            raise UnavailableError("the dataset stream ended early (manager gone?)", details={"url": self.client.url})
        except (ConnectionError, OSError) as e:
            raise UnavailableError(f"the dataset stream from {self.client.url} broke: {e}",
                                   details={"url": self.client.url}) from e
        finally:
            res.close()

    # -- local: the store's memory map, cut by the manager's engine

    def _shard(self, index: int) -> "_Block":
        ref = self.manifest["shards"][index]
        block = self._blocks.get(ref["digest"])
        if block is not None:
            return block
        try:
            chunks = self._store.blob_chunks(ref["digest"])
        except KeyError:
            raise NotFoundError(f"shard {index} of {self.name}@{self.version} is not in the local store "
                                "(version deleted?)", details={"digest": ref["digest"]}) from None
        if len(chunks) == 1:
            buf: Any = chunks[0]  # a view into the map: no copy
        else:
            buf = np.empty(ref["bytes"], dtype=np.uint8)
            at = 0
            for c in chunks:
                buf[at:at + len(c)] = np.frombuffer(c, dtype=np.uint8)
                at += len(c)
        if len(buf) != ref["bytes"]:
            raise CorruptError(f"shard {index} of {self.name}@{self.version}: {len(buf)} bytes, expected "
                               f"{ref['bytes']}", details={"digest": ref["digest"]})
        header, cols = parse_frame(buf)
        if header.get("t") != "shard":
            raise CorruptError(f"shard {index} of {self.name}@{self.version} is not a shard frame",
                               details={"digest": ref["digest"]})
        block = _Block.of_frame(self.manifest["columns"], int(header["rows"]), cols)
        self._blocks[ref["digest"]] = block
        return block

    def _window(self, shards: List[int], picks: Sequence[int]) -> Tuple["_Block", Any, bool]:
        """The block rows of a window are cut from, the picks as rows of it, and whether they are one run."""
        m = self.manifest["shards"]
        contiguous = isinstance(picks, range)
        if len(shards) == 1:
            block = self._shard(shards[0])
            rows = np.arange(picks.start, picks.stop) if contiguous else np.asarray(picks, dtype=np.int64)
            return block, rows, contiguous
        starts = np.cumsum([0] + [m[s]["rows"] for s in shards[:-1]])
        pos = np.asarray(picks, dtype=np.int64)
        k = np.searchsorted(starts, pos, side="right") - 1
        needed = np.unique(k).tolist()
        if len(needed) == 1:
            return self._shard(shards[needed[0]]), pos - starts[needed[0]], contiguous
        # The needed shards concatenated in manifest order, kept for the next window over the same shards (a
        # version that fits in one window is the same set every epoch, only permuted).
        key = tuple(sorted(shards[j] for j in needed))
        if self._window_cache is None or self._window_cache[0] != key:
            self._window_cache = None  # let the old one go before building the next
            self._window_cache = (key, _Block.concat([self._shard(i) for i in key]))
        block = self._window_cache[1]
        at_of, at = {}, 0
        for i in key:
            at_of[i] = at
            at += m[i]["rows"]
        new_starts = np.array([at_of.get(i, 0) for i in shards], dtype=np.int64)
        return block, pos - starts[k] + new_starts[k], contiguous

    def _local_epoch(self, epoch: int, rank: int, world_size: int) -> Iterator[Batch]:
        size = self.batch_size
        schema = self.manifest["columns"]
        shards = [(s["rows"], s["bytes"]) for s in self.manifest["shards"]]
        segs: List[Tuple[_Block, Any, bool]] = []
        count = 0
        index = 0
        for w in rank_windows(shards, rank=rank, world_size=world_size, epoch=epoch,
                              shuffle_seed=self.shuffle_seed, window_bytes=self.window_bytes):
            block, rows, contiguous = self._window(w.shards, w.picks)
            i, n = 0, len(rows)
            while i < n:
                take = min(size - count, n - i)
                segs.append((block, rows[i:i + take], contiguous))
                count += take
                i += take
                if count == size:
                    yield _gather(schema, segs, count, index)
                    index += 1
                    segs, count = [], 0
        if count:
            yield _gather(schema, segs, count, index)


class _Block:
    """Rows that batches are cut from (one shard, or a window's shards concatenated): per column, its data
    (row-major numpy) and, for utf8, its offsets; `indptr` for sparse versions."""

    __slots__ = ("rows", "data", "offsets", "indptr")

    def __init__(self, rows: int, data: List[Any], offsets: List[Any], indptr: Any):
        self.rows = rows
        self.data = data
        self.offsets = offsets
        self.indptr = indptr

    @staticmethod
    def of_frame(schema: List[Dict[str, Any]], rows: int, cols: List[Column]) -> "_Block":
        by = {c.name: c for c in cols}
        data, offsets, indptr = [], [], None
        for s in schema:
            c = by.get(s["name"])
            if c is None:
                raise CorruptError(f"stored shard lacks column {s['name']}", details={"column": s["name"]})
            data.append(c.data)
            offsets.append(c.offsets)
            if s.get("axis") == "indptr":
                indptr = c.data
        return _Block(rows, data, offsets, indptr)

    @staticmethod
    def concat(blocks: List["_Block"]) -> "_Block":
        def rebase(ptrs: List[Any]) -> Any:
            parts, base = [], 0
            for p in ptrs:
                parts.append(p[:-1].astype(np.int64) - int(p[0]) + base)
                base += int(p[-1]) - int(p[0])
            parts.append(np.array([base], dtype=np.int64))
            return np.concatenate(parts).astype(np.uint32)

        rows = sum(b.rows for b in blocks)
        indptr = rebase([b.indptr for b in blocks]) if blocks[0].indptr is not None else None
        data, offsets = [], []
        for j in range(len(blocks[0].data)):
            if blocks[0].indptr is not None and blocks[0].data[j] is blocks[0].indptr:
                data.append(indptr)
                offsets.append(None)
                continue
            if blocks[0].offsets[j] is not None:
                offs = [b.offsets[j] for b in blocks]
                data.append(np.concatenate([b.data[j][int(o[0]):int(o[-1])] for b, o in zip(blocks, offs)]))
                offsets.append(rebase(offs))
            else:
                data.append(np.concatenate([b.data[j] for b in blocks]))
                offsets.append(None)
        return _Block(rows, data, offsets, indptr)


def _runs_index(ptr: Any, rows: Any) -> Tuple[Any, int]:
    """Element indices of `rows`' spans under row pointers `ptr` (CSR indptr or utf8 offsets), and their count."""
    starts = ptr[rows].astype(np.int64)
    lens = ptr[rows + 1].astype(np.int64) - starts
    total = int(lens.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64), 0
    before = np.cumsum(lens) - lens
    return np.repeat(starts - before, lens) + np.arange(total, dtype=np.int64), total


def _gather(schema: List[Dict[str, Any]], segs: List[Tuple[_Block, Any, bool]], n: int, index: int) -> Batch:
    """One batch from the picked rows: each column is one new array (contiguous runs copied as one slice)."""
    cols: Dict[str, Column] = {}
    # Per segment: the CSR spans, shared by every nnz column.
    nnz_plan: Optional[List[Tuple[Any, int]]] = None
    if segs and segs[0][0].indptr is not None:
        nnz_plan = []
        for block, rows, contiguous in segs:
            p = block.indptr
            if contiguous:
                a, b = int(p[int(rows[0])]), int(p[int(rows[-1]) + 1])
                nnz_plan.append((slice(a, b), b - a))
            else:
                nnz_plan.append(_runs_index(p, rows))
    for j, s in enumerate(schema):
        name, dtype, axis = s["name"], s["dtype"], s.get("axis", "row")
        npdt = _frames.DTYPES[dtype][0]
        rest = tuple(s["shape"][1:])
        if axis == "indptr":
            out = np.empty(n + 1, dtype=np.uint32)
            out[0] = 0
            at = 0
            for block, rows, _c in segs:
                p = block.indptr
                lens = p[rows + 1].astype(np.int64) - p[rows].astype(np.int64)
                np.cumsum(lens, out=lens)
                out[at + 1:at + 1 + len(rows)] = lens + int(out[at])
                at += len(rows)
            cols[name] = Column(name, dtype, [n + 1], out)
        elif axis == "nnz":
            total = sum(t for _i, t in nnz_plan or [])
            out = np.empty((total,) + rest, dtype=npdt)
            at = 0
            for (block, _r, _c), (idx, t) in zip(segs, nnz_plan or []):
                src = block.data[j]
                if isinstance(idx, slice):
                    out[at:at + t] = src[idx]
                else:
                    np.take(src, idx, axis=0, out=out[at:at + t])
                at += t
            cols[name] = Column(name, dtype, [total, *rest], out)
        elif dtype == "utf8":
            plans = [_runs_index(block.offsets[j], rows) for block, rows, _c in segs]
            text = sum(t for _i, t in plans)
            out = np.empty(text, dtype=np.uint8)
            offs = np.empty(n + 1, dtype=np.uint32)
            offs[0] = 0
            at = row = 0
            for (block, rows, _c), (idx, t) in zip(segs, plans):
                o = block.offsets[j]
                np.take(block.data[j], idx, out=out[at:at + t])
                lens = o[rows + 1].astype(np.int64) - o[rows].astype(np.int64)
                offs[row + 1:row + 1 + len(rows)] = np.cumsum(lens) + at
                at += t
                row += len(rows)
            cols[name] = Column(name, dtype, [n], out, offs)
        else:
            out = np.empty((n,) + rest, dtype=npdt)
            at = 0
            for block, rows, contiguous in segs:
                src = block.data[j]
                m = len(rows)
                if contiguous:
                    r0 = int(rows[0])
                    out[at:at + m] = src[r0:r0 + m]
                else:
                    np.take(src, rows, axis=0, out=out[at:at + m])
                at += m
            cols[name] = Column(name, dtype, [n, *rest], out)
    return Batch(index, n, cols)


# ----------------------------------------------------------------------------------------------- opening

def open_dataset(name: Optional[str] = None, *, version: Union[int, str, None] = None,
                 batch_size: Optional[int] = None, rank: Optional[int] = None, world_size: Optional[int] = None,
                 shuffle_seed: Optional[int] = None, local: Union[str, bool] = "auto", url: Optional[str] = None,
                 token: Optional[str] = None, client: Optional[Client] = None,
                 env: Optional[Mapping[str, str]] = None) -> DatasetReader:
    """Opens a dataset version for reading. `name` (or `name@version`) defaults to `SWARMLAB_DATASET`;
    `version` to the one in the reference, else the latest; `batch_size` to `SWARMLAB_BATCH_SIZE`, else 256
    (the last batch of an epoch may be smaller); `rank`/`world_size` to `SWARMLAB_RANK`/`SWARMLAB_WORLD_SIZE`
    (0/1): rank r reads positions [⌊rN/W⌋, ⌊(r+1)N/W⌋) of each epoch's order; `shuffle_seed` (unsigned 32-bit)
    to `SWARMLAB_SHUFFLE_SEED`, else the stored order. `local`: 'auto' reads the store's memory map when the
    manager's LMDB store is on this machine (or `SWARMLAB_STORE_PATH` names it) and numpy is importable, else
    the HTTP stream; True requires the local store; False always streams."""
    env = os.environ if env is None else env
    ref = name or env.get("SWARMLAB_DATASET")
    if not ref:
        raise InvalidError("open_dataset: no dataset name given and SWARMLAB_DATASET is not set",
                           details={"field": "name"})
    ds_name, ref_version = parse_ref(ref)
    if local not in ("auto", True, False):
        raise ConfigError(f"local must be 'auto', True or False, not {local!r}", details={"field": "local"})
    owns = client is None
    client = client or Client(url, token, env=env)
    bs = batch_size if batch_size is not None else _env_int(env, "SWARMLAB_BATCH_SIZE")
    opts = {
        "batch_size": 256 if bs is None else bs,
        "rank": rank if rank is not None else (_env_int(env, "SWARMLAB_RANK") or 0),
        "world_size": world_size if world_size is not None else (_env_int(env, "SWARMLAB_WORLD_SIZE") or 1),
        "shuffle_seed": shuffle_seed if shuffle_seed is not None else _env_int(env, "SWARMLAB_SHUFFLE_SEED"),
    }
    v = version if version is not None else (ref_version if ref_version is not None else "latest")
    manifest = client.json("GET", _path(ds_name, v))
    store = None
    if local is not False:
        why = None
        path = None
        if np is None:
            why = "numpy is not importable"
        else:
            info = None if env.get("SWARMLAB_STORE_PATH") else list_datasets(client).get("store")
            path = local_store_path(info, env)
            if path is None:
                why = "no LMDB store of this manager is reachable on this machine (set SWARMLAB_STORE_PATH)"
        if path is not None:
            from ._lmdb import LmdbFormatError, LmdbStoreReader  # noqa: PLC0415

            try:
                store = LmdbStoreReader(path)
            except (OSError, LmdbFormatError) as e:
                why = f"cannot read the LMDB store at {path}: {e}"
        if store is None and local is True:
            raise UnavailableError(f"local=True, but {why}", details={"field": "local"})
    reader = DatasetReader(client, manifest, store=store, owns_client=owns, **opts)
    if store is not None:
        check_stream_options(manifest, reader.batch_size, reader.rank, reader.world_size, 0, reader.shuffle_seed)
    return reader

