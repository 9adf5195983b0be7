"""The session contract: what the `SWARMLAB_*` environment variables say about the session a process runs in."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple

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
    #: The params submitted with the session (SWARMLAB_PARAMS); `Session.hparams` adds those the job added.
    params: Dict[str, Any] = field(default_factory=dict)
    project: Optional[str] = None
    tags: Tuple[str, ...] = ()
    #: 1, or more for a retried or resubmitted (preempted) session (SWARMLAB_ATTEMPT).
    attempt: int = 1
    #: The session this one repeats (SWARMLAB_RETRY_OF), if any.
    retry_of: Optional[str] = None

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
            params=_params(env),
            project=env.get("SWARMLAB_PROJECT") or None,
            tags=tuple(t for t in env.get("SWARMLAB_TAGS", "").split(",") if t),
            attempt=max(1, _int(env, "SWARMLAB_ATTEMPT", 1)),
            retry_of=env.get("SWARMLAB_RETRY_OF") or None,
        )


def _params(env: Mapping[str, str]) -> Dict[str, Any]:
    raw = env.get("SWARMLAB_PARAMS") or "{}"
    try:
        params = json.loads(raw)
    except ValueError:
        raise ConfigError("SWARMLAB_PARAMS: not JSON", details={"field": "SWARMLAB_PARAMS"}) from None
    if not isinstance(params, dict):
        raise ConfigError("SWARMLAB_PARAMS: not a JSON object", details={"field": "SWARMLAB_PARAMS"})
    return params


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not an integer", details={"field": name}) from None
