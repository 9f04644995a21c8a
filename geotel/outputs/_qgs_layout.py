"""Private: the A3 print layout of the QGIS project (``<Layouts>`` of a ``.qgs``).

A3 landscape (420 × 297 mm): the title across the top; the map on the left, framed, with
a north arrow in its top-right corner and a scale bar (km) in its bottom-left corner; the
legend on the right; the date and the source along the bottom. Item ids (``map``,
``legend``, ``scalebar``, ``north_arrow``, ``title``, ``date``, ``source``) name them in
QGIS's Items panel. The map follows the project's visible layers; the legend lists the
layers visible when the project opens and, filtered by the map, only the classes drawn.
"""

from __future__ import annotations

import math
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "MAP_BOX_MM",
    "PAGE_MM",
    "LegendEntry",
    "fit_extent",
    "print_layout",
    "scale_bar_segment_km",
]

#: A3 landscape, and the map item's box on it: x, y, width, height (mm).
PAGE_MM = (420.0, 297.0)
MAP_BOX_MM = (10.0, 24.0, 300.0, 255.0)
_LEGEND_BOX_MM = (316.0, 24.0, 94.0, 255.0)
_FONT = "Noto Sans"
# QGIS layout item types (QgsLayoutItemRegistry)
_PAGE, _MAP, _PICTURE, _LABEL, _LEGEND, _SCALEBAR = 65638, 65639, 65640, 65641, 65642, 65646
_NORTH_ARROW_SVG = ":/images/north_arrows/layout_default_north_arrow.svg"


@dataclass(frozen=True)
class LegendEntry:
    """A legend node: a group (``children``) or a layer (``layer_id``), with its title."""

    title: str
    layer_id: str | None = None
    source: str = ""
    provider: str = ""
    children: tuple[LegendEntry, ...] = ()
    #: Legend nodes of the layer to show, by index (None = all).
    nodes: tuple[int, ...] | None = None


def _uuid(name: str) -> str:
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"geotel/layout/{name}")) + "}"


def _font(family: str, size_pt: float, *, bold: bool = False) -> str:
    """A Qt font description string."""
    return f"{family},{size_pt:g},-1,5,{75 if bold else 50},0,0,0,0,0"


def fit_extent(bounds: tuple[float, float, float, float], *, width_mm: float,
               height_mm: float, margin: float = 0.03) -> tuple[float, float, float, float]:
    """``bounds`` widened by ``margin`` and to the aspect ratio of a ``width × height`` box.

    Examples
    --------
    >>> fit_extent((0, 0, 100, 50), width_mm=200, height_mm=200, margin=0)
    (0.0, -25.0, 100.0, 75.0)
    """
    x0, y0, x1, y1 = (float(v) for v in bounds)
    w, h = (x1 - x0) * (1 + 2 * margin), (y1 - y0) * (1 + 2 * margin)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    aspect = width_mm / height_mm
    w, h = max(w, h * aspect), max(h, w / aspect)
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _item(parent: ET.Element, kind: int, item_id: str, box: Sequence[float], z: int,
          **attrs: str) -> ET.Element:
    x, y, w, h = box
    uid = _uuid(item_id or f"item{kind}")
    el = ET.SubElement(parent, "LayoutItem", {
        "type": str(kind), "id": item_id, "uuid": uid, "templateUuid": uid,
        "position": f"{x:g},{y:g},mm",
        "positionOnPage": f"{x:g},{y:g},mm", "size": f"{w:g},{h:g},mm",
        "referencePoint": "0", "zValue": str(z), "visibility": "1", "positionLock": "false",
        "itemRotation": "0", "opacity": "1", "blendMode": "0", "excludeFromExports": "0",
        "frame": "false", "background": "false", "outlineWidthM": "0.3,mm",
        "frameJoinStyle": "miter", "groupUuid": ""} | attrs)
    ET.SubElement(el, "FrameColor", {"red": "0", "green": "0", "blue": "0", "alpha": "255"})
    ET.SubElement(el, "BackgroundColor", {"red": "255", "green": "255", "blue": "255",
                                          "alpha": "255"})
    return el


def _label(parent: ET.Element, item_id: str, text: str, box: Sequence[float], z: int, *,
           size_pt: float, bold: bool = False, halign: str = "1") -> ET.Element:
    # halign: Qt::AlignLeft 1, AlignHCenter 4; valign: Qt::AlignVCenter 128
    el = _item(parent, _LABEL, item_id, box, z, labelText=text, htmlState="0",
               halign=halign, valign="128", marginX="0", marginY="0")
    ET.SubElement(el, "LabelFont", {"description": _font(_FONT, size_pt, bold=bold),
                                    "style": "Bold" if bold else ""})
    ET.SubElement(el, "FontColor", {"red": "20", "green": "20", "blue": "20",
                                    "alpha": "255"})
    return el


def _legend_tree(parent: ET.Element, entries: Sequence[LegendEntry]) -> None:
    for entry in entries:
        if entry.layer_id is None:
            group = ET.SubElement(parent, "layer-tree-group", {
                "name": entry.title, "checked": "Qt::Checked", "expanded": "1"})
            _legend_tree(group, entry.children)
            continue
        node = ET.SubElement(parent, "layer-tree-layer", {
            "id": entry.layer_id, "name": entry.title, "source": entry.source,
            "providerKey": entry.provider, "checked": "Qt::Checked", "expanded": "1",
            "legend_exp": "", "patch_size": "-1,-1", "legend_split_behavior": "0"})
        props = ET.SubElement(ET.SubElement(node, "customproperties"), "Option",
                              {"type": "Map"})
        ET.SubElement(props, "Option", {"name": "legend/title-label", "type": "QString",
                                        "value": entry.title})
        if entry.nodes is not None:
            ET.SubElement(props, "Option", {"name": "legend/node-order", "type": "QString",
                                            "value": ",".join(map(str, entry.nodes))})


def scale_bar_segment_km(map_width_km: float, *, segment_mm: float = 20.0) -> float:
    """A round length (1, 2 or 5 × 10^k km) of a scale-bar segment about ``segment_mm``
    long on the map item.

    Examples
    --------
    >>> scale_bar_segment_km(218.0), scale_bar_segment_km(30.0)
    (20.0, 2.0)
    """
    target = max(map_width_km * segment_mm / MAP_BOX_MM[2], 1e-3)
    power = 10.0 ** math.floor(math.log10(target))
    return min((m * power for m in (1, 2, 5, 10)), key=lambda v: abs(math.log(v / target)))


def print_layout(parent: ET.Element, *, name: str, title: str, date_text: str,
                 source_text: str, legend_title: str, legend: Sequence[LegendEntry],
                 extent: tuple[float, float, float, float],
                 segment_km: float) -> ET.Element:
    """Append the A3 ``<Layout>`` to ``parent`` (the project's ``<Layouts>``).

    ``extent`` is the map's extent in the project CRS; it must have the map box's
    aspect ratio (see :func:`fit_extent`), or QGIS stretches the map. The scale bar has
    three segments of ``segment_km``.
    """
    layout = ET.SubElement(parent, "Layout", {"name": name, "units": "mm",
                                              "printResolution": "300", "worldFileMap": ""})
    ET.SubElement(layout, "Snapper", {"tolerance": "5", "snapToGrid": "0",
                                      "snapToItems": "1", "snapToGuides": "1"})
    ET.SubElement(layout, "Grid", {"resolution": "10", "resUnits": "mm", "offsetX": "0",
                                   "offsetY": "0", "offsetUnits": "mm"})
    pages = ET.SubElement(layout, "PageCollection")
    _item(pages, _PAGE, "", (0, 0, *PAGE_MM), 0, background="true")
    ET.SubElement(pages, "GuideCollection", {"visible": "1"})
    map_uuid = _uuid("map")

    x, y, w, h = MAP_BOX_MM
    m = _item(layout, _MAP, "map", MAP_BOX_MM, 1, frame="true", background="true",
              keepLayerSet="false", followPreset="false", followPresetName="",
              drawCanvasItems="true", mapRotation="0", mapFlags="0", labelMargin="0,mm",
              isTemporal="0")
    ET.SubElement(m, "Extent", {k: f"{v:.3f}" for k, v in zip(
        ("xmin", "ymin", "xmax", "ymax"), extent, strict=True)})
    ET.SubElement(m, "LayerSet")
    ET.SubElement(m, "AtlasMap", {"atlasDriven": "0", "scalingMode": "2", "margin": "0.1"})

    _label(layout, "title", title, (10, 6, 400, 14), 2, size_pt=20, bold=True)

    leg = _item(layout, _LEGEND, "legend", _LEGEND_BOX_MM, 3, background="true",
                map_uuid=map_uuid, title=legend_title, titleAlignment="1",
                legendFilterByMap="1", legendFilterByAtlas="0", resizeToContents="0",
                columnCount="1", columnSpace="2", equalColumnWidth="0", splitLayer="0",
                symbolWidth="7", symbolHeight="4", boxSpace="2", lineSpacing="1",
                wrapChar="", fontColor="#141414", rasterBorder="1",
                rasterBorderColor="0,0,0,255", rasterBorderWidth="0", symbolAlignment="1",
                maxSymbolSize="0", minSymbolSize="0", wmsLegendWidth="50",
                wmsLegendHeight="25")
    styles = ET.SubElement(leg, "styles")
    for style, size_pt, bold, extra in (("title", 14, True, {"marginBottom": "3.5"}),
                                        ("group", 11, True, {"marginTop": "3"}),
                                        ("subgroup", 9.5, True, {"marginTop": "2"}),
                                        ("symbol", 8, False, {"marginTop": "1.5"}),
                                        ("symbolLabel", 8, False,
                                         {"marginTop": "1.5", "marginLeft": "2"})):
        s = ET.SubElement(styles, "style", {"name": style, "alignment": "1",
                                            "indent": "0"} | extra)
        ET.SubElement(s, "styleFont", {"description": _font(_FONT, size_pt, bold=bold),
                                       "style": ""})
    _legend_tree(ET.SubElement(leg, "layer-tree-group"), legend)

    bar = _item(layout, _SCALEBAR, "scalebar", (x + 4, y + h - 17, 60, 13), 4,
                background="true", mapUuid=map_uuid, style="Single Box",
                unitType="km", unitLabel="km", numMapUnitsPerScaleBarUnit="1",
                segmentSizeMode="0", minBarWidth="50", maxBarWidth="150", numSegments="3",
                numSegmentsLeft="0", numSubdivisions="1", subdivisionsHeight="1.5",
                numUnitsPerSegment=f"{segment_km:g}", height="3", boxContentSpace="1.5",
                labelBarSpace="2", alignment="0", labelVerticalPlacement="0",
                labelHorizontalPlacement="0", outlineWidth="0.3", lineJoinStyle="miter",
                lineCapStyle="square")
    ET.SubElement(bar, "text-style", {"fontFamily": _FONT, "fontSize": "8",
                                      "fontSizeUnit": "Point", "fontWeight": "50",
                                      "textColor": "0,0,0,255", "textOpacity": "1",
                                      "namedStyle": "Regular", "multilineHeight": "1"})
    ET.SubElement(bar, "fillColor", {"red": "0", "green": "0", "blue": "0", "alpha": "255"})
    ET.SubElement(bar, "fillColor2", {"red": "255", "green": "255", "blue": "255",
                                      "alpha": "255"})
    ET.SubElement(bar, "strokeColor", {"red": "0", "green": "0", "blue": "0",
                                       "alpha": "255"})

    _item(layout, _PICTURE, "north_arrow", (x + w - 18, y + 4, 14, 14), 5, mapUuid=map_uuid,
          file=_NORTH_ARROW_SVG, mode="2", resizeMode="0", anchorPoint="0",
          northMode="0", northOffset="0", pictureRotation="0", pictureWidth="14",
          pictureHeight="14", svgFillColor="255,255,255,255",
          svgBorderColor="0,0,0,255", svgBorderWidth="0.2")

    _label(layout, "date", date_text, (10, 283, 120, 8), 6, size_pt=9)
    _label(layout, "source", source_text, (130, 283, 280, 8), 7, size_pt=9)
    ET.SubElement(layout, "Atlas", {"enabled": "0", "coverageLayer": "", "hideCoverage": "0",
                                    "filenamePattern": "'output_'||@atlas_featurenumber",
                                    "pageNameExpression": "", "sortFeatures": "0",
                                    "filterFeatures": "0"})
    return layout
