"""Pushing a dataset version from files: one file as the raw body, several (IDX images + labels) as multipart."""
from __future__ import annotations

import os
from typing import Any, Dict, Optional, Sequence, Union

from . import _multipart
from ._http import Client

PathOrBytes = Union[str, "os.PathLike[str]", bytes]


def push_dataset(name: str, files: Sequence[PathOrBytes], *, format: Optional[str] = None,
                 label: Optional[str] = None, client: Optional[Client] = None, **options: Any) -> Dict[str, Any]:
    """Creates a new version of dataset `name` (`format`: libsvm, csv, idx, npy; else the manager guesses from the
    file name). Extra `options` are the API's query parameters (delimiter, skipLines, zeroBased, column).
    Returns `{name, version, rows, columns, bytes, digest}`; a bad file raises InvalidError naming the line/field."""
    client = client or Client()
    named = [_named(f, k) for k, f in enumerate(files)]
    if not named:
        raise ValueError("push_dataset needs at least one file")
    query: Dict[str, Any] = {"format": format, "label": label, **options}
    path = f"/api/v1/datasets/{name}/versions"
    if len(named) == 1:
        filename, data = named[0]
        return client.json("POST", path, query={**query, "filename": filename}, body=data)
    body, ctype = _multipart.encode({}, [("file", n, d) for n, d in named])
    return client.json("POST", path, query=query, body=body, headers={"content-type": ctype})


def _named(f: PathOrBytes, k: int):
    if isinstance(f, (bytes, bytearray, memoryview)):
        return f"file{k + 1}", bytes(f)
    with open(f, "rb") as fh:
        return os.path.basename(os.fspath(f)), fh.read()
