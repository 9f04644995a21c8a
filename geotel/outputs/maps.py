"""``map.html``: the interactive Folium map planners take to meetings, online or offline.

The map shows a commune choropleth whose indicator is chosen in the legend, existing
towers clustered and coloured by operator, proposed towers numbered by rank (one layer
per year when ``phase_year`` is present), dead zones, existing and proposed fiber,
exclusion zones, district boundaries and a coverage raster overlay, with a legend, a
layer list, a metric scale, a title and the date. The page holds its texts in Vietnamese
and English and switches between them in place (VI / EN in the title bar, keeping the
view, the layers shown, the indicator and the year); ``lang`` is the language it opens
in. A search box finds a commune by name, ignoring case and diacritics ("kon pne" finds
"Xã Kon Pne"), zooms to it and opens its card; a year filter shows the proposals built up
to and including a year. A commune's popup is a card: coverage per technology now and
after the plan, people in dead zones, distance to fiber, the Criterion 8 sub-indicators
(✓, ✗ or "no data") and the proposals that serve it.

``offline=True`` writes one self-contained file: Leaflet and Leaflet.markercluster are
inlined from the pip-installed ``xstatic-leaflet`` and ``xstatic-leaflet-markercluster``
packages, the background tiles are dropped, and no URL is fetched when it opens.
Geometries are simplified and coordinates rounded so that a whole province (222
communes, ~1,500 tower sectors) stays well under 10 MB.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element, Figure, MacroElement
from folium.map import Layer
from folium.template import Template

from geotel._atomic import atomic_file
from geotel._lang import LANGS, check_lang
from geotel.errors import CRSError, SchemaError
from geotel.outputs import _labels as L
from geotel.outputs._geoms import utm_epsg
from geotel.outputs._mapdata import feature_collection, to_json, tower_rows
from geotel.outputs._mapjs import CONTROLS_JS, CORE_JS, CSS
from geotel.outputs._offline import asset_tags
from geotel.outputs._rasterpng import RasterPng, raster_to_png
from geotel.outputs.layers import OUTPUT_LAYERS
from geotel.outputs.tables import column_titles
from geotel.raster import Raster

__all__ = ["RasterPng", "make_map", "map_layer_names", "raster_to_png"]

log = logging.getLogger(__name__)

#: Criterion 8 columns the commune card titles as the province's tables do.
_C8_COLUMNS = ("c8_1_postal", "c8_2_telecom_internet", "c8_3_radio", "c8_4_it_admin",
               "has_it_admin")


class _GeoJsonLayer(Layer):
    """An ``L.geoJSON`` layer whose data (JSON text) and options (JS) we write ourselves."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {{ this.options_js }});
        {% endmacro %}
    """)

    def __init__(self, data: str, options_js: str, *, name: str, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "GeoJsonLayer"
        self.data = data
        self.options_js = options_js


class _TowerCluster(Layer):
    """Existing towers: one marker per site, clustered (Leaflet.markercluster); the sites
    across the provincial border (``outside``) as hollow rings in a plain layer."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var rows = {{ this.rows }};
            var group = {{ "L.layerGroup()" if this.outside else
                "L.markerClusterGroup({maxClusterRadius: 45, chunkedLoading: true})" }};
            for (var i = 0; i < rows.length; i++) {
                group.addLayer(gt.towerMarker(rows[i], {{ "true" if this.outside else "false" }}));
            }
            return group;
        })();
        {% endmacro %}
    """)

    def __init__(self, rows: str, *, name: str, outside: bool = False) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "TowerCluster"
        self.rows = rows
        self.outside = outside


def _split_border(towers: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The province's own towers and those across its border (``in_province`` false)."""
    if "in_province" not in towers.columns:
        return towers, towers.iloc[:0]
    own = towers["in_province"].fillna(True).to_numpy(bool)
    return towers[own], towers[~own]


def _n_sites(towers: gpd.GeoDataFrame) -> int:
    return int(towers["site_id"].nunique()) if "site_id" in towers.columns else len(towers)


def _outside_name(n: int, lang: L.Lang) -> str:
    return f"{L.text('towers_outside', lang)} ({n})"


class _ImageLayer(Layer):
    """A raster image (data URL) laid over the map between two corners."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        if (!{{ this._parent.get_name() }}.getPane("gtRaster")) {
            {{ this._parent.get_name() }}.createPane("gtRaster").style.zIndex = 450;
        }
        var {{ this.get_name() }} = L.imageOverlay({{ this.url|tojson }}, {{ this.bounds|tojson }},
            {opacity: {{ this.opacity }}, interactive: false, pane: "gtRaster"});
        {% endmacro %}
    """)

    def __init__(self, url: str, bounds: list[list[float]], *, name: str,
                 opacity: float = 0.65, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "ImageLayer"
        self.url = url
        self.bounds = bounds
        self.opacity = opacity


class _Script(MacroElement):
    """Plain JavaScript placed in the page script, in the order it is added."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.js }}
        {% endmacro %}
    """)

    def __init__(self, js: str) -> None:
        super().__init__()
        self._name = "Script"
        self.js = js


def _title(layer: str, lang: L.Lang) -> str:
    """A layer's title: the registry's, else the labels' (coverage and other texts)."""
    entry = OUTPUT_LAYERS.get(layer)
    return entry.title[lang] if entry is not None else L.layer_title(layer, lang)


def _to_lonlat(gdf: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise CRSError(f"layer '{layer}' has no CRS", feature=layer,
                       fix="set its CRS (gdf.set_crs(...)) before making the map")
    return gdf.to_crs(4326)


def _indicator_config(communes: gpd.GeoDataFrame,
                      indicators: Sequence[str] | None) -> dict[str, dict]:
    wanted = list(indicators) if indicators is not None else list(L.INDICATORS)
    missing = [c for c in wanted if c not in communes.columns]
    if indicators is not None and missing:
        raise SchemaError(f"indicator column(s) {missing} not in the communes layer",
                          feature="communes", column=missing[0],
                          fix=f"choose among {[c for c in communes.columns if c != 'geometry']}")
    out: dict[str, dict] = {}
    for col in wanted:
        if col not in communes.columns or communes[col].isna().all():
            continue
        cls = L.indicator_classes(col, L.as_float(communes[col]))
        out[col] = {"kind": cls.kind, "breaks": list(cls.breaks), "colors": list(cls.colors)}
    return out


def _year_groups(gdf: gpd.GeoDataFrame,
                 column: str) -> list[tuple[int | None, gpd.GeoDataFrame]]:
    if column not in gdf.columns or len(gdf) == 0:
        return [(None, gdf)]
    years = pd.to_numeric(gdf[column], errors="coerce")
    groups: list[tuple[int | None, gpd.GeoDataFrame]] = [
        (int(y), gdf[years == y]) for y in sorted(years.dropna().unique())]
    if years.isna().any():
        groups.append((None, gdf[years.isna()]))
    return groups if len(groups) > 1 or groups[0][0] is not None else [(None, gdf)]


def _group_name(layer: str, year: int | None, n: int, lang: L.Lang, phased: bool) -> str:
    base = _title(layer, lang)
    if not phased:
        return f"{base} ({n})"
    when = str(year) if year is not None else L.text("no_year", lang)
    return f"{base} – {when} ({n})"


@dataclass(frozen=True)
class _Overlay:
    """One entry of the map's layer list: a layer, or one year or part of one."""

    key: str
    layer: str  # the registry's layer, or "coverage"
    gdf: gpd.GeoDataFrame | None
    names: dict[str, str]  # language -> name
    year: int | None = None  # its phase year (None: not scheduled, or not phased)
    phased: bool = False
    outside: bool = False  # towers across the provincial border

    def meta(self) -> dict[str, object]:
        """What the page's layer list, year filter, search and cards need to know."""
        entry = OUTPUT_LAYERS.get(self.layer)
        return {"key": self.key, "layer": self.layer, "names": self.names,
                "year": self.year, "phased": self.phased,
                "search": entry.map_search if entry else "",
                "serves": entry.map_serves if entry else ""}


def _overlays(layers: Mapping[str, gpd.GeoDataFrame], *, coverage: bool) -> list[_Overlay]:
    """The map's overlays in drawing order (bottom to top), as the registry lists them."""
    out: list[_Overlay] = []
    for layer, entry in OUTPUT_LAYERS.items():
        gdf = layers.get(layer)
        if gdf is None:
            continue
        if layer == "towers_existing":
            own, outside = _split_border(gdf)
            out.append(_Overlay(layer, layer, own, {
                lg: _group_name(layer, None, _n_sites(own), lg, False) for lg in LANGS}))
            if len(outside):
                out.append(_Overlay(f"{layer}:outside", layer, outside, {
                    lg: _outside_name(_n_sites(outside), lg) for lg in LANGS}, outside=True))
        elif entry.map_phase:
            groups = _year_groups(gdf, entry.map_phase)
            phased = groups[0][0] is not None
            for year, g in groups:
                key = f"{layer}:{year if year is not None else 'none'}" if phased else layer
                out.append(_Overlay(key, layer, g, {
                    lg: _group_name(layer, year, len(g), lg, phased) for lg in LANGS},
                    year=year, phased=phased))
        elif layer == "communes":
            out.append(_Overlay(layer, layer, gdf, {lg: _title(layer, lg) for lg in LANGS}))
        else:
            out.append(_Overlay(layer, layer, gdf, {
                lg: _group_name(layer, None, len(gdf), lg, False) for lg in LANGS}))
    if coverage:
        out.append(_Overlay("coverage", "coverage", None,
                            {lg: _title("coverage", lg) for lg in LANGS}))
    return out


def map_layer_names(layers: Mapping[str, gpd.GeoDataFrame], *, lang: L.Lang = "vi",
                    coverage: bool = False) -> list[str]:
    """Names :func:`make_map` gives the entries of its layer list in ``lang``, in order.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> t = gpd.GeoDataFrame({"rank": [1, 2], "phase_year": [2021, 2022]},
    ...                      geometry=[Point(108, 14), Point(108.1, 14)], crs=4326)
    >>> map_layer_names({"towers_proposed": t}, lang="en")
    ['Proposed towers – 2021 (1)', 'Proposed towers – 2022 (1)']
    """
    check_lang(lang)
    return [o.names[lang] for o in _overlays(layers, coverage=coverage)]


def _legend_items(layers: Mapping[str, gpd.GeoDataFrame], cov: RasterPng | None,
                  lang: L.Lang) -> list[dict]:
    items: list[dict] = []
    if "towers_existing" in layers:
        items.append({"kind": "header", "label": _title("towers_existing", lang)})
        items += [{"kind": "dot", "color": c, "label": op} for op, c in L.OPERATOR_COLORS.items()]
        if len(_split_border(layers["towers_existing"])[1]):
            items.append({"kind": "ring", "label": L.text("towers_outside", lang)})
    if "towers_proposed" in layers:
        items.append({"kind": "header", "label": _title("towers_proposed", lang)})
        items.append({"kind": "rank", "label": L.column_title("rank", lang),
                      "color": L.BACKHAUL["fiber"][0]})
        proposed = layers["towers_proposed"]
        present = set(proposed["backhaul"].astype(str)) if "backhaul" in proposed else set()
        items += [{"kind": "rank", "color": color,
                   "label": f"{L.column_title('backhaul', lang)}: {vi if lang == 'vi' else en}"}
                  for k, (color, vi, en) in L.BACKHAUL.items() if k in present]
    lines = [("fiber_existing", L.FIBER_EXISTING_COLOR, 3, False),
             ("fiber_proposed", L.FIBER_PROPOSED_COLOR, 5, True),
             ("districts", "#1a1a1a", 2, False)]
    fills = [("dead_zones", L.DEAD_ZONE_COLOR, 0.6, None),
             ("exclusion_zones", L.EXCLUSION_COLOR, 1.0, L.EXCLUSION_COLOR)]
    other = [{"kind": "line", "color": c, "width": w, "dash": d, "label": _title(k, lang)}
             for k, c, w, d in lines if k in layers]
    other += [{"kind": "fill", "color": c, "opacity": o, "outline": ol,
               "label": _title(k, lang)} for k, c, o, ol in fills if k in layers]
    if other:
        items.append({"kind": "header", "label": L.text("other_layers", lang)})
        items += other
    if cov is not None:
        units = f" ({cov.units})" if cov.units else ""
        items.append({"kind": "ramp", "label": _title("coverage", lang) + units,
                      "colors": cov.colors(6), "min": f"{cov.vmin:g}", "max": f"{cov.vmax:g}"})
    return items


def _as_overlay(coverage: RasterPng | Raster | str | os.PathLike | None) -> RasterPng | None:
    if coverage is None or isinstance(coverage, RasterPng):
        return coverage
    return raster_to_png(coverage)


def make_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    out_path: str | os.PathLike,
    *,
    coverage_png: RasterPng | Raster | str | os.PathLike | None = None,
    offline: bool = False,
    lang: L.Lang = "vi",
    title: str | None = None,
    date: dt.date | None = None,
    indicators: Sequence[str] | None = None,
) -> Path:
    """Write the interactive HTML map of a plan.

    Parameters
    ----------
    layers
        Layer name -> GeoDataFrame, with the names and columns of ``plan.gpkg``
        (``communes``, ``districts``, ``towers_existing``, ``towers_proposed``,
        ``dead_zones``, ``fiber_existing``, ``fiber_proposed``, ``exclusion_zones``).
        Missing layers and columns are left out of the map. Any CRS; not modified.
    out_path
        The ``.html`` file to write (atomically).
    coverage_png
        A coverage overlay: a :class:`RasterPng` (see :func:`raster_to_png`), or a signal
        :class:`~geotel.raster.Raster` / raster file, coloured with the defaults of
        :func:`raster_to_png`. The image is embedded in the HTML.
    offline
        Inline Leaflet and its plugin (from the xstatic packages) and drop the tiles, so
        the file opens with no network.
    lang
        ``"vi"`` (Vietnamese) or ``"en"``: the language the page opens in. The page
        holds both and switches in place (VI / EN in its title bar).
    title
        Map title; a generic plan title by default.
    date
        Date printed under the title; today by default.
    indicators
        Commune columns offered in the indicator menu (first is shown); by default every
        present column of ``pop_covered_pct_4g``, ``pop_covered_pct_3g``, ...

    Returns
    -------
    Path
        ``out_path``.

    Raises
    ------
    CRSError
        A layer has no CRS.
    SchemaError
        A requested indicator is not a column of ``communes``, or no layer has features.

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd
    >>> from shapely.geometry import box
    >>> c = gpd.GeoDataFrame({"commune_code": ["23500"], "commune_name": ["Ia Kla"],
    ...                       "pop_covered_pct_4g": [62.5]},
    ...                      geometry=[box(108.0, 14.0, 108.1, 14.1)], crs=4326)
    >>> out = make_map({"communes": c}, pathlib.Path(tempfile.mkdtemp()) / "map.html",
    ...                offline=True, lang="en")
    >>> "Population covered, 4G (%)" in out.read_text(encoding="utf-8")
    True
    """
    check_lang(lang)
    out_path = Path(out_path)
    geo = {k: _to_lonlat(v, k) for k, v in layers.items() if v is not None}
    nonempty = [g for g in geo.values() if len(g)]
    if not nonempty:
        raise SchemaError("no layer has features to map", file=str(out_path),
                          fix="pass at least the communes layer")
    west, south, east, north = np.array([g.total_bounds for g in nonempty]).T
    bounds = [[float(south.min()), float(west.min())], [float(north.max()), float(east.max())]]
    cov = _as_overlay(coverage_png)
    metric = utm_epsg((bounds[0][1] + bounds[1][1]) / 2, (bounds[0][0] + bounds[1][0]) / 2)
    date = date or dt.date.today()

    m = folium.Map(location=[(bounds[0][0] + bounds[1][0]) / 2,
                             (bounds[0][1] + bounds[1][1]) / 2],
                   zoom_start=9, tiles=None, control_scale=False, prefer_canvas=False)
    # marker clustering needs maxZoom on the map when there is no tile layer
    m.options.update(maxZoom=18, minZoom=5, zoomSnap=0.25)
    if not offline:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(m)
    fig = cast(Figure, m.get_root())
    fig.title = title or L.text("title", lang)
    communes = geo.get("communes")
    ind_cfg = _indicator_config(communes, indicators) if communes is not None else {}
    config = {
        "lang": lang,
        "i18n": {lg: _page_texts(geo, cov, list(ind_cfg), lg, title=title, date=date)
                 for lg in LANGS},
        "popup": {name: list(entry.popup) for name, entry in OUTPUT_LAYERS.items()},
        "popupKind": {name: entry.map_popup for name, entry in OUTPUT_LAYERS.items()},
        "card": {name: list(entry.map_card) for name, entry in OUTPUT_LAYERS.items()
                 if entry.map_card},
        "styles": {name: entry.map_style for name, entry in OUTPUT_LAYERS.items()
                   if entry.map_style},
        "indicators": ind_cfg,
        "defaultIndicator": next(iter(ind_cfg), None),
        "noDataColor": L.NO_DATA_COLOR,
        "backhaul": {k: c for k, (c, _, _) in L.BACKHAUL.items()},
        "operators": [[op, c] for op, c in L.OPERATOR_COLORS.items()],
        "colors": {"other": L.OTHER_COLOR},
    }
    for i, tag in enumerate(asset_tags(offline)):
        fig.header.add_child(Element(tag), name=f"gt_asset_{i}")
    fig.header.add_child(Element(f"<style>{CSS}</style>"), name="gt_css")
    fig.header.add_child(Element(f"<script>{CORE_JS}\ngt.init({to_json(config)});</script>"),
                         name="gt_core")

    communes_var = "null"
    entries = []
    for o in _overlays(geo, coverage=cov is not None):
        lyr = _overlay_layer(o, cov, ind_cfg, metric, lang)
        lyr.add_to(m)
        entries.append(f"[{lyr.get_name()},{to_json(o.meta())}]")
        if o.layer == "communes":
            communes_var = lyr.get_name()
    m.fit_bounds(bounds)
    m.add_child(_Script(f"{CONTROLS_JS}\ngt.controls({m.get_name()}, {communes_var}, "
                        f"[{','.join(entries)}]);"))
    _strip_default_assets(m)

    html = fig.render()
    with atomic_file(out_path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    log.info("wrote %s (%.1f MB, offline=%s)", out_path, out_path.stat().st_size / 1e6, offline)
    return out_path


def _overlay_layer(o: _Overlay, cov: RasterPng | None, ind_cfg: Mapping[str, dict],
                   metric_epsg: int, lang: L.Lang) -> Layer:
    """The Leaflet layer of one overlay, in its registry style, with its popups."""
    name = o.names[lang]
    if o.layer == "coverage":  # above the areas, below the markers; ticked on by the user
        assert cov is not None
        w, s, e, n = cov.bounds_lonlat
        return _ImageLayer(cov.data_url, [[s, w], [n, e]], name=name, show=False)
    assert o.gdf is not None
    if o.layer == "towers_existing":
        return _TowerCluster(tower_rows(o.gdf), outside=o.outside, name=name)
    entry = OUTPUT_LAYERS[o.layer]

    def fc(columns: Sequence[str], anchor: bool = False) -> str:
        return feature_collection(o.gdf, columns, tolerance_m=entry.simplify_m,
                                  metric_epsg=metric_epsg, anchor=anchor)

    if o.layer == "communes":
        return _GeoJsonLayer(fc([*entry.popup, *ind_cfg], anchor=bool(entry.map_search)),
                             "{style: gt.communeStyle, onEachFeature: gt.communeFeature}",
                             name=name)
    if o.layer == "towers_proposed":
        return _GeoJsonLayer(fc(entry.popup), "{pointToLayer: gt.rankMarker, "
                             "onEachFeature: gt.popup('towers_proposed')}", name=name)
    # any other registered layer: its registry style, its popup
    style = f"gt.style('{o.layer}')"
    each = f", onEachFeature: gt.popup('{o.layer}')" if entry.popup else ""
    dots = (f", pointToLayer: function (f, ll) {{ return L.circleMarker(ll, {style}()); }}"
            if "Point" in entry.geometry else "")
    return _GeoJsonLayer(fc(entry.popup), f"{{style: {style}{each}{dots}}}", name=name)


def _page_texts(geo: Mapping[str, gpd.GeoDataFrame], cov: RasterPng | None,
                indicators: Sequence[str], lang: L.Lang, *, title: str | None,
                date: dt.date) -> dict[str, object]:
    """Every text of the page in one language (the page holds both and switches)."""
    day = date.strftime("%d/%m/%Y") if lang == "vi" else date.isoformat()
    columns = {k: L.column_title(k, lang) for k in L.COLUMN_TITLES}
    columns["sectors"] = L.text("sectors", lang)
    for c in _C8_COLUMNS:  # the sub-indicators as the province's tables name them
        columns[c] = column_titles(c)[0 if lang == "vi" else 1]
    return {
        "title": title or L.text("title", lang),
        "subtitle": f"{L.text('date', lang)}: {day}",
        "locale": "vi-VN" if lang == "vi" else "en-GB",
        "layers": {k: _title(k, lang) for k in [*L.LAYER_TITLES, *OUTPUT_LAYERS]},
        "columns": columns,
        "text": {k: L.text(k, lang) for k in L.TEXT},
        "values": {"backhaul": {k: L.value_title("backhaul", k, lang) for k in L.BACKHAUL}},
        "indicators": {c: L.column_title(c, lang) for c in indicators},
        "legend": _legend_items(geo, cov, lang),
    }


def _strip_default_assets(root: MacroElement) -> None:
    """Drop folium's CDN links (Leaflet, jQuery, Bootstrap, awesome-markers...) from
    every element: geotel adds exactly the assets it uses."""
    stack = [root]
    while stack:
        el = stack.pop()
        if hasattr(el, "default_js"):
            el.__dict__.update(default_js=[], default_css=[])
        stack.extend(getattr(el, "_children", {}).values())
