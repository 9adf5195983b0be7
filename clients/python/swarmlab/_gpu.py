"""A session's share of its GPUs (SWARMLAB_GPU_MEMORY_FRACTION) applied where no environment variable can: PyTorch's
caching allocator. TensorFlow and JAX read theirs from the environment the manager sets (README, "GPU share")."""
from __future__ import annotations

import os
from typing import Mapping, Optional


def gpu_memory_fraction(env: Optional[Mapping[str, str]] = None) -> float:
    """SWARMLAB_GPU_MEMORY_FRACTION as a number in [0, 1]; 0 when unset or not one (no GPUs granted)."""
    env = os.environ if env is None else env
    try:
        f = float(env.get("SWARMLAB_GPU_MEMORY_FRACTION") or 0)
    except ValueError:
        return 0.0
    return f if 0 <= f <= 1 else 0.0


def apply_torch_memory_fraction(env: Optional[Mapping[str, str]] = None) -> bool:
    """Limits PyTorch to the session's share of every visible GPU; True when it did. Only for part of a GPU, since
    importing torch takes seconds and a whole GPU needs no limit; without torch or CUDA there is nothing to do."""
    f = gpu_memory_fraction(env)
    if not 0 < f < 1:
        return False
    try:
        import torch  # noqa: PLC0415 — only here: importing swarmlab never imports torch
    except ImportError:
        return False
    if not torch.cuda.is_available():
        return False
    for device in range(torch.cuda.device_count()):
        torch.cuda.set_per_process_memory_fraction(f, device)
    return True
