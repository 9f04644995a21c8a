"""The output layers of a plan, described once: their contract columns, titles, group,
QGIS style and labels, and their place on the meeting map.

Every writer reads this registry — the GeoPackage (:mod:`geotel.outputs.gpkg` and its
QML styles), the meeting map (:mod:`geotel.outputs.maps`), the QGIS project and the
pipeline's filter of what the map shows — so adding a layer is one entry in
:data:`OUTPUT_LAYERS`.

Styles are either one symbol or a list of rules (a QGIS rule-based renderer): a rule has
a label in Vietnamese and English, a QGIS filter expression, a symbol, and whether it is
drawn by default. A rule-based style is built from the columns a layer actually has
(e.g. the commune indicator shown, or whether towers carry ``in_province``).

Examples
--------
>>> [layer.name for layer in OUTPUT_LAYERS.values()][:3]
['communes', 'districts', 'exclusion_zones']
>>> output_layer("dead_zones").title["vi"]
'Vùng lõm sóng'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from geotel.outputs import _labels as L

__all__ = [
    "COMMUNE_STYLE_COLUMNS",
    "GROUP_TITLES",
    "OUTPUT_LAYERS",
    "PANEL_ORDER",
    "Group",
    "LayerLabels",
    "OutputLayer",
    "Rule",
    "Symbol",
    "output_layer",
    "style_rules",
]

Group = Literal["existing", "planned", "coverage"]
#: Layer groups of the QGIS project and the map's layer list, in reading order.
GROUP_TITLES: dict[Group, dict[str, str]] = {
    "existing": {"vi": "Hiện trạng", "en": "Current state"},
    "planned": {"vi": "Quy hoạch", "en": "Plan"},
    "coverage": {"vi": "Vùng phủ sóng", "en": "Coverage"},
}
#: Commune indicators the QGIS style can draw, in order of preference.
COMMUNE_STYLE_COLUMNS: tuple[str, ...] = ("pop_covered_pct_4g", "area_covered_pct_4g")


@dataclass(frozen=True)
class Symbol:
    """One QGIS symbol: a fill, a line or a marker (sizes in mm, colours hex)."""

    kind: Literal["fill", "line", "marker"]
    color: str
    alpha: int = 255
    outline: str = "#646464"
    outline_mm: float = 0.26
    width_mm: float = 0.5
    size_mm: float = 2.4
    shape: str = "circle"
    style: str = "solid"


@dataclass(frozen=True)
class Rule:
    """One class of a rule-based style."""

    label: dict[str, str]
    expression: str
    symbol: Symbol
    active: bool = True


@dataclass(frozen=True)
class LayerLabels:
    """Feature labels: ``field``, drawn at scales larger than 1:``max_scale``."""

    field: str
    size_pt: float = 8.0
    bold: bool = False
    max_scale: int = 100_000_000
    placement: str = "1"


@dataclass(frozen=True)
class OutputLayer:
    """One layer of ``plan.gpkg`` and of the maps.

    Attributes
    ----------
    name, geometry
        Layer name (the output contract) and its GeoPackage geometry type.
    group
        Where the QGIS project and the map list it.
    title
        Vietnamese and English titles.
    columns
        Its key columns (the output contract; the README lists them).
    symbol
        The single-symbol style, used when ``rules`` gives no rules.
    rules
        Builds the rule-based style from the layer's columns and the field to draw;
        None for a single-symbol layer.
    labels
        Feature labels, or None.
    popup
        Columns of the map's popups.
    simplify_m
        Simplification tolerance on the meeting map (m); 0 keeps the geometry.
    map_query
        pandas query of the features the meeting map shows ("" = all).
    map_style
        Leaflet path options of the layer's lines and areas on the meeting map.
    map_popup
        How the map lays out ``popup``: a ``"table"`` of the columns, or the
        ``"commune_card"`` (coverage now and after the plan, dead zones, fiber distance,
        the Criterion 8 sub-indicators, the proposals that serve the commune).
    map_search
        Column the map's search box finds features by ("" = not searchable); the search
        ignores case and diacritics.
    map_phase
        Year column of a planned layer: the map lists one layer per year and its year
        filter shows the features of a year and the years before ("" = not phased).
    map_serves
        Column naming the commune code(s) a feature serves, comma-separated: the feature
        is listed on those communes' cards ("" = none).
    map_card
        Columns of the feature shown in the lists of a commune card.
    visible
        Drawn when the QGIS project opens (its box in the layers panel is ticked).
    split_by
        A column whose values split the layer into one QGIS sub-layer each (proposed
        towers by phase year), or None.
    """

    name: str
    geometry: str
    group: Group
    title: dict[str, str]
    columns: tuple[str, ...]
    symbol: Symbol
    rules: Callable[[Sequence[str], str | None], list[Rule]] | None = None
    labels: LayerLabels | None = None
    popup: tuple[str, ...] = ()
    simplify_m: float = 0.0
    map_query: str = ""
    map_style: dict[str, object] = field(default_factory=dict)
    map_popup: Literal["table", "commune_card"] = "table"
    map_search: str = ""
    map_phase: str = ""
    map_serves: str = ""
    map_card: tuple[str, ...] = ()
    visible: bool = True
    split_by: str | None = None


def _pct_label(lo: float, hi: float) -> str:
    return f"{lo:g} – {hi:g} %"


def _commune_rules(columns: Sequence[str], field: str | None) -> list[Rule]:
    present = [c for c in COMMUNE_STYLE_COLUMNS if c in columns]
    if not present:
        return []
    q = f'"{field or present[0]}"'
    rules = []
    for i, (lo, hi) in enumerate(zip(L.PCT_BREAKS[:-1], L.PCT_BREAKS[1:], strict=True)):
        low = f"{q} >= {lo:g}" if i == 0 else f"{q} > {lo:g}"
        label = _pct_label(lo, hi)
        rules.append(Rule({"vi": label, "en": label}, f"{low} AND {q} <= {hi:g}",
                          Symbol("fill", L.PCT_COLORS[i], outline="#969696")))
    rules.append(Rule({k: L.text("no_data", k) for k in ("vi", "en")}, f"{q} IS NULL",
                      Symbol("fill", L.NO_DATA_COLOR, outline="#969696")))
    return rules


#: Category of the existing towers across the provincial border (``in_province`` false).
OUTSIDE_EXPRESSION = 'NOT "in_province"'


def _tower_rules(columns: Sequence[str], field: str | None) -> list[Rule]:
    if "operator" not in columns:
        return []
    inside = '"in_province" AND ' if "in_province" in columns else ""
    rules = [Rule({"vi": op, "en": op}, f"{inside}\"operator\" = '{op}'",
                  Symbol("marker", color, size_mm=2.6, outline="#232323", outline_mm=0.2))
             for op, color in L.OPERATOR_COLORS.items()]
    known = ", ".join(f"'{op}'" for op in L.OPERATOR_COLORS)
    rules.append(Rule({k: L.text("other", k) for k in ("vi", "en")},
                      f"{inside}(\"operator\" IS NULL OR \"operator\" NOT IN ({known}))",
                      Symbol("marker", L.OTHER_COLOR, size_mm=2.6, outline="#232323",
                             outline_mm=0.2)))
    if "in_province" in columns:
        # a hollow grey ring: serves the province, is not the province's
        rules.append(Rule({k: L.text("towers_outside", k) for k in ("vi", "en")},
                          OUTSIDE_EXPRESSION,
                          Symbol("marker", "#ffffff", alpha=0, size_mm=2.8,
                                 outline=L.OTHER_COLOR, outline_mm=0.6)))
    return rules


def _proposed_rules(columns: Sequence[str], field: str | None) -> list[Rule]:
    if "backhaul" not in columns:
        return []
    rules = []
    for kind in ("fiber", "microwave", "unknown"):
        color, vi, en = L.BACKHAUL[kind]
        rules.append(Rule({"vi": f"Truyền dẫn: {vi}", "en": f"Backhaul: {en}"},
                          f"\"backhaul\" = '{kind}'",
                          Symbol("marker", color, size_mm=6.0, shape="star",
                                 outline="#000000", outline_mm=0.4)))
    return rules


def _dead_zone_rules(columns: Sequence[str], field: str | None) -> list[Rule]:
    """'any' (no operator reaches the place) drawn; each operator's own zones listed but
    off, so that QGIS does not paint the province red with every operator at once."""
    if "operator" not in columns:
        return []
    rules = [Rule({"vi": "Không nhà mạng nào phủ sóng", "en": "No operator covers"},
                  "\"operator\" = 'any'",
                  Symbol("fill", L.DEAD_ZONE_COLOR, alpha=140, outline=L.DEAD_ZONE_COLOR,
                         outline_mm=0.2))]
    for op, color in L.OPERATOR_COLORS.items():
        rules.append(Rule({"vi": f"{op} không phủ sóng", "en": f"{op} does not cover"},
                          f"\"operator\" = '{op}'",
                          Symbol("fill", color, alpha=90, outline=color, outline_mm=0.2),
                          active=False))
    return rules


_T = L.LAYER_TITLES

#: Every output layer, bottom to top (the drawing order of the maps).
OUTPUT_LAYERS: dict[str, OutputLayer] = {layer.name: layer for layer in (
    OutputLayer(
        "communes", "MultiPolygon", "existing", _T["communes"],
        ("commune_code", "commune_name", "district_code", "district_name", "population",
         "area_km2", "pop_covered_pct_2g", "pop_covered_pct_3g", "pop_covered_pct_4g",
         "area_covered_pct_4g", "dead_zone_km2", "dead_zone_pop", "towers", "towers_per_km2",
         "shared_tower_pct", "fiber_distance_km", "fiber_reach_class", "has_fixed_internet",
         "has_radio_station", "has_postal_point", "has_it_admin", "fixed_internet_source",
         "c8_1_postal", "c8_2_telecom_internet", "c8_3_radio", "c8_4_it_admin", "c8_met",
         "c8_missing", "pop_covered_pct_4g_planned"),
        Symbol("fill", "#f0f0f0", outline="#969696"), _commune_rules,
        LayerLabels("commune_name", size_pt=8, max_scale=300_000, placement="1"),
        popup=("commune_code", "commune_name", "district_name", "population", "area_km2",
               *L.INDICATORS[:-3], "pop_covered_pct_2g_planned", "pop_covered_pct_3g_planned",
               "fiber_reach_class", "has_fixed_internet", "has_radio_station",
               "has_postal_point", "c8_1_postal", "c8_2_telecom_internet", "c8_3_radio",
               "c8_4_it_admin", "c8_met", "c8_missing"),
        simplify_m=60.0, map_popup="commune_card", map_search="commune_name",
        visible=False),
    OutputLayer(
        "districts", "MultiPolygon", "existing", _T["districts"],
        ("district_code", "district_name", "communes", "population", "area_km2"),
        Symbol("fill", "#ffffff", alpha=0, outline="#202020", outline_mm=0.8),
        popup=("district_code", "district_name"), simplify_m=80.0,
        map_style={"fill": False, "color": "#1a1a1a", "weight": 2.2, "opacity": 0.9,
                   "interactive": False}),
    OutputLayer(
        "exclusion_zones", "MultiPolygon", "existing", _T["exclusion_zones"],
        ("zone_id", "kind", "name"),
        Symbol("fill", L.EXCLUSION_COLOR, outline=L.EXCLUSION_COLOR, outline_mm=0.5,
               style="b_diagonal"),
        popup=("zone_id", "kind", "name"), simplify_m=40.0,
        map_style={"color": L.EXCLUSION_COLOR, "weight": 1.5, "dashArray": "5 4",
                   "fillColor": L.EXCLUSION_COLOR, "fillOpacity": 0.15},
        visible=False),
    OutputLayer(
        "dead_zones", "MultiPolygon", "coverage", _T["dead_zones"],
        ("zone_id", "commune_code", "district_code", "technology", "operator", "area_km2",
         "population", "nearest_tower_km", "nearest_fiber_km"),
        Symbol("fill", L.DEAD_ZONE_COLOR, alpha=140, outline=L.DEAD_ZONE_COLOR,
               outline_mm=0.2), _dead_zone_rules,
        popup=("zone_id", "commune_code", "district_code", "technology", "operator",
               "area_km2", "population", "nearest_tower_km", "nearest_fiber_km"),
        simplify_m=40.0, map_query="operator == 'any'",
        map_style={"color": L.DEAD_ZONE_COLOR, "weight": 0.8, "fillColor": L.DEAD_ZONE_COLOR,
                   "fillOpacity": 0.45}),
    OutputLayer(
        "fiber_existing", "MultiLineString", "existing", _T["fiber_existing"],
        ("route_id", "operator", "level"),
        Symbol("line", L.FIBER_EXISTING_COLOR, width_mm=0.6),
        popup=("route_id", "operator", "level"), simplify_m=20.0,
        map_style={"color": L.FIBER_EXISTING_COLOR, "weight": 2.5, "opacity": 0.9}),
    OutputLayer(
        "fiber_proposed", "MultiLineString", "planned", _T["fiber_proposed"],
        ("route_id", "length_km", "method", "cost_vnd", "communes_served", "phase_year"),
        Symbol("line", L.FIBER_PROPOSED_COLOR, width_mm=1.6),
        popup=("route_id", "length_km", "method", "cost_vnd", "communes_served",
               "phase_year"), simplify_m=20.0, map_phase="phase_year",
        map_serves="communes_served",
        map_card=("route_id", "phase_year", "length_km", "cost_vnd"),
        map_style={"color": L.FIBER_PROPOSED_COLOR, "weight": 5, "opacity": 0.95,
                   "dashArray": "10 6"}),
    OutputLayer(
        "towers_existing", "Point", "existing", _T["towers_existing"],
        ("site_id", "sector_id", "operator", "technologies", "height_m", "in_province"),
        Symbol("marker", L.OTHER_COLOR, size_mm=2.4, outline="#232323", outline_mm=0.2),
        _tower_rules, LayerLabels("site_id", size_pt=7, max_scale=50_000, placement="0")),
    OutputLayer(
        "towers_proposed", "Point", "planned", _T["towers_proposed"],
        ("site_id", "rank", "height_m", "operator", "colocated", "commune_code", "pop_gain",
         "cum_pop_covered_pct", "area_gain_km2", "capex_vnd", "backhaul", "backhaul_km",
         "backhaul_cost_vnd", "total_cost_vnd", "phase_year"),
        Symbol("marker", L.PROPOSED_COLOR, size_mm=6.0, shape="star", outline="#000000",
               outline_mm=0.4), _proposed_rules,
        LayerLabels("rank", size_pt=9, bold=True, max_scale=1_000_000, placement="0"),
        popup=("rank", "site_id", "commune_code", "operator", "height_m", "colocated",
               "pop_gain", "area_gain_km2", "cum_pop_covered_pct", "capex_vnd", "backhaul",
               "backhaul_km", "backhaul_cost_vnd", "total_cost_vnd", "phase_year"),
        map_phase="phase_year", map_serves="commune_code",
        map_card=("rank", "phase_year", "pop_gain", "area_gain_km2", "backhaul",
                  "total_cost_vnd"),
        split_by="phase_year"),
)}

#: Reading order of the QGIS project's layers panel, top to bottom within each group (the
#: drawing order stays the registry's); a layer not listed comes last in its group.
PANEL_ORDER: tuple[str, ...] = (
    "communes", "districts", "towers_existing", "fiber_existing", "exclusion_zones",
    "towers_proposed", "fiber_proposed", "dead_zones")


def output_layer(name: str) -> OutputLayer:
    """The registry entry of a layer; KeyError for a layer that is not an output."""
    return OUTPUT_LAYERS[name]


def style_rules(name: str, columns: Sequence[str], field: str | None = None) -> list[Rule]:
    """The rules of a layer's style for these columns ([] = its single symbol).

    Examples
    --------
    >>> [r.label["en"] for r in style_rules("dead_zones", ["operator"]) if r.active]
    ['No operator covers']
    """
    layer = OUTPUT_LAYERS.get(name)
    if layer is None or layer.rules is None:
        return []
    return layer.rules(list(columns), field)
