"""A session's artifacts over HTTP: upload a file (streamed, never read whole), list them, download one."""
from __future__ import annotations

import hashlib
import os
import urllib.parse
from typing import Any, Dict, Optional, Union

from ._http import Client
from .errors import CorruptError

PathLike = Union[str, "os.PathLike[str]"]


def _path(session_id: str, name: Optional[str] = None) -> str:
    base = f"/api/v1/sessions/{urllib.parse.quote(session_id, safe='')}/artifacts"
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
    c = client or Client(url, token, timeout=300.0)
    res = c.request("GET", _path(session_id, name))
    digest = (res.getheader("etag") or "").strip('"')
    h = hashlib.sha256()
    n = 0
    with open(os.fspath(dest), "wb") as out:
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
    return n


__all__ = ["download_artifact", "list_artifacts", "upload_artifact"]
