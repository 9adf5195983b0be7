"""Swarmlab's Python client: report from a training session, stream datasets, save and load model generations."""
from ._env import SessionEnv
from ._http import Client
from .dataset_push import push_dataset
from .errors import (
    ConfigError,
    ConflictError,
    CorruptError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    SwarmlabError,
    TooLargeError,
    UnauthorizedError,
    UnavailableError,
)

__version__ = "0.1.0"

__all__ = [
    "Client",
    "ConfigError",
    "ConflictError",
    "CorruptError",
    "ForbiddenError",
    "InvalidError",
    "NotFoundError",
    "SessionEnv",
    "SwarmlabError",
    "TooLargeError",
    "UnauthorizedError",
    "UnavailableError",
    "__version__",
    "push_dataset",
]
