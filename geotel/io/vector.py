"""Vector readers: GeoPackage, Shapefile and GeoJSON, and the canonical layer readers.

:func:`read_vector` reads any supported file as it is (shapefile encoding from the .cpg,
otherwise UTF-8 or cp1258 detected from the .dbf). The layer readers
(:func:`read_communes`, :func:`read_towers`, :func:`read_fiber`, :func:`read_roads`,
:func:`read_exclusion_zones`) map column aliases (English, Vietnamese with and without
diacritics), validate with :func:`geotel.schema.validate_layer` and reproject to ``crs``.

With ``report=None`` a reader raises the error class of the first problem (listing all of
them); with a :class:`~geotel.errors.ValidationReport` it appends every problem and
returns what it could read (an empty canonical layer when the file cannot be read).

Communes without a code (the real Gia Lai layer has two, dissolved before 2023) are kept
with the provisional code ``NOCODE-<row>`` (1-based row in the file) and a warning.
Overlaps between communes are resolved and the sliver holes between them filled
(see :mod:`geotel.io._repair`); both are reported as warnings.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geotel._crs import equal_area_crs
from geotel.errors import FileFormatError, ValidationReport
from geotel.io._aliases import match_columns
from geotel.io._encodings import LEGACY_FIX, legacy_encoding
from geotel.io._files import nfc, require_file, shapefile_encoding
from geotel.io._layers import DEFAULT_MAX_GAP_KM2, empty_layer, finish_layer, format_code
from geotel.io._repair import areas_km2
from geotel.io.crs import to_crs
from geotel.schema import LayerName

__all__ = [
    "VECTOR_SUFFIXES",
    "read_communes",
    "read_districts",
    "read_exclusion_zones",
    "read_fiber",
    "read_layer",
    "read_roads",
    "read_towers",
    "read_vector",
]

log = logging.getLogger(__name__)

#: File suffixes read by :func:`read_vector` and their GDAL drivers.
VECTOR_SUFFIXES = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".geojson": "GeoJSON",
                   ".json": "GeoJSON"}
_FIX_FORMAT = "save it as a GeoPackage (.gpkg), Shapefile (.shp with .dbf/.shx/.prj) or GeoJSON"

PathLike = str | os.PathLike


def read_vector(path: PathLike, *, layer: str | None = None,
                report: ValidationReport | None = None) -> gpd.GeoDataFrame:
    """Read a GeoPackage, Shapefile or GeoJSON file as it is (no renaming, no checks).

    Parameters
    ----------
    path
        ``.gpkg``, ``.shp`` or ``.geojson``/``.json`` file.
    layer
        Layer of a multi-layer file; the first layer by default.
    report
        Receives the warning that a .cpg named the wrong code page (else it is logged).

    Returns
    -------
    GeoDataFrame
        Text NFC-normalised; a shapefile's text decoded with the code page of its .cpg,
        or UTF-8 / cp1258 detected from the .dbf bytes when there is no .cpg or when the
        .cpg names a code page the bytes are not in.

    Raises
    ------
    FileFormatError
        The file is missing, unreadable, of another format, or has no such layer; its
        text is in a legacy Vietnamese font encoding (TCVN3/ABC or VNI).

    Examples
    --------
    >>> import tempfile, geopandas as gpd
    >>> from shapely.geometry import Point
    >>> p = Path(tempfile.mkdtemp()) / "t.geojson"
    >>> gpd.GeoDataFrame({"ten": ["Chư Păh"]}, geometry=[Point(108, 14)], crs=4326).to_file(p)
    >>> read_vector(p).loc[0, "ten"]
    'Chư Păh'
    """
    p = require_file(path, "vector")
    suffix = p.suffix.lower()
    if suffix not in VECTOR_SUFFIXES:
        raise FileFormatError(f"unsupported vector format '{p.suffix}'", file=str(p),
                              fix=_FIX_FORMAT)
    if suffix == ".shp" and not (p.with_suffix(".dbf").exists()
                                 or p.with_suffix(".DBF").exists()):
        raise FileFormatError("the shapefile's .dbf (attribute table) is missing",
                              file=str(p), fix="copy the .dbf, .shx and .prj files beside "
                              "the .shp (same name)")
    try:
        layers = pyogrio.list_layers(p)
    except Exception as exc:  # noqa: BLE001 - GDAL raises several classes
        raise FileFormatError(f"not a readable {VECTOR_SUFFIXES[suffix]} file: {exc}",
                              file=str(p), fix=_FIX_FORMAT) from None
    names = [str(n) for n in layers[:, 0]] if len(layers) else []
    if layer is not None and layer not in names:
        raise FileFormatError(f"layer '{layer}' not found (layers: {', '.join(names)})",
                              file=str(p), column=None,
                              fix="set the layer name in the config (e.g. communes_layer)")
    if not names:
        raise FileFormatError("the file holds no layer", file=str(p), fix=_FIX_FORMAT)
    lyr = layer if layer is not None else names[0]
    if layer is None and len(names) > 1:
        log.info("%s: %d layers, reading the first, '%s'", p, len(names), lyr)
    encoding, decode_as = None, None
    if suffix == ".shp":
        codec, how = shapefile_encoding(p)
        log.debug("%s: encoding %s (%s)", p, codec, how)
        if how == "cpg-wrong":
            cpg = next(q for q in (p.with_suffix(".cpg"), p.with_suffix(".CPG")) if q.exists())
            text = (f"the .cpg says the text is {cpg.read_text(errors='replace').strip()!r}, "
                    f"but the .dbf's bytes are {codec}: read as {codec}")
            if report is not None:
                report.warn("file", text, file=str(p), column=None,
                            fix=f"write '{'UTF-8' if codec == 'utf-8' else '1258'}' in "
                            f"{cpg.name}, or save the layer again as a GeoPackage")
            else:
                log.warning("%s: %s", p, text)
        if codec == "utf-8":
            encoding = "UTF-8"
        else:  # read the bytes unchanged, decode them here (pyogrio truncates cp1258)
            encoding, decode_as = "ISO-8859-1", codec
    try:
        gdf = pyogrio.read_dataframe(p, layer=lyr, encoding=encoding, on_invalid="ignore")
    except Exception as exc:  # noqa: BLE001
        raise FileFormatError(f"cannot read layer '{lyr}': {exc}", file=str(p),
                              fix=_FIX_FORMAT) from None
    out = _decode(gdf, decode_as)
    _refuse_legacy_text(out, p)
    return out


def _refuse_legacy_text(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Raise when the layer's text is in TCVN3 (ABC) or VNI, naming where."""
    geom = gdf.geometry.name
    cols = [c for c in gdf.columns if c != geom and (pd.api.types.is_object_dtype(gdf[c])
                                                    or pd.api.types.is_string_dtype(gdf[c]))]
    names = [str(c) for c in gdf.columns if c != geom]
    for col, values in [(None, names)] + [(c, gdf[c].tolist()) for c in cols]:
        found = legacy_encoding(values)
        if found is None:
            continue
        where = (f"the column names ('{found.example}')" if col is None
                 else f"'{found.example}'")
        raise FileFormatError(
            f"the text is in the {found.name} encoding of the old Vietnamese fonts, not "
            f"Unicode: {where}", file=str(path), column=str(col) if col is not None else None,
            row=None if col is None else found.position + 1,
            fix=LEGACY_FIX.format(name=found.name))


def _decode(gdf: gpd.GeoDataFrame, codec: str | None) -> gpd.GeoDataFrame:
    def fix(v: object) -> object:
        if not isinstance(v, str):
            return v
        if codec:
            v = v.encode("latin-1", errors="replace").decode(codec, errors="replace")
        return nfc(v)

    geom = gdf.geometry.name
    out = gdf.rename(columns={c: fix(c) for c in gdf.columns if c != geom})
    for c in out.columns:
        if c != geom and (pd.api.types.is_object_dtype(out[c])
                          or pd.api.types.is_string_dtype(out[c])):
            out[c] = out[c].astype(object).map(fix)
    return out


def read_layer(
    path: PathLike,
    layer_name: LayerName,
    *,
    layer: str | None = None,
    crs: object = "EPSG:4326",
    study_area: shapely.Geometry | None = None,
    report: ValidationReport | None = None,
    max_gap_km2: float = DEFAULT_MAX_GAP_KM2,
    source_crs: object = None,
) -> gpd.GeoDataFrame:
    """Read, validate and reproject one canonical layer from a vector file.

    The engine of the ``read_<layer>`` functions; see :func:`read_communes`.

    Examples
    --------
    >>> import tempfile, geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> p = Path(tempfile.mkdtemp()) / "r.geojson"
    >>> gpd.GeoDataFrame({"id": ["R1"]}, geometry=[LineString([(108, 14), (108.1, 14)])],
    ...                  crs=4326).to_file(p)
    >>> r = read_layer(p, "roads", crs="EPSG:32649")
    >>> r.loc[0, "road_class"], round(float(r.length[0]))
    ('local', 10813)
    """
    rep = report if report is not None else ValidationReport()
    target = to_crs(crs)
    source = str(path)
    try:
        raw = read_vector(path, layer=layer, report=rep)
    except FileFormatError as exc:
        if report is None:
            raise
        rep.add_error(exc, column=f"inputs.{layer_name}")
        return empty_layer(layer_name, target)
    out = finish_layer(raw, layer_name, source=source, crs=target, study_area=study_area,
                       report=rep, max_gap_km2=max_gap_km2, source_crs=source_crs)
    if report is None:
        rep.raise_if_errors()
        for line in rep.lines():  # a shared report is logged by its owner
            log.info("%s", line)
    return out


def read_communes(
    path: PathLike,
    *,
    layer: str | None = None,
    crs: object = "EPSG:4326",
    study_area: shapely.Geometry | None = None,
    report: ValidationReport | None = None,
    max_gap_km2: float = DEFAULT_MAX_GAP_KM2,
    source_crs: object = None,
) -> gpd.GeoDataFrame:
    """Read commune polygons: codes, names, population; overlaps and slivers repaired.

    Parameters
    ----------
    path
        GeoPackage, Shapefile or GeoJSON.
    layer
        Layer name in a multi-layer file (the real data: ``"communes_clean"``).
    crs
        CRS of the result.
    study_area
        Polygon in ``crs``; features outside it are errors.
    report
        Collects problems instead of raising.
    max_gap_km2
        Holes between communes up to this area (equal-area km²) are filled.
    source_crs
        CRS of the file's coordinates (config ``inputs.communes_crs``): for a file without
        one (a shapefile without .prj); it overrides the file's own CRS, with a warning
        when the two differ. A file with no CRS and none given is an error whose fix
        names the likely CRSs.

    Returns
    -------
    GeoDataFrame
        Canonical ``communes`` columns (see :mod:`geotel.schema`), ``commune_code`` a
        5-digit string (``NOCODE-<row>`` when missing), ``area_km2`` equal-area.

    Examples
    --------
    >>> import tempfile, geopandas as gpd
    >>> from shapely.geometry import box
    >>> p = Path(tempfile.mkdtemp()) / "c.geojson"
    >>> gpd.GeoDataFrame({"ma_xa": [23557.0], "ten_xa": ["Phường Yên Đỗ"], "Dan_So": [16555]},
    ...                  geometry=[box(108.0, 13.9, 108.01, 13.91)], crs=4326).to_file(p)
    >>> c = read_communes(p, crs="EPSG:32649")
    >>> c.loc[0, "commune_code"], int(c.loc[0, "population"]), round(float(c.area_km2[0]), 2)
    ('23557', 16555, 1.2)
    """
    return read_layer(path, "communes", layer=layer, crs=crs, study_area=study_area,
                      report=report, max_gap_km2=max_gap_km2, source_crs=source_crs)


def read_towers(
    path: PathLike,
    *,
    layer: str | None = None,
    crs: object = "EPSG:4326",
    study_area: shapely.Geometry | None = None,
    report: ValidationReport | None = None,
    source_crs: object = None,
    sheet: str | None = None,
) -> gpd.GeoDataFrame:
    """Read existing BTS, one row per sector, from a vector file or a CSV/XLSX/XLS list.

    A list with only points becomes one omnidirectional sector per site; a site listed
    once per sector with different azimuths gets sector numbers 1, 2, ...
    ``.csv``/``.txt``/``.xlsx``/``.xls`` go to :func:`geotel.io.tables.read_tower_table`
    (with ``source_crs`` for projected coordinates and ``sheet`` for a workbook's sheet);
    for a vector file ``source_crs`` is as in :func:`read_communes`. See
    :func:`read_communes` for the other parameters.

    Examples
    --------
    >>> import tempfile, geopandas as gpd
    >>> from shapely.geometry import Point
    >>> p = Path(tempfile.mkdtemp()) / "t.gpkg"
    >>> gpd.GeoDataFrame({"ma_tram": ["GL001"], "nha_mang": ["VNPT"], "do_cao_cot": [42]},
    ...                  geometry=[Point(108.0, 14.0)], crs=4326).to_file(p)
    >>> t = read_towers(p)
    >>> r = t.iloc[0]
    >>> r.site_id, r.operator, float(r.height_m), float(r.beamwidth_deg)
    ('GL001', 'VinaPhone', 42.0, 360.0)
    """
    if Path(path).suffix.lower() not in VECTOR_SUFFIXES:  # a list (or a Word/PDF file)
        from geotel.io.tables import read_tower_table

        return read_tower_table(path, crs=crs, source_crs=source_crs, study_area=study_area,
                                report=report, sheet=sheet)
    return read_layer(path, "towers", layer=layer, crs=crs, study_area=study_area,
                      report=report, source_crs=source_crs)


def read_fiber(
    path: PathLike,
    *,
    layer: str | None = None,
    crs: object = "EPSG:4326",
    study_area: shapely.Geometry | None = None,
    report: ValidationReport | None = None,
    source_crs: object = None,
) -> gpd.GeoDataFrame:
    """Read existing fiber routes (lines): ``route_id``, ``operator``, ``level``.

    ``level`` accepts backbone / provincial / district and Vietnamese words (trục,
    tỉnh, huyện). See :func:`read_communes` for the parameters.

    Examples
    --------
    >>> import tempfile, geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> p = Path(tempfile.mkdtemp()) / "f.geojson"
    >>> gpd.GeoDataFrame({"ma_tuyen": ["T1"], "cap": ["Trục"]},
    ...                  geometry=[LineString([(108, 14), (108.1, 14)])], crs=4326).to_file(p)
    >>> read_fiber(p).loc[0, ["route_id", "level"]].tolist()
    ['T1', 'backbone']
    """
    return read_layer(path, "fiber", layer=layer, crs=crs, study_area=study_area,
                      report=report, source_crs=source_crs)


def read_roads(
    path: PathLike,
    *,
    layer: str | None = None,
    crs: object = "EPSG:4326",
    study_area: shapely.Geometry | None = None,
    report: ValidationReport | None = None,
    source_crs: object = None,
) -> gpd.GeoDataFrame:
    """Read road centre-lines: ``road_id``, ``road_class``, ``name``.

    Classes from Vietnamese (Quốc gia, Cấp tỉnh, ...) and OpenStreetMap (trunk, primary,
    ...) vocabularies are mapped; railways are dropped with a warning. See
    :func:`read_communes` for the parameters.

    Examples
    --------
    >>> import tempfile, geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> p = Path(tempfile.mkdtemp()) / "r.geojson"
    >>> gpd.GeoDataFrame({"gid": [7], "ten": ["Quốc lộ 19"], "cap_duong": ["Quốc Gia"]},
    ...                  geometry=[LineString([(108, 14), (108.1, 14)])], crs=4326).to_file(p)
    >>> read_roads(p).loc[0, ["road_id", "road_class", "name"]].tolist()
    ['7', 'national', 'Quốc lộ 19']
    """
    return read_layer(path, "roads", layer=layer, crs=crs, study_area=study_area,
                      report=report, source_crs=source_crs)


def read_exclusion_zones(
    path: PathLike,
    *,
    layer: str | None = None,
    crs: object = "EPSG:4326",
    study_area: shapely.Geometry | None = None,
    report: ValidationReport | None = None,
    source_crs: object = None,
) -> gpd.GeoDataFrame:
    """Read exclusion zones: ``zone_id``, ``kind``, ``name``.

    ``kind`` is national_park / airport / heritage / a1_only_urban, or a Vietnamese
    equivalent (vườn quốc gia, sân bay, di tích, đô thị). See :func:`read_communes`.

    Examples
    --------
    >>> import tempfile, geopandas as gpd
    >>> from shapely.geometry import box
    >>> p = Path(tempfile.mkdtemp()) / "z.geojson"
    >>> gpd.GeoDataFrame({"id": [1], "loai": ["Sân bay"]},
    ...                  geometry=[box(108.0, 14.0, 108.02, 14.02)], crs=4326).to_file(p)
    >>> read_exclusion_zones(p).loc[0, ["zone_id", "kind"]].tolist()
    ['1', 'airport']
    """
    return read_layer(path, "exclusion_zones", layer=layer, crs=crs, study_area=study_area,
                      report=report, source_crs=source_crs)


_DISTRICT_ALIASES = {
    "district_code": ("district_code", "ma_huyen", "code_vung", "ma_qh", "code"),
    "district_name": ("district_name", "ten_huyen", "name", "ten", "huyen"),
    "population": ("population", "dan_so", "pop"),
}


def read_districts(
    path: PathLike,
    *,
    layer: str | None = None,
    crs: object = "EPSG:4326",
    report: ValidationReport | None = None,
) -> gpd.GeoDataFrame:
    """Read district polygons: ``district_code`` (3 digits), ``district_name``,
    ``population``, ``area_km2`` (equal-area), extra columns kept after them.

    ``Code_vung`` of the 2009 census layer (province 64 + district) gives the last three
    digits.

    Examples
    --------
    >>> import tempfile, geopandas as gpd
    >>> from shapely.geometry import box
    >>> p = Path(tempfile.mkdtemp()) / "d.geojson"
    >>> gpd.GeoDataFrame({"Code_vung": ["64622"], "Ten_Huyen": ["Pleiku"], "Dan_So": [208634]},
    ...                  geometry=[box(107.9, 13.9, 108.1, 14.1)], crs=4326).to_file(p)
    >>> d = read_districts(p)
    >>> d.loc[0, "district_code"], d.loc[0, "district_name"], int(d.loc[0, "population"])
    ('622', 'Pleiku', 208634)
    """
    rep = report if report is not None else ValidationReport()
    target = to_crs(crs)
    try:
        raw = read_vector(path, layer=layer)
    except FileFormatError as exc:
        if report is None:
            raise
        rep.add_error(exc)
        return gpd.GeoDataFrame({"district_code": [], "district_name": [], "population": [],
                                 "area_km2": []}, geometry=gpd.GeoSeries([]), crs=target)
    mapping = match_columns([c for c in raw.columns if c != raw.geometry.name],
                            {k: tuple(v) for k, v in _DISTRICT_ALIASES.items()})
    df = raw.rename(columns=mapping)
    src = str(path)
    if "district_name" not in df.columns:
        rep.add("schema", "required column 'district_name' is missing", file=src,
                column="district_name", fix="add a 'district_name' (ten_huyen) column")
        df["district_name"] = ""
    codes = df["district_code"] if "district_code" in df.columns else pd.Series(
        [None] * len(df), index=df.index)
    df["district_code"] = codes.map(lambda v: (format_code(v, 3) or "")[-3:])
    pop = df["population"] if "population" in df.columns else pd.Series(
        [None] * len(df), index=df.index, dtype=object)
    df["population"] = pd.to_numeric(pop, errors="coerce").round().astype("Int64")
    dup = df["district_code"][(df["district_code"] != "") & df["district_code"].duplicated()]
    for code in dup.unique():
        rep.add("duplicate", f"district code {code} appears more than once", file=src,
                feature=code, column="district_code", fix="give each district its own code")
    if df.crs is None:
        rep.add("crs", "the districts layer has no CRS", file=src,
                fix="save the file with its CRS")
    else:
        ea = equal_area_crs(df.crs, tuple(df.total_bounds))
        df["area_km2"] = np.round(areas_km2(df.geometry.array, df.crs, ea), 4)
        df = df.to_crs(target)
    first = ["district_code", "district_name", "population", "area_km2"]
    extra = [c for c in df.columns if c not in first and c != df.geometry.name]
    out = gpd.GeoDataFrame(df[[c for c in first if c in df.columns] + extra
                              + [df.geometry.name]], geometry=df.geometry.name, crs=df.crs)
    if report is None:
        rep.raise_if_errors()
    return out
