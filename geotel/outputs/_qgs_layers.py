"""Private: the ``<maplayer>`` elements of a QGIS project (``.qgs``) and its CRS elements.

A vector layer of ``plan.gpkg`` carries the same style as the GeoPackage's
``layer_styles`` table: the ``<renderer-v2>``, ``<labeling>``, ``<aliases>`` ... of
:func:`geotel.outputs._qml.layer_qml` are moved into the ``<maplayer>`` element, as QGIS
itself does when it saves a project. A coverage COG gets a single-band pseudocolour
renderer in dBm classes that start at the technology's coverage threshold: below it
the raster is transparent (not covered), above it four classes of 10 dB.
"""

from __future__ import annotations

import math
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Literal

from pyproj import CRS

from geotel._lang import Lang

__all__ = [
    "SIGNAL_COLORS",
    "LayerRef",
    "raster_layer",
    "signal_classes",
    "spatialrefsys",
    "vector_layer",
]

#: Signal classes above the threshold, weak to strong (ColorBrewer YlGnBu 4): no red, the
#: colour of the dead zones drawn over them.
SIGNAL_COLORS: tuple[str, ...] = ("#c7e9b4", "#7fcdbb", "#41b6c4", "#225ea8")
SIGNAL_STEP_DB = 10.0
#: Opacity of a coverage raster: the communes' classes stay readable beneath it.
RASTER_OPACITY = 0.75
_QML_ATTRIBUTES = ("labelsEnabled", "hasScaleBasedVisibilityFlag", "minScale", "maxScale",
                   "readOnly", "styleCategories")
_QML_SKIP = {"layerGeometryType"}


@dataclass(frozen=True)
class LayerRef:
    """One map layer of the project: its id, name in the panel, source and visibility."""

    id: str
    name: str
    source: str
    provider: Literal["ogr", "gdal"]
    visible: bool
    element: ET.Element


def spatialrefsys(parent: ET.Element, crs: CRS) -> ET.Element:
    """Append a ``<spatialrefsys>`` that QGIS reads back from its WKT (no QGIS srsid)."""
    srs = ET.SubElement(parent, "spatialrefsys")
    epsg = crs.to_epsg()
    with warnings.catch_warnings():  # a PROJ string loses detail; QGIS reads the WKT first
        warnings.simplefilter("ignore", UserWarning)
        proj4 = crs.to_proj4() or ""
    values = {
        "wkt": crs.to_wkt("WKT2_2019"),
        "proj4": proj4,
        "authid": f"EPSG:{epsg}" if epsg else "",
        "description": crs.name,
        "geographicflag": "true" if crs.is_geographic else "false",
    }
    for tag, text in values.items():
        ET.SubElement(srs, tag).text = text
    return srs


def _common(kind: str, ref_id: str, name: str, source: str, crs: CRS,
            attrs: dict[str, str]) -> ET.Element:
    el = ET.Element("maplayer", {"type": kind, "autoRefreshEnabled": "0",
                                 "autoRefreshTime": "0", "refreshOnNotifyEnabled": "0",
                                 "refreshOnNotifyMessage": ""} | attrs)
    ET.SubElement(el, "id").text = ref_id
    ET.SubElement(el, "datasource").text = source
    ET.SubElement(el, "layername").text = name
    spatialrefsys(ET.SubElement(el, "srs"), crs)
    return el


def vector_layer(ref_id: str, name: str, source: str, crs: CRS, *, qml: str,
                 geometry: str, visible: bool) -> LayerRef:
    """A ``plan.gpkg`` layer styled by ``qml`` (a document of :func:`layer_qml`).

    ``source`` is the OGR data source, e.g. ``./plan.gpkg|layername=communes``, with an
    optional ``|subset=`` filter; ``geometry`` the OGC type name (``MultiPolygon``).
    """
    style = ET.fromstring(qml.split("\n", 1)[1] if qml.startswith("<!DOCTYPE") else qml)
    family = "Point" if "Point" in geometry else "Line" if "Line" in geometry else "Polygon"
    attrs = {"geometry": family, "wkbType": geometry, "simplifyDrawingHints": "1",
             "simplifyDrawingTol": "1", "simplifyLocal": "1", "simplifyMaxScale": "1",
             "simplifyAlgorithm": "0", "symbologyReferenceScale": "-1"}
    attrs |= {k: style.get(k, "") for k in _QML_ATTRIBUTES if style.get(k) is not None}
    el = _common("vector", ref_id, name, source, crs, attrs)
    ET.SubElement(el, "provider", {"encoding": "UTF-8"}).text = "ogr"
    for child in style:
        if child.tag not in _QML_SKIP:
            el.append(child)
    return LayerRef(ref_id, name, source, "ogr", visible, el)


def _db(value: float) -> str:
    return f"{value:g}".replace("-", "\u2212")


def signal_classes(technology: str, threshold_dbm: float,
                   lang: Lang = "vi") -> list[tuple[float, str, int, str]]:
    """The dBm classes of a signal raster: (upper bound, colour, alpha, legend label).

    QGIS's discrete ramp gives a value the first class whose upper bound is not below
    it; the first class, up to the threshold, is transparent.

    Examples
    --------
    >>> [(v, a) for v, _, a, _ in signal_classes("4G", -105.0)]
    [(-105.0, 0), (-95.0, 255), (-85.0, 255), (-75.0, 255), (inf, 255)]
    >>> signal_classes("4G", -105.0, "en")[0][3]
    '< −105 dBm: below the 4G threshold, not drawn'
    """
    below = (f"< {_db(threshold_dbm)} dBm: dưới ngưỡng phủ sóng {technology}, không tô"
             if lang == "vi" else
             f"< {_db(threshold_dbm)} dBm: below the {technology} threshold, not drawn")
    out = [(threshold_dbm, "#ffffff", 0, below)]
    for i, color in enumerate(SIGNAL_COLORS):
        lo = threshold_dbm + i * SIGNAL_STEP_DB
        if i == len(SIGNAL_COLORS) - 1:
            out.append((math.inf, color, 255, f"≥ {_db(lo)} dBm"))
        else:
            out.append((lo + SIGNAL_STEP_DB, color, 255,
                        f"{_db(lo)} – {_db(lo + SIGNAL_STEP_DB)} dBm"))
    return out


def raster_layer(ref_id: str, name: str, source: str, crs: CRS, *, technology: str,
                 threshold_dbm: float, visible: bool, lang: Lang = "vi") -> LayerRef:
    """A best-server signal COG (dBm) drawn in the classes of :func:`signal_classes`."""
    el = _common("raster", ref_id, name, source, crs,
                 {"hasScaleBasedVisibilityFlag": "0", "minScale": "1e+08", "maxScale": "0",
                  "styleCategories": "AllStyleCategories"})
    ET.SubElement(el, "provider").text = "gdal"
    nodata = ET.SubElement(el, "noData")
    ET.SubElement(nodata, "noDataList", {"bandNo": "1", "useSrcNoData": "1"})
    pipe = ET.SubElement(el, "pipe")
    classes = signal_classes(technology, threshold_dbm, lang)
    top = classes[-2][0]
    renderer = ET.SubElement(pipe, "rasterrenderer", {
        "type": "singlebandpseudocolor", "band": "1", "opacity": f"{RASTER_OPACITY:g}",
        "alphaBand": "-1", "nodataColor": "", "classificationMin": f"{threshold_dbm:g}",
        "classificationMax": f"{top:g}"})
    ET.SubElement(renderer, "rasterTransparency")
    origin = ET.SubElement(renderer, "minMaxOrigin")
    for tag, text in (("limits", "None"), ("extent", "WholeRaster"),
                      ("statAccuracy", "Estimated"), ("cumulativeCutLower", "0.02"),
                      ("cumulativeCutUpper", "0.98"), ("stdDevFactor", "2")):
        ET.SubElement(origin, tag).text = text
    shader = ET.SubElement(ET.SubElement(renderer, "rastershader"), "colorrampshader", {
        "colorRampType": "DISCRETE", "classificationMode": "1", "clip": "0",
        "minimumValue": f"{threshold_dbm:g}", "maximumValue": f"{top:g}",
        "labelPrecision": "0"})
    for value, color, alpha, label in classes:
        ET.SubElement(shader, "item", {"value": "inf" if math.isinf(value) else f"{value:g}",
                                       "color": color, "alpha": str(alpha), "label": label})
    ET.SubElement(pipe, "brightnesscontrast", {"brightness": "0", "contrast": "0",
                                               "gamma": "1"})
    ET.SubElement(pipe, "huesaturation", {"saturation": "0", "grayscaleMode": "0",
                                          "invertColors": "0", "colorizeOn": "0",
                                          "colorizeRed": "255", "colorizeGreen": "128",
                                          "colorizeBlue": "128", "colorizeStrength": "100"})
    ET.SubElement(pipe, "rasterresampler", {"maxOversampling": "2"})
    ET.SubElement(pipe, "resamplingStage").text = "resamplingFilter"
    ET.SubElement(el, "blendMode").text = "0"
    return LayerRef(ref_id, name, source, "gdal", visible, el)
