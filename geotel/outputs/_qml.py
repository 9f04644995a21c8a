"""QGIS layer styles (QML) for the layers of ``plan.gpkg``, generated from the labels.

The QML is the subset QGIS 3.x reads back with ``loadNamedStyle``: a renderer
(graduated, categorised or single symbol), Vietnamese field aliases, a display
expression and, for communes and proposed towers, labels. Symbol-layer properties are
written as ``<prop k=".." v=".."/>`` pairs, which every QGIS 3 release reads.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Literal

from geotel.outputs import _labels as L

__all__ = ["layer_qml", "renderer_kind", "COMMUNE_STYLE_COLUMNS", "rule_key",
           "OUTSIDE_VALUE", "OUTSIDE_EXPRESSION"]

Kind = Literal["RuleRenderer", "categorizedSymbol", "singleSymbol"]
#: Commune indicators the QGIS style can draw, in order of preference.
COMMUNE_STYLE_COLUMNS: tuple[str, ...] = ("pop_covered_pct_4g", "area_covered_pct_4g")
_QGIS_VERSION = "3.22.0"
#: Category of the existing towers across the provincial border (``in_province`` false).
OUTSIDE_VALUE = "outside"
#: The expression ``towers_existing`` is categorised by when it has ``in_province``.
OUTSIDE_EXPRESSION = (f"CASE WHEN NOT \"in_province\" THEN '{OUTSIDE_VALUE}' "
                      "ELSE \"operator\" END")


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

    Communes get a rule-based renderer: one rule per class of their indicator and a
    "Không có số liệu" (no data) rule for null values, which a graduated renderer
    would leave undrawn.

    Examples
    --------
    >>> renderer_kind("communes", ["commune_code", "pop_covered_pct_4g"])
    'RuleRenderer'
    >>> renderer_kind("communes", ["commune_code"])
    'singleSymbol'
    """
    if layer == "communes" and any(c in columns for c in COMMUNE_STYLE_COLUMNS):
        return "RuleRenderer"
    if layer == "towers_existing" and "operator" in columns:
        return "categorizedSymbol"
    if layer == "towers_proposed" and "backhaul" in columns:
        return "categorizedSymbol"
    return "singleSymbol"


def rule_key(*parts: object) -> str:
    """A stable QGIS rule key (a UUID in braces) from the parts that name the rule."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "geotel/" + "/".join(map(str, parts)))) \
        + "}"


def _single_symbol(layer: str, geometry: str) -> tuple[str, list[tuple[str, dict[str, str]]]]:
    """Symbol type and layers of the single-symbol layers (by layer name, else geometry)."""
    if layer == "districts":
        return "fill", _fill("#ffffff", alpha=0, outline="#202020", width_mm=0.8)
    if layer == "dead_zones":
        return "fill", _fill(L.DEAD_ZONE_COLOR, alpha=140, outline=L.DEAD_ZONE_COLOR,
                             width_mm=0.2)
    if layer == "exclusion_zones":
        return "fill", _fill(L.EXCLUSION_COLOR, alpha=255, outline=L.EXCLUSION_COLOR,
                             width_mm=0.5, style="b_diagonal")
    if layer == "communes":
        return "fill", _fill("#f0f0f0", outline="#969696")
    if layer == "towers_proposed":
        return "marker", _marker(L.PROPOSED_COLOR, size_mm=6.0, shape="star", outline="#000000",
                                 outline_mm=0.4)
    if layer == "towers_existing":
        return "marker", _marker(L.OTHER_COLOR, size_mm=2.4)
    if layer == "fiber_proposed":
        return "line", _line(L.FIBER_PROPOSED_COLOR, width_mm=1.6)
    if layer == "fiber_existing":
        return "line", _line(L.FIBER_EXISTING_COLOR, width_mm=0.6)
    if "Point" in geometry:
        return "marker", _marker(L.OTHER_COLOR, size_mm=2.0)
    if "Line" in geometry:
        return "line", _line(L.OTHER_COLOR, width_mm=0.5)
    return "fill", _fill("#d9d9d9", outline="#636363")


def _pct_label(lo: float, hi: float) -> str:
    return f"{lo:g} – {hi:g} %"


def _rules(root: ET.Element, attrs: dict[str, str], layer: str, field: str,
           rules: list[tuple[str, str, list[tuple[str, dict[str, str]]], bool]],
           symbol_type: str) -> ET.Element:
    """A rule-based renderer: (label, filter expression, symbol layers, active)."""
    r = ET.SubElement(root, "renderer-v2", attrs | {"type": "RuleRenderer"})
    top = ET.SubElement(r, "rules", {"key": rule_key(layer, field, "root")})
    symbols = ET.SubElement(r, "symbols")
    for i, (label, expr, sym, active) in enumerate(rules):
        a = {"key": rule_key(layer, field, label), "symbol": str(i), "label": label,
             "filter": expr}
        if not active:
            a["checkstate"] = "0"
        ET.SubElement(top, "rule", a)
        _symbol(symbols, str(i), symbol_type, sym)
    return r


def _commune_rules(field: str) -> list[tuple[str, str, list[tuple[str, dict[str, str]]], bool]]:
    breaks = L.PCT_BREAKS
    q = f'"{field}"'
    rules = []
    for i, (lo, hi) in enumerate(zip(breaks[:-1], breaks[1:], strict=True)):
        low = f"{q} >= {lo:g}" if i == 0 else f"{q} > {lo:g}"
        rules.append((_pct_label(lo, hi), f"{low} AND {q} <= {hi:g}",
                      _fill(L.PCT_COLORS[i], outline="#969696"), True))
    rules.append((L.text("no_data", "vi"), f"{q} IS NULL",
                  _fill(L.NO_DATA_COLOR, outline="#969696"), True))
    return rules


def _renderer(root: ET.Element, layer: str, columns: Sequence[str], geometry: str,
              field: str | None) -> None:
    kind = renderer_kind(layer, columns)
    attrs = {"type": kind, "symbollevels": "0", "forceraster": "0", "enableorderby": "0",
             "referencescale": "-1"}
    if kind == "RuleRenderer":
        field = field or next(c for c in COMMUNE_STYLE_COLUMNS if c in columns)
        r = _rules(root, attrs, layer, field, _commune_rules(field), "fill")
    elif kind == "categorizedSymbol" and layer == "towers_proposed":
        # Proposed sites by backhaul; 'unknown' when no fiber layer was given.
        attrs |= {"attr": "backhaul"}
        r = ET.SubElement(root, "renderer-v2", attrs)
        cats = ET.SubElement(r, "categories")
        symbols = ET.SubElement(r, "symbols")
        kinds = [k for k in L.BACKHAUL if k != "none"]
        for i, k in enumerate(kinds):
            color, vi, _ = L.BACKHAUL[k]
            ET.SubElement(cats, "category", {"value": k, "symbol": str(i),
                                             "label": f"{L.layer_title(layer)}: {vi}",
                                             "render": "true"})
            _symbol(symbols, str(i), "marker", _marker(color, size_mm=6.0, shape="star",
                                                       outline="#000000", outline_mm=0.4))
        _symbol(r, "0", "marker", _marker(L.PROPOSED_COLOR, size_mm=6.0, shape="star"),
                tag="source-symbol")
    elif kind == "categorizedSymbol":
        border = "in_province" in columns
        # Towers across the provincial border get their own category: a hollow grey ring.
        attrs |= {"attr": OUTSIDE_EXPRESSION if border else "operator"}
        r = ET.SubElement(root, "renderer-v2", attrs)
        cats = ET.SubElement(r, "categories")
        symbols = ET.SubElement(r, "symbols")
        items = [*L.OPERATOR_COLORS.items(), ("", L.OTHER_COLOR)]
        for i, (op, color) in enumerate(items):
            ET.SubElement(cats, "category", {"value": op, "symbol": str(i),
                                             "label": op or L.text("other"), "render": "true"})
            _symbol(symbols, str(i), "marker", _marker(color, size_mm=2.6))
        if border:
            i = len(items)
            ET.SubElement(cats, "category", {"value": OUTSIDE_VALUE, "symbol": str(i),
                                             "label": L.text("towers_outside"),
                                             "render": "true"})
            _symbol(symbols, str(i), "marker", _marker(
                "#ffffff", alpha=0, size_mm=2.8, outline=L.OTHER_COLOR, outline_mm=0.6))
        _symbol(r, "0", "marker", _marker(L.OTHER_COLOR, size_mm=2.6), tag="source-symbol")
    else:
        r = ET.SubElement(root, "renderer-v2", attrs)
        symbols = ET.SubElement(r, "symbols")
        stype, slayers = _single_symbol(layer, geometry)
        _symbol(symbols, "0", stype, slayers)
    ET.SubElement(r, "rotation")
    ET.SubElement(r, "sizescale")


def _labeling(root: ET.Element, field: str, *, size_pt: float, bold: bool, max_scale: int,
              placement: str) -> None:
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
              field: str | None = None) -> str:
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
        The communes' indicator to draw (default: the first of
        :data:`COMMUNE_STYLE_COLUMNS` present).

    Returns
    -------
    str
        A complete QML document.

    Examples
    --------
    >>> q = layer_qml("towers_existing", ["site_id", "operator"], "Point")
    >>> 'type="categorizedSymbol"' in q and 'name="Nhà mạng"' in q
    True
    """
    labels_on = (layer == "communes" and "commune_name" in columns) or (
        layer == "towers_proposed" and "rank" in columns)
    root = ET.Element("qgis", {"version": _QGIS_VERSION, "styleCategories": "AllStyleCategories",
                               "labelsEnabled": "1" if labels_on else "0",
                               "hasScaleBasedVisibilityFlag": "0", "minScale": "100000000",
                               "maxScale": "0", "readOnly": "0"})
    _renderer(root, layer, columns, geometry, field)
    if labels_on:
        if layer == "communes":
            _labeling(root, "commune_name", size_pt=8, bold=False, max_scale=300_000,
                      placement="1")
        else:
            _labeling(root, "rank", size_pt=9, bold=True, max_scale=100_000_000, placement="0")
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerOpacity").text = "1"
    aliases = ET.SubElement(root, "aliases")
    for i, col in enumerate(columns):
        ET.SubElement(aliases, "alias", {"field": col, "index": str(i + 1),
                                         "name": L.column_title(col, "vi")
                                         if col in L.COLUMN_TITLES else ""})
    display = next((c for c in ("commune_name", "district_name", "site_id", "route_id",
                                "zone_id", "name") if c in columns), None)
    ET.SubElement(root, "previewExpression").text = f'"{display}"' if display else ""
    ET.SubElement(root, "layerGeometryType").text = (
        "0" if "Point" in geometry else "1" if "Line" in geometry else "2")
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"
