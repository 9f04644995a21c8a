"""Radio coverage over terrain: line of sight, per-site received power, best server.

Public API
----------
- :func:`line_of_sight` — viewshed of one observer (boolean raster on the DEM grid).
- :func:`predict` — best-server signal and server index per technology and operator.
- :func:`iter_site_signals` — per-sector received power, window by window (siting).
- :func:`run_coverage` — :func:`predict` with a project config (pipeline, CLI).
- :func:`get_model`, :data:`MODELS` — the registry of propagation models
  (``hata_deygout``, ``itm``) with their validity ranges.
- :func:`itm_point_to_point` — Longley-Rice ITM over one terrain profile.
- :class:`CoverageResult`, :class:`SiteSignal`, :class:`AntennaPattern`,
  :class:`ItmParameters`.

Examples
--------
>>> from geotel.coverage import predict, line_of_sight, CoverageResult
"""

from geotel.coverage.antenna import AntennaPattern, antenna_gain_db
from geotel.coverage.itm import ItmLoss, ItmParameters, itm_point_to_point
from geotel.coverage.los import line_of_sight
from geotel.coverage.models import MODELS, PropagationModel, get_model
from geotel.coverage.predict import (
    DEFAULT_THRESHOLDS_DBM,
    INDOOR_MARGIN_DB,
    SiteSignal,
    iter_site_signals,
    predict,
    run_coverage,
)
from geotel.coverage.result import ANY_OPERATOR, CoverageResult

__all__ = [
    "ANY_OPERATOR",
    "DEFAULT_THRESHOLDS_DBM",
    "INDOOR_MARGIN_DB",
    "MODELS",
    "AntennaPattern",
    "CoverageResult",
    "ItmLoss",
    "ItmParameters",
    "PropagationModel",
    "SiteSignal",
    "antenna_gain_db",
    "get_model",
    "iter_site_signals",
    "itm_point_to_point",
    "line_of_sight",
    "predict",
    "run_coverage",
]
