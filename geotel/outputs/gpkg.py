"""Write ``plan.gpkg``: every planning layer in EPSG:4326, with default QGIS styles.

The file is a GeoPackage 1.2 (read by QGIS 3.22 and GDAL >= 2.2). Beside the layers it
holds a ``layer_styles`` table in the QGIS convention, one default QML style per layer:
communes graduated by ``pop_covered_pct_4g``, existing towers categorised by operator,
proposed towers as large magenta stars and proposed fiber as thick magenta lines, and
Vietnamese field aliases. QGIS applies these styles when a layer is added.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geotel.errors import CRSError, GeometryError, SchemaError
from geotel.outputs import _labels as L
from geotel.outputs._geoms import dominant_parts
from geotel.outputs._qml import layer_qml
from geotel.outputs.layers import COMMUNE_STYLE_COLUMNS, OUTPUT_LAYERS

__all__ = ["GEOMETRY_COLUMN", "GPKG_LAYERS", "STYLE_TABLE", "write_geopackage"]

log = logging.getLogger(__name__)

#: The layers of ``plan.gpkg`` (output contract) and their geometry type (the registry).
GPKG_LAYERS: dict[str, str] = {name: layer.geometry for name, layer in OUTPUT_LAYERS.items()}
STYLE_TABLE = "layer_styles"
GEOMETRY_COLUMN = "geom"
_STYLE_COLUMNS = ("f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column",
                  "styleName", "styleQML", "styleSLD", "useAsDefault", "description", "owner",
                  "ui", "update_time")
_FAMILIES = {"Point": "Point", "MultiPoint": "MultiPoint", "LineString": "MultiLineString",
             "MultiLineString": "MultiLineString", "Polygon": "MultiPolygon",
             "MultiPolygon": "MultiPolygon"}


def _geometry_type(name: str, gdf: gpd.GeoDataFrame) -> str:
    """The single GeoPackage geometry type of a layer, promoting to Multi* when mixed."""
    geoms = gdf.geometry.array
    present = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    kinds = {g.geom_type for g in present}
    if not kinds:
        return GPKG_LAYERS.get(name, "Unknown")
    fams = {_FAMILIES.get(k) for k in kinds}
    if None in fams or len(fams) > 1:
        if fams <= {"Point", "MultiPoint"}:
            return "MultiPoint"
        raise GeometryError(
            f"layer '{name}' mixes geometry types {sorted(kinds)}",
            feature=name, fix="write points, lines and polygons to separate layers")
    return fams.pop()  # type: ignore[return-value]


def _clean_values(name: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy whose attribute columns GDAL can store (lists/dicts as text)."""
    out = gdf.copy()
    geom_col = out.geometry.name
    for col in out.columns:
        if col == geom_col:
            continue
        if not isinstance(col, str):
            raise SchemaError(f"column name {col!r} is not text", feature=name, column=str(col),
                              fix="rename the column to a plain text name")
        s = out[col]
        if s.dtype == object:
            def fix(v: object) -> object:
                if isinstance(v, list | tuple | set | np.ndarray):
                    return ",".join(str(x) for x in v)
                if isinstance(v, dict):
                    return json.dumps(v, ensure_ascii=False)
                if isinstance(v, shapely.Geometry):
                    return v.wkt
                return v
            out[col] = s.map(fix)
    if geom_col != GEOMETRY_COLUMN:
        out = out.rename_geometry(GEOMETRY_COLUMN)
    return out


def _style_field(gdf: gpd.GeoDataFrame) -> str | None:
    """The communes' indicator the style draws: the first with any known value."""
    present = [c for c in COMMUNE_STYLE_COLUMNS if c in gdf.columns]
    known = [c for c in present if gdf[c].notna().any()]
    return (known or present)[0] if present else None


def _style_rows(written: Iterable[tuple[str, list[str], str, str | None]]) -> pd.DataFrame:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    rows = []
    for name, columns, geometry, field in written:
        rows.append({
            "f_table_catalog": "", "f_table_schema": "", "f_table_name": name,
            "f_geometry_column": GEOMETRY_COLUMN,
            "styleName": f"geotel – {L.layer_title(name, 'vi')}",
            "styleQML": layer_qml(name, columns, geometry, field=field), "styleSLD": "",
            "useAsDefault": True,
            "description": f"geotel: {L.layer_title(name, 'vi')} / {L.layer_title(name, 'en')}",
            "owner": "", "ui": "", "update_time": now,
        })
    df = pd.DataFrame(rows, columns=list(_STYLE_COLUMNS))
    df["useAsDefault"] = df["useAsDefault"].astype(bool)
    df["update_time"] = pd.to_datetime(df["update_time"])
    return df


def _record_rasters(path: Path, names: list[str]) -> None:
    """Name the rasters written beside the GeoPackage in its metadata (gpkg_metadata)."""
    text = "geotel rasters beside this GeoPackage: " + ", ".join(names)
    con = sqlite3.connect(path)
    try:
        with con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY "
                "KEY ASC NOT NULL, md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri "
                "TEXT NOT NULL, mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT "
                "NULL DEFAULT '')")
            con.execute(
                "CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope TEXT NOT "
                "NULL, table_name TEXT, column_name TEXT, row_id_value INTEGER, timestamp "
                "DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), md_file_id "
                "INTEGER NOT NULL, md_parent_id INTEGER, CONSTRAINT crmr_mfi_fk FOREIGN KEY "
                "(md_file_id) REFERENCES gpkg_metadata(id), CONSTRAINT crmr_mpi_fk FOREIGN KEY "
                "(md_parent_id) REFERENCES gpkg_metadata(id))")
            for table in ("gpkg_metadata", "gpkg_metadata_reference"):
                con.execute(
                    "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, "
                    "definition, scope) SELECT ?, NULL, 'gpkg_metadata', "
                    "'http://www.geopackage.org/spec120/#extension_metadata', 'read-write' "
                    "WHERE NOT EXISTS (SELECT 1 FROM gpkg_extensions WHERE table_name = ?)",
                    (table, table))
            cur = con.execute(
                "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
                "VALUES ('dataset', 'https://github.com/geotel', 'text/plain', ?)", (text,))
            con.execute("INSERT INTO gpkg_metadata_reference (reference_scope, md_file_id) "
                        "VALUES ('geopackage', ?)", (cur.lastrowid,))
    finally:
        con.close()


def write_geopackage(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: str | os.PathLike,
    *,
    rasters: Iterable[str | os.PathLike] | None = None,
) -> Path:
    """Write the planning layers to one GeoPackage with default QGIS styles.

    Every layer is reprojected to EPSG:4326, polygons and lines are promoted to their
    Multi* type, and a ``layer_styles`` table holds one default QML style per layer. The
    file is written into a temporary folder beside ``path`` and moved into place, so an
    existing file is replaced only by a complete one.

    Parameters
    ----------
    layers
        Layer name -> GeoDataFrame (any CRS; none is an error). The names of the output
        contract are ``communes``, ``districts``, ``towers_existing``, ``towers_proposed``,
        ``dead_zones``, ``fiber_existing``, ``fiber_proposed``, ``exclusion_zones``; others
        are written with a plain style. Empty layers are written empty. Not modified.
    path
        The ``.gpkg`` file to write; replaced when it exists.
    rasters
        Raster files written beside the GeoPackage (e.g. coverage COGs); their file
        names are recorded in the dataset metadata item ``GEOTEL_RASTERS``.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    CRSError
        A layer has no CRS.
    GeometryError
        A layer mixes points, lines and polygons.
    SchemaError
        A layer name or column name is not usable.

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd
    >>> from shapely.geometry import Point
    >>> towers = gpd.GeoDataFrame({"site_id": ["A"], "operator": ["Viettel"]},
    ...                           geometry=[Point(108.0, 14.0)], crs=4326)
    >>> out = write_geopackage({"towers_existing": towers},
    ...                        pathlib.Path(tempfile.mkdtemp()) / "plan.gpkg")
    >>> sorted(n for n, _ in pyogrio.list_layers(out))
    ['layer_styles', 'towers_existing']
    """
    path = Path(path)
    if not layers:
        raise SchemaError("no layers to write", file=str(path),
                          fix="pass at least one layer, e.g. {'communes': communes}")
    prepared: list[tuple[str, gpd.GeoDataFrame, str]] = []
    for name, gdf in layers.items():
        if not isinstance(name, str) or not name or name == STYLE_TABLE or not (
                name.replace("_", "").isalnum()):
            raise SchemaError(f"layer name {name!r} is not allowed", file=str(path),
                              fix="use lower-case names such as 'towers_proposed'")
        if not isinstance(gdf, gpd.GeoDataFrame):
            raise SchemaError(f"layer '{name}' is a {type(gdf).__name__}, not a GeoDataFrame",
                              file=str(path), feature=name, fix="pass GeoDataFrames")
        if gdf.crs is None:
            raise CRSError(f"layer '{name}' has no CRS", file=str(path), feature=name,
                           fix="set its CRS (gdf.set_crs(...)) before writing")
        out = gdf.to_crs(4326)
        out = out.set_geometry(gpd.GeoSeries(dominant_parts(out.geometry.to_numpy()),
                                             index=out.index, crs=out.crs))
        out = _clean_values(name, out)
        prepared.append((name, out, _geometry_type(name, out)))

    path.parent.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(dir=path.parent, prefix=".tmp-gpkg-"))
    try:
        tmp = tmpdir / path.name
        written: list[tuple[str, list[str], str, str | None]] = []
        raster_names = [Path(r).name for r in (rasters or [])]
        for i, (name, gdf, gtype) in enumerate(prepared):
            columns = [c for c in gdf.columns if c != GEOMETRY_COLUMN]
            pyogrio.write_dataframe(
                gdf.reset_index(drop=True), tmp, layer=name, driver="GPKG",
                geometry_type=gtype, promote_to_multi=gtype.startswith("Multi"),
                append=i > 0,
                dataset_options={"VERSION": "1.2"} if i == 0 else None,
                layer_options={"GEOMETRY_NAME": GEOMETRY_COLUMN, "SPATIAL_INDEX": "YES",
                               "IDENTIFIER": L.layer_title(name, "vi"),
                               "DESCRIPTION": L.layer_title(name, "en")},
            )
            written.append((name, columns, gtype,
                            _style_field(gdf) if name == "communes" else None))
            log.debug("wrote layer %s (%d features, %s)", name, len(gdf), gtype)
        pyogrio.write_dataframe(_style_rows(written), tmp, layer=STYLE_TABLE, driver="GPKG",
                                append=True, layer_options={"FID": "id"})
        if raster_names:
            _record_rasters(tmp, raster_names)
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    log.info("wrote %s (%d layers)", path, len(prepared))
    return path
