"""Display helpers shared by the notebooks: the meeting map inline, and tables with
Vietnamese column titles and Vietnamese numbers.

Display only: the values a notebook computes stay in the plan's layers; these helpers
format them for reading (1.234.567; 12,5; Có/Không; "không có số liệu").
"""

from __future__ import annotations

import html
import math
import numbers
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML
from pandas.io.formats.style import Styler

from geotel.outputs._labels import value_title
from geotel.outputs._report_text import fact_name
from geotel.outputs.tables import column_titles

__all__ = ["NO_DATA", "number", "show_map", "table"]

#: How an unknown fact reads.
NO_DATA = "không có số liệu"
#: Where a commune's fixed Internet came from (``fixed_internet_source``).
_FIXED_SOURCE = {"given": "lớp xã", "fiber reach": "khoảng cách tới cáp quang"}
#: Kinds of candidate site (``source`` of ``towers_proposed``).
_SITE_SOURCE = {"grid": "điểm lưới", "peak": "đỉnh địa hình", "colocation": "dùng chung cột",
                "centre": "trung tâm xã"}


def show_map(path: str | os.PathLike, *, height_px: int = 680) -> HTML:
    """The HTML map written by ``make_map`` / ``write_plan``, shown inside the notebook.

    The file is embedded (``<iframe srcdoc>``), so it shows wherever the notebook's
    server is rooted; the background tiles and Leaflet load from the Internet, as in
    ``map.html`` (``map_offline.html`` needs no network).
    """
    page = Path(path).read_text(encoding="utf-8")
    return HTML(f'<div><iframe srcdoc="{html.escape(page, quote=True)}" '
                f'style="width:100%;height:{int(height_px)}px;border:1px solid #ccc">'
                "</iframe></div>")


def number(value: object, digits: int = 0) -> str:
    """A figure as Vietnamese text (1.234.567; 12,5); None or NaN: "không có số liệu".

    >>> number(1234567), number(12.54, 1), number(None)
    ('1.234.567', '12,5', 'không có số liệu')
    """
    if value is None or value is pd.NA:
        return NO_DATA
    if isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_):
        return f"{int(value):,}".replace(",", ".")
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v):
            return NO_DATA
        text = f"{v:,.{digits}f}"
        return text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return str(value)


def _is_people(column: str) -> bool:
    return column in ("population", "pop_gain") or column.endswith("_pop")


def _formatter(column: str, digits: int) -> Callable[[object], str]:
    """How one column's values read."""
    if column.startswith("c8_"):  # a criterion: met or not
        yes, no = "Đạt", "Chưa đạt"
    else:
        yes, no = "Có", "Không"
    places = 0 if _is_people(column) else digits
    plain = column in ("year", "rank") or column.endswith("_year")  # 2020, not 2.020

    def fmt(value: object) -> str:
        if isinstance(value, bool | np.bool_):
            return yes if value else no
        if plain and isinstance(value, numbers.Real) and not math.isnan(float(value)):
            return str(int(value))
        return number(value, places)
    return fmt


def _coded(column: str, values: pd.Series) -> pd.Series:
    """Coded values in words: the missing facts of ``c8_missing``, the ``backhaul``,
    the source of fixed Internet, the kind of candidate site."""
    if column == "c8_missing":
        return values.map(lambda v: ", ".join(fact_name(f, "vi") for f in str(v).split(",")
                                              if f) or "–", na_action="ignore")
    if column == "backhaul":
        return values.map(lambda v: value_title("backhaul", v), na_action="ignore")
    words = {"fixed_internet_source": _FIXED_SOURCE, "source": _SITE_SOURCE}.get(column)
    if words is not None:
        return values.map(lambda v: words.get(v, v), na_action="ignore")
    return values


def table(frame: pd.DataFrame, *, titles: Mapping[str, str] | None = None,
          digits: int = 1) -> Styler:
    """``frame`` for reading: Vietnamese column titles, Vietnamese numbers (``digits``
    decimals; people and years as whole numbers), yes/no as Có/Không (Đạt/Chưa đạt for
    Criterion 8), unknown values as "không có số liệu"; geometry and index left out.

    ``titles`` adds or overrides column titles (column code -> title); the others come
    from :func:`geotel.outputs.tables.column_titles`.
    """
    extra = dict(titles or {})
    shown = pd.DataFrame(frame.drop(columns=[c for c in frame.columns if c == "geometry"]))
    for column in ("c8_missing", "backhaul", "fixed_internet_source", "source"):
        if column in shown.columns:
            shown[column] = _coded(column, shown[column])
    codes = [str(c) for c in shown.columns]
    shown.columns = [extra.get(c) or column_titles(c)[0] for c in codes]
    styler = shown.style.hide(axis="index")
    for code, title in zip(codes, shown.columns, strict=True):
        styler = styler.format(_formatter(code, digits), subset=[title], na_rep=NO_DATA,
                               escape="html")
    return styler
