"""
A PyTorch training session on Swarmlab: a small CNN on Fashion-MNIST streamed from the store.

Run as a session (see run.py): the session environment names the dataset (SWARMLAB_DATASET) and the manager, so
the script takes no arguments. Each epoch streams the training rows in a new shuffled order through a DataLoader,
measures the held-out validation dataset, reports the epoch, and saves two generations: the ONNX export
(`fashion-cnn`, which the server serves and the rules promote) and the native state dict (`fashion-cnn-torch`,
format `pytorch`, kept for diffs and for reloading into torch). A stop request (rule, `swarmlab stop`) ends the
loop after the current epoch.

Settings (environment): FASHION_EPOCHS (10), FASHION_LR (0.001), FASHION_BATCH (128), FASHION_SEED (1),
FASHION_VAL_DATASET (fashion-val-5k), FASHION_MODEL (fashion-cnn).
"""
import io
import os
import sys
import time

import torch
from torch import nn
from torch.utils.data import DataLoader

import swarmlab
from swarmlab.torch import SwarmlabIterableDataset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import FashionCNN, images_to_input  # noqa: E402

EPOCHS = int(os.environ.get("FASHION_EPOCHS", "10"))
LR = float(os.environ.get("FASHION_LR", "0.001"))
BATCH = int(os.environ.get("FASHION_BATCH", "128"))
SEED = int(os.environ.get("FASHION_SEED", "1"))
VAL_DATASET = os.environ.get("FASHION_VAL_DATASET", "fashion-val-5k")
MODEL = os.environ.get("FASHION_MODEL", "fashion-cnn")


def evaluate(net: nn.Module, val) -> dict:
    net.eval()
    correct = total = 0
    loss = 0.0
    with torch.no_grad():
        for batch in val.epoch(1):
            x = images_to_input(batch.columns["image"].data)
            y = torch.as_tensor(batch.columns["label"].data).long()
            out = net(x)
            loss += nn.functional.cross_entropy(out, y, reduction="sum").item()
            correct += (out.argmax(1) == y).sum().item()
            total += len(y)
    net.train()
    return {"val_loss": loss / total, "val_accuracy": correct / total}


def onnx_bytes(net: nn.Module) -> bytes:
    buf = io.BytesIO()
    net.eval()
    torch.onnx.export(
        net,
        torch.zeros(1, 1, 28, 28),
        buf,
        input_names=["image"],
        output_names=["logits"],
        dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=13,
    )
    net.train()
    return buf.getvalue()


def state_dict_bytes(net: nn.Module) -> bytes:
    buf = io.BytesIO()
    torch.save(net.state_dict(), buf)
    return buf.getvalue()


def main() -> None:
    torch.manual_seed(SEED)
    torch.set_num_threads(max(1, int(os.environ.get("OMP_NUM_THREADS", "1"))))
    net = FashionCNN()
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    with swarmlab.session() as s:
        train = SwarmlabIterableDataset(batch_size=BATCH, shuffle_seed=SEED)
        loader = DataLoader(train, batch_size=None)
        val = swarmlab.open_dataset(VAL_DATASET, batch_size=1000)
        s.log(f"training on {os.environ.get('SWARMLAB_DATASET')}, validating on {VAL_DATASET}; "
              f"{EPOCHS} epochs, lr {LR}, batch {BATCH}, torch {torch.__version__}")
        for epoch in range(1, EPOCHS + 1):
            started = time.time()
            train.set_epoch(epoch)
            seen = 0
            running = 0.0
            for step, batch in enumerate(loader):
                x = images_to_input(batch["image"])
                y = batch["label"].long()
                opt.zero_grad()
                loss = nn.functional.cross_entropy(net(x), y)
                loss.backward()
                opt.step()
                running += loss.item() * len(y)
                seen += len(y)
                if step % 50 == 0:
                    s.metric("batch_loss", loss.item(), (epoch - 1) * 100_000 + seen)
            metrics = {"loss": running / seen, **evaluate(net, val)}
            s.epoch(epoch, metrics, total=EPOCHS)
            print(f"epoch {epoch}: loss {metrics['loss']:.4f} val_loss {metrics['val_loss']:.4f} "
                  f"val_accuracy {metrics['val_accuracy']:.4f} ({time.time() - started:.1f} s)", flush=True)
            gen_metrics = {**metrics, "epoch": epoch}
            s.save_generation(model=f"{MODEL}-torch", type="classifier/cnn", format="pytorch",
                              files={"model.pt": state_dict_bytes(net)}, metrics=gen_metrics)
            s.save_generation(model=MODEL, type="classifier/cnn", format="onnx",
                              files={"model.onnx": onnx_bytes(net)}, metrics=gen_metrics)
            if s.stop_requested:
                print(f"stopping after epoch {epoch}: {s.stop_reason}", flush=True)
                break
        val.close()


if __name__ == "__main__":
    main()
