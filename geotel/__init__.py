"""geotel: plan provincial telecom infrastructure (coverage, dead zones, siting, fiber)."""

from geotel.config import ProjectConfig, load_config
from geotel.errors import (
    ConfigError,
    CRSError,
    GeotelError,
    InputError,
    SolverError,
)

__version__ = "0.1.0"

__all__ = [
    "CRSError",
    "ConfigError",
    "GeotelError",
    "InputError",
    "ProjectConfig",
    "SolverError",
    "__version__",
    "load_config",
]
