"""Swarmlab's Python client: report from a training session, stream datasets, save and load model generations,
list and compare sessions."""
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
    "list_artifacts",
    "load_generation",
    "models",
    "push_dataset",
    "save_generation",
    "session",
    "upload_artifact",
]
