"""Canonical planning layers: their columns, types, units, ranges and defaults.

Every reader ends in :func:`validate_layer`, which returns a *new* GeoDataFrame with
the canonical columns (defaults filled, types coerced, geometry repaired where that
is safe) and a :class:`~geotel.errors.ValidationReport` of what it found.

Layers
------
communes
    Commune polygons (xã / phường / thị trấn) with population and service attributes.
towers
    Existing BTS, one row per *sector*; ``(site_id, sector_id)`` is unique. A list
    that gives only points becomes one omnidirectional sector per site.
fiber
    Existing fiber routes (lines).
roads
    Road centre-lines.
exclusion_zones
    Areas where new bulky towers are not allowed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotel.errors import ValidationReport

__all__ = [
    "DEFAULT_FREQ_MHZ",
    "LAYERS",
    "MOBILE_BANDS_MHZ",
    "OPERATORS",
    "TECHNOLOGIES",
    "Column",
    "LayerName",
    "LayerSpec",
    "normalise_operator",
    "normalise_technologies",
    "validate_layer",
]

LayerName = Literal["communes", "towers", "fiber", "roads", "exclusion_zones"]
DType = Literal["str", "int", "float", "bool"]

#: The four mobile network operators of Vietnam, canonical spelling.
OPERATORS: tuple[str, ...] = ("Viettel", "VinaPhone", "MobiFone", "Vietnamobile")
_OPERATOR_ALIASES = {
    "viettel": "Viettel",
    "vtl": "Viettel",
    "vinaphone": "VinaPhone",
    "vnpt": "VinaPhone",
    "vnpt-vinaphone": "VinaPhone",
    "vnp": "VinaPhone",
    "mobifone": "MobiFone",
    "mobi": "MobiFone",
    "vms": "MobiFone",
    "vietnamobile": "Vietnamobile",
    "vnm": "Vietnamobile",
    "gtel": "Vietnamobile",
}
TECHNOLOGIES: tuple[str, ...] = ("2G", "3G", "4G", "5G")
#: Frequency ranges (MHz) of the mobile bands licensed in Vietnam (downlink and uplink).
MOBILE_BANDS_MHZ: tuple[tuple[float, float], ...] = (
    (703.0, 803.0),  # band 28
    (824.0, 894.0),  # band 5
    (880.0, 960.0),  # band 8 (GSM 900)
    (1710.0, 1880.0),  # band 3 (DCS 1800)
    (1920.0, 2170.0),  # band 1 (UMTS 2100)
    (2300.0, 2400.0),  # band 40
    (2500.0, 2690.0),  # band 7 / 41
    (3300.0, 3800.0),  # n78
)
#: Default carrier frequency per technology when a list gives none.
DEFAULT_FREQ_MHZ: dict[str, float] = {"2G": 900.0, "3G": 2100.0, "4G": 1800.0, "5G": 3500.0}


@dataclass(frozen=True)
class Column:
    """One column of a canonical layer."""

    name: str
    dtype: DType
    required: bool = False
    default: Any = None
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None
    description: str = ""


@dataclass(frozen=True)
class LayerSpec:
    """A canonical layer: geometry type, id columns and columns."""

    name: LayerName
    geometry: Literal["Polygon", "Point", "LineString"]
    id_columns: tuple[str, ...]
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


LAYERS: dict[str, LayerSpec] = {
    "communes": LayerSpec(
        "communes",
        "Polygon",
        ("commune_code",),
        (
            Column("commune_code", "str", True, description="official 5-digit GSO code"),
            Column("commune_name", "str", True),
            Column("district_code", "str", False, "", description="3-digit GSO code"),
            Column("district_name", "str", False, ""),
            # Facts about the commune: no default. What no input gives stays unknown
            # (null), never a default yes or 0.
            Column("population", "int", False, None, 0, 2_000_000,
                   description="people; empty = unknown"),
            Column("area_km2", "float", False, None, 0, 5_000, description="equal-area"),
            Column("has_fixed_internet", "bool", False, None,
                   description="wired Internet at the commune centre; empty = unknown"),
            Column("has_fiber", "bool", False, None, description="empty = unknown"),
            Column("has_radio_station", "bool", False, None,
                   description="wireless radio station (đài truyền thanh); empty = unknown"),
            Column("has_postal_point", "bool", False, None,
                   description="postal service point; empty = unknown"),
            Column("has_it_admin", "bool", False, None,
                   description="IT in the commune administration (Criterion 8.4); "
                   "empty = unknown"),
            Column("mobile_technologies", "str", False, None, description="empty = unknown"),
        ),
    ),
    "towers": LayerSpec(
        "towers",
        "Point",
        ("site_id", "sector_id"),
        (
            Column("site_id", "str", True),
            Column("sector_id", "int", False, 1, 1, 99),
            Column("operator", "str", True, choices=OPERATORS),
            Column("technologies", "str", False, "2G,3G,4G"),
            Column("height_m", "float", False, 30.0, 1.0, 200.0,
                   description="antenna height above ground"),
            Column("shared_by", "str", False, "", description="other operators on the tower"),
            Column("azimuth_deg", "float", False, 0.0, 0.0, 360.0),
            Column("beamwidth_deg", "float", False, 360.0, 1.0, 360.0, description="360 = omni"),
            Column("tilt_deg", "float", False, 2.0, -10.0, 20.0, description="downtilt"),
            Column("eirp_dbm", "float", False, 58.0, 0.0, 80.0),
            Column("freq_mhz", "float", False, None, description="empty = per technology"),
            # the sector's 3GPP TR 36.814 pattern; empty = the run's AntennaPattern
            # (25 dB, 10°, 20 dB by default)
            Column("front_to_back_db", "float", False, None, 1.0, 60.0,
                   description="horizontal attenuation floor; empty = 25 dB"),
            Column("vertical_beamwidth_deg", "float", False, None, 1.0, 90.0,
                   description="vertical half-power beamwidth; empty = 10°"),
            Column("side_lobe_db", "float", False, None, 1.0, 60.0,
                   description="vertical side-lobe floor; empty = 20 dB"),
            Column("in_province", "bool", False, True,
                   description="False: a site across the provincial border that serves it"),
        ),
    ),
    "fiber": LayerSpec(
        "fiber",
        "LineString",
        ("route_id",),
        (
            Column("route_id", "str", True),
            Column("operator", "str", False, "VNPT"),
            Column(
                "level", "str", False, "district", choices=("backbone", "provincial", "district")
            ),
        ),
    ),
    "roads": LayerSpec(
        "roads",
        "LineString",
        ("road_id",),
        (
            Column("road_id", "str", True),
            Column(
                "road_class",
                "str",
                False,
                "local",
                choices=("national", "provincial", "district", "commune", "local", "track"),
            ),
            Column("name", "str", False, ""),
        ),
    ),
    "exclusion_zones": LayerSpec(
        "exclusion_zones",
        "Polygon",
        ("zone_id",),
        (
            Column("zone_id", "str", True),
            Column(
                "kind",
                "str",
                True,
                choices=("national_park", "airport", "heritage", "a1_only_urban"),
            ),
            Column("name", "str", False, ""),
        ),
    ),
}


def normalise_operator(value: object) -> str | None:
    """Canonical operator name, or None when unknown (``'vnpt'`` → ``'VinaPhone'``).

    A provincial branch's name (``'Viettel Gia Lai'``, ``'VNPT Gia Lai'``, ``'Chi nhánh
    MobiFone Gia Lai'``) names its operator when it names exactly one.

    Examples
    --------
    >>> normalise_operator("Viettel Gia Lai"), normalise_operator("Viettel, VNPT")
    ('Viettel', None)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    key = str(value).strip().lower().replace(" ", "")
    if key in _OPERATOR_ALIASES:
        return _OPERATOR_ALIASES[key]
    words = re.findall(r"[a-z]+", str(value).lower())
    found = {_OPERATOR_ALIASES[w] for w in words if w in _OPERATOR_ALIASES and len(w) >= 4}
    return found.pop() if len(found) == 1 else None


#: Technology names in lists: GSM is 2G, UMTS/WCDMA/HSPA 3G, LTE 4G, NR 5G.
_TECH_NAMES = {"GSM": "2G", "UMTS": "3G", "WCDMA": "3G", "HSPA": "3G", "HSPA+": "3G",
               "LTE": "4G", "NR": "5G", "5GNR": "5G"}


def normalise_technologies(value: object) -> str | None:
    """Canonical, sorted technology list ``'4g, 2G'`` → ``'2G,4G'``; None when invalid.

    Examples
    --------
    >>> normalise_technologies("GSM/WCDMA/LTE"), normalise_technologies("CDMA")
    ('2G,3G,4G', None)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    parts = [p.strip().upper() for p in str(value).replace(";", ",").replace("/", ",")
             .replace("+", ",").split(",")]
    parts = [_TECH_NAMES.get(p.replace(" ", ""), p) for p in parts if p]
    if not parts or any(p not in TECHNOLOGIES for p in parts):
        return None
    return ",".join(sorted(set(parts)))


def _in_band(freq_mhz: float) -> bool:
    return any(lo <= freq_mhz <= hi for lo, hi in MOBILE_BANDS_MHZ)


def validate_layer(
    gdf: gpd.GeoDataFrame,
    layer: LayerName,
    *,
    source: str = "<data>",
    study_area: shapely.Geometry | None = None,
    report: ValidationReport | None = None,
    check_crs: bool = True,
) -> tuple[gpd.GeoDataFrame, ValidationReport]:
    """Check a layer against its canonical schema and return a clean copy.

    Parameters
    ----------
    gdf
        The layer as read; not modified.
    layer
        Which canonical layer it is.
    source
        File name used in messages.
    study_area
        Polygon in ``gdf``'s CRS; features entirely outside it are errors.
    report
        Report to append to; a new one by default.
    check_crs
        Report a missing CRS (the readers report it themselves, naming the config key).

    Returns
    -------
    (GeoDataFrame, ValidationReport)
        The canonical columns first (extra columns kept after them), index kept.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoDataFrame({"site_id": ["A"], "operator": ["vnpt"]},
    ...                      geometry=[Point(108.0, 14.0)], crs=4326)
    >>> out, rep = validate_layer(g, "towers")
    >>> out.loc[0, "operator"], float(out.loc[0, "beamwidth_deg"]), rep.ok
    ('VinaPhone', 360.0, True)
    """
    spec = LAYERS[layer]
    rep = report if report is not None else ValidationReport()
    out = gdf.copy()
    if out.crs is None and check_crs:
        rep.add(
            "crs",
            f"the {layer} layer has no CRS",
            file=source,
            fix="save the file with its CRS (a .prj beside a shapefile) or give it with "
            f"inputs.{layer}_crs in the config",
        )
    labels = _labels(out, spec)
    for col in spec.columns:
        if col.name not in out.columns:
            if col.required:
                rep.add(
                    "schema",
                    f"required column '{col.name}' is missing (columns: {list(gdf.columns)})",
                    file=source,
                    column=col.name,
                    fix=f"add a '{col.name}' column or rename the column that holds it",
                )
                out[col.name] = pd.Series([None] * len(out), index=out.index, dtype=object)
            else:
                out[col.name] = col.default
        out[col.name] = _coerce(out[col.name], col, labels, source, rep,
                                given=col.name in gdf.columns)
    if layer == "towers":
        out = _towers_rules(out, labels, source, rep)
    _check_ids(out, spec, labels, source, rep)
    out = _check_geometry(out, spec, labels, source, rep, study_area)
    extra = [c for c in out.columns if c not in spec.names and c != out.geometry.name]
    out = out[[*spec.names, *extra, out.geometry.name]]
    return gpd.GeoDataFrame(out, geometry=gdf.geometry.name, crs=gdf.crs), rep


def _labels(out: gpd.GeoDataFrame, spec: LayerSpec) -> list[dict[str, Any]]:
    """Where each feature is, for messages: its id (communes: name and code) and its row
    (a table's ``_row`` line, else the position + 1)."""
    n = len(out)
    rows = ([int(r) if pd.notna(r) else i + 1 for i, r in enumerate(out["_row"])]
            if "_row" in out.columns else [i + 1 for i in range(n)])
    id_col = spec.id_columns[0]
    if id_col not in out.columns:
        return [{"feature": f"row {r}", "row": r} for r in rows]
    ids = [f"row {r}" if _blank(v) else str(v) for v, r in zip(out[id_col], rows, strict=True)]
    if spec.name == "communes" and "commune_name" in out.columns:
        names = out["commune_name"].tolist()
        ids = [f"{nm} ({i})" if isinstance(nm, str) and nm.strip() else i
               for nm, i in zip(names, ids, strict=True)]
    return [{"feature": i, "row": r} for i, r in zip(ids, rows, strict=True)]


def _coerce(
    s: pd.Series, col: Column, labels: list[dict[str, Any]], source: str, rep: ValidationReport,
    *, given: bool = True,
) -> pd.Series:
    def bad(i: int, msg: str, fix: str) -> None:
        rep.add("schema" if "type" in msg else "range", msg, file=source,
                **labels[i], column=col.name, fix=fix)

    if col.dtype == "str":
        out = s.astype(object).map(lambda v: None if _blank(v) else str(v).strip())
        if col.default not in (None, ""):
            blank = out.map(_blank).to_numpy(dtype=bool)
            if blank.any() and given:
                _warn_defaults(col, [labels[i] for i in np.flatnonzero(blank)], source, rep)
            out = out.where(~blank, col.default)
        if col.name == "operator" and col.choices:
            mapped = out.map(normalise_operator)
            for i, (raw, m) in enumerate(zip(out, mapped, strict=True)):
                if pd.isna(m) and col.choices and not _blank(raw):
                    bad(i, f"unknown operator '{raw}'", f"use one of {', '.join(OPERATORS)}")
            out = mapped.where(mapped.notna(), out)
        elif col.name == "technologies" or col.name == "mobile_technologies":
            mapped = out.map(normalise_technologies)
            for i, (raw, m) in enumerate(zip(out, mapped, strict=True)):
                if pd.isna(m) and not (raw is None or pd.isna(raw) or raw == ""):
                    bad(i, f"unknown technology list '{raw}'", "write e.g. '2G,3G,4G'")
            out = mapped.where(mapped.notna(), out)
        elif col.choices:
            for i, v in enumerate(out):
                if not _blank(v) and v not in col.choices:
                    bad(i, f"'{v}' is not an allowed value", f"use one of {', '.join(col.choices)}")
        if col.required:
            for i, v in enumerate(out):
                if v is None or (isinstance(v, float) and math.isnan(v)) or v in ("", "nan"):
                    rep.add("schema", f"'{col.name}' is empty", file=source, **labels[i],
                            column=col.name, fix=f"fill in '{col.name}'")
        return out
    if col.dtype == "bool":
        mapping = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
                   "có": True, "không": False, "co": True, "khong": False, "x": True,
                   "1.0": True, "0.0": False}
        vals: list[object] = []
        for i, v in enumerate(s):
            if isinstance(v, bool | np.bool_):
                vals.append(bool(v))
            elif _blank(v):  # unknown: the default when the schema has one, else null
                vals.append(pd.NA if col.default is None else bool(col.default))
            elif str(v).strip().lower() in mapping:
                vals.append(mapping[str(v).strip().lower()])
            else:
                bad(i, f"value '{v}' has the wrong type (expected yes/no)",
                    "write true/false (or có/không); leave it empty when unknown")
                vals.append(pd.NA)
        return pd.Series(vals, index=s.index, dtype="boolean")
    # numbers: text by the column's convention (5.234 / 5,5), one problem per bad cell
    num = _numbers(s, col, labels, source, rep)
    if col.default is not None:
        blank = num.isna().to_numpy() & np.array([_blank(v) for v in s], dtype=bool)
        if blank.any():
            _warn_defaults(col, [labels[i] for i in np.flatnonzero(blank)], source, rep)
        num = num.where(~blank, col.default)
    for i, v in enumerate(num):
        if math.isnan(v):
            continue
        if (col.min is not None and v < col.min) or (col.max is not None and v > col.max):
            bad(i, f"{col.name} = {v:g} is outside {col.min:g}–{col.max:g}",
                f"check the unit and the value of '{col.name}'")
    if col.dtype == "int":
        return num.round().astype("Int64") if num.isna().any() else num.round().astype("int64")
    return num.astype("float64")


#: Units of the defaults, for the warning that blank cells took them.
_DEFAULT_UNITS = {"_m": " m", "_deg": "°", "_dbm": " dBm", "_mhz": " MHz", "_db": " dB"}
#: How many rows the warning about filled defaults names.
_SHOWN_ROWS = 3


def _warn_defaults(col: Column, where: list[dict[str, Any]], source: str,
                   rep: ValidationReport) -> None:
    """One warning per column: how many blank cells took the documented default, where."""
    unit = next((u for suffix, u in _DEFAULT_UNITS.items() if col.name.endswith(suffix)), "")
    value = f"{col.default:g}" if isinstance(col.default, float | int) and not isinstance(
        col.default, bool) else f"'{col.default}'"
    rows = [str(w["row"]) for w in where]
    more = ", …" if len(rows) > _SHOWN_ROWS else ""
    rep.warn("schema", f"{col.name}: {len(rows)} blank cell(s) filled with the default "
             f"{value}{unit} (rows {', '.join(rows[:_SHOWN_ROWS])}{more})", file=source,
             feature=where[0]["feature"] if len(where) == 1 else None,
             row=int(where[0]["row"]) if len(where) == 1 else None, column=col.name,
             fix=f"fill in '{col.name}' where it is known; the default is an assumption")


def _numbers(s: pd.Series, col: Column, labels: list[dict[str, Any]], source: str,
             rep: ValidationReport) -> pd.Series:
    """A column as floats; text read by the column's number convention, each cell that
    is not a number (or is ambiguous) reported with its row."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return pd.Series(s.to_numpy(dtype=float, na_value=np.nan), index=s.index)
    from geotel.io._files import parse_column  # geotel.io imports this module

    values, problems = parse_column(s.astype(object).tolist(), integers=col.dtype == "int")
    for p in problems:
        fix = ("write a plain number" if p.kind == "type" else
               "write the number without a thousands mark (5234), or with a decimal comma "
               "(5,234)")
        rep.add("schema" if p.kind == "type" else "range", p.message, file=source,
                **labels[p.position], column=col.name, fix=fix)
    return pd.Series(values, index=s.index)


def _blank(v: object) -> bool:
    """Whether a cell is empty: None, NaN, NA or blank text."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return True
    return isinstance(v, str) and v.strip() in ("", "nan", "NaN", "None", "<NA>")


def _towers_rules(
    out: gpd.GeoDataFrame, labels: list[dict[str, Any]], source: str, rep: ValidationReport
) -> gpd.GeoDataFrame:
    for i, f in enumerate(out["freq_mhz"]):
        if not math.isnan(f) and not _in_band(f):
            rep.add("range", f"freq_mhz = {f:g} is not in any mobile band used in Vietnam",
                    file=source, **labels[i], column="freq_mhz",
                    fix="use a carrier frequency in MHz, e.g. 900, 1800, 2100")
    if "shared_by" in out:
        out["shared_by"] = out["shared_by"].map(_normalise_operator_list)
    return out


def _normalise_operator_list(value: object) -> str:
    if not value:
        return ""
    parts = [p.strip() for p in str(value).split(",") if p.strip()]
    return ",".join(normalise_operator(p) or p for p in parts)


def _check_ids(
    out: gpd.GeoDataFrame, spec: LayerSpec, labels: list[dict[str, Any]], source: str,
    rep: ValidationReport,
) -> None:
    cols = [c for c in spec.id_columns if c in out.columns]
    keys = pd.Series(["/".join(map(str, row)) for row in zip(*(out[c] for c in cols), strict=True)],
                     index=out.index, dtype=object)
    valid = out[cols[0]].map(lambda v: v is not None and str(v) not in ("", "nan"))
    dup = keys[valid & keys.duplicated(keep=False)]
    for key in dict.fromkeys(dup):
        rows = [str(i + 1) for i, k in enumerate(keys) if k == key]
        rep.add("duplicate", f"id {key} appears {len(rows)} times (rows {', '.join(rows[:5])})",
                file=source, feature=key, column="/".join(cols),
                fix="give every feature its own id, or remove the duplicate rows")


def _check_geometry(
    out: gpd.GeoDataFrame,
    spec: LayerSpec,
    labels: list[dict[str, Any]],
    source: str,
    rep: ValidationReport,
    study_area: shapely.Geometry | None,
) -> gpd.GeoDataFrame:
    geom = out.geometry.array
    missing = shapely.is_missing(geom) | shapely.is_empty(geom)
    for i in np.flatnonzero(missing):
        rep.add("geometry", "geometry is empty", file=source, **labels[i],
                fix="draw the feature or delete the row")
    family = {"Polygon": ("Polygon", "MultiPolygon"), "Point": ("Point",),
              "LineString": ("LineString", "MultiLineString")}[spec.geometry]
    types = shapely.get_type_id(geom)
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                      "MultiLineString", "MultiPolygon", "GeometryCollection"], dtype=object)
    for i in np.flatnonzero(~missing):
        t = names[types[i]] if types[i] >= 0 else "None"
        if t not in family:
            rep.add("geometry", f"geometry is a {t}, expected {spec.geometry}", file=source,
                    **labels[i], fix=f"save the {spec.name} layer as {spec.geometry}s")
    invalid = ~missing & ~shapely.is_valid(geom)
    if invalid.any():
        repaired = shapely.make_valid(geom[invalid])
        if spec.geometry == "Polygon":
            repaired = np.array([_polygonal(g) for g in repaired], dtype=object)
        geom = geom.copy()
        geom[invalid] = repaired
        for i in np.flatnonzero(invalid):
            rep.warn("geometry", "invalid geometry repaired with make_valid", file=source,
                     **labels[i], fix="check the repaired shape in QGIS")
        out = out.set_geometry(gpd.GeoSeries(geom, index=out.index, crs=out.crs))
    if study_area is not None and out.crs is not None:
        inside = shapely.intersects(out.geometry.array, study_area)
        for i in np.flatnonzero(~inside & ~missing):
            rep.add("study_area", "feature lies outside the study area", file=source,
                    **labels[i],
                    fix="check the coordinates (swapped lon/lat? wrong CRS?) or remove it")
    return out


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygonal parts of a repaired geometry."""
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    polys = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else g
