"""Sessions as experiments: list them by project, tags and params, sorted by a metric; compare several at once.

    import swarmlab

    page = swarmlab.list_sessions(project="fashion", tags=["baseline"], order="-metric.val_accuracy")
    best = page["sessions"][0]                   # its "metrics": {"val_accuracy": {"last", "min", "max", …}}
    c = swarmlab.compare([s["id"] for s in page["sessions"][:5]], max_points=200)
    c["params"]                                  # names of the params whose values differ
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, Mapping, Optional

from ._http import Client


def list_sessions(*, project: Optional[str] = None, tags: Iterable[str] = (), state: Optional[str] = None,
                  params: Optional[Mapping[str, Any]] = None, order: Optional[str] = None,
                  limit: Optional[int] = None, offset: Optional[int] = None,
                  client: Optional[Client] = None) -> Dict[str, Any]:
    """`{sessions, total, limit, offset}`: sessions with every tag given and params equal to the values given
    (compared as each param's type), in `order` (`-createdAt` by default; `[-]metric.NAME[.last|.min|.max]`,
    `[-]param.NAME`, `[-]name`, `[-]createdAt`)."""
    query: Dict[str, Any] = {"project": project, "state": state, "order": order, "limit": limit, "offset": offset}
    tags = [tags] if isinstance(tags, str) else list(tags)  # one tag given bare, not its characters
    if tags:
        query["tag"] = ",".join(tags)
    for name, value in (params or {}).items():
        query[f"param.{name}"] = value
    return (client or Client()).json("GET", "/api/v1/sessions", query=query)


def compare(ids: Iterable[str], *, metrics: Optional[Iterable[str]] = None, max_points: Optional[int] = None,
            client: Optional[Client] = None) -> Dict[str, Any]:
    """`{sessions: [{id, name, state, project, tags, params, metrics, series}], params: [differing names]}` for up
    to 100 sessions; series are downsampled to `max_points` (default 200) keeping each bucket's min and max."""
    query: Dict[str, Any] = {"ids": ",".join(ids), "maxPoints": max_points}
    if metrics is not None:
        query["metrics"] = ",".join(metrics)
    return (client or Client()).json("GET", "/api/v1/compare", query=query)
