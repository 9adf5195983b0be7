"""
Distributed data-parallel training on Swarmlab: `swarmlab run --replicas 2 --dataset NAME -- python3 train.py`.

Swarmlab starts every rank at once with PyTorch's rendezvous in its environment (MASTER_ADDR, MASTER_PORT, RANK,
WORLD_SIZE, LOCAL_RANK), so `init_process_group("gloo", init_method="env://")` needs no arguments, and
`open_dataset()` reads this rank's own share of each epoch (SWARMLAB_RANK / SWARMLAB_WORLD_SIZE). Each rank takes a
share of the global batch, DDP averages the gradients: N ranks train like one process with the same global batch.
With one replica the same script trains alone.

The model is a tiny MLP regressing column `y` on the columns named `x*` (plus `id`, to show the shares). Settings
(environment): DDP_EPOCHS (10), DDP_BATCH (global batch, 32), DDP_LR (0.02), DDP_SEED (1). Each epoch's rows must
split into whole batches of every rank's share (e.g. 512 rows, 2 ranks, global batch 32), as DDP needs every rank
to take the same number of steps. Rank 0 prints `RESULT {json}` with the final loss over the whole dataset.
"""
import json
import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from swarmlab import open_dataset

EPOCHS = int(os.environ.get("DDP_EPOCHS", "10"))
GLOBAL_BATCH = int(os.environ.get("DDP_BATCH", "32"))
LR = float(os.environ.get("DDP_LR", "0.02"))
SEED = int(os.environ.get("DDP_SEED", "1"))


def tensors(batch):
    features = sorted(c for c in batch.columns if c.startswith("x"))
    x = torch.stack([torch.as_tensor(batch.columns[f].data, dtype=torch.float32) for f in features], 1)
    y = torch.as_tensor(batch.columns["y"].data, dtype=torch.float32)
    return x, y


def full_loss(model) -> float:
    """Mean squared error over every row (rank 0 reads them all)."""
    total = 0.0
    rows = 0
    with torch.no_grad(), open_dataset(batch_size=256, rank=0, world_size=1) as reader:
        for batch in reader.epoch(0):
            x, y = tensors(batch)
            total += nn.functional.mse_loss(model(x).squeeze(1), y, reduction="sum").item()
            rows += len(y)
    return total / rows


def main() -> None:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        dist.init_process_group("gloo", init_method="env://")
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    reader = open_dataset(batch_size=GLOBAL_BATCH // world, shuffle_seed=SEED)
    features = sum(1 for c in reader.manifest["columns"] if c["name"].startswith("x"))
    model = nn.Sequential(nn.Linear(features, 16), nn.Tanh(), nn.Linear(16, 1))
    net = DistributedDataParallel(model) if world > 1 else model
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    ids = []
    steps = 0
    for epoch in range(EPOCHS):
        for batch in reader.epoch(epoch):
            if epoch == 0:
                ids += batch.columns["id"].data.tolist()
            x, y = tensors(batch)
            opt.zero_grad()
            nn.functional.mse_loss(net(x).squeeze(1), y).backward()
            opt.step()
            steps += 1
    reader.close()
    print("SHARE " + json.dumps({"rank": rank, "steps": steps, "ids": sorted(ids)}), flush=True)
    if rank == 0:
        print("RESULT " + json.dumps({"world": world, "steps": steps, "loss": full_loss(model)}), flush=True)
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
