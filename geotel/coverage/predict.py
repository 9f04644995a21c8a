"""Coverage prediction: per-site received power over terrain, best server per grid cell.

For every site the path loss comes from a registered propagation model
(:mod:`geotel.coverage.models`), computed once per site position, antenna height and
frequency by the radial sweep of :mod:`geotel.coverage._sweep` in the site's window
(``max_radius_m``):

- ``hata_deygout`` (default): ``max(Hata(d), free space(d)) + diffraction`` (Deygout
  with up to 3 edges, or Bullington, on the terrain profile with Earth curvature and
  ``k = 4/3``). The Hata base-station height is the antenna height above ground
  (``height_m``); the terrain between site and receiver is accounted for by the
  diffraction term.
- ``itm``: the Longley-Rice ITM in point-to-point mode over each cell's profile
  (:mod:`geotel.coverage.itm`).

Each sector adds its EIRP and its own 3GPP antenna pattern (the towers layer's
``front_to_back_db``, ``vertical_beamwidth_deg``, ``side_lobe_db``; empty values take
the run's :class:`~geotel.coverage.antenna.AntennaPattern`). Windows are merged one at
a time into the best-server rasters: memory stays bounded by the province grid, never
a stack of per-site rasters.
"""

from __future__ import annotations

import logging
import math
import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from geotel.config import CoverageConfig
from geotel.coverage import _merge
from geotel.coverage._inputs import check_height, prepare_dem, prepare_entries
from geotel.coverage.antenna import AntennaPattern
from geotel.coverage.itm import ItmParameters
from geotel.coverage.models import ModelName, ModelSettings, PropagationModel, get_model
from geotel.coverage.result import CoverageResult
from geotel.errors import ValueRangeError
from geotel.propagation import Environment, ModelRangeWarning
from geotel.raster import Raster

if TYPE_CHECKING:
    from geotel.config import CoverageConfig

__all__ = [
    "DEFAULT_THRESHOLDS_DBM",
    "INDOOR_MARGIN_DB",
    "Diffraction",
    "Indoor",
    "SiteSignal",
    "iter_site_signals",
    "predict",
    "run_coverage",
]

log = logging.getLogger(__name__)

Diffraction = Literal["deygout", "bullington", "none"]
Indoor = Literal["none", "rural", "suburban", "urban"]

#: Outdoor coverage thresholds: 2G RxLev, 3G RSCP, 4G RSRP (dBm).
DEFAULT_THRESHOLDS_DBM: dict[str, float] = dict(CoverageConfig().thresholds_dbm)
#: Building-penetration margin added to the thresholds for indoor coverage (dB).
INDOOR_MARGIN_DB: dict[str, float] = {"none": 0.0, "rural": 8.0, "suburban": 12.0,
                                      "urban": 16.0}
_METHODS = ("deygout", "bullington", "none")
_ENVIRONMENTS = ("urban", "suburban", "open")


@dataclass(frozen=True, eq=False)
class SiteSignal:
    """Received power of one tower row (sector) in its window of the DEM grid.

    Attributes
    ----------
    index
        Position (0-based row number) of the tower row in the ``towers`` given.
    rows, cols
        The window in the DEM grid: ``dem.values[rows, cols]`` has the shape of
        ``signal_dbm``.
    signal_dbm
        float32 received power (dBm); NaN beyond the radius, outside the DEM, or
        behind nodata.
    """

    index: int
    rows: slice
    cols: slice
    signal_dbm: np.ndarray


def _check_options(max_radius_m: float, rx_height_m: float, environment: str,
                   diffraction: str, model: str) -> tuple[float, float, PropagationModel]:
    radius = float(max_radius_m)
    if not math.isfinite(radius) or radius <= 0:
        raise ValueRangeError(f"max_radius_m = {max_radius_m!r} must be > 0",
                              column="max_radius_m", fix="give a radius in metres, e.g. 15000")
    rx_h = check_height(rx_height_m, "rx_height_m")
    if rx_h <= 0:
        raise ValueRangeError("rx_height_m must be > 0 (the models need a positive height)",
                              column="rx_height_m", fix="use 1.5 m for a handset")
    chosen = get_model(model)
    if environment not in _ENVIRONMENTS:
        raise ValueRangeError(f"unknown environment '{environment}'", column="environment",
                              fix="use one of: urban, suburban, open")
    if diffraction not in _METHODS:
        raise ValueRangeError(f"unknown diffraction method '{diffraction}'",
                              column="diffraction", fix="use one of: deygout, bullington, none")
    return radius, rx_h, chosen


def _prepare(towers: gpd.GeoDataFrame, r: Raster, model: PropagationModel, radius_m: float,
             rx_h: float, technologies: Sequence[str] | None, operators: Sequence[str] | None,
             pattern: AntennaPattern | None) -> pd.DataFrame:
    """The entries to predict, checked against the model's ranges (warnings here)."""
    entries = prepare_entries(towers, r, technologies=technologies, operators=operators,
                              pattern=pattern, check_frequency=model.check_frequency)
    model.check_inputs(tx_height_m=entries["height_m"].to_numpy(), rx_height_m=rx_h,
                       max_distance_km=radius_m / 1000.0)
    return entries


@dataclass(frozen=True, eq=False)
class _SiteWindow:
    """Path loss per frequency of one site position, in its window, with its sectors."""

    members: np.ndarray  # entry positions at this site
    rows: slice
    cols: slice
    loss_db: np.ndarray  # (n_freq, h, w)
    freq_index: np.ndarray  # per member: row of loss_db (its height and frequency)
    site_cell: tuple[int, int]  # the site's cell within the window
    antennas: np.ndarray  # (n_antennas, 7): elevation z_tx, azimuth, beamwidth, tilt, pattern
    antenna_index: np.ndarray  # per member: row of antennas
    eirp_dbm: np.ndarray  # per member


def _sector_table(entries: pd.DataFrame) -> np.ndarray:
    """(eirp_dbm, azimuth_deg, beamwidth_deg, tilt_deg, front_to_back_db,
    vertical_beamwidth_deg, side_lobe_db) per entry, float64."""
    cols = ["eirp_dbm", "azimuth_deg", "beamwidth_deg", "tilt_deg", "front_to_back_db",
            "vertical_beamwidth_deg", "side_lobe_db"]
    return np.ascontiguousarray(entries[cols].to_numpy(dtype=np.float64))


def _iter_site_windows(
    entries: pd.DataFrame,
    dem: Raster,
    *,
    radius_m: float,
    rx_height_m: float,
    model: PropagationModel,
    settings: ModelSettings,
    progress: bool,
    desc: str,
) -> Iterator[_SiteWindow]:
    """One sweep per site position for all its antenna heights and frequencies."""
    z = dem.values
    h, w = z.shape
    dx, dy = abs(dem.transform.a), abs(dem.transform.e)
    n = math.ceil(radius_m / min(dx, dy)) + 1
    groups = entries.groupby(["row", "col"], sort=False).indices
    freq_all = entries["freq_mhz"].to_numpy()
    height_all = entries["height_m"].to_numpy()
    table = _sector_table(entries)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelRangeWarning)  # warned once by the caller
        for (r0, c0), members in tqdm(groups.items(), desc=desc, unit="site",
                                      disable=None if progress else True):
            r0, c0 = int(r0), int(c0)
            heights = np.unique(height_all[members])
            combos = sorted(set(zip(height_all[members], freq_all[members], strict=True)))
            c_t = np.array([int(np.searchsorted(heights, hb)) for hb, _ in combos])
            rs = slice(max(r0 - n, 0), min(r0 + n + 1, h))
            cs = slice(max(c0 - n, 0), min(c0 + n + 1, w))
            loss = np.full((len(combos), rs.stop - rs.start, cs.stop - cs.start), np.nan,
                           np.float32)
            model.window(z, r0, c0, n, dx, dy, heights.astype(np.float64), rx_height_m,
                         radius_m, c_t, np.array([float(f) for _, f in combos]), settings,
                         rs.start, cs.start, loss)
            lookup = {cmb: i for i, cmb in enumerate(combos)}
            fidx = np.array([lookup[(height_all[m], freq_all[m])] for m in members],
                            dtype=np.int64)
            ant_rows = [(float(z[r0, c0]) + height_all[m], *table[m, 1:]) for m in members]
            ants = sorted(set(ant_rows))
            ant_lookup = {a: i for i, a in enumerate(ants)}
            yield _SiteWindow(members, rs, cs, loss, fidx, (r0 - rs.start, c0 - cs.start),
                              np.array(ants, dtype=np.float64),
                              np.array([ant_lookup[a] for a in ant_rows], dtype=np.int64),
                              np.ascontiguousarray(table[members, 0]))


def iter_site_signals(
    towers: gpd.GeoDataFrame,
    dem: Raster | str | os.PathLike | Any,
    *,
    technology: str,
    max_radius_m: float = 15_000.0,
    rx_height_m: float = 1.5,
    environment: Environment = "open",
    diffraction: Diffraction = "deygout",
    progress: bool = True,
    model: ModelName = "hata_deygout",
    itm: ItmParameters | None = None,
    pattern: AntennaPattern | None = None,
) -> Iterator[SiteSignal]:
    """Received power of each tower row for one technology, window by window.

    The kernel of :func:`predict`, exposed for coverage matrices of many candidate
    sites. Rows at the same position and antenna height share one path-loss sweep
    (per frequency); each row still gets its own :class:`SiteSignal` with its own
    EIRP and antenna pattern. Signals come grouped by site (rows of one site one after
    the other), not necessarily in row order: use :attr:`SiteSignal.index`. Rows whose
    ``technologies`` do not include ``technology`` are skipped. Only one window is in
    memory at a time unless the caller keeps them.

    Parameters
    ----------
    towers
        Canonical towers layer (:mod:`geotel.schema`), any CRS; not modified.
    dem
        DEM Raster, path or rasterio dataset in a metric CRS.
    technology
        "2G", "3G", "4G" (or "5G" with a ``freq_mhz`` a model covers).
    max_radius_m, rx_height_m, environment, diffraction, progress, model, itm, pattern
        As in :func:`predict`.

    Yields
    ------
    SiteSignal

    Raises
    ------
    InputError
        As :func:`predict`.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np
    >>> from affine import Affine
    >>> from shapely.geometry import Point
    >>> dem = Raster(np.zeros((41, 41), "float32"), Affine(90, 0, 0, 0, -90, 3690),
    ...              "EPSG:32649")
    >>> towers = gpd.GeoDataFrame({"site_id": ["A"], "operator": ["Viettel"]},
    ...                           geometry=[Point(1845, 1845)], crs=dem.crs)
    >>> sig = next(iter_site_signals(towers, dem, technology="4G", max_radius_m=900,
    ...                              progress=False))
    >>> sig.index, sig.signal_dbm.shape, bool(np.isnan(sig.signal_dbm[0, 0]))
    (0, (23, 23), True)
    """
    radius, rx_h, chosen = _check_options(max_radius_m, rx_height_m, environment, diffraction,
                                          model)
    settings = ModelSettings(environment, diffraction, itm or ItmParameters())
    r = prepare_dem(dem)
    entries = _prepare(towers, r, chosen, radius, rx_h, [technology], None, pattern)
    pos_to_row = entries["tower_pos"].to_numpy()
    dx, dy = abs(r.transform.a), abs(r.transform.e)
    for win in _iter_site_windows(entries, r, radius_m=radius, rx_height_m=rx_h, model=chosen,
                                  settings=settings, progress=progress,
                                  desc=f"{technology} signal"):
        sig = np.empty((win.members.size, *win.loss_db.shape[1:]), np.float32)
        _merge.site_signals(win.loss_db, r.values[win.rows, win.cols], *win.site_cell, dx, dy,
                            rx_h, win.antennas, win.freq_index, win.antenna_index,
                            win.eirp_dbm, sig)
        for m, pos in enumerate(win.members):
            yield SiteSignal(int(pos_to_row[pos]), win.rows, win.cols, sig[m])


def predict(
    towers: gpd.GeoDataFrame,
    dem: Raster | str | os.PathLike | Any,
    *,
    technologies: Sequence[str] | None = None,
    operators: Sequence[str] | None = None,
    max_radius_m: float = 15_000.0,
    rx_height_m: float = 1.5,
    environment: Environment = "open",
    diffraction: Diffraction = "deygout",
    thresholds_dbm: Mapping[str, float] | None = None,
    indoor: Indoor = "none",
    progress: bool = True,
    pattern: AntennaPattern | None = None,
    model: ModelName = "hata_deygout",
    itm: ItmParameters | None = None,
) -> CoverageResult:
    """Best-server coverage of the towers over the DEM's grid.

    Parameters
    ----------
    towers
        Canonical towers layer, one row per sector (:mod:`geotel.schema`), any CRS
        (reprojected to the DEM's); not modified. ``freq_mhz`` empty means the
        technology's default (:data:`geotel.schema.DEFAULT_FREQ_MHZ`).
    dem
        DEM Raster, path or rasterio dataset in a metric CRS; its grid is the result's.
    technologies
        Technologies to predict; default 2G, 3G and 4G as the towers carry them.
    operators
        Operators to predict; default all.
    max_radius_m
        Radius of each site's window.
    rx_height_m
        Receiver height above ground.
    environment
        Hata environment: "urban", "suburban" or "open" (``hata_deygout`` only).
    diffraction
        "deygout" (up to 3 edges), "bullington" or "none" (Hata only); ``hata_deygout``
        only (the ITM has its own diffraction).
    thresholds_dbm
        Outdoor thresholds per technology; defaults :data:`DEFAULT_THRESHOLDS_DBM`.
    indoor
        Indoor margin added to every threshold (:data:`INDOOR_MARGIN_DB`).
    progress
        Show a progress bar (when on a terminal).
    pattern
        Antenna pattern of the sectors whose pattern columns are empty; 3GPP defaults.
    model
        Propagation model (:mod:`geotel.coverage.models`): "hata_deygout" or "itm".
    itm
        ITM parameters (``model="itm"``); defaults :class:`ItmParameters`.

    Returns
    -------
    CoverageResult
        Best-server signal and server index per (technology, operator); the server
        index is the row of ``result.sites`` (one row per sector and technology).

    Raises
    ------
    CRSError
        The DEM is not metric, or the towers have no CRS.
    StudyAreaError
        A tower lies outside the DEM.
    ValueRangeError
        Bad option, negative height, nodata holes in the DEM, a frequency outside the
        model, an unknown model.
    SchemaError
        The towers lack a required column.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np
    >>> from affine import Affine
    >>> from shapely.geometry import Point
    >>> dem = Raster(np.zeros((41, 41), "float32"), Affine(90, 0, 0, 0, -90, 3690),
    ...              "EPSG:32649")
    >>> towers = gpd.GeoDataFrame({"site_id": ["A"], "operator": ["Viettel"],
    ...                            "technologies": ["4G"]},
    ...                           geometry=[Point(1845, 1845)], crs=dem.crs)
    >>> res = predict(towers, dem, max_radius_m=1500, progress=False)
    >>> res.technologies, res.operators, int(res.covered("4G").sum())
    (['4G'], ['Viettel'], 877)
    """
    radius, rx_h, chosen = _check_options(max_radius_m, rx_height_m, environment, diffraction,
                                          model)
    if indoor not in INDOOR_MARGIN_DB:
        raise ValueRangeError(f"unknown indoor setting '{indoor}'", column="indoor",
                              fix="use one of: none, rural, suburban, urban")
    settings = ModelSettings(environment, diffraction, itm or ItmParameters())
    r = prepare_dem(dem)
    entries = _prepare(towers, r, chosen, radius, rx_h, technologies, operators, pattern)
    thresholds = {**DEFAULT_THRESHOLDS_DBM, **(thresholds_dbm or {})}
    margin = INDOOR_MARGIN_DB[indoor]
    techs = sorted(entries["technology"].unique())
    missing = [t for t in techs if t not in thresholds]
    if missing:
        raise ValueRangeError(f"no coverage threshold for technology {missing[0]}",
                              column="thresholds_dbm", fix=f"add thresholds_dbm={{'{missing[0]}'"
                              ": -100.0}} or leave the technology out")
    keys = list(zip(entries["technology"], entries["operator"], strict=True))
    key_list = list(dict.fromkeys(keys))
    key_id = np.array([key_list.index(k) for k in keys], dtype=np.int64)
    # int16 server indices halve their memory when the sectors fit (30 m grids)
    index_dtype = np.int16 if len(entries) < np.iinfo(np.int16).max else np.int32
    best3 = np.full((len(key_list), *r.shape), np.nan, np.float32)
    index3 = np.full((len(key_list), *r.shape), -1, index_dtype)
    log.info("predicting %d sector-technologies at %d positions on a %dx%d grid (%s)",
             len(entries), entries.groupby(["row", "col"]).ngroups, *r.shape, chosen.name)
    dx, dy = abs(r.transform.a), abs(r.transform.e)
    for win in _iter_site_windows(entries, r, radius_m=radius, rx_height_m=rx_h, model=chosen,
                                  settings=settings, progress=progress, desc="coverage"):
        m = win.members
        _merge.merge_site(win.loss_db, r.values[win.rows, win.cols], *win.site_cell, dx, dy,
                          rx_h, win.antennas, win.freq_index, win.antenna_index,
                          win.eirp_dbm, key_id[m], m.astype(np.int64), best3, index3,
                          win.rows.start, win.cols.start)
    best = {k: best3[i] for i, k in enumerate(key_list)}
    index = {k: index3[i] for i, k in enumerate(key_list)}
    sites = entries.drop(columns=["row", "col", "tower_pos"]).reset_index(drop=True)
    return CoverageResult(
        transform=r.transform, crs=r.crs, shape=r.shape, signal_dbm=best, server_index=index,
        sites=sites, thresholds_dbm={t: thresholds[t] + margin for t in thresholds},
    )


def run_coverage(province: Any, config: CoverageConfig) -> CoverageResult:
    """Coverage of a province with the settings of a project config.

    Parameters
    ----------
    province
        A :class:`geotel.province.ProvinceData` (``.towers`` GeoDataFrame, ``.dem``
        Raster or path in the analysis CRS).
    config
        The ``coverage`` section of the project config; ``config.model`` picks the
        propagation model (``config.itm_*`` its ITM parameters). When the DEM's cell
        size differs from ``config.resolution_m`` by more than 1 %, the DEM is resampled
        (bilinear).

    Returns
    -------
    CoverageResult

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import geopandas as gpd, numpy as np
    >>> from affine import Affine
    >>> from shapely.geometry import Point
    >>> from geotel.config import CoverageConfig
    >>> dem = Raster(np.zeros((41, 41), "float32"), Affine(90, 0, 0, 0, -90, 3690),
    ...              "EPSG:32649")
    >>> towers = gpd.GeoDataFrame({"site_id": ["A"], "operator": ["Viettel"],
    ...                            "technologies": ["2G,4G"], "height_m": [35.0]},
    ...                           geometry=[Point(1845, 1845)], crs=dem.crs)
    >>> res = run_coverage(SimpleNamespace(towers=towers, dem=dem),
    ...                    CoverageConfig(max_radius_m=1500))
    >>> res.technologies
    ['2G', '4G']
    """
    dem = prepare_dem(province.dem)
    if abs(dem.resolution_m - config.resolution_m) > 0.01 * config.resolution_m:
        dem = _resample(dem, config.resolution_m)
    return predict(
        province.towers, dem, max_radius_m=config.max_radius_m,
        rx_height_m=config.rx_height_m, environment=config.environment,
        diffraction=config.diffraction, thresholds_dbm=config.thresholds_dbm,
        indoor=config.indoor, progress=True, model=config.model,
        itm=ItmParameters.from_config(config),
    )


def _resample(dem: Raster, resolution_m: float) -> Raster:
    """Bilinear resampling of a metric DEM to a square cell size."""
    from affine import Affine
    from rasterio.warp import Resampling, reproject

    left, bottom, right, top = dem.bounds
    w = max(1, round((right - left) / resolution_m))
    h = max(1, round((top - bottom) / resolution_m))
    transform = Affine(resolution_m, 0, left, 0, -resolution_m, top)
    out = np.full((h, w), np.nan, np.float32)
    reproject(dem.values, out, src_transform=dem.transform, src_crs=dem.crs,
              dst_transform=transform, dst_crs=dem.crs, resampling=Resampling.bilinear,
              src_nodata=np.nan, dst_nodata=np.nan)
    log.info("DEM resampled from %.1f m to %.1f m (%dx%d)", dem.resolution_m, resolution_m,
             h, w)
    return Raster(out, transform, dem.crs, units=dem.units, name=dem.name)
