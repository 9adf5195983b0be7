"""A session's artifacts over HTTP: upload a file (streamed, never read whole), list them, download one."""
from __future__ import annotations

import hashlib
import os
import urllib.parse
from typing import Any, Dict, Optional, Union

from ._http import Client
from .errors import CorruptError

PathLike = Union[str, "os.PathLike[str]"]


def _path(session_id: str, name: Optional[str] = None, under: str = "artifacts") -> str:
    base = f"/api/v1/sessions/{urllib.parse.quote(session_id, safe='')}/{under}"
    if name is None:
        return base
    return base + "/" + "/".join(urllib.parse.quote(seg, safe="") for seg in name.split("/"))


def upload_artifact(session_id: str, file: PathLike, name: Optional[str] = None, *,
                    client: Optional[Client] = None, url: Optional[str] = None,
                    token: Optional[str] = None) -> Dict[str, Any]:
    """Stores `file` as the session's artifact `name` (default: the file's name), replacing one stored there;
    needs the manager token (a job has it in SWARMLAB_TOKEN). Returns the stored artifact."""
    path = os.fspath(file)
    c = client or Client(url, token, timeout=300.0)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            # http.client streams a file body in blocks; the length lets the manager refuse one over its limit.
            return c.json("PUT", _path(session_id, name or os.path.basename(path)), body=f,  # type: ignore[arg-type]
                          headers={"content-length": str(size)})
    finally:
        if client is None:
            c.close()


def list_artifacts(session_id: str, *, client: Optional[Client] = None, url: Optional[str] = None,
                   token: Optional[str] = None) -> Dict[str, Any]:
    """`{"sessionId", "artifacts": [{"path", "size", "digest", "contentType", "storedAt", "source"}], "totalBytes"}`."""
    return (client or Client(url, token)).json("GET", _path(session_id))


def download_artifact(session_id: str, name: str, dest: PathLike, *, client: Optional[Client] = None,
                      url: Optional[str] = None, token: Optional[str] = None) -> int:
    """Writes artifact `name` to `dest` (streamed), checked against its sha256; returns the byte count."""
    return _download(client or Client(url, token, timeout=300.0), session_id, name, _path(session_id, name), dest)


def resume_info(session_id: str, model: Optional[str] = None, *, client: Optional[Client] = None,
                url: Optional[str] = None, token: Optional[str] = None) -> Dict[str, Any]:
    """What the earlier attempts of a retried or preempted session left: `{"sessionId", "attempt", "previous"
    (newest first), "artifacts" (each path's newest copy, with the "sessionId" it is from)}`, and with `model` a
    "generation" (`{"model", "generation", "sessionId", "createdAt"}` or None) that one of them saved."""
    query = "" if model is None else "?model=" + urllib.parse.quote(model, safe="")
    return (client or Client(url, token)).json("GET", _path(session_id, under="resume") + query)


def download_resumed(session_id: str, name: str, dest: PathLike, *, client: Optional[Client] = None,
                     url: Optional[str] = None, token: Optional[str] = None) -> int:
    """`download_artifact` of the newest earlier attempt's copy of `name` (NotFoundError when none left one)."""
    c = client or Client(url, token, timeout=300.0)
    return _download(c, session_id, name, _path(session_id, name, under="resume/artifacts"), dest)


def _download(c: Client, session_id: str, name: str, path: str, dest: PathLike) -> int:
    """Streams to a temporary file beside `dest`, renamed over it only once complete and checked."""
    res = c.request("GET", path)
    digest = (res.getheader("etag") or "").strip('"')
    h = hashlib.sha256()
    n = 0
    final = os.fspath(dest)
    part = f"{final}.part-{os.getpid()}"
    try:
        with open(part, "wb") as out:
            while True:
                block = res.read(1 << 20)
                if not block:
                    break
                h.update(block)
                out.write(block)
                n += len(block)
        if digest and h.hexdigest() != digest:
            raise CorruptError(f"artifact {name}: downloaded bytes do not match their sha256",
                               details={"sessionId": session_id, "path": name})
        os.replace(part, final)
    finally:
        if os.path.exists(part):
            os.unlink(part)
    return n


__all__ = ["download_artifact", "download_resumed", "list_artifacts", "resume_info", "upload_artifact"]
