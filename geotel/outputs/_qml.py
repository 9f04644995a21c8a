"""QGIS layer styles (QML) for the layers of ``plan.gpkg``, from the layer registry.

:mod:`geotel.outputs.layers` describes each layer's style: one symbol, or rules (a
rule-based renderer: classes with a label, a filter expression and whether they are
drawn). This module writes it as the QML subset QGIS 3.x reads back with
``loadNamedStyle``, with Vietnamese field aliases, a display expression and the
layer's labels. Symbol-layer properties are written as ``<prop k=".." v=".."/>``
pairs, which every QGIS 3 release reads.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Literal

from geotel.outputs import _labels as L
from geotel.outputs.layers import OUTPUT_LAYERS, LayerLabels, Symbol, style_rules

__all__ = ["layer_qml", "renderer_kind", "rule_key"]

Kind = Literal["RuleRenderer", "singleSymbol"]
_QGIS_VERSION = "3.22.0"
_PLAIN = {"Point": Symbol("marker", L.OTHER_COLOR, size_mm=2.0, outline="#232323",
                          outline_mm=0.2),
          "Line": Symbol("line", L.OTHER_COLOR, width_mm=0.5),
          "Polygon": Symbol("fill", "#d9d9d9", outline="#636363")}


def _rgba(hex_color: str, alpha: int = 255) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{alpha}"


def _symbol(parent: ET.Element, name: str, kind: str, layers: list[tuple[str, dict[str, str]]],
            *, tag: str = "symbol") -> ET.Element:
    sym = ET.SubElement(parent, tag, {"name": name, "type": kind, "alpha": "1",
                                      "clip_to_extent": "1", "force_rhr": "0"})
    for cls, props in layers:
        lay = ET.SubElement(sym, "layer", {"class": cls, "enabled": "1", "locked": "0",
                                           "pass": "0"})
        for k, v in props.items():
            ET.SubElement(lay, "prop", {"k": k, "v": v})
    return sym


def _fill(color: str, *, alpha: int = 255, outline: str = "#646464", width_mm: float = 0.26,
          style: str = "solid") -> list[tuple[str, dict[str, str]]]:
    return [("SimpleFill", {
        "color": _rgba(color, alpha), "style": style, "outline_color": _rgba(outline),
        "outline_style": "solid", "outline_width": f"{width_mm:g}", "outline_width_unit": "MM",
        "joinstyle": "bevel", "offset": "0,0", "offset_unit": "MM",
    })]


def _line(color: str, *, width_mm: float, style: str = "solid") -> list[tuple[str, dict[str, str]]]:
    return [("SimpleLine", {
        "line_color": _rgba(color), "line_width": f"{width_mm:g}", "line_width_unit": "MM",
        "line_style": style, "capstyle": "round", "joinstyle": "round", "offset": "0",
        "offset_unit": "MM",
    })]


def _marker(color: str, *, size_mm: float, shape: str = "circle", outline: str = "#232323",
            outline_mm: float = 0.2, alpha: int = 255) -> list[tuple[str, dict[str, str]]]:
    return [("SimpleMarker", {
        "name": shape, "color": _rgba(color, alpha), "outline_color": _rgba(outline),
        "outline_style": "solid", "outline_width": f"{outline_mm:g}",
        "outline_width_unit": "MM", "size": f"{size_mm:g}", "size_unit": "MM",
        "scale_method": "diameter", "angle": "0", "offset": "0,0", "offset_unit": "MM",
        "horizontal_anchor_point": "1", "vertical_anchor_point": "1", "joinstyle": "bevel",
    })]


def renderer_kind(layer: str, columns: Sequence[str]) -> Kind:
    """The renderer :func:`layer_qml` writes for a layer with these columns.

    Examples
    --------
    >>> renderer_kind("communes", ["commune_code", "pop_covered_pct_4g"])
    'RuleRenderer'
    >>> renderer_kind("communes", ["commune_code"])
    'singleSymbol'
    """
    return "RuleRenderer" if style_rules(layer, columns) else "singleSymbol"


def rule_key(*parts: object) -> str:
    """A stable QGIS rule key (a UUID in braces) from the parts that name the rule."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "geotel/" + "/".join(map(str, parts)))) \
        + "}"


def _symbol_layers(sym: Symbol) -> tuple[str, list[tuple[str, dict[str, str]]]]:
    if sym.kind == "fill":
        return "fill", _fill(sym.color, alpha=sym.alpha, outline=sym.outline,
                             width_mm=sym.outline_mm, style=sym.style)
    if sym.kind == "line":
        return "line", _line(sym.color, width_mm=sym.width_mm, style=sym.style)
    return "marker", _marker(sym.color, size_mm=sym.size_mm, shape=sym.shape,
                             outline=sym.outline, outline_mm=sym.outline_mm, alpha=sym.alpha)


def _renderer(root: ET.Element, layer: str, columns: Sequence[str], geometry: str,
              field: str | None, lang: L.Lang) -> None:
    attrs = {"symbollevels": "0", "forceraster": "0", "enableorderby": "0",
             "referencescale": "-1"}
    rules = style_rules(layer, columns, field)
    if rules:
        r = ET.SubElement(root, "renderer-v2", attrs | {"type": "RuleRenderer"})
        top = ET.SubElement(r, "rules", {"key": rule_key(layer, "root")})
        symbols = ET.SubElement(r, "symbols")
        for i, rule in enumerate(rules):
            a = {"key": rule_key(layer, rule.expression), "symbol": str(i),
                 "label": rule.label[lang], "filter": rule.expression}
            if not rule.active:
                a["checkstate"] = "0"
            ET.SubElement(top, "rule", a)
            _symbol(symbols, str(i), *_symbol_layers(rule.symbol))
    else:
        r = ET.SubElement(root, "renderer-v2", attrs | {"type": "singleSymbol"})
        symbols = ET.SubElement(r, "symbols")
        entry = OUTPUT_LAYERS.get(layer)
        family = "Point" if "Point" in geometry else "Line" if "Line" in geometry else "Polygon"
        _symbol(symbols, "0", *_symbol_layers(entry.symbol if entry else _PLAIN[family]))
    ET.SubElement(r, "rotation")
    ET.SubElement(r, "sizescale")


def _labeling(root: ET.Element, spec: LayerLabels) -> None:
    field, size_pt, bold = spec.field, spec.size_pt, spec.bold
    max_scale, placement = spec.max_scale, spec.placement
    lab = ET.SubElement(root, "labeling", {"type": "simple"})
    settings = ET.SubElement(lab, "settings", {"calloutType": "simple"})
    style = ET.SubElement(settings, "text-style", {
        "fieldName": field, "isExpression": "0", "fontSize": f"{size_pt:g}",
        "fontSizeUnit": "Point", "fontWeight": "75" if bold else "50",
        "textColor": "20,20,20,255", "fontFamily": "Noto Sans", "textOpacity": "1",
        "namedStyle": "Bold" if bold else "Regular", "multilineHeight": "1",
    })
    ET.SubElement(style, "text-buffer", {"bufferDraw": "1", "bufferSize": "0.8",
                                         "bufferSizeUnits": "MM",
                                         "bufferColor": "255,255,255,255",
                                         "bufferOpacity": "1", "bufferJoinStyle": "128"})
    ET.SubElement(settings, "placement", {"placement": placement, "dist": "1",
                                          "distUnits": "MM", "priority": "5"})
    ET.SubElement(settings, "rendering", {"scaleVisibility": "1", "scaleMin": "0",
                                          "scaleMax": str(max_scale), "obstacle": "1",
                                          "drawLabels": "1", "upsidedownLabels": "0"})


def layer_qml(layer: str, columns: Sequence[str], geometry: str, *,
              field: str | None = None, lang: L.Lang = "vi") -> str:
    """QML text of the default style of one ``plan.gpkg`` layer.

    Parameters
    ----------
    layer
        Layer name, e.g. ``"communes"``; unknown names get a plain style.
    columns
        Attribute columns of the layer as written (not the geometry column).
    geometry
        OGC geometry type name, e.g. ``"MultiPolygon"``.
    field
        The indicator a rule-based style draws (communes: default the first of
        :data:`geotel.outputs.layers.COMMUNE_STYLE_COLUMNS` present).
    lang
        Language of the rule labels and field aliases (the GeoPackage's are Vietnamese).

    Returns
    -------
    str
        A complete QML document.

    Examples
    --------
    >>> q = layer_qml("towers_existing", ["site_id", "operator"], "Point")
    >>> 'type="RuleRenderer"' in q and 'name="Nhà mạng"' in q
    True
    """
    entry = OUTPUT_LAYERS.get(layer)
    labels = entry.labels if entry is not None and entry.labels is not None \
        and entry.labels.field in columns else None
    root = ET.Element("qgis", {"version": _QGIS_VERSION, "styleCategories": "AllStyleCategories",
                               "labelsEnabled": "1" if labels else "0",
                               "hasScaleBasedVisibilityFlag": "0", "minScale": "100000000",
                               "maxScale": "0", "readOnly": "0"})
    _renderer(root, layer, columns, geometry, field, lang)
    if labels is not None:
        _labeling(root, labels)
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerOpacity").text = "1"
    aliases = ET.SubElement(root, "aliases")
    for i, col in enumerate(columns):
        ET.SubElement(aliases, "alias", {"field": col, "index": str(i + 1),
                                         "name": L.column_title(col, lang)
                                         if col in L.COLUMN_TITLES else ""})
    display = next((c for c in ("commune_name", "district_name", "site_id", "route_id",
                                "zone_id", "name") if c in columns), None)
    ET.SubElement(root, "previewExpression").text = f'"{display}"' if display else ""
    ET.SubElement(root, "layerGeometryType").text = (
        "0" if "Point" in geometry else "1" if "Line" in geometry else "2")
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"
