"""A PyTorch job that survives preemption: it declares itself checkpointable, saves its model, optimizer and step
to SWARMLAB_OUTPUT_DIR when the manager asks it to yield (`s.preempted`), and its next attempt starts from there.

    swarmlab run --cpus 1 -- /usr/bin/python3 examples/checkpoint-torch/train.py

Once the long-run rule has demoted it (`--long-run`, 5 h by default), waiting work of higher priority may preempt
it: the manager stops it with reason `preempted`, keeps the checkpoint as an artifact of the session, and submits
the next attempt (`attempt` + 1), which downloads it with `s.resume_artifact`. Every step's batch is drawn from a
generator seeded by the step, so an interrupted run ends with exactly the weights of an uninterrupted one.
Settings: CKPT_STEPS (default 200), CKPT_PAUSE_S (pause per step, default 0.02).
"""
from __future__ import annotations

import json
import os
import time

import torch

import swarmlab

TRUE_W = torch.linspace(-1.0, 1.0, 8).unsqueeze(1)


def build() -> tuple:
    torch.manual_seed(0)
    model = torch.nn.Linear(8, 1)
    return model, torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)


def train_step(model: torch.nn.Module, opt: torch.optim.Optimizer, step: int) -> float:
    """One SGD step on step `step`'s batch, the same batch on every attempt."""
    g = torch.Generator().manual_seed(1000 + step)
    x = torch.randn(32, 8, generator=g)
    y = x @ TRUE_W + 0.1 * torch.randn(32, 1, generator=g)
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()


def main() -> None:
    steps = int(os.environ.get("CKPT_STEPS", "200"))
    pause = float(os.environ.get("CKPT_PAUSE_S", "0.02"))
    with swarmlab.session() as s:
        s.checkpointable()
        model, opt = build()
        step = 0
        path = s.resume_artifact("ckpt.pt")
        if path is not None:
            state = torch.load(path)
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["opt"])
            step = state["step"]
        print(f"attempt {s.attempt}: starting at step {step}")
        while step < steps:
            if s.preempted:
                ckpt = {"model": model.state_dict(), "opt": opt.state_dict(), "step": step}
                torch.save(ckpt, os.path.join(s.info.output_dir, "ckpt.pt"))
                print(f"preempted at step {step}: checkpoint saved")
                return
            loss = train_step(model, opt, step)
            step += 1
            s.epoch(step, {"loss": loss}, total=steps)
            time.sleep(pause)
        print("final weights " + json.dumps(model.weight.detach().flatten().tolist()))


if __name__ == "__main__":
    main()
