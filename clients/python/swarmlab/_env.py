"""The session contract: what the `SWARMLAB_*` environment variables say about the session a process runs in."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional

from ._http import default_token, default_url
from .errors import ConfigError


@dataclass(frozen=True)
class SessionEnv:
    url: str
    token: Optional[str]
    session_id: Optional[str]
    dataset: Optional[str]
    rank: int
    world_size: int
    device: str
    output_dir: Optional[str]
    store_path: Optional[str]

    @staticmethod
    def read(env: Optional[Mapping[str, str]] = None) -> "SessionEnv":
        env = os.environ if env is None else env
        return SessionEnv(
            url=default_url(env),
            token=default_token(env),
            session_id=env.get("SWARMLAB_SESSION_ID") or None,
            dataset=env.get("SWARMLAB_DATASET") or None,
            rank=_int(env, "SWARMLAB_RANK", 0),
            world_size=_int(env, "SWARMLAB_WORLD_SIZE", 1),
            device="gpu" if env.get("SWARMLAB_DEVICE") == "gpu" else "cpu",
            output_dir=env.get("SWARMLAB_OUTPUT_DIR") or None,
            store_path=env.get("SWARMLAB_STORE_PATH") or None,
        )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not an integer", details={"field": name}) from None
