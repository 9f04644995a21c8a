"""Everything a plan needs about one province, read and validated once, in one metric CRS.

:func:`load_province` reads the inputs named by a :class:`~geotel.config.ProjectConfig`
into a frozen :class:`ProvinceData`; :func:`validate_project` reads the same inputs but
collects every problem of every input (missing files included) in a
:class:`~geotel.errors.ValidationReport` instead of stopping at the first.

The study area is the union of the communes buffered by :data:`STUDY_AREA_BUFFER_M`.
Exclusion zones outside it are errors; roads and fiber routes outside it are dropped
with a warning (a network extract naturally runs on into the neighbours). Tower sites
across the provincial border within ``coverage.max_radius_m`` are kept as cross-border
servers (``in_province`` false); farther ones are errors, one per site.
The DEM is read over the study area, extended to the cross-border towers, at
``config.coverage.resolution_m``, and must cover the communes; an optional population
raster is put on the DEM grid, its total kept.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import rasterio.features
import rasterio.warp
import shapely

from geotel._input_checks import (
    check_tower_frequencies,
    check_towers_on_dem,
    misplaced_communes,
    require_towers,
)
from geotel.config import ProjectConfig
from geotel.errors import (
    ConfigError,
    CRSError,
    DuplicateIdError,
    FileFormatError,
    GeometryError,
    InputError,
    Problem,
    SchemaError,
    StudyAreaError,
    ValidationReport,
    ValueRangeError,
)
from geotel.io._border import drop_towers_off_dem, mark_border_towers
from geotel.io._layers import empty_layer
from geotel.io._offices import with_offices
from geotel.io.crs import require_metric_crs
from geotel.io.dem import read_dem
from geotel.io.vector import (
    read_communes,
    read_exclusion_zones,
    read_fiber,
    read_roads,
    read_towers,
)
from geotel.raster import Raster
from geotel.schema import LayerName, validate_layer

__all__ = [
    "MIN_DEM_COVERAGE_PCT",
    "STUDY_AREA_BUFFER_M",
    "ProvinceData",
    "load_province",
    "study_area_of",
    "validate_project",
]

log = logging.getLogger(__name__)

#: The study area is the communes' union buffered by this distance.
STUDY_AREA_BUFFER_M = 5_000.0
#: Below this share of the communes' area covered by DEM values it is an error.
MIN_DEM_COVERAGE_PCT = 95.0

_KIND_OF: dict[type[InputError], str] = {
    ConfigError: "config", FileFormatError: "file", CRSError: "crs", SchemaError: "schema",
    ValueRangeError: "range", DuplicateIdError: "duplicate", GeometryError: "geometry",
    StudyAreaError: "study_area",
}


@dataclass(frozen=True, eq=False)
class ProvinceData:
    """The validated inputs of one province, all in ``analysis_crs`` (metric).

    Attributes
    ----------
    communes, towers, fiber, roads, exclusion_zones
        Canonical layers (see :mod:`geotel.schema`); empty with the canonical columns
        when the config names no file.
    dem
        Elevation (m, float32, NaN voids) over the study area at the coverage resolution.
    population
        People per cell on the DEM grid, or None when no raster is given.
    analysis_crs
        The metric CRS of everything above.
    study_area
        Communes' union buffered by :data:`STUDY_AREA_BUFFER_M` (None without communes).
    population_source
        Where the people come from, in words ("raster …", "yearbook table …", "communes
        layer", "district totals …"), or ``"none"`` for an area-only plan.
    district_population
        District totals to spread over the communes (``district_code``, ``name_key``,
        ``population``; see :func:`geotel.io.population.read_district_population`),
        or None.
    """

    communes: gpd.GeoDataFrame
    towers: gpd.GeoDataFrame
    fiber: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    exclusion_zones: gpd.GeoDataFrame
    dem: Raster
    population: Raster | None
    analysis_crs: pyproj.CRS
    study_area: shapely.Geometry | None = None
    population_source: str | None = None
    district_population: pd.DataFrame | None = None


def study_area_of(communes: gpd.GeoDataFrame, *, buffer_m: float = STUDY_AREA_BUFFER_M
                  ) -> shapely.Geometry | None:
    """The communes' union buffered by ``buffer_m`` (communes in a metric CRS).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(0, 0, 1000, 1000)], crs="EPSG:32649")
    >>> study_area_of(g, buffer_m=100).bounds
    (-100.0, -100.0, 1100.0, 1100.0)
    """
    geoms = communes.geometry.array
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0:
        return None
    # Buffer each commune a little first: it closes slivers and speeds up the union.
    return shapely.union_all(shapely.buffer(geoms, buffer_m, quad_segs=4))


def _add(rep: ValidationReport, exc: InputError) -> None:
    kind = next((k for cls, k in _KIND_OF.items() if type(exc) is cls), "file")
    rep.problems.append(Problem(kind, exc.message, fix=exc.fix or "",  # type: ignore[arg-type]
                                file=exc.file, feature=exc.feature, column=exc.column,
                                row=exc.row))
    rep.extend(p for p in exc.problems[1:])


def _cfg_file(config: ProjectConfig) -> str:
    return str(config.source) if config.source else "<config>"


def _collect(config: ProjectConfig, rep: ValidationReport, *, need_towers: bool = True
             ) -> ProvinceData | None:
    inputs = config.inputs
    cfg = _cfg_file(config)
    try:
        acrs = require_metric_crs(config.analysis_crs, file=cfg)
        metric = True
    except CRSError as exc:
        _add(rep, CRSError(exc.message, file=cfg, column="analysis_crs", fix=exc.fix))
        acrs, metric = pyproj.CRS.from_epsg(4326), False

    def layer(name: LayerName, path: Path | None,
              read: Callable[[Path], gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
        if path is None:
            return empty_layer(name, acrs)
        try:
            return read(path)
        except InputError as exc:  # e.g. an unknown towers_crs: report it, go on
            _add(rep, exc)
            return empty_layer(name, acrs)

    if inputs.communes is None:
        rep.add("file", "no communes layer given", file=cfg, column="inputs.communes",
                fix="set inputs.communes to the commune polygons (GeoPackage, Shapefile or "
                "GeoJSON)")
    communes = layer("communes", inputs.communes, lambda p: read_communes(
        p, layer=inputs.communes_layer, crs=acrs, report=rep,
        source_crs=inputs.communes_crs))
    towers = layer("towers", inputs.towers, lambda p: read_towers(
        p, crs=acrs, source_crs=inputs.towers_crs, report=rep,
        sheet=inputs.towers_sheet))
    placed = metric and communes.crs is not None and \
        pyproj.CRS.from_user_input(communes.crs) == acrs
    if placed and inputs.communes is not None and misplaced_communes(
            communes, towers, inputs.dem, path=inputs.communes, layer=inputs.communes_layer,
            given_crs=inputs.communes_crs, crs=acrs,
            max_radius_m=config.coverage.max_radius_m, report=rep):
        placed = False  # judge nothing against communes in the wrong place
    area = study_area_of(communes) if placed else None
    province = study_area_of(communes, buffer_m=0.0) if area is not None else None
    if inputs.towers is not None:
        # towers across the border are judged per site against the coverage radius
        towers = mark_border_towers(
            towers, province if towers.crs is not None and pyproj.CRS.from_user_input(
                towers.crs) == acrs else None,
            max_radius_m=config.coverage.max_radius_m, source=str(inputs.towers),
            report=rep)
    zones = layer("exclusion_zones", inputs.exclusion_zones, lambda p: read_exclusion_zones(
        p, crs=acrs, study_area=area, report=rep,
        source_crs=inputs.exclusion_zones_crs))
    fiber = layer("fiber", inputs.fiber, lambda p: _clip(
        read_fiber(p, crs=acrs, report=rep, source_crs=inputs.fiber_crs),
        area, str(p), rep, "inputs.fiber_crs"))
    roads = layer("roads", inputs.roads, lambda p: _clip(
        read_roads(p, crs=acrs, report=rep, source_crs=inputs.roads_crs),
        area, str(p), rep, "inputs.roads_crs"))
    if inputs.osm is not None and inputs.roads is None:
        roads = layer("roads", inputs.osm, lambda p: _clip(
            _osm_roads(p, acrs, rep), area, str(p), rep))
    if inputs.commune_offices is not None and len(communes):
        try:
            communes = with_offices(communes, inputs.commune_offices,
                                    inputs.commune_offices_layer, acrs, rep,
                                    source_crs=inputs.commune_offices_crs)
        except InputError as exc:
            _add(rep, exc)

    dem = None
    if not inputs.dem:
        rep.add("file", "no DEM given", file=cfg, column="inputs.dem",
                fix="set inputs.dem to a GeoTIFF or SRTM .hgt tiles (30–90 m)")
    elif metric:
        first = len(rep.problems)
        try:
            dem = read_dem(list(inputs.dem), crs=acrs,
                           resolution_m=config.coverage.resolution_m,
                           bounds=_dem_bounds(area, towers), report=rep)
            dem.require_metric("the DEM")
            if area is not None:
                _check_dem_coverage(dem, communes, ", ".join(map(str, inputs.dem)), rep)
            towers = drop_towers_off_dem(towers, dem, source=str(inputs.towers), report=rep)
            if area is not None:
                check_towers_on_dem(towers, dem, source=str(inputs.towers), report=rep)
        except InputError as exc:
            _add(rep, exc if exc.column else type(exc)(
                exc.message, file=exc.file, feature=exc.feature, row=exc.row,
                column="inputs.dem", fix=exc.fix))
            dem = None
        rep.problems[first:] = [  # the DEM reader's problems: name the key
            dataclasses.replace(p, column="inputs.dem") if p.column is None else p
            for p in rep.problems[first:]]
    if need_towers or inputs.towers is not None:
        require_towers(towers, inputs.towers, config_file=cfg, report=rep)
    if inputs.towers is not None:
        check_tower_frequencies(towers, model=config.coverage.model,
                                source=str(inputs.towers), report=rep)

    communes, population, source, districts = _population(config, communes, dem, rep)
    if not rep.ok or dem is None:
        return None
    return ProvinceData(communes=communes, towers=towers, fiber=fiber, roads=roads,
                        exclusion_zones=zones, dem=dem, population=population,
                        analysis_crs=acrs, study_area=area, population_source=source,
                        district_population=districts)


_POPULATION_FIX = (
    "give the population one of four ways: a 'population' column in the communes layer; "
    "inputs.population: a raster of people per cell (GeoTIFF, e.g. WorldPop); "
    "inputs.population: a yearbook table (CSV/XLSX, commune code or name → population); "
    "or inputs.district_population: district totals (table or layer) spread over the "
    "communes. Or write inputs.population: none for an area-only plan")


def _population(config: ProjectConfig, communes: gpd.GeoDataFrame, dem: Raster | None,
                rep: ValidationReport
                ) -> tuple[gpd.GeoDataFrame, Raster | None, str | None, pd.DataFrame | None]:
    """The communes (with a yearbook's population filled in), the population raster on the
    DEM grid, where the people come from, and district totals to spread."""
    from geotel.io.population import TABLE_SUFFIXES, read_population_table

    inputs = config.inputs
    cfg = _cfg_file(config)
    given = inputs.population
    if given == "none":
        return communes, None, "none", None
    if isinstance(given, Path) and given.suffix.lower() in TABLE_SUFFIXES:
        values = read_population_table(given, communes, report=rep)
        out = communes.copy()
        out["population"] = pd.array(values.round(), dtype="Int64")
        return out, None, f"yearbook table {given.name}", None
    if isinstance(given, Path):
        if dem is None:
            return communes, None, None, None
        try:
            pop = population_on_grid(Raster.read(given), dem, source=str(given))
        except InputError as exc:
            _add(rep, exc if exc.column else type(exc)(
                exc.message, file=exc.file, feature=exc.feature, row=exc.row,
                column="inputs.population", fix=exc.fix))
            return communes, None, None, None
        _check_population_overlap(pop, communes, str(given), rep)
        return communes, pop, f"raster {given.name}", None
    if len(communes) == 0:
        return communes, None, None, None
    people = pd.to_numeric(communes["population"], errors="coerce") \
        if "population" in communes.columns else pd.Series(np.nan, index=communes.index)
    known = people.notna()
    if inputs.district_population is not None:
        if known.all():
            rep.warn("config", "the communes layer gives every commune's population; the "
                     "district totals are not used", file=str(inputs.district_population),
                     column="inputs.district_population",
                     fix="remove inputs.district_population, or the communes' column")
            return communes, None, "communes layer (population column)", None
        districts = _district_totals(config, communes, rep)
        weight = config.population.district_weight
        return (communes, None, f"district totals {inputs.district_population.name}, "
                f"spread by {weight}", districts)
    if known.all():
        return communes, None, "communes layer (population column)", None
    if known.any():
        names = communes.loc[~known, "commune_name"].astype(str).tolist() \
            if "commune_name" in communes.columns else [str(i) for i in communes.index[~known]]
        rep.add("schema", f"{len(names)} commune(s) have no population: "
                + "; ".join(names[:10]) + ("; ..." if len(names) > 10 else ""),
                file=str(inputs.communes), feature=names[0], column="population",
                fix="fill in their population, or " + _POPULATION_FIX)
        return communes, None, None, None
    rep.add("config", "no population source: the communes layer has no population, and "
            "no population raster, yearbook table or district totals are given",
            file=cfg, column="inputs.population", fix=_POPULATION_FIX)
    return communes, None, None, None


def _district_totals(config: ProjectConfig, communes: gpd.GeoDataFrame,
                     rep: ValidationReport) -> pd.DataFrame | None:
    """District totals matched to the communes' districts (every district needs one)."""
    from geotel.io.population import match_districts, read_district_population

    path = config.inputs.district_population
    assert path is not None
    totals = read_district_population(path, layer=config.inputs.district_population_layer,
                                      report=rep)
    if not len(totals):
        return None
    pc = config.population
    if pc.district_weight == "column":
        col = pc.weight_column
        if not col or col not in communes.columns:
            rep.add("config", f"population.weight_column = {col!r} is not a column of the "
                    "communes layer", file=_cfg_file(config), column="population.weight_column",
                    fix=f"name one of: {', '.join(map(str, communes.columns[:12]))}, or use "
                    "district_weight: area")
        else:
            w = pd.to_numeric(communes[col], errors="coerce")
            names = communes.get("commune_name", communes.index.astype(str)).astype(str)
            for label, bad in (("is empty", w.isna()), ("is negative", w < 0)):
                if bad.any():
                    rep.add("range", f"the weight {label} for {int(bad.sum())} commune(s): "
                            + ", ".join(names[bad].tolist()[:8]), file=str(config.inputs.communes),
                            column=col, fix="give every commune a weight of 0 or more")
            zero = w == 0
            if zero.any():
                rep.warn("range", f"{int(zero.sum())} commune(s) have weight 0 and get no "
                         "people: " + ", ".join(names[zero].tolist()[:8]),
                         file=str(config.inputs.communes), column=col,
                         fix="check the weights, or use district_weight: area")
    codes = communes["district_code"].astype(str) if "district_code" in communes else \
        pd.Series("", index=communes.index)
    names = communes["district_name"].astype(str) if "district_name" in communes else codes
    row = match_districts(codes, names, totals)
    for code, name in sorted({(c, n) for c, n, r in zip(codes, names, row, strict=True)
                              if r < 0}):
        rep.add("schema", f"district {name} ({code or 'no code'}) has no population total",
                file=str(path), feature=name, column="population",
                fix="add its total to the district table, or give the communes' population")
    extra = [k for i, k in enumerate(totals["name_key"]) if i not in set(row.tolist())]
    if extra:
        rep.warn("schema", f"{len(extra)} district total(s) match no commune: "
                 + ", ".join(extra[:8]), file=str(path), fix="nothing to do if they are "
                 "outside the province")
    return totals


def _inside_communes(raster: Raster, communes: gpd.GeoDataFrame) -> np.ndarray | None:
    """The raster's cells inside the communes (None without a commune shape)."""
    geoms = [g for g in communes.geometry.array if g is not None and not g.is_empty]
    if not geoms:
        return None
    return rasterio.features.geometry_mask(geoms, out_shape=raster.shape,
                                           transform=raster.transform, invert=True)


def _check_population_overlap(pop: Raster, communes: gpd.GeoDataFrame, source: str,
                              rep: ValidationReport) -> None:
    inside = _inside_communes(pop, communes)
    if inside is None:
        return
    if not float(np.nansum(pop.values[inside])) > 0:
        rep.add("study_area", "the population raster has no people inside the communes",
                file=source, column="inputs.population",
                fix="give a raster that covers the province (check its CRS and extent)")


#: Margin (m) of DEM read around the towers across the provincial border.
DEM_TOWER_MARGIN_M = 2_000.0


def _dem_bounds(area: shapely.Geometry | None, towers: gpd.GeoDataFrame
                ) -> tuple[float, float, float, float] | None:
    """The study area's bounds, extended to the cross-border towers plus a margin."""
    if area is None:
        return None
    x0, y0, x1, y1 = area.bounds
    if len(towers) and "in_province" in towers.columns:
        border = towers[~towers["in_province"].to_numpy(bool)]
        geoms = border.geometry.array
        geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
        if len(geoms):
            tx0, ty0, tx1, ty1 = shapely.total_bounds(geoms)
            m = DEM_TOWER_MARGIN_M
            x0, y0 = min(x0, tx0 - m), min(y0, ty0 - m)
            x1, y1 = max(x1, tx1 + m), max(y1, ty1 + m)
    return float(x0), float(y0), float(x1), float(y1)


def _clip(gdf: gpd.GeoDataFrame, area: shapely.Geometry | None, source: str,
          rep: ValidationReport, key: str = "the layer's CRS") -> gpd.GeoDataFrame:
    if area is None or len(gdf) == 0:
        return gdf
    geoms = gdf.geometry.array
    present = ~(shapely.is_empty(geoms) | shapely.is_missing(geoms))
    inside = shapely.intersects(geoms, area) | ~present
    if present.any() and not (inside & present).any():
        dist_km = float(shapely.distance(shapely.union_all(geoms[present]), area)) / 1000.0
        rep.add("study_area", f"none of the {int(present.sum())} feature(s) lies in the study "
                f"area ({dist_km:.0f} km away): the file's CRS is probably wrong", file=source,
                column=key, fix=f"set {key} to the file's real CRS, or save the file with its "
                "right .prj (or give the file of this province)")
        return gdf.iloc[:0]
    if not inside.all():
        rep.warn("study_area", f"{int((~inside).sum())} feature(s) outside the study area "
                 "dropped", file=source, fix="nothing to do; clip the file to silence this")
    return gdf[inside]


def _osm_roads(path: Path, crs: pyproj.CRS, rep: ValidationReport) -> gpd.GeoDataFrame:
    from geotel.fiber.osm import read_osm_roads

    roads, _ = validate_layer(read_osm_roads(path), "roads", source=str(path), report=rep)
    return roads.to_crs(crs)


def _check_dem_coverage(dem: Raster, communes: gpd.GeoDataFrame, source: str,
                        rep: ValidationReport) -> None:
    inside = _inside_communes(dem, communes)
    if inside is None:
        return
    n = int(inside.sum())
    if n == 0:
        return
    pct = 100.0 * float(np.isfinite(dem.values[inside]).sum()) / n
    if pct < MIN_DEM_COVERAGE_PCT:
        rep.add("study_area", f"the DEM covers only {pct:.1f}% of the communes",
                file=source, column="inputs.dem",
                fix="give DEM tiles that cover the whole province")
    elif pct < 100.0:
        rep.warn("study_area", f"the DEM has no value for {100 - pct:.2f}% of the communes' "
                 "area", file=source, fix="add the missing tiles or fill the voids")


def _cell_area_m2(r: Raster) -> np.ndarray:
    """Area of each row's cells (m²): constant for metric rasters, by latitude otherwise."""
    h, _ = r.shape
    if r.is_metric:
        return np.full(h, abs(r.transform.a * r.transform.e))
    rad = 6_371_008.8
    top = r.transform.f + r.transform.e * np.arange(h)
    bottom = top + r.transform.e
    dlon = math.radians(abs(r.transform.a))
    return rad**2 * dlon * np.abs(np.sin(np.radians(top)) - np.sin(np.radians(bottom)))


def population_on_grid(pop: Raster, grid: Raster, *, source: str = "<population>") -> Raster:
    """People per cell of a population raster, resampled onto ``grid`` (metric).

    Counts are turned into densities, averaged onto the grid, and scaled so that the
    total inside the grid's extent is kept.

    Examples
    --------
    >>> from affine import Affine
    >>> p = Raster(np.ones((4, 4), "float32"), Affine(100, 0, 0, 0, -100, 400), "EPSG:32649")
    >>> g = Raster(np.zeros((2, 2), "float32"), Affine(200, 0, 0, 0, -200, 400), "EPSG:32649")
    >>> population_on_grid(p, g).values.tolist()
    [[4.0, 4.0], [4.0, 4.0]]
    """
    if pop.crs is None:
        raise CRSError("the population raster has no CRS", file=source,
                       fix="save it as a GeoTIFF with its CRS")
    grid.require_metric("the DEM grid")
    counts = pop.values.astype("float64")
    if pop.nodata is not None and not np.issubdtype(pop.values.dtype, np.floating):
        counts[pop.values == pop.nodata] = np.nan
    if np.nanmin(counts) < 0 if np.isfinite(counts).any() else False:
        raise ValueRangeError("the population raster has negative counts", file=source,
                              fix="give people per cell (0 or more), nodata declared")
    density = (counts / _cell_area_m2(pop)[:, None]).astype("float32")
    dst = np.full(grid.shape, np.nan, dtype="float32")
    rasterio.warp.reproject(
        source=density, destination=dst, src_transform=pop.transform, src_crs=pop.crs,
        dst_transform=grid.transform, dst_crs=grid.crs, src_nodata=np.nan,
        dst_nodata=np.nan, resampling=rasterio.warp.Resampling.average)
    out = np.nan_to_num(dst, nan=0.0) * float(abs(grid.transform.a * grid.transform.e))
    # Keep the total of the source cells whose centres fall inside the grid.
    left, bottom, right, top = rasterio.warp.transform_bounds(grid.crs, pop.crs, *grid.bounds)
    rows, cols = np.indices(pop.shape)
    x, y = pop.xy(rows.ravel(), cols.ravel())
    within = ((x >= left) & (x <= right) & (y >= bottom) & (y <= top)).reshape(pop.shape)
    total = float(np.nansum(counts[within]))
    have = float(out.sum())
    if have > 0 and total > 0:
        out *= total / have
    return Raster(out.astype("float32"), grid.transform, grid.crs, units="people",
                  name="population", tags={"source": source})


def load_province(config: ProjectConfig, *, report: ValidationReport | None = None,
                  need_towers: bool = True) -> ProvinceData:
    """Read and validate every input of a project into a :class:`ProvinceData`.

    Parameters
    ----------
    config
        The project; relative paths were resolved from the config file's folder.
    report
        Receives every problem and warning; the first error's class is raised anyway.
    need_towers
        A tower list is required (the coverage cannot be computed without one); False
        for work without coverage (the fiber reach, a look at the layers).

    Raises
    ------
    InputError
        The class of the first error (ConfigError, FileFormatError, CRSError,
        SchemaError, ValueRangeError, DuplicateIdError, GeometryError, StudyAreaError),
        its message listing all the others.

    Examples
    --------
    >>> load_province(ProjectConfig(analysis_crs="EPSG:4326"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geotel.errors.CRSError: <config>, column 'analysis_crs': the analysis CRS EPSG:4326 ...
    """
    rep = report if report is not None else ValidationReport()
    data = _collect(config, rep, need_towers=need_towers)
    rep.raise_if_errors()
    if data is None:  # pragma: no cover - no errors means every input was read
        raise FileFormatError("the inputs could not be read", file=_cfg_file(config),
                              fix="run geotel validate")
    for line in rep.lines():
        log.info("%s", line)
    return data


def validate_project(config: ProjectConfig, *, need_towers: bool = True
                     ) -> ValidationReport:
    """Every problem of every input of a project, without stopping at the first.

    The rules are those of the whole plan (``need_towers=False``: of work without the
    coverage): wherever ``geotel plan`` would stop on an input, this reports it.

    Examples
    --------
    >>> rep = validate_project(ProjectConfig())
    >>> rep.ok, sorted({p.column for p in rep.errors})
    (False, ['inputs.communes', 'inputs.dem', 'inputs.towers'])
    """
    rep = ValidationReport()
    try:
        _collect(config, rep, need_towers=need_towers)
    except InputError as exc:  # a reader that could not report (should not happen)
        _add(rep, exc)
    return rep

