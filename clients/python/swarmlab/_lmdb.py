"""A read-only view of the manager's LMDB store, straight from its memory map (standard library only).

The manager's `lmdb` npm package (lmdb-js 3.x) writes LMDB's *data format 2* (the LMDB 1.0 line,
`mdb.master3`), which Debian's `python3-lmdb` (LMDB 0.9, format 1) refuses with MDB_VERSION_MISMATCH /
MDB_INVALID. So this module reads the few structures it needs itself, from an `mmap` of `data.mdb`:

* the two meta pages (the one with the higher txnid is the latest committed snapshot);
* the main B+tree, whose keys are the named sub-databases (`blobs`, `chunks`, …) and values their `MDB_db`;
* the `blobs` tree (key: the digest's UTF-8 bytes, lmdb-js' ordered-binary encoding of an ASCII string;
  value: MessagePack `BlobInfo {digest, size, chunkSize, chunks: [sha256 hex…]}`);
* the `chunks` tree (key: the 32 sha256 bytes; value: the chunk, on overflow pages when big).

Format 2 page header: `pgno u64, txnid u64, pad u16, flags u16, lower u16 | upper u16 (or overflow pages u32)`
= 24 bytes; nodes as in LMDB 0.9 (`lo u16, hi u16, flags u16, ksize u16, key, data`).

Concurrency: this reader does not take a slot in the lock file's reader table (its layout is private to
that LMDB build), so it cannot pin a snapshot. Chunks are content-addressed and never rewritten in place,
and the pages of a chunk's value are freed only when no dataset version uses it any more, so a chunk found
through the tree stays valid while its version exists. Tree pages can be recycled by a concurrent write:
every page visited is checked (page number, flags, bounds) and a lookup that meets an inconsistent page
re-reads the latest meta and retries.
"""
from __future__ import annotations

import mmap
import os
import struct
from typing import Any, Dict, List, Optional, Tuple

MDB_MAGIC = 0xBEEFC0DE
PAGEHDRSZ = 24
NODESIZE = 8
P_BRANCH, P_LEAF, P_OVERFLOW, P_META, P_LEAF2 = 0x01, 0x02, 0x04, 0x08, 0x20
F_BIGDATA, F_SUBDATA, F_DUPDATA = 0x01, 0x02, 0x04
P_INVALID = 0xFFFFFFFFFFFFFFFF

_HDR = struct.Struct("<QQHHHH")  # pgno, txnid, pad, flags, lower, upper
_NODE = struct.Struct("<HHHH")  # lo, hi, flags, ksize
_DB = struct.Struct("<IHHQQQQQ")  # pad, flags, depth, branch, leaf, overflow, entries, root  (48 bytes)
_META_HEAD = struct.Struct("<IIQQ")  # magic, version, address, mapsize


class LmdbFormatError(Exception):
    """The file is not the LMDB layout this reader understands (or a page changed under it)."""


class _Stale(Exception):
    pass


class Db:
    __slots__ = ("flags", "depth", "entries", "root")

    def __init__(self, flags: int, depth: int, entries: int, root: int):
        self.flags, self.depth, self.entries, self.root = flags, depth, entries, root


def _db(buf: Any, at: int) -> Db:
    _pad, flags, depth, _b, _l, _o, entries, root = _DB.unpack_from(buf, at)
    return Db(flags, depth, entries, root)


class LmdbStoreReader:
    """Opens `path` (a directory holding `data.mdb`, or the data file itself) read-only."""

    def __init__(self, path: str):
        data = os.path.join(path, "data.mdb") if os.path.isdir(path) else path
        self.path = data
        self._fd = os.open(data, os.O_RDONLY)
        try:
            self._map: Optional[mmap.mmap] = None
            self._size = 0
            self._remap()
            head = self._map[:PAGEHDRSZ + _META_HEAD.size + _DB.size]
            magic, version, _addr, _mapsize = _META_HEAD.unpack_from(head, PAGEHDRSZ)
            if magic != MDB_MAGIC:
                raise LmdbFormatError(f"{data} is not an LMDB file")
            if version != 2:
                raise LmdbFormatError(f"{data}: LMDB data format {version}, this reader knows format 2 (lmdb-js)")
            self.psize = _DB.unpack_from(head, PAGEHDRSZ + _META_HEAD.size)[0]
            if self.psize < 512 or self.psize & (self.psize - 1):
                raise LmdbFormatError(f"{data}: implausible page size {self.psize}")
            self._dbs: Dict[bytes, Db] = {}
            self._txnid = -1
        except BaseException:
            self.close()
            raise

    # -- the map

    def _remap(self) -> None:
        size = os.fstat(self._fd).st_size
        if self._map is not None and size == self._size:
            return
        if size == 0:
            raise LmdbFormatError(f"{self.path} is empty")
        old = self._map
        self._map = mmap.mmap(self._fd, size, prot=mmap.PROT_READ)
        try:
            self._map.madvise(mmap.MADV_RANDOM)
        except (AttributeError, OSError):
            pass
        self._size = size
        if old is not None:
            try:
                old.close()
            except BufferError:  # views handed out still use it: let it go with them
                pass

    def close(self) -> None:
        if self._map is not None:
            try:
                self._map.close()
            except BufferError:
                pass
            self._map = None
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    @property
    def map(self) -> mmap.mmap:
        assert self._map is not None, "reader closed"
        return self._map

    def _meta(self) -> Tuple[int, Db]:
        """(txnid, main db) of the latest committed meta page."""
        best: Optional[Tuple[int, Db]] = None
        m = self.map
        for page in (0, 1):
            at = page * self.psize + PAGEHDRSZ
            magic, version, _a, _ms = _META_HEAD.unpack_from(m, at)
            if magic != MDB_MAGIC or version != 2:
                continue
            main = _db(m, at + _META_HEAD.size + _DB.size)
            txnid = struct.unpack_from("<Q", m, at + _META_HEAD.size + 2 * _DB.size + 8)[0]
            if best is None or txnid > best[0]:
                best = (txnid, main)
        if best is None:
            raise LmdbFormatError(f"{self.path}: no valid meta page")
        return best

    def _page(self, pgno: int) -> int:
        at = pgno * self.psize
        if pgno >= P_INVALID or at + PAGEHDRSZ > self._size:
            self._remap()
            if at + PAGEHDRSZ > self._size:
                raise _Stale(f"page {pgno} past the end of the file")
        got = struct.unpack_from("<Q", self.map, at)[0]
        if got != pgno:
            raise _Stale(f"page {pgno} says it is page {got}")
        return at

    # -- B+tree search

    def _search(self, db: Db, key: bytes) -> Optional[Tuple[int, int, int]]:
        """(node flags, data offset in the map, data size) of `key`, or None."""
        if db.root == P_INVALID:
            return None
        m = self.map
        pgno = db.root
        for _depth in range(64):
            at = self._page(pgno)
            m = self.map  # _page may have remapped a grown file
            _p, _t, _pad, flags, lower, upper = _HDR.unpack_from(m, at)
            n = lower >> 1  # ptrs and node offsets count from the end of the header (PAGEBASE)
            if lower > upper or upper + PAGEHDRSZ > self.psize:
                raise _Stale(f"page {pgno}: bad bounds")
            ptrs = struct.unpack_from(f"<{n}H", m, at + PAGEHDRSZ)
            if flags & P_LEAF2:
                raise LmdbFormatError("LEAF2 pages (DUPFIXED) are not supported")
            if flags & P_BRANCH:
                # Binary search for the last node whose key <= key (node 0's key is implicitly -inf).
                lo, hi = 1, n - 1
                found = 0
                while lo <= hi:
                    mid = (lo + hi) >> 1
                    nk = self._node_key(at, ptrs[mid])
                    if nk <= key:
                        found = mid
                        lo = mid + 1
                    else:
                        hi = mid - 1
                nat = at + PAGEHDRSZ + ptrs[found]
                nlo, nhi, nflags, _ks = _NODE.unpack_from(m, nat)
                pgno = nlo | (nhi << 16) | (nflags << 32)
                continue
            if not flags & P_LEAF:
                raise _Stale(f"page {pgno}: flags {flags:#x} is neither branch nor leaf")
            lo, hi = 0, n - 1
            while lo <= hi:
                mid = (lo + hi) >> 1
                nk = self._node_key(at, ptrs[mid])
                if nk == key:
                    nat = at + PAGEHDRSZ + ptrs[mid]
                    nlo, nhi, nflags, ksize = _NODE.unpack_from(m, nat)
                    return nflags, nat + NODESIZE + ksize, nlo | (nhi << 16)
                if nk < key:
                    lo = mid + 1
                else:
                    hi = mid - 1
            return None
        raise _Stale("tree deeper than 64 levels")

    def _node_key(self, page_at: int, ptr: int) -> bytes:
        nat = page_at + PAGEHDRSZ + ptr
        ksize = struct.unpack_from("<H", self.map, nat + 6)[0]
        if PAGEHDRSZ + ptr + NODESIZE + ksize > self.psize:
            raise _Stale("node runs past its page")
        return self.map[nat + NODESIZE:nat + NODESIZE + ksize]

    def _value(self, found: Tuple[int, int, int]) -> Tuple[int, int]:
        """(offset in the map, size) of a leaf node's value, following an overflow page."""
        flags, at, size = found
        if flags & F_BIGDATA:
            pgno = struct.unpack_from("<Q", self.map, at)[0]
            page = self._page(pgno)
            pflags = struct.unpack_from("<H", self.map, page + 18)[0]
            pages = struct.unpack_from("<I", self.map, page + 20)[0]
            if not pflags & P_OVERFLOW or pages * self.psize < size + PAGEHDRSZ:
                raise _Stale(f"overflow page {pgno} does not hold {size} bytes")
            at = page + PAGEHDRSZ
            if at + size > self._size:
                self._remap()
                if at + size > self._size:
                    raise _Stale("value past the end of the file")
        return at, size

    def _sub(self, name: bytes, main: Db, txnid: int) -> Db:
        if txnid != self._txnid:
            self._dbs.clear()
            self._txnid = txnid
        db = self._dbs.get(name)
        if db is None:
            found = self._search(main, name)
            if found is None or not found[0] & F_SUBDATA or found[2] != _DB.size:
                raise KeyError(name.decode())
            db = _db(self.map, found[1])
            self._dbs[name] = db
        return db

    def _retry(self, fn):  # type: ignore[no-untyped-def]
        last: Optional[Exception] = None
        for _ in range(5):
            txnid, main = self._meta()
            try:
                return fn(txnid, main)
            except (_Stale, struct.error, IndexError) as e:  # a page recycled under the lookup
                last = e
                self._txnid = -1
                self._remap()
        raise LmdbFormatError(f"{self.path}: the store kept changing under the reader ({last})")

    # -- what the dataset reader needs

    def get(self, db_name: str, key: bytes, check: Any = None) -> Optional[memoryview]:
        """A view into the map of `key`'s value in the named database (valid while the value exists).
        `check(view)` may reject a value (False): it was read from a page recycled meanwhile, so read again.
        A key not found is looked up again once a newer snapshot has been committed meanwhile."""
        def run(txnid: int, main: Db) -> Optional[memoryview]:
            db = self._sub(db_name.encode() + b"\0", main, txnid)  # named dbs: C strings, NUL included
            found = self._search(db, key)
            if found is None:
                if self._meta()[0] != txnid:
                    raise _Stale("a write committed during the lookup")
                return None
            at, size = self._value(found)
            view = memoryview(self.map)[at:at + size]
            if check is not None and not check(view):
                raise _Stale(f"{db_name}: the value read does not match its key")
            return view
        return self._retry(run)

    def blob_info(self, digest: str) -> Optional[Dict[str, Any]]:
        def check(view: memoryview) -> bool:
            try:
                info = unpack_msgpack(bytes(view))
            except (LmdbFormatError, IndexError, ValueError, struct.error):
                return False
            return isinstance(info, dict) and info.get("digest") == digest
        raw = self.get("blobs", digest.encode(), check)
        return None if raw is None else unpack_msgpack(bytes(raw))

    def blob_chunks(self, digest: str) -> List[memoryview]:
        """The chunks of blob `digest`, in order, as views into the map. KeyError when it is not stored."""
        info = self.blob_info(digest)
        if info is None:
            raise KeyError(digest)
        size, chunk_size = int(info["size"]), int(info["chunkSize"])
        out: List[memoryview] = []
        for k, sha in enumerate(info["chunks"]):
            expected = min(chunk_size, size - k * chunk_size)
            view = self.get("chunks", bytes.fromhex(sha), lambda v, n=expected: len(v) == n)
            if view is None or len(view) != expected:
                raise LmdbFormatError(f"blob {digest}: chunk {k} is missing or has the wrong size")
            out.append(view)
        return out


# --------------------------------------------------------------------------------------------- MessagePack

def unpack_msgpack(data: bytes) -> Any:
    """Decodes one MessagePack value (the subset msgpackr writes for plain records: no extensions)."""
    value, at = _unpack(data, 0)
    return value


def _unpack(d: bytes, i: int) -> Tuple[Any, int]:  # noqa: C901 - one branch per type byte
    b = d[i]
    i += 1
    if b <= 0x7F:
        return b, i
    if 0x80 <= b <= 0x8F:
        return _map(d, i, b & 0x0F)
    if 0x90 <= b <= 0x9F:
        return _arr(d, i, b & 0x0F)
    if 0xA0 <= b <= 0xBF:
        n = b & 0x1F
        return d[i:i + n].decode(), i + n
    if b >= 0xE0:
        return b - 0x100, i
    if b == 0xC0:
        return None, i
    if b == 0xC2:
        return False, i
    if b == 0xC3:
        return True, i
    if b in (0xC4, 0xC5, 0xC6):
        w = {0xC4: 1, 0xC5: 2, 0xC6: 4}[b]
        n = int.from_bytes(d[i:i + w], "big")
        return bytes(d[i + w:i + w + n]), i + w + n
    if b == 0xCA:
        return struct.unpack_from(">f", d, i)[0], i + 4
    if b == 0xCB:
        return struct.unpack_from(">d", d, i)[0], i + 8
    if b in (0xCC, 0xCD, 0xCE, 0xCF):
        w = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}[b]
        return int.from_bytes(d[i:i + w], "big"), i + w
    if b in (0xD0, 0xD1, 0xD2, 0xD3):
        w = {0xD0: 1, 0xD1: 2, 0xD2: 4, 0xD3: 8}[b]
        return int.from_bytes(d[i:i + w], "big", signed=True), i + w
    if b in (0xD9, 0xDA, 0xDB):
        w = {0xD9: 1, 0xDA: 2, 0xDB: 4}[b]
        n = int.from_bytes(d[i:i + w], "big")
        return d[i + w:i + w + n].decode(), i + w + n
    if b in (0xDC, 0xDD):
        w = 2 if b == 0xDC else 4
        return _arr(d, i + w, int.from_bytes(d[i:i + w], "big"))
    if b in (0xDE, 0xDF):
        w = 2 if b == 0xDE else 4
        return _map(d, i + w, int.from_bytes(d[i:i + w], "big"))
    raise LmdbFormatError(f"unsupported MessagePack type byte {b:#x}")


def _arr(d: bytes, i: int, n: int) -> Tuple[List[Any], int]:
    out = []
    for _ in range(n):
        v, i = _unpack(d, i)
        out.append(v)
    return out, i


def _map(d: bytes, i: int, n: int) -> Tuple[Dict[Any, Any], int]:
    out = {}
    for _ in range(n):
        k, i = _unpack(d, i)
        v, i = _unpack(d, i)
        out[k] = v
    return out, i
