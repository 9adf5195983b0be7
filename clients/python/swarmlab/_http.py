"""HTTP to the manager with the standard library: one keep-alive connection per thread, token auth, typed errors."""
from __future__ import annotations

import http.client
import json as _json
import os
import socket
import threading
import urllib.parse
from typing import Any, Dict, Mapping, Optional, Union

from .errors import ConfigError, UnavailableError, from_body

DEFAULT_URL = "http://127.0.0.1:7070"

Body = Union[bytes, bytearray, memoryview, None]


def default_url(env: Optional[Mapping[str, str]] = None) -> str:
    env = os.environ if env is None else env
    return (env.get("SWARMLAB_URL") or DEFAULT_URL).rstrip("/")


def default_token(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """`SWARMLAB_TOKEN`, else the token `swarmlab up` wrote into `./.swarmlab/token` (as the TS SDK does)."""
    env = os.environ if env is None else env
    token = env.get("SWARMLAB_TOKEN")
    if token:
        return token
    path = os.path.join(env.get("SWARMLAB_DATA_DIR") or ".swarmlab", "token")
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip() or None
    except OSError:
        return None


class Client:
    """Plain calls to the HTTP API. `request` returns the open response; `json` decodes it (errors raise)."""

    def __init__(self, url: Optional[str] = None, token: Optional[str] = None, *, timeout: float = 60.0,
                 env: Optional[Mapping[str, str]] = None):
        self.url = (url or default_url(env)).rstrip("/")
        self.token = token if token is not None else default_token(env)
        self.timeout = timeout
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"SWARMLAB_URL: {self.url!r} is not an http(s) URL", details={"field": "url"})
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._base = parts.path.rstrip("/")
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
            conn = cls(self._host, self._port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def close(self) -> None:
        """Closes this thread's connection (other threads' close when they end)."""
        self._drop()

    def path(self, path: str, query: Optional[Mapping[str, Any]] = None) -> str:
        q = {k: _query_value(v) for k, v in (query or {}).items() if v is not None}
        return self._base + path + ("?" + urllib.parse.urlencode(q) if q else "")

    def request(self, method: str, path: str, *, query: Optional[Mapping[str, Any]] = None, json: Any = None,
                body: Body = None, headers: Optional[Dict[str, str]] = None) -> http.client.HTTPResponse:
        """Sends one request and returns the response with its body unread; 4xx/5xx raise the typed error."""
        hdrs = {"accept": "application/json"}
        if self.token:
            hdrs["authorization"] = f"Bearer {self.token}"
        if json is not None:
            body = _json.dumps(json, allow_nan=False, separators=(",", ":")).encode()
            hdrs["content-type"] = "application/json"
        elif body is not None:
            hdrs["content-type"] = "application/octet-stream"
        hdrs.update(headers or {})
        target = self.path(path, query)
        # A kept-alive connection the server closed meanwhile fails on first use: retry once on a fresh one.
        for attempt in (0, 1):
            conn = self._connection()
            try:
                conn.request(method, target, body=body, headers=hdrs)
                res = conn.getresponse()
                break
            except (ConnectionError, http.client.RemoteDisconnected, http.client.CannotSendRequest,
                    http.client.BadStatusLine, BrokenPipeError) as e:
                self._drop()
                if attempt == 1 or isinstance(e, ConnectionRefusedError):
                    raise self._unreachable(e) from e
            except (socket.timeout, OSError) as e:
                self._drop()
                raise self._unreachable(e) from e
        if res.status >= 400:
            raw = res.read()
            if res.getheader("connection", "").lower() == "close":
                self._drop()
            try:
                parsed = _json.loads(raw) if raw else None
            except ValueError:
                parsed = None
            raise from_body(res.status, parsed)
        return res

    def json(self, method: str, path: str, **kw: Any) -> Any:
        res = self.request(method, path, **kw)
        raw = res.read()
        return _json.loads(raw) if raw else None

    def _unreachable(self, e: BaseException) -> UnavailableError:
        return UnavailableError(
            f"cannot reach the Swarmlab manager at {self.url} ({e.__class__.__name__}: {e}); "
            "is `swarmlab up` running there? Set SWARMLAB_URL to point elsewhere.",
            details={"url": self.url},
        )


def _query_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)
