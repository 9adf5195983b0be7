"""Swarmlab's Python client: report from a training session, stream datasets, save and load model generations,
list and compare sessions, run sweeps."""
from ._env import SessionEnv
from ._http import Client
from . import models
from .artifacts import download_artifact, list_artifacts, upload_artifact
from .dataset_push import push_dataset
from .datasets import Batch, Column, DatasetReader, list_datasets, open_dataset
from .experiments import compare, list_sessions
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
from .models import LoadedGeneration, load_generation, save_generation
from .session import Session, session
from .sweeps import get_sweep, list_sweeps, stop_sweep, sweep

__version__ = "0.1.0"

__all__ = [
    "Batch",
    "Column",
    "DatasetReader",
    "list_datasets",
    "list_sessions",
    "open_dataset",
    "Client",
    "LoadedGeneration",
    "Session",
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
    "compare",
    "download_artifact",
    "get_sweep",
    "list_artifacts",
    "get_sweep",
    "list_sweeps",
    "load_generation",
    "models",
    "push_dataset",
    "save_generation",
    "session",
    "stop_sweep",
    "sweep",
    "upload_artifact",
]
