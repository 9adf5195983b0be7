"""PyTorch adapter: a dataset version as a `torch.utils.data.IterableDataset` of ready batches.

    from torch.utils.data import DataLoader
    from swarmlab.torch import SwarmlabIterableDataset

    ds = SwarmlabIterableDataset("fashion", batch_size=256, shuffle_seed=7)
    loader = DataLoader(ds, batch_size=None, num_workers=2)   # batch_size=None: the batches are already cut
    for epoch in range(10):
        ds.set_epoch(epoch)                                   # each epoch its own order (with a shuffle_seed)
        for batch in loader:
            x, y = batch["image"], batch["label"]             # torch tensors

Each batch is a dict of column name → tensor (`torch.from_numpy` over the received frame: no copy). utf8 columns
come as lists of str; sparse versions as `indptr`/`indices`/`values`/`label` tensors (pass a `transform` to build
what the model needs, e.g. `torch.sparse_csr_tensor`). Each batch's memory is its own (the received frame, or the
rows the node-local reader gathered) and Swarmlab never writes it again, so the tensors may be kept or modified;
over HTTP the columns of one batch share one buffer, so `.clone()` a column you keep while dropping the rest if
memory matters.

Sharding: within a process of rank r of R (`rank`/`world_size`, default `SWARMLAB_RANK`/`SWARMLAB_WORLD_SIZE`),
DataLoader worker w of W reads share r·W + w of R·W, so across ranks and workers every row of an epoch is read
exactly once. Importing `swarmlab` never imports torch; only this module does.
"""
from __future__ import annotations

import os
import warnings
from typing import Any, Callable, Dict, Iterator, Optional

import torch
from torch.utils.data import IterableDataset, get_worker_info

from .datasets import Batch, DatasetReader, open_dataset

__all__ = ["SwarmlabIterableDataset", "batch_to_tensors"]


def batch_to_tensors(batch: Batch) -> Dict[str, Any]:
    """Column name → tensor (a view, no copy); utf8 columns → list of str."""
    out: Dict[str, Any] = {}
    with warnings.catch_warnings():
        # Never read-only today (frames and gathered rows are fresh arrays); should one be, torch only warns.
        warnings.filterwarnings("ignore", message=".*not writable.*")
        for name, col in batch.columns.items():
            if col.dtype == "utf8":
                out[name] = col.strings()
            else:
                out[name] = torch.from_numpy(col.data)
    return out


class SwarmlabIterableDataset(IterableDataset):
    """Batches of a dataset version for a DataLoader (use `batch_size=None`). Keyword arguments are
    `open_dataset`'s (version, batch_size, rank, world_size, shuffle_seed, local, url, token); `transform`
    maps each batch's dict of tensors to what the loop wants (e.g. `lambda b: (b['image'], b['label'])`)."""

    def __init__(self, name: Optional[str] = None, *, epoch: int = 0,
                 transform: Optional[Callable[[Dict[str, Any]], Any]] = None, **open_dataset_kwargs: Any):
        super().__init__()
        self.name = name
        self.kwargs = open_dataset_kwargs
        self.transform = transform
        self.epoch = epoch
        self._reader: Optional[DatasetReader] = None
        self._pid = os.getpid()
        # Opened once here to fail early (bad name, manager down) and to know the manifest; each worker
        # process opens its own reader (connections and memory maps do not cross fork safely).
        with open_dataset(name, **open_dataset_kwargs) as probe:
            self.manifest = probe.manifest
            self.mode = probe.mode
            self.rank = probe.rank
            self.world_size = probe.world_size
            self.batch_size = probe.batch_size

    def set_epoch(self, epoch: int) -> None:
        """The epoch the next iteration reads (its order depends on it when a shuffle_seed is set). Set it
        before iterating the DataLoader: workers copy the dataset when an iteration starts, so with
        `persistent_workers=True` they would keep the first epoch's value (leave that option off)."""
        self.epoch = epoch

    def _open(self) -> DatasetReader:
        if self._reader is not None and self._pid != os.getpid():
            self._reader = None  # inherited through fork: its connection belongs to the parent
        if self._reader is None:
            self._pid = os.getpid()
            kw = dict(self.kwargs)
            kw.update(rank=self.rank, world_size=self.world_size, batch_size=self.batch_size)
            self._reader = open_dataset(self.name, version=self.manifest["version"],
                                        **{k: v for k, v in kw.items() if k != "version"})
        return self._reader

    def share(self) -> tuple:
        """(share, shares) this process/worker reads: r·W + w of R·W."""
        info = get_worker_info()
        w, nw = (0, 1) if info is None else (info.id, info.num_workers)
        return self.rank * nw + w, self.world_size * nw

    def __iter__(self) -> Iterator[Any]:
        reader = self._open()
        share, shares = self.share()
        for batch in reader.epoch(self.epoch, rank=share, world_size=shares):
            tensors = batch_to_tensors(batch)
            yield self.transform(tensors) if self.transform is not None else tensors

    def __getstate__(self) -> Dict[str, Any]:
        state = self.__dict__.copy()
        state["_reader"] = None  # workers open their own
        return state

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
