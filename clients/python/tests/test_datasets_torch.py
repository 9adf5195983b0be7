"""swarmlab.torch: a DataLoader with 2 workers in each of 2 ranks reads every row of an epoch exactly once."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")

from torch.utils.data import DataLoader  # noqa: E402

from swarmlab import push_dataset  # noqa: E402
from swarmlab.torch import SwarmlabIterableDataset  # noqa: E402

ROWS = 1234


@pytest.fixture(scope="module")
def table(manager):
    lines = ["id,x,label"] + [f"{i},{i / 4},{i % 3}" for i in range(ROWS)]
    push_dataset("ids", [("\n".join(lines) + "\n").encode()], format="csv", client=manager.client)
    return "ids"


@pytest.mark.parametrize("local", [False, True])
@pytest.mark.parametrize("seed", [None, 21])
def test_workers_and_ranks_read_each_row_once(manager, table, local, seed):
    ids = []
    for rank in range(2):
        ds = SwarmlabIterableDataset(table, url=manager.url, token=manager.token, rank=rank, world_size=2,
                                     batch_size=100, shuffle_seed=seed, local=local)
        assert ds.mode == ("local" if local else "http")
        ds.set_epoch(3)
        for batch in DataLoader(ds, batch_size=None, num_workers=2):
            assert isinstance(batch["id"], torch.Tensor) and batch["id"].dtype == torch.int32
            assert batch["x"].dtype == torch.float64 and len(batch["x"]) == len(batch["id"]) <= 100
            assert torch.equal(batch["x"], batch["id"].double() / 4)
            ids += batch["id"].tolist()
        ds.close()
    assert len(ids) == ROWS and sorted(ids) == list(range(ROWS))
    if seed is not None:
        assert ids != sorted(ids)


def test_transform_and_single_process(manager, table):
    ds = SwarmlabIterableDataset(table, url=manager.url, token=manager.token, batch_size=500, local=False,
                                 transform=lambda b: (b["x"].float(), b["label"].long()))
    got = list(DataLoader(ds, batch_size=None))
    assert [len(x) for x, _ in got] == [500, 500, 234]
    assert got[0][1].dtype == torch.int64 and got[0][0][4].item() == 1.0
