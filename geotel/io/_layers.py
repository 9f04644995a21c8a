"""The steps every layer reader shares after the file is read: column aliases, value
normalisation per layer, CRS sanity checks, :func:`geotel.schema.validate_layer`, the
communes' coverage repair, and the reprojection to the requested CRS."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geotel._crs import equal_area_crs
from geotel.errors import CRSError, ValidationReport
from geotel.io._aliases import normalise_header, rename_columns
from geotel.io._layer_crs import (
    check_coordinates,
    crs_key,
    layer_crs,
    study_area_in,
)
from geotel.io._repair import areas_km2, repair_coverage
from geotel.io._sites import check_site_spread
from geotel.io._units import apply_units
from geotel.io.crs import ensure_datum_shift
from geotel.schema import LAYERS, LayerName, validate_layer

__all__ = ["DEFAULT_MAX_GAP_KM2", "empty_layer", "finish_layer", "format_code"]

log = logging.getLogger(__name__)

#: Gaps between communes up to this area are merged into a neighbour.
DEFAULT_MAX_GAP_KM2 = 1.0
#: Overlap or gap repairs totalling less than this (numerical slivers) are only logged.
MIN_REPORTED_KM2 = 0.01

_DTYPES = {"str": object, "int": "int64", "float": "float64", "bool": bool}


def empty_layer(layer: LayerName, crs: object) -> gpd.GeoDataFrame:
    """An empty GeoDataFrame with the canonical columns of ``layer`` in ``crs``.

    Examples
    --------
    >>> g = empty_layer("roads", "EPSG:32649")
    >>> list(g.columns), len(g), g.crs.to_epsg()
    (['road_id', 'road_class', 'name', 'geometry'], 0, 32649)
    """
    spec = LAYERS[layer]
    data = {c.name: pd.Series([], dtype=_DTYPES[c.dtype]) for c in spec.columns}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def format_code(value: object, width: int) -> str | None:
    """An administrative code as a string; None when empty.

    Numbers (a code column read as floats, ``23557.0``) are zero-padded to ``width``
    digits, since a number has lost its leading zeros; text is kept as written.

    Examples
    --------
    >>> format_code(23557.0, 5), format_code(622, 3), format_code(1, 5), format_code(None, 5)
    ('23557', '622', '00001', None)
    >>> format_code("2355", 5), format_code("23557.0", 5)
    ('2355', '23557')
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return str(int(value)).zfill(width) if width else str(int(value))
    text = str(value).strip()
    if text in ("", "nan", "None", "<NA>"):
        return None
    m = re.fullmatch(r"(\d+)\.0+", text)
    return m.group(1) if m else text


# ----------------------------------------------------------------- value vocabularies
def _vocab(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise_header(alias): canon for canon, aliases in table.items()
            for alias in (canon, *aliases)}


_ROAD_CLASS = _vocab({
    "national": ("quoc gia", "quốc gia", "quoc lo", "quốc lộ", "ql", "motorway", "trunk",
                 "primary", "motorway_link", "trunk_link", "primary_link", "cao toc",
                 "cao tốc", "duong chinh"),
    "provincial": ("tinh", "tỉnh", "cap tinh", "cấp tỉnh", "tinh lo", "tỉnh lộ", "dt", "tl",
                   "secondary", "secondary_link"),
    "district": ("huyen", "huyện", "cap huyen", "cấp huyện", "huyen lo", "tertiary",
                 "tertiary_link"),
    "commune": ("xa", "xã", "cap xa", "cấp xã", "duong xa", "unclassified"),
    "local": ("residential", "service", "living_street", "road", "duong", "khac", "other",
              "do thi", "đô thị"),
    "track": ("path", "footway", "bridleway", "cycleway", "duong mon", "đường mòn"),
})
_FIBER_LEVEL = _vocab({
    "backbone": ("truc", "trục", "truc chinh", "trục chính", "lien tinh", "liên tỉnh",
                 "quoc gia", "national", "core"),
    "provincial": ("tinh", "tỉnh", "noi tinh", "nội tỉnh", "cap tinh", "cấp tỉnh", "province"),
    "district": ("huyen", "huyện", "cap huyen", "cấp huyện", "access", "xa", "xã",
                 "truy nhap", "truy nhập"),
})
_ZONE_KIND = _vocab({
    "national_park": ("national park", "vuon quoc gia", "vườn quốc gia", "vqg",
                      "khu bao ton", "khu bảo tồn", "nature_reserve", "protected_area"),
    "airport": ("san bay", "sân bay", "cang hang khong", "cảng hàng không", "aerodrome"),
    "heritage": ("di tich", "di tích", "di san", "di sản", "historic"),
    "a1_only_urban": ("a1", "do thi", "đô thị", "urban", "noi thi", "nội thị"),
})
_RAILWAY = {"duong_sat", "railway", "rail"}


def _map_values(s: pd.Series, vocab: dict[str, str]) -> pd.Series:
    def one(v: object) -> object:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return v
        return vocab.get(normalise_header(v), v)

    return s.astype(object).map(one)


# ------------------------------------------------------------------- layer preparation
def _prepare_communes(df: gpd.GeoDataFrame, source: str, rep: ValidationReport
                      ) -> gpd.GeoDataFrame:
    out = df.copy()
    for col, words in (("commune_name", ("commune", "xa")), ("district_name", ("district",
                                                                                "huyen"))):
        if col in out.columns:
            out[col] = _fill_from_alternatives(out, col, words, source, rep)
    if "commune_code" in out.columns:
        names = (out["commune_name"].astype(object).tolist() if "commune_name" in out.columns
                 else [None] * len(out))
        codes: list[str] = []
        for i, (raw, name) in enumerate(zip(out["commune_code"], names, strict=True)):
            code = format_code(raw, 5)
            label = str(name) if name not in (None, "") and name == name else f"row {i + 1}"
            if code is None:
                code = f"NOCODE-{i + 1}"
                rep.warn("schema", f"commune '{label}' has no commune code; it is kept with "
                         f"the provisional code {code}", file=source, feature=label,
                         row=i + 1, column="commune_code",
                         fix="fill in the official 5-digit GSO code (communes dissolved "
                         "before 2023 have none)")
            elif not re.fullmatch(r"\d{5}", code):
                rep.add("range", f"commune code '{code}' is not a 5-digit GSO code",
                        file=source, feature=label, row=i + 1, column="commune_code",
                        fix="write the official 5-digit code, e.g. 23557")
            codes.append(code)
        out["commune_code"] = pd.Series(codes, index=out.index, dtype=object)
    if "district_code" in out.columns:
        out["district_code"] = out["district_code"].map(lambda v: format_code(v, 3) or "")
        if "district_name" in out.columns:  # a missing district code from the district name
            known = out[out["district_code"] != ""].groupby("district_name")["district_code"]
            lookup = known.agg(lambda s: s.mode().iloc[0]).to_dict()
            missing = out["district_code"] == ""
            out.loc[missing, "district_code"] = (
                out.loc[missing, "district_name"].map(lookup).fillna("").astype(object))
    return out


def _is_empty(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or \
        (isinstance(v, str) and v.strip() in ("", "nan"))


def _fill_from_alternatives(df: gpd.GeoDataFrame, col: str, words: tuple[str, ...],
                            source: str, rep: ValidationReport) -> pd.Series:
    """Empty names taken from another name column (e.g. ``src_commune_vn``), with a warning."""
    values = df[col].astype(object)
    empty = values.map(_is_empty)
    if not empty.any():
        return values
    alts = [c for c in df.columns if c != col and c != df.geometry.name
            and any(w in normalise_header(c).split("_") for w in words)
            and any(k in normalise_header(c) for k in ("name", "ten", "vn", "ascii"))]
    alts.sort(key=lambda c: ("ascii" in normalise_header(c), str(c)))
    for i in np.flatnonzero(empty.to_numpy()).tolist():
        for alt in alts:
            v = df[alt].iloc[i]
            if not _is_empty(v):
                values.iloc[i] = str(v).strip()
                rep.warn("schema", f"'{col}' is empty; taken from column '{alt}': '{v}'",
                         file=source, feature=f"row {i + 1}", row=i + 1, column=col,
                         fix=f"fill in '{col}'")
                break
    return values


def _assign_sectors(df: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Number the sectors of sites listed once per sector without a sector column."""
    if "sector_id" in df.columns or "site_id" not in df.columns or "azimuth_deg" not in df:
        return df
    out = df.copy()
    key = out["site_id"].astype(str)
    multi = key.duplicated(keep=False)
    az_varies = out.groupby(key)["azimuth_deg"].transform("nunique") > 1
    if (multi & az_varies).any():
        out["sector_id"] = np.where(multi & az_varies, out.groupby(key).cumcount() + 1, 1)
    return out


def _prepare_towers(df: gpd.GeoDataFrame, source: str, rep: ValidationReport
                    ) -> gpd.GeoDataFrame:
    return _assign_sectors(_tidy_ids(df, "towers"))


def _prepare_roads(df: gpd.GeoDataFrame, source: str, rep: ValidationReport
                   ) -> gpd.GeoDataFrame:
    out = _tidy_ids(df, "roads")
    text_cols = [c for c in out.columns if c != out.geometry.name
                 and (pd.api.types.is_object_dtype(out[c])
                      or pd.api.types.is_string_dtype(out[c]))]
    rail = np.zeros(len(out), dtype=bool)
    for c in text_cols:
        rail |= out[c].map(lambda v: isinstance(v, str) and normalise_header(v) in _RAILWAY
                           ).to_numpy(dtype=bool)
    if rail.any():
        rep.warn("schema", f"{int(rail.sum())} railway line(s) dropped from the roads layer",
                 file=source, column="road_class", fix="nothing to do; remove them to silence "
                 "this warning")
        out = out[~rail]
    if "road_class" in out.columns:
        mapped = _map_values(out["road_class"], _ROAD_CLASS)
        allowed = set(_ROAD_CLASS.values())
        unknown = mapped.map(lambda v: isinstance(v, str) and v not in allowed)
        if unknown.any():
            rep.warn("range", f"{int(unknown.sum())} road(s) of unknown class "
                     f"({', '.join(map(str, mapped[unknown].unique()[:5]))}) taken as 'local'",
                     file=source, column="road_class",
                     fix="use national/provincial/district/commune/local/track")
            mapped = mapped.where(~unknown, "local")
        out["road_class"] = mapped
    elif "name" in out.columns:
        def from_name(v: object) -> str:
            key = normalise_header(v) if isinstance(v, str) else ""
            if key.startswith(("quoc_lo", "ql")):
                return "national"
            if key.startswith(("tinh_lo", "dt", "tl")):
                return "provincial"
            return "local"
        out["road_class"] = out["name"].map(from_name)
    return out


def _prepare_fiber(df: gpd.GeoDataFrame, source: str, rep: ValidationReport
                   ) -> gpd.GeoDataFrame:
    out = _tidy_ids(df, "fiber")
    if "level" in out.columns:
        out["level"] = _map_values(out["level"], _FIBER_LEVEL)
    return out


def _prepare_zones(df: gpd.GeoDataFrame, source: str, rep: ValidationReport
                   ) -> gpd.GeoDataFrame:
    out = _tidy_ids(df, "exclusion_zones")
    if "kind" in out.columns:
        out["kind"] = _map_values(out["kind"], _ZONE_KIND)
    return out


def _tidy_ids(df: gpd.GeoDataFrame, layer: LayerName) -> gpd.GeoDataFrame:
    col = LAYERS[layer].id_columns[0]
    if col not in df.columns:
        return df
    out = df.copy()
    out[col] = out[col].map(lambda v: format_code(v, 0))
    return out


PREPARE: dict[str, Callable[[gpd.GeoDataFrame, str, ValidationReport], gpd.GeoDataFrame]] = {
    "communes": _prepare_communes,
    "towers": _prepare_towers,
    "roads": _prepare_roads,
    "fiber": _prepare_fiber,
    "exclusion_zones": _prepare_zones,
}


# ---------------------------------------------------------------------- CRS and finish
def finish_layer(
    raw: gpd.GeoDataFrame,
    layer: LayerName,
    *,
    source: str,
    crs: CRS,
    study_area: shapely.Geometry | None,
    report: ValidationReport,
    max_gap_km2: float = DEFAULT_MAX_GAP_KM2,
    source_crs: object = None,
) -> gpd.GeoDataFrame:
    """Units in headers → aliases → layer rules → CRS (``source_crs`` overrides the
    file's) and its checks → validate_layer → repair → reproject."""
    key = crs_key(layer)
    df = rename_columns(apply_units(raw, layer, source, report), layer)
    if not isinstance(df, gpd.GeoDataFrame):
        df = gpd.GeoDataFrame(df, geometry=raw.geometry.name, crs=raw.crs)
    df = PREPARE[layer](df, source, report)
    df, crs_ok = layer_crs(df, source_crs, key, source, study_area, crs, report)
    crs_ok = crs_ok and check_coordinates(df, source, report, key)
    if df.crs is not None and crs_ok:
        try:
            shifted = ensure_datum_shift(df.crs)
        except CRSError as exc:
            report.add("crs", exc.message, file=source, column=key, fix=exc.fix)
            crs_ok = False
        else:
            if shifted != CRS.from_user_input(df.crs):
                df = df.set_crs(shifted, allow_override=True)
    sa = study_area_in(study_area, crs, df.crs) if crs_ok else None
    out, _ = validate_layer(df, layer, source=source, study_area=sa, report=report,
                            check_crs=False)
    projected_ok = True
    if out.crs is not None and crs_ok and CRS.from_user_input(out.crs) != crs:
        out = out.to_crs(crs)
        if LAYERS[layer].geometry == "Polygon":
            out = _revalidate(out)
        projected_ok = bool(np.isfinite(shapely.get_coordinates(out.geometry.array)).all())
        if not projected_ok:
            report.add("crs", f"some features cannot be projected to {crs.name}",
                       file=source, column=key,
                       fix=f"check the file's CRS ({key}) and the analysis CRS")
    if layer == "towers" and out.crs is not None and crs_ok and projected_ok:
        check_site_spread(out, source=source, report=report)
    # The coverage repair runs in the result's CRS, so that no reprojection follows it.
    if layer == "communes" and out.crs is not None and crs_ok and projected_ok and len(out):
        out = _repair_communes(out, source, report, max_gap_km2)
    return out


def _revalidate(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Make polygons valid again after a reprojection bent their slivers (silent: the
    source geometry was valid)."""
    geoms = gdf.geometry.array
    bad = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if not bad.any():
        return gdf
    fixed = np.asarray(geoms, dtype=object).copy()
    fixed[bad] = [_polygonal_part(g) for g in shapely.make_valid(fixed[bad])]
    return gdf.set_geometry(gpd.GeoSeries(fixed, index=gdf.index, crs=gdf.crs))


def _polygonal_part(g: shapely.Geometry) -> shapely.Geometry:
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else g


def _repair_communes(out: gpd.GeoDataFrame, source: str, report: ValidationReport,
                     max_gap_km2: float) -> gpd.GeoDataFrame:
    geoms = out.geometry.array
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
    if not polygonal.all():
        return out  # wrong geometry types are already errors
    fixed, info = repair_coverage(out, max_gap_km2=max_gap_km2)
    if info.overlap_km2 + info.gap_km2 < MIN_REPORTED_KM2:
        log.info("%s: coverage repair below %g km² not reported: %s", source,
                 MIN_REPORTED_KM2, info)
    if info.overlaps and info.overlap_km2 >= MIN_REPORTED_KM2:
        report.warn("geometry", f"{info.overlaps} overlaps between communes "
                    f"({info.overlap_km2:.2f} km²) resolved: each overlap is kept by the "
                    "larger commune", file=source,
                    fix="check the boundaries in QGIS, or clean the layer to silence this")
    if info.gaps_filled and info.gap_km2 >= MIN_REPORTED_KM2:
        report.warn("geometry", f"{info.gaps_filled} sliver holes between communes "
                    f"({info.gap_km2:.2f} km², each at most {max_gap_km2:g} km²) filled: "
                    "each is merged into the neighbour sharing the longest border",
                    file=source, fix="check the boundaries in QGIS, or clean the layer")
    if info.gaps_left:
        report.warn("geometry", f"{info.gaps_left} gaps between communes larger than "
                    f"{max_gap_km2:g} km² ({info.gaps_left_km2:.2f} km²) left as they are",
                    file=source, fix="check that no commune is missing")
    for k in info.emptied:
        report.add("geometry", "commune lies entirely inside a larger commune",
                   file=source, feature=str(out.iloc[k]["commune_code"]), row=int(k) + 1,
                   fix="remove the duplicate commune or correct its boundary")
    ea = equal_area_crs(fixed.crs, tuple(fixed.total_bounds))
    area = areas_km2(fixed.geometry.array, fixed.crs, ea)
    given = fixed["area_km2"].to_numpy(dtype=float)
    fixed["area_km2"] = np.where(np.isnan(given), np.round(area, 4), given)
    return fixed
