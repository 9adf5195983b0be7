"""Typed errors: one class per API error code, each carrying the code, the message and `details` (field, line, id)."""
from __future__ import annotations

from typing import Any, Dict, Optional


class SwarmlabError(Exception):
    """An error the manager answered (or the client detected); `code` is the API's stable error code."""

    code = "INTERNAL"

    def __init__(self, message: str, *, status: Optional[int] = None, details: Optional[Dict[str, Any]] = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.details: Dict[str, Any] = dict(details or {})

    @property
    def field(self) -> Optional[str]:
        """The field, line or parameter at fault, when the manager named one."""
        f = self.details.get("field")
        return f if isinstance(f, str) else None


class NotFoundError(SwarmlabError):
    code = "NOT_FOUND"


class ConflictError(SwarmlabError):
    code = "CONFLICT"


class InvalidError(SwarmlabError):
    code = "INVALID"


class CorruptError(SwarmlabError):
    code = "CORRUPT"


class TooLargeError(SwarmlabError):
    code = "TOO_LARGE"


class UnauthorizedError(SwarmlabError):
    code = "UNAUTHORIZED"


class ForbiddenError(SwarmlabError):
    code = "FORBIDDEN"


class UnavailableError(SwarmlabError):
    """The manager answered 503, or could not be reached at all (`details['url']` says where it was looked for)."""

    code = "UNAVAILABLE"


class ConfigError(SwarmlabError):
    """Bad configuration on the client's side: a missing `SWARMLAB_*` variable, a bad option."""

    code = "CONFIG"


_BY_CODE = {
    cls.code: cls
    for cls in (
        NotFoundError,
        ConflictError,
        InvalidError,
        CorruptError,
        TooLargeError,
        UnauthorizedError,
        ForbiddenError,
        UnavailableError,
        ConfigError,
    )
}


def from_body(status: int, body: Any) -> SwarmlabError:
    """The typed error for an error answer `{error: {code, message, details}}` (anything else by its status)."""
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        code = str(err.get("code", ""))
        message = str(err.get("message", f"HTTP {status}"))
        details = err.get("details") if isinstance(err.get("details"), dict) else {}
    else:
        code = {400: "INVALID", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT",
                413: "TOO_LARGE", 503: "UNAVAILABLE"}.get(status, "INTERNAL")
        message = f"HTTP {status}"
        details = {}
    cls = _BY_CODE.get(code, SwarmlabError)
    e = cls(message, status=status, details=details)
    if cls is SwarmlabError:
        e.code = code or "INTERNAL"
    return e
