"""multipart/form-data bodies built with the standard library: JSON fields first, then files in order."""
from __future__ import annotations

import json
import uuid
from typing import Any, List, Mapping, Sequence, Tuple, Union

FileBody = Union[bytes, bytearray, memoryview]


def encode(fields: Mapping[str, Any], files: Sequence[Tuple[str, str, FileBody]]) -> Tuple[bytes, str]:
    """`files` are (field name, file name, bytes). Returns the body and its content-type header value."""
    boundary = "swarmlab-" + uuid.uuid4().hex
    parts: List[bytes] = []
    for name, value in fields.items():
        text = value if isinstance(value, str) else json.dumps(value, allow_nan=False)
        parts.append(
            f'--{boundary}\r\ncontent-disposition: form-data; name="{_quote(name)}"\r\n\r\n'.encode()
            + text.encode()
            + b"\r\n"
        )
    for field, filename, data in files:
        parts.append(
            f'--{boundary}\r\ncontent-disposition: form-data; name="{_quote(field)}"; '
            f'filename="{_quote(filename)}"\r\ncontent-type: application/octet-stream\r\n\r\n'.encode()
        )
        parts.append(bytes(data))
        parts.append(b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _quote(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\r", " ").replace("\n", " ")
