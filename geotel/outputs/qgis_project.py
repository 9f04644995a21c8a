"""Write ``plan.qgz``: a QGIS project beside ``plan.gpkg`` that opens ready to read.

The project refers to the GeoPackage and to the coverage COGs by paths relative to
itself (``./plan.gpkg|layername=communes``, ``./coverage_4g_any_signal.tif``), so the
plan folder can be moved or copied as a whole. It is written as XML (the ``.qgs``
format of QGIS 3.22) without QGIS, and zipped into a ``.qgz``.

- **Layer groups** in reading order (:data:`geotel.outputs.layers.GROUP_TITLES`):
  *Hiện trạng* (communes, districts, existing towers and fiber, exclusion zones),
  *Quy hoạch* (proposed towers, one sub-layer per phase year; proposed fiber),
  *Vùng phủ sóng* (the signal rasters, one subgroup per technology with one layer per
  operator and 'any'; the dead zones); the panel's order is
  :data:`geotel.outputs.layers.PANEL_ORDER`. The layers are drawn in the registry's
  order (areas under lines under points, the coverage rasters just above the bottom
  layer, the communes), kept apart from the panel's reading order by a custom layer
  order. A layer is ticked as the registry says (``visible``): the communes' classes
  and the exclusion zones are a tick away, so that the view opens on the signal, the
  dead zones and the plan.
- **Styles**: each vector layer carries the same QML as in ``plan.gpkg``
  (:func:`geotel.outputs._qml.layer_qml`): dead zones show 'any' with each operator's
  rule off, towers are labelled at large scales only. Signal rasters get dBm classes
  from the technology's coverage threshold up, transparent below it; only the 'any'
  raster of ``technology`` is ticked. The server-index and mask COGs are left out: the
  mask is the signal's threshold, which the classes show, and a server index means
  nothing without the table of sectors.
- **Print layout** "A3": map, legend, scale bar, north arrow, title, date and source.
- **Default view**: the communes' extent, in the project CRS (the rasters' CRS, the
  analysis CRS of a plan, so that they are drawn without resampling; EPSG:4326 without
  rasters).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
import os
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyogrio
import rasterio
from pyproj import CRS, Transformer

from geotel._atomic import atomic_file
from geotel._lang import Lang, check_lang
from geotel.errors import FileFormatError, SchemaError, ValueRangeError
from geotel.outputs import _labels as L
from geotel.outputs._qgs_layers import (
    LayerRef,
    raster_layer,
    signal_classes,
    spatialrefsys,
    vector_layer,
)
from geotel.outputs._qgs_layout import (
    MAP_BOX_MM,
    LegendEntry,
    fit_extent,
    print_layout,
    scale_bar_segment_km,
)
from geotel.outputs._qml import layer_qml
from geotel.outputs.gpkg import _style_field
from geotel.outputs.layers import (
    COMMUNE_STYLE_COLUMNS,
    GROUP_TITLES,
    OUTPUT_LAYERS,
    PANEL_ORDER,
    Group,
)

__all__ = ["LAYOUT_NAME", "write_qgis_project"]

log = logging.getLogger(__name__)

#: Name of the print layout in the project.
LAYOUT_NAME = "A3"
_QGIS_VERSION = "3.22.0-Białowieża"
_ANY = "any"
_SIGNAL = re.compile(r"coverage_(?P<tech>[0-9a-z]+)_(?P<op>.+)_(?P<kind>signal|server|mask)$",
                     re.IGNORECASE)
_TEXT: dict[str, dict[str, str]] = {
    "any": {"vi": "tất cả nhà mạng", "en": "any operator"},
    "crs": {"vi": "Hệ toạ độ", "en": "CRS"},
}
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: Legend nodes of a signal raster in the layout: its classes (node 0, the band's name,
#: left out).
_RASTER_LEGEND_NODES = tuple(range(1, len(signal_classes("4G", -105.0)) + 1))


def _id(key: str) -> str:
    """A stable QGIS layer id: the key and a UUID derived from it."""
    return f"{key}_{uuid.uuid5(uuid.NAMESPACE_URL, f'geotel/qgis/{key}').hex}"


def _relative(path: Path, home: Path) -> str:
    rel = Path(os.path.relpath(Path(path).resolve(), home.resolve())).as_posix()
    return rel if rel.startswith("../") else f"./{rel}"


def _subset_value(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return f"{value:g}"
    return "'" + str(value).replace("'", "''") + "'"


def _vector_layers(gpkg: Path, home: Path, lang: Lang) -> tuple[dict[str, list[LayerRef]],
                                                                 dict[str, tuple]]:
    """The registry's layers found in ``gpkg``: name → its QGIS layer(s); and bounds."""
    try:
        present = {str(name) for name, _ in pyogrio.list_layers(gpkg)}
    except Exception as exc:  # pyogrio raises DataSourceError and others
        raise FileFormatError(f"cannot read the GeoPackage ({exc})", file=str(gpkg),
                              fix="write it with geotel.outputs.write_geopackage") from exc
    names = [n for n in OUTPUT_LAYERS if n in present]
    if not names:
        raise SchemaError("the GeoPackage holds none of the plan's layers", file=str(gpkg),
                          fix=f"write at least one of {', '.join(OUTPUT_LAYERS)}")
    source = f"{_relative(gpkg, home)}|layername="
    layers: dict[str, list[LayerRef]] = {}
    bounds: dict[str, tuple] = {}
    for name in names:
        entry = OUTPUT_LAYERS[name]
        info = pyogrio.read_info(gpkg, layer=name, force_total_bounds=True)
        columns = [str(c) for c in info["fields"]]
        geometry = info["geometry_type"] or entry.geometry
        crs = CRS.from_user_input(info["crs"] or "EPSG:4326")
        if info["features"]:
            bounds[name] = (tuple(info["total_bounds"]), crs)
        field = None
        styled = [c for c in COMMUNE_STYLE_COLUMNS if c in columns]
        if styled:  # the indicator the GeoPackage's style draws
            field = _style_field(pyogrio.read_dataframe(gpkg, layer=name, columns=styled,
                                                        read_geometry=False))
        qml = layer_qml(name, columns, geometry, field=field, lang=lang)
        title = L.layer_title(name, lang)
        split = entry.split_by if entry.split_by in columns else None
        if split is None or not info["features"]:
            layers[name] = [vector_layer(_id(name), title, source + name, crs, qml=qml,
                                         geometry=geometry, visible=entry.visible)]
            continue
        values = pyogrio.read_dataframe(gpkg, layer=name, columns=[split],
                                        read_geometry=False)[split]
        parts = []
        for v in sorted(values.dropna().unique()):
            shown = _subset_value(v)
            parts.append(vector_layer(
                _id(f"{name}_{shown.strip(chr(39))}"),
                f"{L.text('year', lang).capitalize()} {shown.strip(chr(39))}"
                if split == "phase_year" else f"{split} = {shown}",
                f'{source}{name}|subset="{split}" = {shown}', crs, qml=qml,
                geometry=geometry, visible=entry.visible))
        if values.isna().any():
            parts.append(vector_layer(
                _id(f"{name}_null"), L.text("no_year", lang).capitalize()
                if split == "phase_year" else f"{split}: {L.text('no_data', lang)}",
                f'{source}{name}|subset="{split}" IS NULL', crs, qml=qml,
                geometry=geometry, visible=entry.visible))
        layers[name] = parts
    return layers, bounds


def _operator_key(op: str) -> tuple[int, str]:
    known = list(L.OPERATOR_COLORS)
    if op == _ANY:
        return (0, op)
    return (1 + known.index(op), op) if op in known else (1 + len(known), op)


def _raster_layers(rasters: Iterable[str | os.PathLike], home: Path, lang: Lang, *,
                   thresholds_dbm: Mapping[str, float], technology: str,
                   ) -> tuple[dict[str, list[LayerRef]], CRS | None]:
    """Signal COGs: technology → its layers ('any' first); and the rasters' CRS."""
    by_tech: dict[str, list[tuple[str, Path, CRS]]] = {}
    first: CRS | None = None
    spaced = {op.lower(): op for op in L.OPERATOR_COLORS}
    for raw in rasters:
        path = Path(raw)
        m = _SIGNAL.match(path.stem)
        if m is None:
            raise FileFormatError(
                "not a coverage raster of geotel", file=str(path),
                fix="pass the coverage_<tech>_<operator>_{signal,server,mask}.tif files "
                    "that CoverageResult.write_cogs writes")
        if m["kind"] != "signal":
            continue
        try:
            with rasterio.open(path) as src:
                description = src.descriptions[0] or ""
                crs = CRS.from_user_input(src.crs.to_wkt())
        except rasterio.errors.RasterioIOError as exc:
            raise FileFormatError(f"cannot read the raster ({exc})", file=str(path),
                                  fix="write the coverage COGs before the project") from exc
        parts = description.split("_", 2)
        if len(parts) == 3 and parts[0] == "signal":
            tech, op = parts[1], parts[2]
        else:
            tech, op = m["tech"].upper(), spaced.get(m["op"].lower(), m["op"])
        by_tech.setdefault(tech, []).append((op, path, crs))
        first = first or crs
    layers: dict[str, list[LayerRef]] = {}
    for tech in sorted(by_tech, reverse=True):  # 4G, 3G, 2G
        if tech not in thresholds_dbm:
            raise ValueRangeError(f"no coverage threshold for {tech}",
                                  column="thresholds_dbm",
                                  fix=f"pass thresholds_dbm={{'{tech}': -95.0, ...}}")
        layers[tech] = [
            raster_layer(_id(path.stem), f"{tech} – "
                         f"{_TEXT['any'][lang] if op == _ANY else op}",
                         _relative(path, home), crs, technology=tech,
                         threshold_dbm=float(thresholds_dbm[tech]),
                         visible=(tech == technology and op == _ANY), lang=lang)
            for op, path, crs in sorted(by_tech[tech], key=lambda t: _operator_key(t[0]))]
    return layers, first


def _tree_layer(parent: ET.Element, ref: LayerRef, *, expanded: bool) -> None:
    node = ET.SubElement(parent, "layer-tree-layer", {
        "id": ref.id, "name": ref.name, "source": ref.source, "providerKey": ref.provider,
        "checked": "Qt::Checked" if ref.visible else "Qt::Unchecked",
        "expanded": "1" if expanded else "0", "legend_exp": "", "patch_size": "-1,-1",
        "legend_split_behavior": "0"})
    ET.SubElement(node, "customproperties")


def _group(parent: ET.Element, name: str, *, expanded: bool = True) -> ET.Element:
    group = ET.SubElement(parent, "layer-tree-group", {
        "name": name, "checked": "Qt::Checked", "expanded": "1" if expanded else "0"})
    ET.SubElement(group, "customproperties")
    return group


def _panel_groups(vectors: dict[str, list[LayerRef]]) -> dict[Group, list[str]]:
    rank = {name: i for i, name in enumerate(PANEL_ORDER)}
    groups: dict[Group, list[str]] = {g: [] for g in GROUP_TITLES}
    for name in sorted(vectors, key=lambda n: rank.get(n, len(rank))):
        groups[OUTPUT_LAYERS[name].group].append(name)
    return groups


def _panel(tree: ET.Element, vectors: dict[str, list[LayerRef]],
           signal: dict[str, list[LayerRef]], *, lang: Lang,
           technology: str) -> list[LegendEntry]:
    """Fill the layers panel (``tree``); the legend entries of the layers ticked in it.

    The coverage rasters come first in their group, a subgroup per technology (folded
    but for ``technology``); a split layer is a subgroup of its parts, whose classes are
    folded.
    """
    legend: list[LegendEntry] = []
    for group, names in _panel_groups(vectors).items():
        if not names and not (group == "coverage" and signal):
            continue
        node = _group(tree, GROUP_TITLES[group][lang])
        shown: list[LegendEntry] = []
        if group == "coverage":
            for tech, refs in signal.items():
                sub = _group(node, f"{L.layer_title('coverage', lang)} {tech}",
                             expanded=tech == technology)
                for ref in refs:
                    _tree_layer(sub, ref, expanded=ref.visible)
                shown += [LegendEntry(ref.name, ref.id, ref.source, ref.provider,
                                      nodes=_RASTER_LEGEND_NODES)
                          for ref in refs if ref.visible]
        for name in names:
            refs = vectors[name]
            if "|subset=" not in refs[0].source:
                _tree_layer(node, refs[0], expanded=refs[0].visible)
            else:  # one sub-layer per value, e.g. per phase year: their classes folded
                sub = _group(node, L.layer_title(name, lang))
                for ref in refs:
                    _tree_layer(sub, ref, expanded=False)
            entries = tuple(LegendEntry(ref.name, ref.id, ref.source, ref.provider)
                            for ref in refs if ref.visible)
            if len(refs) == 1 and entries:
                shown.append(dataclasses.replace(entries[0], title=L.layer_title(name, lang)))
            elif entries:  # each part lists the classes it draws
                shown.append(LegendEntry(L.layer_title(name, lang), children=entries))
        if shown:
            legend.append(LegendEntry(GROUP_TITLES[group][lang], children=tuple(shown)))
    return legend


def _extent(bounds: dict[str, tuple], crs: CRS) -> tuple[float, float, float, float]:
    """The extent of the bottom layer with features (the plan's area: the communes), in
    ``crs``; at least about 1 km across (a plan of one tower)."""
    first = next((bounds[n] for n in OUTPUT_LAYERS if n in bounds), None)
    if first is None:  # every layer empty
        return (-180.0, -90.0, 180.0, 90.0) if crs.is_geographic else (0.0, 0.0, 1.0, 1.0)
    box, src = first
    x0, y0, x1, y1 = Transformer.from_crs(src, crs, always_xy=True).transform_bounds(
        box[0], box[1], box[2], box[3], densify_pts=21)
    least = 0.01 if crs.is_geographic else 1000.0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = max(x1 - x0, least) / 2, max(y1 - y0, least) / 2
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def _canvas(root: ET.Element, crs: CRS, extent: tuple[float, float, float, float]) -> None:
    canvas = ET.SubElement(root, "mapcanvas", {"name": "theMapCanvas",
                                               "annotationsVisible": "1"})
    ET.SubElement(canvas, "units").text = "degrees" if crs.is_geographic else "meters"
    box = ET.SubElement(canvas, "extent")
    for tag, v in zip(("xmin", "ymin", "xmax", "ymax"), extent, strict=True):
        ET.SubElement(box, tag).text = f"{v:.6f}"
    ET.SubElement(canvas, "rotation").text = "0"
    spatialrefsys(ET.SubElement(canvas, "destinationsrs"), crs)
    ET.SubElement(canvas, "rendermaptile").text = "0"
    view = ET.SubElement(root, "ProjectViewSettings", {"UseProjectScales": "0",
                                                       "rotation": "0"})
    ET.SubElement(view, "Scales")
    default = ET.SubElement(view, "DefaultViewExtent", {
        k: f"{v:.6f}" for k, v in zip(("xmin", "ymin", "xmax", "ymax"), extent, strict=True)})
    spatialrefsys(default, crs)


def _properties(root: ET.Element) -> None:
    props = ET.SubElement(root, "properties")
    for group, key, kind, value in (("Paths", "Absolute", "bool", "false"),
                                    ("SpatialRefSys", "ProjectionsEnabled", "int", "1"),
                                    ("Measurement", "DistanceUnits", "QString", "km"),
                                    ("Measurement", "AreaUnits", "QString", "km2"),
                                    ("Measure", "Ellipsoid", "QString", "EPSG:7030")):
        parent = props.find(group)
        if parent is None:
            parent = ET.SubElement(props, group)
        ET.SubElement(parent, key, {"type": kind}).text = value


def write_qgis_project(
    gpkg_path: str | os.PathLike,
    out_qgz: str | os.PathLike,
    *,
    rasters: Iterable[str | os.PathLike] = (),
    title: str,
    lang: Lang = "vi",
    thresholds_dbm: Mapping[str, float] | None = None,
    technology: str = "4G",
    crs: object | None = None,
    source: str = "geotel",
    date: dt.date | None = None,
) -> Path:
    """Write a QGIS 3.22 project (``.qgz``) of a plan folder.

    Parameters
    ----------
    gpkg_path
        The plan's GeoPackage (:func:`geotel.outputs.write_geopackage`); the layers of
        :data:`geotel.outputs.layers.OUTPUT_LAYERS` found in it are added.
    out_qgz
        The ``.qgz`` to write, normally beside ``gpkg_path``; paths in it are relative
        to its folder. Replaced when it exists.
    rasters
        Coverage COGs (``coverage_<tech>_<operator>_{signal,server,mask}.tif``); the
        signal rasters are added, the others left out.
    title
        The project's title, and the title of its print layout.
    lang
        Language of the layer names, legends, aliases and layout texts.
    thresholds_dbm
        Coverage threshold per technology (dBm; the raster classes start there);
        default ``coverage.thresholds_dbm`` of a default config (2G/3G -95, 4G -105).
    technology
        The technology whose 'any' signal raster is ticked when the project opens.
    crs
        The project CRS (anything pyproj reads); default the rasters' CRS, or
        EPSG:4326 without rasters.
    source, date
        The layout's source line and date (default today).

    Returns
    -------
    Path
        ``out_qgz``.

    Raises
    ------
    FileFormatError
        The GeoPackage or a raster cannot be read, or a raster is not a coverage COG.
    SchemaError
        The GeoPackage holds none of the plan's layers.
    ValueRangeError
        ``lang`` is not 'vi' or 'en'; a raster's technology has no threshold.

    Examples
    --------
    >>> import tempfile, zipfile, pathlib, geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from geotel.outputs.gpkg import write_geopackage
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> towers = gpd.GeoDataFrame({"site_id": ["A"], "operator": ["Viettel"]},
    ...                           geometry=[Point(108.0, 14.0)], crs=4326)
    >>> gpkg = write_geopackage({"towers_existing": towers}, folder / "plan.gpkg")
    >>> qgz = write_qgis_project(gpkg, folder / "plan.qgz", title="Gia Lai")
    >>> zipfile.ZipFile(qgz).namelist()
    ['plan.qgs']
    >>> "./plan.gpkg|layername=towers_existing" in zipfile.ZipFile(qgz).read(
    ...     "plan.qgs").decode()
    True
    """
    lang = check_lang(lang)  # type: ignore[assignment]
    gpkg, out = Path(gpkg_path), Path(out_qgz)
    if not gpkg.is_file():
        raise FileFormatError("the GeoPackage does not exist", file=str(gpkg),
                              fix="write plan.gpkg before its QGIS project")
    home = out.parent
    home.mkdir(parents=True, exist_ok=True)
    if thresholds_dbm is None:
        from geotel.config import CoverageConfig

        thresholds_dbm = CoverageConfig().thresholds_dbm
    vectors, bounds = _vector_layers(gpkg, home, lang)
    signal, raster_crs = _raster_layers(rasters, home, lang, thresholds_dbm=thresholds_dbm,
                                        technology=technology)
    project_crs = CRS.from_user_input(crs) if crs is not None else (
        raster_crs or CRS.from_epsg(4326))
    view = _extent(bounds, project_crs)

    root = ET.Element("qgis", {"projectname": title, "version": _QGIS_VERSION,
                               "saveUser": "geotel", "saveUserFull": "geotel"})
    ET.SubElement(root, "homePath", {"path": ""})
    ET.SubElement(root, "title").text = title
    spatialrefsys(ET.SubElement(root, "projectCrs"), project_crs)

    # the layers panel, in reading order; the layout's legend follows it
    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(tree, "customproperties")
    legend = _panel(tree, vectors, signal, lang=lang, technology=technology)

    # the drawing order: the registry's, bottom to top, the rasters above the bottom layer
    bottom, *upper = [name for name in OUTPUT_LAYERS if name in vectors]
    bottom_up = [*vectors[bottom],
                 *(ref for tech in reversed(signal) for ref in reversed(signal[tech])),
                 *(ref for name in upper for ref in vectors[name])]
    order = ET.SubElement(tree, "custom-order", {"enabled": "1"})
    for ref in reversed(bottom_up):
        ET.SubElement(order, "item").text = ref.id

    layers_el = ET.SubElement(root, "projectlayers")
    for ref in reversed(bottom_up):
        layers_el.append(ref.element)
    layer_order = ET.SubElement(root, "layerorder")
    for ref in reversed(bottom_up):
        ET.SubElement(layer_order, "layer", {"id": ref.id})

    _properties(root)
    _canvas(root, project_crs, fit_extent(view, width_mm=MAP_BOX_MM[2],
                                          height_mm=MAP_BOX_MM[3], margin=0.03))
    date = date or dt.date.today()
    meta = ET.SubElement(root, "projectMetadata")
    ET.SubElement(meta, "title").text = title
    ET.SubElement(meta, "author").text = source
    ET.SubElement(meta, "creation").text = f"{date.isoformat()}T00:00:00"

    date_text = date.strftime("%d/%m/%Y") if lang == "vi" else date.isoformat()
    epsg = project_crs.to_epsg()
    crs_text = project_crs.name + (f" (EPSG:{epsg})" if epsg else "")
    layout_extent = fit_extent(view, width_mm=MAP_BOX_MM[2], height_mm=MAP_BOX_MM[3],
                               margin=0.02)
    width_km = (layout_extent[2] - layout_extent[0]) / 1000.0
    if project_crs.is_geographic:  # degrees of longitude at the view's latitude
        lat = math.radians((layout_extent[1] + layout_extent[3]) / 2)
        width_km = (layout_extent[2] - layout_extent[0]) * 111.32 * math.cos(lat)
    print_layout(ET.SubElement(root, "Layouts"), name=LAYOUT_NAME, title=title,
                 date_text=f"{L.text('date', lang)}: {date_text}",
                 source_text=f"{L.text('source', lang)}: {source} · "
                             f"{_TEXT['crs'][lang]}: {crs_text}",
                 legend_title=L.text("legend", lang), legend=legend, extent=layout_extent,
                 segment_km=scale_bar_segment_km(width_km))

    ET.indent(root, space=" ")
    text = ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            + ET.tostring(root, encoding="unicode") + "\n")
    with atomic_file(out) as tmp, zipfile.ZipFile(tmp, "w",
                                                  compression=zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(f"{out.stem}.qgs", date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, text.encode("utf-8"))
    n = sum(len(v) for v in vectors.values()) + sum(len(v) for v in signal.values())
    log.info("wrote %s (%d layers, layout %s)", out, n, LAYOUT_NAME)
    return out
