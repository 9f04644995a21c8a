"""``map.html``: the interactive Folium map planners take to meetings, online or offline.

The map shows a commune choropleth whose indicator is chosen in the legend, existing
towers clustered and coloured by operator, proposed towers numbered by rank (one layer
per year when ``phase_year`` is present), dead zones, existing and proposed fiber,
exclusion zones, district boundaries and a coverage raster overlay, with a legend, a
layer control, a metric scale, a title and the date. Texts are Vietnamese
(``lang="vi"``) or English (``lang="en"``).

``offline=True`` writes one self-contained file: Leaflet and Leaflet.markercluster are
inlined from the pip-installed ``xstatic-leaflet`` and ``xstatic-leaflet-markercluster``
packages, the background tiles are dropped, and no URL is fetched when it opens.
Geometries are simplified and coordinates rounded so that a whole province (222
communes, ~1,500 tower sectors) stays well under 10 MB.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.template import Template

from geotel._atomic import atomic_file
from geotel._errors import CRSError, SchemaError
from geotel._lang import check_lang
from geotel.outputs import _labels as L
from geotel.outputs._geoms import dominant_parts, utm_epsg
from geotel.outputs._mapjs import CONTROLS_JS, CORE_JS, CSS
from geotel.outputs._offline import asset_tags
from geotel.outputs._rasterpng import RasterPng, raster_to_png
from geotel.outputs.layers import OUTPUT_LAYERS
from geotel.raster import Raster

__all__ = ["make_map", "map_layer_names", "raster_to_png", "RasterPng"]

log = logging.getLogger(__name__)

_DECIMALS = 5  # ~1 m


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


def _json(obj: object) -> str:
    """Compact JSON safe inside a <script> element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/")


def _py(v: object) -> object:
    """A JSON-able Python scalar (NaN/NA -> None, numpy -> Python, floats rounded)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return None
        return round(v, 2)
    if isinstance(v, bool | int | str):
        return v
    return str(v)


def _to_lonlat(gdf: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise CRSError(f"layer '{layer}' has no CRS", feature=layer,
                       fix="set its CRS (gdf.set_crs(...)) before making the map")
    return gdf.to_crs(4326)


def _simplified(gdf: gpd.GeoDataFrame, tolerance_m: float, metric_epsg: int) -> np.ndarray:
    """Geometries (EPSG:4326) simplified by ``tolerance_m`` metres and rounded to ~1 m."""
    geoms = dominant_parts(np.asarray(gdf.geometry.array, dtype=object))
    if tolerance_m > 0 and len(gdf):
        g = gpd.GeoSeries(geoms, crs=gdf.crs).to_crs(metric_epsg)
        g = g.simplify(tolerance_m, preserve_topology=True)
        geoms = g.to_crs(4326).array
    return shapely.transform(np.asarray(geoms, dtype=object),
                             lambda c: np.round(c, _DECIMALS))


def _feature_collection(gdf: gpd.GeoDataFrame, columns: Sequence[str], *,
                        tolerance_m: float = 0.0, metric_epsg: int = 32649) -> str:
    cols = [c for c in columns if c in gdf.columns]
    geoms = _simplified(gdf, tolerance_m, metric_epsg)
    props = gdf[cols].astype(object).to_numpy() if cols else np.empty((len(gdf), 0))
    parts = []
    for geom, row in zip(geoms, props, strict=True):
        if geom is None or shapely.is_empty(geom):
            continue
        p = {c: _py(v) for c, v in zip(cols, row, strict=True)}
        parts.append('{"type":"Feature","properties":' + _json(p) + ',"geometry":'
                     + shapely.to_geojson(geom) + "}")
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


def _tower_rows(towers: gpd.GeoDataFrame) -> str:
    """One row per site: [lat, lon, operator index, site id, technologies, height, sectors,
    shared by]."""
    t = towers[~(towers.geometry.is_empty | towers.geometry.isna())]
    n = len(t)
    df = pd.DataFrame({
        "site": t["site_id"].astype(str).to_numpy() if "site_id" in t.columns
        else np.array([f"#{i + 1}" for i in range(n)], dtype=object),
        "lat": np.round(t.geometry.y.to_numpy(), _DECIMALS),
        "lon": np.round(t.geometry.x.to_numpy(), _DECIMALS),
        "op": t["operator"].to_numpy() if "operator" in t.columns else np.full(n, None),
        "tech": t["technologies"].fillna("").astype(str).to_numpy()
        if "technologies" in t.columns else np.full(n, ""),
        "height": pd.to_numeric(t["height_m"], errors="coerce").to_numpy()
        if "height_m" in t.columns else np.full(n, np.nan),
        "shared": t["shared_by"].fillna("").astype(str).to_numpy()
        if "shared_by" in t.columns else np.full(n, ""),
    })
    g = df.groupby("site", sort=False)
    sites = g.agg(lat=("lat", "first"), lon=("lon", "first"), op=("op", "first"),
                  tech=("tech", lambda s: ",".join(sorted({x.strip() for v in s
                                                           for x in v.split(",") if x.strip()}))),
                  height=("height", "max"), sectors=("lat", "size"), shared=("shared", "first"))
    ops = {op: i for i, op in enumerate(L.OPERATOR_COLORS)}
    rows = [[la, lo, ops.get(op, -1), site, te, _py(h), int(k), sh]
            for site, la, lo, op, te, h, k, sh in zip(
                sites.index, sites["lat"], sites["lon"], sites["op"], sites["tech"],
                sites["height"], sites["sectors"], sites["shared"], strict=True)]
    return _json(rows)


def _indicator_config(communes: gpd.GeoDataFrame, indicators: Sequence[str] | None,
                      lang: L.Lang) -> dict[str, dict]:
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
        out[col] = {"label": L.column_title(col, lang), "kind": cls.kind,
                    "breaks": list(cls.breaks), "colors": list(cls.colors)}
    return out


def _year_groups(gdf: gpd.GeoDataFrame) -> list[tuple[int | None, gpd.GeoDataFrame]]:
    if "phase_year" not in gdf.columns or len(gdf) == 0:
        return [(None, gdf)]
    years = pd.to_numeric(gdf["phase_year"], errors="coerce")
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


def map_layer_names(layers: Mapping[str, gpd.GeoDataFrame], *, lang: L.Lang = "vi",
                    coverage: bool = False) -> list[str]:
    """Names :func:`make_map` gives the overlays of its layer control, in order.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> t = gpd.GeoDataFrame({"rank": [1, 2], "phase_year": [2021, 2022]},
    ...                      geometry=[Point(108, 14), Point(108.1, 14)], crs=4326)
    >>> map_layer_names({"towers_proposed": t}, lang="en")
    ['Proposed towers – 2021 (1)', 'Proposed towers – 2022 (1)']
    """
    names: list[str] = []
    for layer in OUTPUT_LAYERS:
        gdf = layers.get(layer)
        if gdf is None:
            continue
        if layer == "towers_existing":
            own, outside = _split_border(gdf)
            names.append(_group_name(layer, None, _n_sites(own), lang, False))
            if len(outside):
                names.append(_outside_name(_n_sites(outside), lang))
        elif layer in ("towers_proposed", "fiber_proposed"):
            groups = _year_groups(gdf)
            phased = groups[0][0] is not None
            names += [_group_name(layer, y, len(g), lang, phased) for y, g in groups]
        elif layer == "communes":
            names.append(_title(layer, lang))
        else:
            names.append(_group_name(layer, None, len(gdf), lang, False))
    if coverage:
        names.append(_title("coverage", lang))
    return names


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
        ``"vi"`` (Vietnamese) or ``"en"`` for every text on the map.
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
    title = title or L.text("title", lang)
    date_text = f"{L.text('date', lang)}: " + (date.strftime("%d/%m/%Y") if lang == "vi"
                                              else date.isoformat())

    m = folium.Map(location=[(bounds[0][0] + bounds[1][0]) / 2,
                             (bounds[0][1] + bounds[1][1]) / 2],
                   zoom_start=9, tiles=None, control_scale=False, prefer_canvas=False)
    # marker clustering needs maxZoom on the map when there is no tile layer
    m.options.update(maxZoom=18, minZoom=5, zoomSnap=0.25)
    if not offline:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=True).add_to(m)
    fig = m.get_root()
    fig.title = title
    communes = geo.get("communes")
    ind_cfg = _indicator_config(communes, indicators, lang) if communes is not None else {}
    config = {
        "title": title, "subtitle": date_text, "locale": "vi-VN" if lang == "vi" else "en-GB",
        "layers": {k: _title(k, lang) for k in [*L.LAYER_TITLES, *OUTPUT_LAYERS]},
        "columns": {**{k: L.column_title(k, lang) for k in L.COLUMN_TITLES},
                    "sectors": L.text("sectors", lang)},
        "text": {k: L.text(k, lang) for k in L.TEXT},
        "popup": {name: list(entry.popup) for name, entry in OUTPUT_LAYERS.items()},
        "styles": {name: entry.map_style for name, entry in OUTPUT_LAYERS.items()
                   if entry.map_style},
        "indicators": ind_cfg,
        "defaultIndicator": next(iter(ind_cfg), None),
        "noDataColor": L.NO_DATA_COLOR,
        "backhaul": {k: c for k, (c, _, _) in L.BACKHAUL.items()},
        "values": {"backhaul": {k: L.value_title("backhaul", k, lang) for k in L.BACKHAUL}},
        "operators": [[op, c] for op, c in L.OPERATOR_COLORS.items()],
        "colors": {"other": L.OTHER_COLOR},
        "legend": _legend_items(geo, cov, lang),
    }
    for i, tag in enumerate(asset_tags(offline)):
        fig.header.add_child(Element(tag), name=f"gt_asset_{i}")
    fig.header.add_child(Element(f"<style>{CSS}</style>"), name="gt_css")
    fig.header.add_child(Element(f"<script>{CORE_JS}\ngt.init({_json(config)});</script>"),
                         name="gt_core")

    communes_var = "null"
    for layer in OUTPUT_LAYERS:
        gdf = geo.get(layer)
        if gdf is None:
            continue
        simplify = OUTPUT_LAYERS[layer].simplify_m

        def fc(g: gpd.GeoDataFrame, columns: Sequence[str], simplify: float = simplify) -> str:
            return _feature_collection(g, columns, tolerance_m=simplify, metric_epsg=metric)

        if layer == "communes":
            lyr = _GeoJsonLayer(
                fc(gdf, [*OUTPUT_LAYERS["communes"].popup, *ind_cfg]),
                "{style: gt.communeStyle, onEachFeature: gt.communeFeature}",
                name=_title(layer, lang))
            lyr.add_to(m)
            communes_var = lyr.get_name()
        elif layer == "towers_existing":
            own, outside = _split_border(gdf)
            _TowerCluster(_tower_rows(own),
                          name=_group_name(layer, None, _n_sites(own), lang, False)).add_to(m)
            if len(outside):
                _TowerCluster(_tower_rows(outside), outside=True,
                              name=_outside_name(_n_sites(outside), lang)).add_to(m)
        elif layer in ("towers_proposed", "fiber_proposed"):
            groups = _year_groups(gdf)
            phased = groups[0][0] is not None
            opts = ("{pointToLayer: gt.rankMarker, onEachFeature: gt.popup('towers_proposed')}"
                    if layer == "towers_proposed" else
                    "{style: gt.style('fiber_proposed'), "
                    "onEachFeature: gt.popup('fiber_proposed')}")
            for year, g in groups:
                _GeoJsonLayer(fc(g, OUTPUT_LAYERS[layer].popup), opts,
                              name=_group_name(layer, year, len(g), lang, phased)).add_to(m)
        else:  # any other registered layer: its registry style, its popup
            style = f"gt.style('{layer}')"
            each = "" if not OUTPUT_LAYERS[layer].popup else \
                f", onEachFeature: gt.popup('{layer}')"
            points = "Point" in OUTPUT_LAYERS[layer].geometry
            dots = (f", pointToLayer: function (f, ll) {{ return L.circleMarker(ll, "
                    f"{style}()); }}" if points else "")
            _GeoJsonLayer(fc(gdf, OUTPUT_LAYERS[layer].popup),
                          f"{{style: {style}{each}{dots}}}",
                          name=_group_name(layer, None, len(gdf), lang, False)).add_to(m)
    if cov is not None:  # above the areas, below the markers; ticked on by the user
        w, s, e, n = cov.bounds_lonlat
        _ImageLayer(cov.data_url, [[s, w], [n, e]], name=_title("coverage", lang),
                    show=False).add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    m.fit_bounds(bounds)
    m.add_child(_Script(f"{CONTROLS_JS}\ngt.controls({m.get_name()}, {communes_var});"))
    _strip_default_assets(m)

    html = fig.render()
    with atomic_file(out_path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    log.info("wrote %s (%.1f MB, offline=%s)", out_path, out_path.stat().st_size / 1e6, offline)
    return out_path


def _strip_default_assets(root: MacroElement) -> None:
    """Drop folium's CDN links (Leaflet, jQuery, Bootstrap, awesome-markers...) from
    every element: geotel adds exactly the assets it uses."""
    stack = [root]
    while stack:
        el = stack.pop()
        if hasattr(el, "default_js"):
            el.default_js = []
            el.default_css = []
        stack.extend(getattr(el, "_children", {}).values())
