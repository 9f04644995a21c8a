"""The static print map: a commune indicator on A3, as PNG and PDF, for documents.

The map is drawn with matplotlib (Agg, no display needed) in a transverse Mercator CRS
centred on the communes, so the scale bar is true to better than 0.05 %. It has district
boundaries and names, a legend, a metric scale bar, a north arrow, a title and a
source/date line; texts are Vietnamese or English.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from geotel._atomic import atomic_file
from geotel._lang import check_lang
from geotel.errors import CRSError, SchemaError, ValueRangeError
from geotel.outputs import _labels as L
from geotel.outputs._geoms import dominant_parts, local_tm

__all__ = ["A3_MM", "print_map", "scale_bar_length_m"]

log = logging.getLogger(__name__)

#: ISO 216 A3 paper, millimetres (portrait).
A3_MM = (297.0, 420.0)
_MM_PER_INCH = 25.4


def scale_bar_length_m(map_width_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^k m) of at most a fifth of the map width.

    Examples
    --------
    >>> scale_bar_length_m(150_000), scale_bar_length_m(9_000), scale_bar_length_m(260_000)
    (20000.0, 1000.0, 50000.0)
    """
    if not map_width_m > 0:
        raise ValueRangeError(f"map width {map_width_m} m is not positive",
                              fix="give a map with a non-empty extent")
    target = map_width_m / 5.0
    k = math.floor(math.log10(target))
    best = 10.0**k
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10.0**k <= target:
            best = m * 10.0**k
    return float(best)


def _draw_scale_bar(ax, x0: float, y0: float, length_m: float, height_m: float) -> None:
    n = 4
    seg = length_m / n
    for i in range(n):
        ax.add_patch(Rectangle((x0 + i * seg, y0), seg, height_m,
                               facecolor="black" if i % 2 == 0 else "white",
                               edgecolor="black", linewidth=0.8, zorder=10))
    unit, div = ("km", 1000.0) if length_m >= 1000 else ("m", 1.0)
    for i in (0, n // 2, n):
        ax.text(x0 + i * seg, y0 + height_m * 1.6, f"{i * seg / div:g}", ha="center",
                va="bottom", fontsize=9, zorder=10)
    ax.text(x0 + length_m + seg * 0.25, y0 + height_m / 2, unit, ha="left", va="center",
            fontsize=9, zorder=10)


def _draw_north_arrow(ax, x: float, y: float, size_m: float, label: str) -> None:
    ax.annotate("", xy=(x, y), xytext=(x, y - size_m),
                arrowprops={"facecolor": "black", "edgecolor": "black", "width": 5,
                            "headwidth": 16, "headlength": 16}, zorder=10)
    ax.text(x, y + size_m * 0.12, label, ha="center", va="bottom", fontsize=16,
            fontweight="bold", zorder=10)


def _atomic_save(fig: Figure, path: Path, **kwargs: Any) -> Path:
    with atomic_file(path) as tmp:
        fig.savefig(tmp, **kwargs)
    return path


def print_map(
    communes: gpd.GeoDataFrame,
    out_png: str | os.PathLike,
    *,
    column: str = "pop_covered_pct_4g",
    districts: gpd.GeoDataFrame | None = None,
    out_pdf: str | os.PathLike | None = None,
    lang: L.Lang = "vi",
    title: str | None = None,
    source: str = "geotel",
    date: dt.date | None = None,
    dpi: int = 150,
) -> list[Path]:
    """Draw a commune indicator on an A3 page and write it as PNG (and PDF).

    Parameters
    ----------
    communes
        Commune polygons with ``column``; any CRS (not none). Not modified.
    out_png
        The PNG to write.
    column
        The indicator to map; percentages get fixed 20 % classes, yes/no columns two
        colours, other numbers five quantile classes (as on the HTML map).
    districts
        District polygons whose boundaries (and ``district_name``) are drawn; by default
        dissolved from ``communes`` by ``district_code`` when that column exists.
    out_pdf
        Also write the page as a vector PDF (A3, 842 x 1191 pt or landscape).
    lang
        ``"vi"`` or ``"en"``.
    title
        Title; the indicator's name by default.
    source
        Source printed at the bottom with the date.
    date
        Date printed at the bottom; today by default.
    dpi
        PNG resolution (150 dpi gives 1754 x 2480 pixels).

    Returns
    -------
    list of Path
        ``[out_png]``, then ``out_pdf`` when given.

    Raises
    ------
    CRSError
        ``communes`` or ``districts`` has no CRS.
    SchemaError
        ``column`` is not a column of ``communes``, or ``lang`` is unknown.

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd
    >>> from shapely.geometry import box
    >>> c = gpd.GeoDataFrame({"pop_covered_pct_4g": [12.0, 88.0]},
    ...                      geometry=[box(108.0, 14.0, 108.1, 14.1),
    ...                                box(108.1, 14.0, 108.2, 14.1)], crs=4326)
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in print_map(c, d / "m.png", out_pdf=d / "m.pdf", dpi=30)]
    ['m.png', 'm.pdf']
    """
    check_lang(lang)
    if communes.crs is None:
        raise CRSError("the communes layer has no CRS", feature="communes",
                       fix="set its CRS (gdf.set_crs(...)) before printing")
    if column not in communes.columns:
        raise SchemaError(f"column '{column}' is not in the communes layer",
                          feature="communes", column=column,
                          fix=f"choose among {[c for c in communes.columns if c != 'geometry']}")
    if districts is not None and districts.crs is None:
        raise CRSError("the districts layer has no CRS", feature="districts",
                       fix="set its CRS (gdf.set_crs(...)) before printing")
    lon0 = float(np.mean(communes.to_crs(4326).total_bounds[[0, 2]]))
    crs = local_tm(lon0)
    c = communes.to_crs(crs)
    # reprojection can leave tiny self-intersections: repair before dissolving
    fixed = dominant_parts(shapely.make_valid(c.geometry.to_numpy()))
    c = c.set_geometry(gpd.GeoSeries(fixed, index=c.index, crs=crs))
    if districts is not None:
        d = districts.to_crs(crs)
    elif "district_code" in c.columns:
        d = c[["district_code", *(["district_name"] if "district_name" in c.columns else []),
               "geometry"]].dissolve("district_code", as_index=False)
    else:
        d = None

    values = L.as_float(c[column])
    classes = L.indicator_classes(column, values)
    colors = classes.color_of(values)

    xmin, ymin, xmax, ymax = c.total_bounds
    w_m, h_m = xmax - xmin, ymax - ymin
    portrait = h_m >= w_m * 0.9
    page_mm = A3_MM if portrait else A3_MM[::-1]
    fig = Figure(figsize=(page_mm[0] / _MM_PER_INCH, page_mm[1] / _MM_PER_INCH))
    FigureCanvasAgg(fig)
    box = (0.05, 0.07, 0.90, 0.83)  # axes on the page (fractions)
    ax = fig.add_axes(box)
    ax.set_axis_off()
    c.plot(ax=ax, color=list(colors), edgecolor="#6e6e6e", linewidth=0.25)
    if d is not None and len(d):
        d.boundary.plot(ax=ax, color="#111111", linewidth=1.3)
        if "district_name" in d.columns:
            halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
            for name, pt in zip(d["district_name"], d.representative_point(), strict=True):
                if isinstance(name, str) and name:
                    ax.text(pt.x, pt.y, name, ha="center", va="center", fontsize=8,
                            color="#111111", path_effects=halo, zorder=8)
    # data limits with the axes' own aspect, so that one metre is as long in x as in y
    pad = 0.04 * max(w_m, h_m)
    x0, x1, y0, y1 = xmin - pad, xmax + pad, ymin - pad * 2.2, ymax + pad
    box_ratio = (box[3] * page_mm[1]) / (box[2] * page_mm[0])
    if (y1 - y0) / (x1 - x0) < box_ratio:
        grow = (box_ratio * (x1 - x0) - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
    else:
        grow = ((y1 - y0) / box_ratio - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    length = scale_bar_length_m(x1 - x0)
    _draw_scale_bar(ax, x0 + 0.03 * (x1 - x0), y0 + 0.025 * (y1 - y0), length,
                    0.008 * (y1 - y0))
    _draw_north_arrow(ax, x1 - 0.05 * (x1 - x0), y1 - 0.08 * (y1 - y0), 0.06 * (y1 - y0),
                      L.text("north", lang))

    pct = " %" if classes.kind == "pct" else ""
    handles: list[Artist]
    if classes.kind == "bool":
        handles = [Patch(facecolor=classes.colors[i], edgecolor="#6e6e6e",
                         label=L.text(key, lang)) for i, key in ((1, "yes"), (0, "no"))]
    else:
        handles = [Patch(facecolor=col, edgecolor="#6e6e6e",
                         label=f"{lo:,.4g} – {hi:,.4g}{pct}")
                   for lo, hi, col in zip(classes.breaks[:-1], classes.breaks[1:], classes.colors,
                                          strict=True)]
    if np.isnan(values).any():
        handles.append(Patch(facecolor=L.NO_DATA_COLOR, edgecolor="#6e6e6e",
                             label=L.text("no_data", lang)))
    if d is not None and len(d):
        handles.append(Line2D([], [], color="#111111", linewidth=1.3,
                              label=L.layer_title("districts", lang)))
    ax.legend(handles=handles, title=L.column_title(column, lang), loc="upper left",
              fontsize=9, title_fontsize=10, frameon=True, framealpha=0.95)

    date = date or dt.date.today()
    fig.text(0.5, 0.955, title or L.column_title(column, lang), ha="center", va="center",
             fontsize=20, fontweight="bold")
    fig.text(0.5, 0.928, L.layer_title("communes", lang), ha="center", va="center",
             fontsize=12, color="#333333")
    date_text = date.strftime("%d/%m/%Y") if lang == "vi" else date.isoformat()
    crs_text = (f"Lưới chiếu: WGS 84 / TM kinh tuyến trục {round(lon0, 2):g}°"
                if lang == "vi" else f"Projection: WGS 84 / TM, central meridian "
                f"{round(lon0, 2):g}°")
    fig.text(0.05, 0.03, f"{L.text('source', lang)}: {source} · {L.text('date', lang)}: "
             f"{date_text} · {crs_text}", ha="left", va="center", fontsize=8, color="#333333")

    out = [_atomic_save(fig, Path(out_png), dpi=dpi, format="png")]
    if out_pdf is not None:
        out.append(_atomic_save(fig, Path(out_pdf), format="pdf"))
    log.info("wrote %s", ", ".join(str(p) for p in out))
    return out
