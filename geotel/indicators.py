"""Commune and district indicators, the New Rural Criterion 8, and the province summary.

The plan is judged commune by commune. :func:`commune_indicators` adds to the
``communes`` layer the coverage, dead-zone, tower and service columns the province
reports; :func:`district_indicators` rolls them up into the ``districts`` layer
(population-weighted); :func:`province_summary` gives the province's own headline
figures ("10/222 communes without fixed Internet, ...").

Criterion 8 (Thông tin và Truyền thông) of the national New Rural programme has four
sub-indicators; a commune meets it only when all four pass:

* 8.1 postal service point (``has_postal_point``);
* 8.2 telecom and Internet service: the share of people covered by
  ``config.c8_technology`` or a newer technology is at least
  ``config.c8_min_pop_covered_pct``, and, when ``config.c8_requires_fixed_internet``,
  fixed Internet reaches the commune;
* 8.3 a radio station with loudspeakers reaching the villages (``has_radio_station``);
* 8.4 IT in administration (input column ``has_it_admin``; where it is empty,
  ``config.c8_it_admin_default`` when the planner states one).

A fact no input gives is unknown (``<NA>``), never a default yes: a sub-indicator whose
input is unknown is ``<NA>``, and so is the verdict unless a known failure decides it.
``c8_missing`` names the unknown inputs of each commune.
"""

from __future__ import annotations

import logging
import os

import geopandas as gpd
import numpy as np
import pandas as pd

from geotel._districts import roll_up
from geotel._summary import ProvinceSummary, province_summary
from geotel._zonal import (
    bool_column,
    check_aligned,
    commune_labels,
    commune_labels_text,
    equal_area_km2,
    grid_of,
    is_official_code,
    text_column,
    valid_polygons,
    zonal_sum,
)
from geotel.config import IndicatorsConfig
from geotel.coverage.result import ANY_OPERATOR, CoverageResult
from geotel.raster import Raster, as_raster
from geotel.schema import OPERATORS, TECHNOLOGIES

__all__ = [
    "C8_INPUTS",
    "INDICATOR_TECHNOLOGIES",
    "ProvinceSummary",
    "commune_indicators",
    "criterion8",
    "district_indicators",
    "province_summary",
]

log = logging.getLogger(__name__)

#: Technologies that always get indicator columns (5G is added when predicted).
INDICATOR_TECHNOLOGIES: tuple[str, ...] = ("2G", "3G", "4G")
_DEFAULT_CONFIG = IndicatorsConfig()


#: Criterion 8's inputs, in the order of its sub-indicators (8.2 needs both of its own).
C8_INPUTS: tuple[str, ...] = ("has_postal_point", "population", "has_fixed_internet",
                              "has_radio_station", "has_it_admin")


def _boolean(values: object, n: int) -> pd.arrays.BooleanArray:
    """Any yes/no array-like as a nullable boolean array (NaN/None = unknown)."""
    if values is None:
        return pd.array([pd.NA] * n, dtype="boolean")
    s = pd.Series(values, dtype=object)
    s = s.map(lambda v: pd.NA if v is None or (isinstance(v, float) and np.isnan(v)) else v)
    return pd.array(s.tolist(), dtype="boolean")


def criterion8(
    *,
    has_postal_point: object,
    pop_covered_pct: np.ndarray | pd.Series,
    has_fixed_internet: object,
    has_radio_station: object,
    has_it_admin: object,
    config: IndicatorsConfig = _DEFAULT_CONFIG,
) -> pd.DataFrame:
    """The four Criterion 8 sub-indicators and the verdict, row by row, with unknowns.

    Every input may hold unknowns (None, NaN, ``<NA>``). A sub-indicator whose input
    is unknown is ``<NA>``; the verdict ``c8_met`` needs all four, so one known failure
    decides "not met" (False) while one unknown among passes leaves it ``<NA>``
    (three-valued logic). ``pop_covered_pct`` is the share of people covered by
    ``config.c8_technology`` or newer; NaN means unknown (no population).

    Returns
    -------
    DataFrame
        Nullable boolean columns ``c8_1_postal``, ``c8_2_telecom_internet``,
        ``c8_3_radio``, ``c8_4_it_admin``, ``c8_met``, and ``c8_missing``: the inputs
        that were unknown, comma-separated ('' when none).

    Examples
    --------
    >>> c = criterion8(has_postal_point=[True, True, None], pop_covered_pct=[97.0, 97.0, 99.0],
    ...                has_fixed_internet=[True, False, True], has_radio_station=[True, None, True],
    ...                has_it_admin=[True, True, True])
    >>> c["c8_met"].tolist(), c["c8_missing"].tolist()
    ([True, False, <NA>], ['', 'has_radio_station', 'has_postal_point'])
    """
    pct = np.asarray(pop_covered_pct, np.float64)
    n = len(pct)
    known = ~np.isnan(pct)
    with np.errstate(invalid="ignore"):
        passed = pct >= config.c8_min_pop_covered_pct
    mobile = pd.array([bool(p) if k else pd.NA for p, k in zip(passed, known, strict=True)],
                      dtype="boolean")
    postal = _boolean(has_postal_point, n)
    internet = _boolean(has_fixed_internet, n)
    radio = _boolean(has_radio_station, n)
    it_admin = _boolean(has_it_admin, n)
    c82 = mobile & (internet | (not config.c8_requires_fixed_internet))
    out = pd.DataFrame({
        "c8_1_postal": postal,
        "c8_2_telecom_internet": c82,
        "c8_3_radio": radio,
        "c8_4_it_admin": it_admin,
    })
    out["c8_met"] = (out["c8_1_postal"] & out["c8_2_telecom_internet"] & out["c8_3_radio"]
                     & out["c8_4_it_admin"])
    missing = {"has_postal_point": postal.isna(), "population": ~known,
               "has_fixed_internet": (internet.isna() if config.c8_requires_fixed_internet
                                      else np.zeros(n, bool)),
               "has_radio_station": radio.isna(), "has_it_admin": it_admin.isna()}
    out["c8_missing"] = [",".join(k for k in C8_INPUTS if missing[k][i]) for i in range(n)]
    return out


def commune_indicators(
    communes: gpd.GeoDataFrame,
    coverage: CoverageResult,
    population: Raster | str | os.PathLike | None,
    *,
    dead_zones: gpd.GeoDataFrame | None = None,
    towers: gpd.GeoDataFrame | None = None,
    config: IndicatorsConfig = _DEFAULT_CONFIG,
) -> gpd.GeoDataFrame:
    """The ``communes`` layer with the plan's indicators, one row per input commune.

    Parameters
    ----------
    communes
        Commune polygons (canonical columns; any CRS). Not modified; index and CRS kept.
    coverage
        The coverage prediction.
    population
        People per cell on the coverage grid; None when the population is unknown
        (an area-only plan): every people figure is then ``<NA>``/NaN.
    dead_zones
        The ``dead_zones`` layer; its ``operator == 'any'`` zones of
        ``config.dead_zone_technology`` fill ``dead_zone_km2`` and ``dead_zone_pop``
        (assigned to communes by location). NaN without it.
    towers
        Existing towers (sectors); ``towers`` counts distinct ``site_id`` inside the
        commune; sites across the provincial border (``in_province`` false) are left out.
        NA without it.
    config
        Criterion 8 thresholds and the other indicator options.

    Returns
    -------
    GeoDataFrame
        The canonical commune columns, then ``population`` (people on the population
        surface), ``area_km2`` (equal-area), ``pop_covered_pct_2g/3g/4g`` (any operator;
        NaN when the technology was not predicted), ``area_covered_pct_4g``,
        ``pop_covered_<tech>_<operator>`` (people, e.g. ``pop_covered_4g_viettel``),
        ``mobile_covered_technologies``, ``dead_zone_km2``, ``dead_zone_pop``,
        ``towers``, ``towers_per_km2``, ``shared_tower_pct``, ``fiber_distance_km``
        (kept when present, else NaN), ``has_fixed_internet``, ``has_radio_station``,
        ``has_postal_point``, ``has_it_admin`` (nullable: ``<NA>`` where no input gives
        the fact), ``c8_pop_covered_pct``, ``c8_1_postal``, ``c8_2_telecom_internet``,
        ``c8_3_radio``, ``c8_4_it_admin``, ``c8_met`` (see :func:`criterion8`) and
        ``c8_missing``.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, pandas as pd
    >>> from affine import Affine
    >>> from shapely.geometry import box
    >>> t = Affine(100, 0, 500000, 0, -100, 1500000)
    >>> sig = np.full((20, 20), -80, np.float32); sig[:, 15:] = -120
    >>> cov = CoverageResult(t, "EPSG:32649", (20, 20), {("3G", "Viettel"): sig},
    ...                      {("3G", "Viettel"): np.zeros((20, 20), np.int32)}, pd.DataFrame())
    >>> pop = Raster(np.ones((20, 20), np.float32), t, "EPSG:32649")
    >>> c = gpd.GeoDataFrame({"commune_code": ["A", "B"], "commune_name": ["a", "b"]},
    ...     geometry=[box(500000, 1498000, 501000, 1500000),
    ...               box(501000, 1498000, 502000, 1500000)], crs=32649)
    >>> k = commune_indicators(c, cov, pop)
    >>> k[["population", "pop_covered_pct_3g", "c8_met"]].values.tolist()
    [[200, 100.0, <NA>], [200, 50.0, False]]
    >>> k.loc[0, "c8_missing"]
    'has_postal_point,has_fixed_internet,has_radio_station,has_it_admin'
    """
    grid = grid_of(coverage, "the coverage grid")
    labels = commune_labels(communes, grid)
    n = len(communes)
    cells = zonal_sum(labels, None, n)
    known_pop = population is not None
    if known_pop:
        pop = np.nan_to_num(check_aligned(as_raster(population), grid, "the population raster"))
        total = zonal_sum(labels, pop, n)
    else:  # an area-only plan: every people figure is unknown
        pop = np.zeros(grid.shape)
        total = np.full(n, np.nan)
    cols: dict[str, object] = {}
    cols["population"] = (pd.array(np.round(total).astype(np.int64), dtype="Int64")
                          if known_pop else pd.array([pd.NA] * n, dtype="Int64"))
    cols["area_km2"] = equal_area_km2(communes)
    predicted = set(coverage.technologies)
    techs = [*INDICATOR_TECHNOLOGIES, *(["5G"] if "5G" in predicted else [])]
    operators = [*OPERATORS, *[o for o in coverage.operators if o not in OPERATORS]]

    def pct(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(whole > 0, 100.0 * part / whole, np.nan)

    nan = np.full(n, np.nan)
    masks = {t: coverage.covered(t, ANY_OPERATOR) for t in techs if t in predicted}

    def covered_pct(t: str, weights: np.ndarray | None, whole: np.ndarray) -> np.ndarray:
        # A technology that no tower of the list carries is unknown (NaN), not 0 %:
        # operators often hand over one list per technology.
        if t not in masks:
            return nan
        return pct(zonal_sum(labels, masks[t] if weights is None else
                             np.where(masks[t], weights, 0.0), n), whole)

    for t in techs:
        cols[f"pop_covered_pct_{t.lower()}"] = covered_pct(t, pop, total) if known_pop else nan
    area_pct = {t: covered_pct(t, None, cells) for t in techs}
    cols["area_covered_pct_4g"] = area_pct["4G"]
    for t in techs:
        for op in operators:
            name = f"pop_covered_{t.lower()}_{op.lower()}"
            cols[name] = (np.round(zonal_sum(labels, np.where(coverage.covered(t, op), pop,
                                                                0.0), n))
                          if known_pop and t in predicted else nan)
    # A technology is present where it covers enough of the people (of the area when
    # the population is unknown).
    share = {t: (cols[f"pop_covered_pct_{t.lower()}"] if known_pop else area_pct[t])
             for t in techs}
    with np.errstate(invalid="ignore"):
        present = np.column_stack([np.nan_to_num(np.asarray(share[t]), nan=-1.0)
                                   >= config.tech_present_min_pop_pct for t in techs])
    cols["mobile_covered_technologies"] = [
        ",".join(t for t, ok in zip(techs, row, strict=True) if ok) for row in present]
    dz_km2, dz_pop = _dead_zone_sums(communes, dead_zones, config)
    cols["dead_zone_km2"] = dz_km2
    cols["dead_zone_pop"] = dz_pop if known_pop else nan
    n_towers, shared_pct = _tower_counts(communes, towers)
    cols["towers"] = n_towers
    with np.errstate(invalid="ignore", divide="ignore"):
        area = np.asarray(cols["area_km2"], float)
        cols["towers_per_km2"] = np.where(
            area > 0, n_towers.to_numpy(dtype=float, na_value=np.nan) / area, np.nan)
    cols["shared_tower_pct"] = shared_pct
    cols["fiber_distance_km"] = (
        pd.to_numeric(communes["fiber_distance_km"], errors="coerce").to_numpy(dtype=float)
        if "fiber_distance_km" in communes.columns else np.full(n, np.nan))
    for name in ("has_fixed_internet", "has_radio_station", "has_postal_point"):
        cols[name] = bool_column(communes, name).array
    it_admin = bool_column(communes, "has_it_admin")
    if config.c8_it_admin_default is not None:  # the planner's stated assumption
        it_admin = it_admin.fillna(config.c8_it_admin_default)
    cols["has_it_admin"] = it_admin.array
    c8_pct = _c8_pct(coverage, labels, pop, total, n, config, predicted) if known_pop else nan
    cols["c8_pop_covered_pct"] = c8_pct
    c8 = criterion8(has_postal_point=cols["has_postal_point"], pop_covered_pct=c8_pct,
                    has_fixed_internet=cols["has_fixed_internet"],
                    has_radio_station=cols["has_radio_station"],
                    has_it_admin=cols["has_it_admin"], config=config)
    for name in c8.columns:
        cols[name] = c8[name].array
    _report_uncoded(communes)
    return _assemble(communes, cols)


def _assemble(communes: gpd.GeoDataFrame, cols: dict[str, object]) -> gpd.GeoDataFrame:
    """Canonical columns first, then the indicators, then the input's other columns."""
    geom = communes.geometry.name
    base = pd.DataFrame(index=communes.index)
    for name in ("commune_code", "commune_name", "district_code", "district_name"):
        base[name] = text_column(communes, name)
    ind = pd.DataFrame({k: (v.to_numpy() if isinstance(v, pd.Series) else v)
                        for k, v in cols.items()}, index=communes.index)
    taken = {*base.columns, *ind.columns, geom}
    extra = [c for c in communes.columns if c not in taken]
    out = pd.concat([base, ind, communes[extra]], axis=1)
    out[geom] = communes.geometry
    return gpd.GeoDataFrame(out, geometry=geom, crs=communes.crs)


def _c8_pct(coverage: CoverageResult, labels: np.ndarray, pop: np.ndarray, total: np.ndarray,
            n: int, config: IndicatorsConfig, predicted: set[str]) -> np.ndarray:
    """Share of people covered by the Criterion 8 technology or any newer one."""
    start = TECHNOLOGIES.index(config.c8_technology)
    techs = [t for t in TECHNOLOGIES[start:] if t in predicted]
    if not techs:
        return np.full(n, np.nan)
    mask = np.zeros(labels.shape, bool)
    for t in techs:
        mask |= coverage.covered(t, ANY_OPERATOR)
    covered = zonal_sum(labels, np.where(mask, pop, 0.0), n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 100.0 * covered / total, np.nan)


def _dead_zone_sums(communes: gpd.GeoDataFrame, dead_zones: gpd.GeoDataFrame | None,
                    config: IndicatorsConfig) -> tuple[np.ndarray, np.ndarray]:
    n = len(communes)
    if dead_zones is None:
        return np.full(n, np.nan), np.full(n, np.nan)
    dz = dead_zones
    if "operator" in dz.columns:
        dz = dz[dz["operator"] == ANY_OPERATOR]
    if "technology" in dz.columns and dz["technology"].nunique() > 1:
        dz = dz[dz["technology"] == config.dead_zone_technology]
    km2, people = np.zeros(n), np.zeros(n)
    if len(dz) == 0:
        return km2, people
    pos = _locate(dz.geometry.to_crs(communes.crs).representative_point(), communes)
    ok = pos >= 0
    km2_sum = np.bincount(pos[ok], weights=dz["area_km2"].to_numpy(float)[ok], minlength=n)
    people_sum = np.bincount(pos[ok], weights=dz["population"].to_numpy(float)[ok],
                             minlength=n)
    return km2_sum.astype(float), np.round(people_sum).astype(float)


def _locate(points: gpd.GeoSeries, communes: gpd.GeoDataFrame) -> np.ndarray:
    """Row position of the commune holding each point (-1 when none)."""
    polys = gpd.GeoDataFrame(geometry=valid_polygons(communes.geometry.array), crs=communes.crs)
    pts = gpd.GeoDataFrame(geometry=points.reset_index(drop=True), crs=communes.crs)
    joined = gpd.sjoin(pts, polys, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    pos = joined["index_right"].to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isnan(pos), -1, pos).astype(np.int64)


def _tower_counts(communes: gpd.GeoDataFrame,
                  towers: gpd.GeoDataFrame | None) -> tuple[pd.Series, np.ndarray]:
    """Distinct sites per commune and the share of them shared by 2+ operators.

    Towers across the provincial border (``in_province`` false) serve the province but
    are not its own: they are not counted."""
    n = len(communes)
    if towers is None:
        return pd.Series(pd.NA, index=range(n), dtype="Int64"), np.full(n, np.nan)
    if "in_province" in towers.columns:
        towers = towers[towers["in_province"].fillna(True).to_numpy(bool)]
    t = towers.to_crs(communes.crs) if towers.crs != communes.crs else towers
    site = (t["site_id"].astype(str) if "site_id" in t.columns
            else pd.Series(np.arange(len(t)).astype(str), index=t.index))
    ops = t["operator"].astype(str) if "operator" in t.columns else pd.Series("", index=t.index)
    shared_by = (t["shared_by"].fillna("").astype(str) if "shared_by" in t.columns
                 else pd.Series("", index=t.index))
    frame = pd.DataFrame({"site": site.to_numpy(), "op": ops.to_numpy(),
                          "shared_by": shared_by.to_numpy()})
    frame["ops"] = [{o, *[p.strip() for p in s.split(",") if p.strip()]} - {""}
                    for o, s in zip(frame["op"], frame["shared_by"], strict=True)]
    per_site = frame.groupby("site", sort=False).agg(
        ops=("ops", lambda s: set().union(*s)))
    first = ~frame["site"].duplicated().to_numpy()
    pos = _locate(t.geometry[first], communes)
    shared = per_site.loc[frame["site"][first], "ops"].map(len).to_numpy() >= 2
    ok = pos >= 0
    count = np.bincount(pos[ok], minlength=n)
    n_shared = np.bincount(pos[ok], weights=shared[ok].astype(float), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(count > 0, 100.0 * n_shared / count, np.nan)
    return pd.Series(count, dtype="Int64"), pct


def _report_uncoded(communes: gpd.GeoDataFrame) -> None:
    codes = text_column(communes, "commune_code")
    labels = commune_labels_text(communes)
    missing = [lab for c, lab in zip(codes, labels, strict=True) if not is_official_code(c)]
    if missing:
        log.warning("%d commune(s) have no official commune_code (kept as they are): %s",
                    len(missing), "; ".join(missing))


def district_indicators(communes_kpi: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The ``districts`` layer: communes dissolved by district, indicators rolled up.

    Shares are weighted by population (``pop_covered_pct_*``), area
    (``area_covered_pct_4g``) or towers (``shared_tower_pct``); people, areas and
    counts are summed. A commune without ``district_code`` takes the code of another
    commune with the same ``district_name``; the rest form one district with an empty
    code (logged).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> k = gpd.GeoDataFrame({"commune_code": ["1", "2"], "district_code": ["9", "9"],
    ...     "district_name": ["D", "D"], "population": [100, 300],
    ...     "pop_covered_pct_4g": [100.0, 0.0]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=32649)
    >>> d = district_indicators(k)
    >>> d[["district_code", "communes", "population", "pop_covered_pct_4g"]].values.tolist()
    [['9', 2, 400, 25.0]]
    """
    return roll_up(communes_kpi)
