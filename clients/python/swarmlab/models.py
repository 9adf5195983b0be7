"""Model generations: save weights as a new immutable generation of a model, load one back by stage or number.

    import io, torch, swarmlab.models as models

    buf = io.BytesIO()
    torch.onnx.export(net, example, buf)
    g = models.save_generation("fashion", type="classifier/cnn", format="onnx", bytes=buf.getvalue(),
                               metrics={"val_accuracy": 0.91})
    g["generation"]                                  # 3

    loaded = models.load_generation("fashion", stage="production")
    loaded.generation["metrics"], loaded.bytes       # the record, the primary file's bytes
    loaded.files["model.onnx"]

`format` is passed through as a string (onnx, safetensors, tfjs, raw-float32, pytorch, … — whatever the manager
accepts; it refuses an unknown one with InvalidError, field `format`). Inside a session, `session_id` and
`dataset` default to the session's (`SWARMLAB_SESSION_ID`, `SWARMLAB_DATASET`), so the generation's lineage
names the run that made it.

One file is uploaded as the raw body, several as multipart/form-data. Every save carries an `Idempotency-Key`
(uuid4 hex) reused by its retries: when the manager could not be reached, or answered 503, the same upload is
sent again (up to `retries` times, with backoff), and a manager that already stored it answers the generation it
made instead of making a second one.
"""
from __future__ import annotations

import json
import math
import os
import time
import urllib.parse
import uuid
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

from . import _multipart
from ._env import SessionEnv
from ._http import Client
from .errors import SwarmlabError, UnavailableError

FileData = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]"]

#: File names a one-file upload gets when the caller names none and the manager may know no default.
_DEFAULT_FILE = {"pytorch": "model.pt"}


class _Auto:
    def __repr__(self) -> str:
        return "AUTO"


AUTO: Any = _Auto()
"""Default of `session_id` / `dataset`: the session environment's value, when there is one."""


class LoadedGeneration:
    """A generation's record (`generation`: model, generation, format, files, metrics, sessionId, stage, …) and
    its files' bytes (`files`: name → bytes; `bytes`: the primary file's)."""

    def __init__(self, generation: Dict[str, Any], files: Dict[str, bytes]):
        self.generation = generation
        self.files = files

    @property
    def bytes(self) -> bytes:
        return self.files[self.generation["primary"]]

    @property
    def number(self) -> int:
        return int(self.generation["generation"])

    @property
    def metrics(self) -> Dict[str, float]:
        return dict(self.generation.get("metrics") or {})

    def __repr__(self) -> str:
        g = self.generation
        return (f"LoadedGeneration({g.get('model')!r}, generation={g.get('generation')}, format={g.get('format')!r}, "
                f"files={list(self.files)})")


def _client(client: Optional[Client], url: Optional[str], token: Optional[str]) -> Client:
    if client is not None:
        return client
    return Client(url, token, timeout=300.0)


def _file(name: Optional[str], data: FileData) -> Tuple[str, bytes]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        if not name:
            raise ValueError("files: a file given as bytes needs a name (files={'model.onnx': data})")
        return name, bytes(data)
    path = os.fspath(data)
    with open(path, "rb") as f:
        return name or os.path.basename(path), f.read()


def _files(files: Union[Mapping[str, FileData], Sequence[FileData]]) -> Sequence[Tuple[str, bytes]]:
    if isinstance(files, Mapping):
        return [_file(str(n), d) for n, d in files.items()]
    if isinstance(files, (str, os.PathLike, bytes, bytearray, memoryview)):
        files = [files]  # one path
    return [_file(None, d) for d in files]


def _metrics(metrics: Optional[Mapping[str, float]]) -> Optional[Dict[str, float]]:
    if metrics is None:
        return None
    out = {}
    for k, v in metrics.items():
        f = float(v)
        if not math.isfinite(f):
            raise ValueError(f"metrics[{k!r}]: {f} is not finite (a generation's metrics must be finite numbers)")
        out[str(k)] = f
    return out


def save_generation(model: str, type: Optional[str] = None, format: Optional[str] = None, *,
                    files: Union[Mapping[str, FileData], Sequence[FileData], None] = None,
                    bytes: Union[bytes, bytearray, memoryview, None] = None,  # noqa: A002 - the API's name
                    file: Optional[str] = None,
                    metrics: Optional[Mapping[str, float]] = None, parent: Optional[int] = None,
                    session_id: Any = AUTO, dataset: Any = AUTO, tensors: Optional[Mapping[str, Any]] = None,
                    client: Optional[Client] = None, url: Optional[str] = None, token: Optional[str] = None,
                    idempotency_key: Optional[str] = None, retries: int = 5) -> Dict[str, Any]:
    """Saves a new generation of `model` and returns its record (`generation` is its number, `stage` draft).

    Weights: `bytes=` (one file; `file=` names it, else the manager's default for the format) or `files=` — a
    mapping name → bytes or path, or a list of paths. `type` is needed for the model's first generation.
    Raises InvalidError (with `.field`) for a bad name, format or file, NotFoundError for an unknown parent or
    session, UnavailableError when the manager cannot be reached after `retries` attempts."""
    if not format:
        raise ValueError("save_generation: format= is required (onnx, safetensors, tfjs, raw-float32, pytorch, …)")
    if (files is None) == (bytes is None):
        raise ValueError("save_generation: give exactly one of files= or bytes=")
    env = SessionEnv.read() if session_id is AUTO or dataset is AUTO else None
    if session_id is AUTO:
        session_id = env.session_id if env else None
    if dataset is AUTO:
        dataset = env.dataset if env else None
    meta: Dict[str, Any] = {"format": str(format)}
    if type is not None:
        meta["type"] = type
    m = _metrics(metrics)
    if m is not None:
        meta["metrics"] = m
    if session_id:
        meta["sessionId"] = session_id
    if dataset:
        meta["dataset"] = dataset
    if parent is not None:
        meta["parent"] = int(parent)
    if tensors is not None:
        meta["tensors"] = dict(tensors)
    if bytes is not None:
        named: Sequence[Tuple[str, Any]] = [(file or _DEFAULT_FILE.get(str(format)), bytes)]
    else:
        named = _files(files)  # type: ignore[arg-type]
        if not named:
            raise ValueError("save_generation: files= is empty")
    c = _client(client, url, token)
    key = idempotency_key or uuid.uuid4().hex
    path = f"/api/v1/models/{urllib.parse.quote(model, safe='')}/generations"
    headers = {"idempotency-key": key}
    if len(named) == 1:
        name, data = named[0]
        if name:
            meta["file"] = name
        headers["x-swarmlab-generation"] = json.dumps(meta, allow_nan=False, separators=(",", ":"))
        body: Any = data
        headers["content-type"] = "application/octet-stream"
    else:
        body, ctype = _multipart.encode({"metadata": meta}, [("file", n, d) for n, d in named])
        headers["content-type"] = ctype
    return _with_retries(lambda: c.json("POST", path, body=body, headers=headers), retries)


def _with_retries(call: Any, retries: int) -> Any:
    delay = 0.25
    for attempt in range(retries + 1):
        try:
            return call()
        except UnavailableError:
            if attempt >= retries:
                raise
        except SwarmlabError as e:
            if e.status is None or e.status < 500 or attempt >= retries:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 4.0)
    raise AssertionError("unreachable")


def _ref(stage: Optional[str], generation: Optional[Union[int, str]]) -> str:
    if stage is not None and generation is not None:
        raise ValueError("load_generation: give stage= or generation=, not both")
    if generation is not None:
        return str(generation)
    return stage or "production"


def get_generation(name: str, stage: Optional[str] = None, generation: Optional[Union[int, str]] = None, *,
                   client: Optional[Client] = None, url: Optional[str] = None,
                   token: Optional[str] = None) -> Dict[str, Any]:
    """A generation's record (no weights): by `stage` (production by default, staging, latest) or number."""
    c = _client(client, url, token)
    return c.json("GET", f"/api/v1/models/{urllib.parse.quote(name, safe='')}/generations/{_ref(stage, generation)}")


def load_generation(name: str, stage: Optional[str] = None, generation: Optional[Union[int, str]] = None, *,
                    client: Optional[Client] = None, url: Optional[str] = None,
                    token: Optional[str] = None) -> LoadedGeneration:
    """A generation with all its files: by `stage` (production by default, staging, latest) or `generation`
    number. NotFoundError when the model, the generation or the stage holder does not exist."""
    c = _client(client, url, token)
    base = f"/api/v1/models/{urllib.parse.quote(name, safe='')}/generations"
    record = c.json("GET", f"{base}/{_ref(stage, generation)}")
    g = record["generation"]  # a fixed number from here on, even if the stage moves meanwhile
    files: Dict[str, bytes] = {}
    for f in record.get("files") or []:
        fname = f["name"]
        res = c.request("GET", f"{base}/{g}/files/{urllib.parse.quote(fname, safe='')}")
        files[fname] = res.read()
    return LoadedGeneration(record, files)


def list_models(type: Optional[str] = None, *, client: Optional[Client] = None, url: Optional[str] = None,  # noqa: A002
                token: Optional[str] = None) -> Any:
    """The model tree (`GET /api/v1/models`), optionally of one type."""
    return _client(client, url, token).json("GET", "/api/v1/models", query={"type": type})
