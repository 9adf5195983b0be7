"""The GPU share applied to PyTorch's allocator, with a stand-in torch module (no GPU needed)."""
from __future__ import annotations

import sys
import types

from swarmlab._gpu import apply_torch_memory_fraction, gpu_memory_fraction


def fake_torch(monkeypatch, available=True, devices=2):
    calls = []
    cuda = types.SimpleNamespace(
        is_available=lambda: available,
        device_count=lambda: devices,
        set_per_process_memory_fraction=lambda f, device: calls.append((f, device)),
    )
    monkeypatch.setitem(sys.modules, "torch", types.SimpleNamespace(cuda=cuda))
    return calls


def test_part_of_a_gpu_limits_every_visible_device(monkeypatch):
    calls = fake_torch(monkeypatch)
    assert apply_torch_memory_fraction({"SWARMLAB_GPU_MEMORY_FRACTION": "0.25"}) is True
    assert calls == [(0.25, 0), (0.25, 1)]


def test_a_whole_gpu_no_gpu_or_no_cuda_is_left_alone(monkeypatch):
    no_cuda = fake_torch(monkeypatch, available=False)
    assert apply_torch_memory_fraction({"SWARMLAB_GPU_MEMORY_FRACTION": "0.25"}) is False
    assert no_cuda == []
    calls = fake_torch(monkeypatch)
    assert apply_torch_memory_fraction({"SWARMLAB_GPU_MEMORY_FRACTION": "1"}) is False
    assert apply_torch_memory_fraction({"SWARMLAB_GPU_MEMORY_FRACTION": "0"}) is False
    assert apply_torch_memory_fraction({}) is False
    assert calls == []
    assert gpu_memory_fraction({"SWARMLAB_GPU_MEMORY_FRACTION": "x"}) == 0.0
