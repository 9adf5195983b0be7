"""open_dataset against a real manager: dense (CSV), images (Fashion-MNIST IDX), sparse (libsvm) round trips on
both stores; rank/world_size shares; shuffle determinism; the node-local LMDB reader equal to the HTTP stream
batch by batch; typed errors. (DataLoader splitting: test_datasets_torch.py.)"""
from __future__ import annotations

import gzip
import os
import random
import struct
import subprocess
import sys
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")

import swarmlab  # noqa: E402
from swarmlab import NotFoundError, UnavailableError, open_dataset, push_dataset  # noqa: E402
from swarmlab.errors import InvalidError  # noqa: E402

FASHION = Path("/usr/share/datasets/fashion-mnist")
T10K = [FASHION / "t10k-images-idx3-ubyte.gz", FASHION / "t10k-labels-idx1-ubyte.gz"]

CSV_ROWS = 1000
SVM_ROWS = 12000  # ~8 MB of CSR: three shards, so windows and batches span shards
SVM_FEATURES = 400


def _csv() -> bytes:
    rng = random.Random(1)
    lines = ["id,x,note,species"]
    for i in range(CSV_ROWS):
        lines.append(f"{i},{i * 0.5 + 0.25},\"n{i}{'é' * (i % 4)}\",{('setosa', 'virginica', 'versicolor')[rng.randrange(3)]}")
    return ("\n".join(lines) + "\n").encode()


WORDS_ROWS = 60000  # ~5 MB with its text column: two shards of utf8 rows


def _words() -> bytes:
    rng = random.Random(3)
    lines = ["id,word,score"]
    for i in range(WORDS_ROWS):
        lines.append(f"{i},w{'xyzé'[i % 4] * rng.randrange(0, 120)}{i},{rng.randrange(-50, 50)}")
    return ("\n".join(lines) + "\n").encode()


def _libsvm():
    rng = random.Random(2)
    rows = []
    out = []
    for i in range(SVM_ROWS):
        k = rng.randrange(0, 160)
        idx = sorted(rng.sample(range(SVM_FEATURES), k))
        vals = [round(rng.uniform(-4, 4), 3) for _ in idx]
        label = float(i % 5)
        rows.append((label, idx, vals))
        out.append(" ".join([f"{label:g}"] + [f"{j + 1}:{v:g}" for j, v in zip(idx, vals)]))
    return rows, ("\n".join(out) + "\n").encode()


@pytest.fixture(scope="module")
def data(manager):
    """Pushes the test datasets once per manager (module)."""
    c = manager.client
    push_dataset("table", [_csv()], format="csv", label="species", client=c)
    svm_rows, svm = _libsvm()
    push_dataset("sparse", [svm], format="libsvm", client=c)
    if manager.kind == "lmdb":
        push_dataset("words", [_words()], format="csv", client=c)
    have_fashion = all(p.exists() for p in T10K)
    if have_fashion:
        push_dataset("fashion", [str(p) for p in T10K], format="idx", client=c)
    return {"svm": svm_rows, "fashion": have_fashion}


def _open(manager, name, **kw):
    return open_dataset(name, url=manager.url, token=manager.token, **kw)


def _all(reader, epoch=0, **kw):
    return list(reader.epoch(epoch, **kw))


def _ids(batches):
    return [int(v) for b in batches for v in b["id"].tolist()]


both = pytest.mark.parametrize("manager", ["lmdb", "redis"], indirect=True)


# ------------------------------------------------------------------------------------------------ round trips

@both
def test_dense_csv_round_trip(manager, data):
    with _open(manager, "table", batch_size=64, local=False) as ds:
        assert ds.mode == "http"
        assert ds.manifest["rows"] == CSV_ROWS
        batches = _all(ds)
    assert [b.index for b in batches] == list(range(16))
    assert [b.rows for b in batches] == [64] * 15 + [40]
    b0 = batches[0]
    assert b0.columns["id"].dtype == "int32" and b0.columns["x"].dtype == "float64"
    assert isinstance(b0["id"], np.ndarray) and b0["x"].shape == (64,)
    assert _ids(batches) == list(range(CSV_ROWS))
    x = np.concatenate([b["x"] for b in batches])
    assert np.array_equal(x, np.arange(CSV_ROWS) * 0.5 + 0.25)
    notes = [s for b in batches for s in b.columns["note"].strings()]
    assert notes == [f"n{i}{'é' * (i % 4)}" for i in range(CSV_ROWS)]
    assert b0.columns["note"].offsets.dtype == np.uint32 and b0.columns["note"].offsets[0] == 0
    names = ds.manifest["meta"]["labelNames"]
    expected = _csv().decode().splitlines()[1:]
    labels = [names[int(v)] for b in batches for v in b["species"]]
    assert labels == [line.rsplit(",", 1)[1] for line in expected]


def test_transposed_numpy_array_reads_back_as_numpy_has_it(manager, data, tmp_path):
    """np.save of a transposed array writes Fortran order; the manager stores the rows NumPy reads."""
    a = (np.arange(7 * 5, dtype=np.float32).reshape(7, 5) * 0.5).T
    assert a.flags["F_CONTIGUOUS"] and not a.flags["C_CONTIGUOUS"]
    np.save(tmp_path / "t.npy", a)
    pushed = push_dataset("transposed", [str(tmp_path / "t.npy")], client=manager.client)
    assert pushed["rows"] == 5
    with _open(manager, "transposed", batch_size=2, local=False) as ds:
        got = np.concatenate([b["x"] for b in _all(ds)])
    assert got.shape == (5, 7)
    assert np.array_equal(got, a)
    # The format came from the file name; bytes without a name or format are refused, naming the field.
    with pytest.raises(InvalidError) as e:
        push_dataset("transposed", [(tmp_path / "t.npy").read_bytes()], client=manager.client)
    assert e.value.field == "format"


@both
def test_sparse_libsvm_csr_round_trip(manager, data):
    rows = data["svm"]
    with _open(manager, "sparse", batch_size=1000, local=False) as ds:
        batches = _all(ds)
    assert len(batches) == 12
    got = []
    for b in batches:
        indptr, indices, values = b.csr()
        assert indptr.dtype == np.uint32 and indptr[0] == 0 and len(indptr) == b.rows + 1
        assert len(indices) == len(values) == indptr[-1]
        for r in range(b.rows):
            s, e = int(indptr[r]), int(indptr[r + 1])
            got.append((float(b["label"][r]), indices[s:e].tolist(), values[s:e]))
    assert len(got) == SVM_ROWS
    for (label, idx, vals), (glabel, gidx, gvals) in zip(rows, got):
        assert glabel == label and gidx == idx
        assert np.allclose(gvals, np.array(vals, dtype=np.float32))
    with pytest.raises(TypeError):
        _all(_open(manager, "table", local=False))[0].csr()


def _idx(path):
    raw = gzip.open(path).read()
    dims = raw[3]
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


@both
def test_fashion_mnist_images_match_the_idx_bytes(manager, data):
    if not data["fashion"]:
        pytest.skip("Debian's dataset-fashion-mnist is not installed")
    images, labels = _idx(T10K[0]), _idx(T10K[1])
    with _open(manager, "fashion", batch_size=256, local=False) as ds:
        assert ds.manifest["kind"] == "image"
        batches = _all(ds)
    b = batches[3]
    assert b.columns["image"].shape == [256, 28, 28, 1] and b["image"].shape == (256, 28, 28, 1)
    assert b["image"].dtype == np.uint8 and b["label"].dtype == np.uint8
    # a view over the frame: no copy was made for the column
    assert b["image"].base is not None and not b["image"].flags.owndata
    assert np.array_equal(b["image"][:, :, :, 0], images[768:1024])
    assert np.array_equal(b["label"], labels[768:1024])
    got = np.concatenate([x["image"] for x in batches])[:, :, :, 0]
    assert np.array_equal(got, images) and np.array_equal(np.concatenate([x["label"] for x in batches]), labels)


# ------------------------------------------------------------------------------------------- shares and order

@both
@pytest.mark.parametrize("seed", [None, 5])
def test_rank_shares_cover_every_row_exactly_once(manager, data, seed):
    for world in (1, 2, 3, 7):
        ids = []
        for rank in range(world):
            with _open(manager, "table", batch_size=50, rank=rank, world_size=world, shuffle_seed=seed,
                       local=False) as ds:
                got = _ids(_all(ds, epoch=1))
                assert len(got) == ds.rank_rows()
                ids += got
        assert sorted(ids) == list(range(CSV_ROWS)), (world, seed)
        if seed is None:
            assert ids == list(range(CSV_ROWS))  # contiguous shares of the stored order


@both
def test_shuffle_is_deterministic_per_seed_and_epoch(manager, data):
    def order(seed, epoch):
        with _open(manager, "table", batch_size=100, shuffle_seed=seed, local=False) as ds:
            return _ids(_all(ds, epoch))

    a = order(9, 0)
    assert a == order(9, 0)
    assert sorted(a) == list(range(CSV_ROWS)) and a != list(range(CSV_ROWS))
    assert order(9, 1) != a and sorted(order(9, 1)) == sorted(a)
    assert order(10, 0) != a


def test_local_reader_equals_the_http_stream(manager, data):
    assert manager.kind == "lmdb"
    names = ["table", "sparse", "words"] + (["fashion"] if data["fashion"] else [])
    assert len(_open(manager, "words", local=False).manifest["shards"]) >= 2
    cases = [(None, 0, 1, 0, 256), (None, 1, 3, 0, 100), (11, 0, 1, 0, 256), (11, 2, 3, 1, 257), (4, 1, 2, 2, 1000)]
    for name in names:
        for seed, rank, world, epoch, bs in cases:
            kw = dict(batch_size=bs, rank=rank, world_size=world, shuffle_seed=seed)
            with _open(manager, name, local=False, **kw) as h, _open(manager, name, local=True, **kw) as lo:
                assert (h.mode, lo.mode) == ("http", "local")
                hb, lb = _all(h, epoch), _all(lo, epoch)
            assert len(hb) == len(lb) > 0, (name, kw)
            for x, y in zip(hb, lb):
                assert (x.index, x.rows) == (y.index, y.rows)
                assert list(x.columns) == list(y.columns)
                for k, cx in x.columns.items():
                    cy = y.columns[k]
                    assert (cx.dtype, cx.shape) == (cy.dtype, cy.shape), (name, kw, k)
                    assert cx.data.dtype == cy.data.dtype and cx.data.shape == cy.data.shape
                    assert cx.data.tobytes() == cy.data.tobytes(), (name, kw, x.index, k)
                    if cx.offsets is not None:
                        assert cx.offsets.tobytes() == cy.offsets.tobytes()


def test_local_auto_uses_the_store_on_this_machine(manager, data):
    with _open(manager, "table") as ds:
        assert ds.mode == "local"
    env = {"SWARMLAB_STORE_PATH": os.path.join(manager.data_dir, "store")}
    with open_dataset("table", url=manager.url, token=manager.token, env=env, local=True) as ds:
        assert ds.mode == "local" and sum(b.rows for b in ds) == CSV_ROWS
    with pytest.raises(InvalidError) as e:
        list(_open(manager, "table", local=True, rank=2, world_size=2).epoch(0))
    assert e.value.field == "rank"


@pytest.mark.parametrize("manager", ["redis"], indirect=True)
def test_redis_store_streams_over_http(manager, data):
    with _open(manager, "table") as ds:
        assert ds.mode == "http"
    with pytest.raises(UnavailableError) as e:
        _open(manager, "table", local=True)
    assert "SWARMLAB_STORE_PATH" in str(e.value)


# ------------------------------------------------------------------------------------------ defaults, errors

def test_defaults_come_from_the_session_environment(manager, data):
    env = {"SWARMLAB_URL": manager.url, "SWARMLAB_TOKEN": manager.token, "SWARMLAB_DATASET": "table@1",
           "SWARMLAB_RANK": "1", "SWARMLAB_WORLD_SIZE": "4", "SWARMLAB_BATCH_SIZE": "30",
           "SWARMLAB_SHUFFLE_SEED": "3"}
    with open_dataset(env=env, local=False) as ds:
        assert (ds.name, ds.version, ds.rank, ds.world_size, ds.batch_size, ds.shuffle_seed) == \
            ("table", 1, 1, 4, 30, 3)
        batches = _all(ds)
    assert [b.rows for b in batches] == [30] * 8 + [10]
    with _open(manager, "table", env=env, rank=0, world_size=1, batch_size=1000, shuffle_seed=3, local=False) as ds:
        whole = _ids(_all(ds))
    assert _ids(batches) == whole[250:500]
    with pytest.raises(InvalidError) as e:
        open_dataset(env={**env, "SWARMLAB_BATCH_SIZE": "x"})
    assert e.value.field == "SWARMLAB_BATCH_SIZE"
    with pytest.raises(InvalidError):
        open_dataset(env={"SWARMLAB_URL": manager.url})


def test_bad_name_is_not_found(manager, data):
    with pytest.raises(NotFoundError):
        _open(manager, "no-such-dataset")
    with pytest.raises(NotFoundError):
        _open(manager, "table", version=99)
    with pytest.raises(InvalidError) as e:
        list(_open(manager, "table", local=False, batch_size=0).epoch(0))
    assert e.value.field == "batchSize"


def test_unreachable_manager_is_unavailable():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(UnavailableError) as e:
        open_dataset("table", url=f"http://127.0.0.1:{port}", token="x")
    assert f"127.0.0.1:{port}" in str(e.value) and "swarmlab up" in str(e.value)


def test_without_numpy_columns_are_memoryviews(manager, data, monkeypatch):
    from swarmlab import _frames

    monkeypatch.setattr(_frames, "np", None)
    with _open(manager, "table", batch_size=10, local=False) as ds:
        b = next(iter(ds))
    assert isinstance(b["id"], memoryview) and b["id"].format == "i" and b["id"].tolist() == list(range(10))
    assert b["x"].format == "d" and b["x"][1] == 0.75
    with _open(manager, "sparse", batch_size=10, local=False) as ds:
        b = next(iter(ds))
    assert b["indptr"].format == "I" and b["indptr"][0] == 0 and b["values"].format == "f"


def test_importing_swarmlab_does_not_import_torch():
    code = "import sys, swarmlab; swarmlab.open_dataset; assert 'torch' not in sys.modules, 'torch imported'"
    env = {**os.environ, "PYTHONPATH": str(Path(swarmlab.__file__).parent.parent)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_local_reader_while_the_manager_writes(manager, data):
    """The node-local reader takes no slot in LMDB's reader table: tree pages recycled by concurrent writes
    must be detected and the lookup retried. Pushes and deletes versions while reading, batches stay exact."""
    import threading

    kw = dict(batch_size=500, shuffle_seed=8)
    with _open(manager, "sparse", local=False, **kw) as h:
        expected = [b.columns["values"].data.tobytes() for b in _all(h, 0)]
    stop = threading.Event()
    errors = []
    pushes = [0]

    def churn():
        from swarmlab import Client

        c = Client(manager.url, manager.token)
        k = 0
        lines = _csv().splitlines(keepends=True)
        try:
            while not stop.is_set():
                body = b"".join(lines[: 50 + (k * 37) % 900])
                r = push_dataset("churn", [body], format="csv", label="species", client=c)
                if r["version"] > 2:
                    c.json("DELETE", f"/api/v1/datasets/churn/versions/{r['version'] - 2}")
                k += 1
                pushes[0] = k
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    t = threading.Thread(target=churn)
    t.start()
    try:
        for _ in range(8):
            with _open(manager, "sparse", local=True, **kw) as lo:
                assert lo.mode == "local"
                got = [b.columns["values"].data.tobytes() for b in _all(lo, 0)]
            assert got == expected
    finally:
        stop.set()
        t.join()
    assert not errors, errors
    assert pushes[0] >= 3, "the writer did not get to write while the reader read"

