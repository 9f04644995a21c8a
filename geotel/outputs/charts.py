"""Charts of a plan, shared by the report and the notebooks.

Each function takes a layer or table of the plan and returns a matplotlib
:class:`~matplotlib.figure.Figure` (no pyplot state: safe in scripts, threads and
notebooks), with Vietnamese or English labels and Vietnamese number formats
(1.234.567; 12,5):

* :func:`district_coverage_chart` — coverage per district, before and after the plan;
* :func:`phases_chart` — spending per year against the annual budgets, and the
  coverage reached year by year;
* :func:`gain_curve_chart` — the siting gain curve: people (or area) newly covered
  against the cumulative cost, proposals in rank order.

:func:`save_png` writes a figure atomically.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from geotel._atomic import atomic_file
from geotel._summary import NO_DATA, _int, _num
from geotel.outputs._labels import TEXT, Lang

__all__ = [
    "coverage_columns",
    "district_coverage_chart",
    "district_title",
    "gain_curve_chart",
    "phases_chart",
    "save_png",
]

_BEFORE = "#9ecae1"
_AFTER = "#08519c"
_TOWER = "#d95f02"
_FIBER = "#7570b3"
_LINE = "#1b9e77"

_T: dict[str, dict[str, str]] = {
    "before": {"vi": "Hiện trạng", "en": "Now"},
    "after": TEXT["coverage_planned"],
    "pop_pct": {"vi": "Tỷ lệ dân số được phủ sóng {t} (%)",
                "en": "Population covered by {t} (%)"},
    "area_pct": {"vi": "Tỷ lệ diện tích được phủ sóng {t} (%)",
                 "en": "Area covered by {t} (%)"},
    "district_title": {"vi": "Phủ sóng {t} theo huyện, trước và sau quy hoạch",
                       "en": "{t} coverage per district, before and after the plan"},
    "district_title_now": {"vi": "Phủ sóng {t} theo huyện, hiện trạng",
                           "en": "{t} coverage per district, now"},
    "no_data": NO_DATA,
    "towers": {"vi": "Trạm BTS", "en": "Towers"},
    "fiber": {"vi": "Cáp quang", "en": "Fiber"},
    "tower_budget": {"vi": "Ngân sách trạm BTS/năm", "en": "Tower budget per year"},
    "fiber_budget": {"vi": "Ngân sách cáp quang/năm", "en": "Fiber budget per year"},
    "spend": {"vi": "Kinh phí (tỷ đồng)", "en": "Spending (billion VND)"},
    "year": {"vi": "Năm", "en": "Year"},
    "phases_title": {"vi": "Phân kỳ đầu tư theo năm", "en": "Investment per year"},
    "pop_pct_cum": {"vi": "Tỷ lệ dân số được phủ sóng {t} lũy kế (%)",
                    "en": "Population covered by {t}, cumulative (%)"},
    "area_pct_cum": {"vi": "Tỷ lệ diện tích được phủ sóng {t} lũy kế (%)",
                     "en": "Area covered by {t}, cumulative (%)"},
    "bn": {"vi": "{x} tỷ đồng", "en": "{x} billion VND"},
    "cost_cum": {"vi": "Chi phí lũy kế (tỷ đồng)", "en": "Cumulative cost (billion VND)"},
    "pop_gain": {"vi": "Dân số được phủ sóng thêm (người)",
                 "en": "People newly covered"},
    "area_gain": {"vi": "Diện tích được phủ sóng thêm (km²)",
                  "en": "Area newly covered (km²)"},
    "gain_title": {"vi": "Hiệu quả các trạm đề xuất theo thứ tự ưu tiên",
                   "en": "Siting gain curve, proposals in rank order"},
    "no_towers": {"vi": "Không có trạm BTS đề xuất", "en": "No proposed towers"},
    "towers_n": {"vi": "{n} trạm", "en": "{n} tw"},
    "fiber_km": {"vi": "{km} km", "en": "{km} km"},
}


def _t(key: str, lang: Lang, **kw: object) -> str:
    return _T[key][lang].format(**kw)


def district_title(technology: str, lang: Lang, *, planned: bool) -> str:
    """The title of the district coverage chart (also the report's caption for it).

    Examples
    --------
    >>> district_title("4G", "en", planned=True)
    '4G coverage per district, before and after the plan'
    """
    return _t("district_title" if planned else "district_title_now", lang, t=technology)


def _check_lang(lang: str) -> None:
    if lang not in ("vi", "en"):
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64",
                                                                   na_value=np.nan)


def _formatter(lang: Lang) -> FuncFormatter:
    """Tick labels with Vietnamese separators: integers 1.234, else one decimal 12,5."""
    def fmt(v: float, _pos: object = None) -> str:
        return _int(v, lang) if abs(v - round(v)) < 1e-9 else _num(v, lang, 1)
    return FuncFormatter(fmt)


def coverage_columns(frame: pd.DataFrame, technology: str = "4G") -> tuple[str, str, str]:
    """The (before, after, kind) coverage columns of a communes/districts table.

    ``kind`` is ``"pop"`` when the population share has any data, else ``"area"`` (an
    area-only plan); ``after`` is the ``…_planned`` column (it may be absent).

    Examples
    --------
    >>> coverage_columns(pd.DataFrame({"pop_covered_pct_4g": [50.0]}))
    ('pop_covered_pct_4g', 'pop_covered_pct_4g_planned', 'pop')
    >>> coverage_columns(pd.DataFrame({"pop_covered_pct_4g": [None]}), "4G")[2]
    'area'
    """
    t = technology.lower()
    kind = "pop" if np.isfinite(_floats(frame, f"pop_covered_pct_{t}")).any() else "area"
    before = f"{kind}_covered_pct_{t}"
    return before, f"{before}_planned", kind


def district_coverage_chart(districts: pd.DataFrame, *, technology: str = "4G",
                            lang: Lang = "vi") -> Figure:
    """Coverage of each district now and after the plan, as paired horizontal bars.

    Parameters
    ----------
    districts
        The ``districts`` layer (or table) with ``district_name`` and
        ``pop_covered_pct_<tech>`` (and ``…_planned``), or the ``area_…`` shares in an
        area-only plan. Districts are drawn in ``district_code`` order.
    technology
        The technology of the shares (the siting technology).
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    Figure
        One axes; ``ax.containers[0]`` holds the bars of now, ``[1]`` those after the
        plan (when the plan has them; else the title says "now"). An unknown share has
        no bar and reads "không có số liệu".

    Examples
    --------
    >>> d = pd.DataFrame({"district_code": ["622", "623"], "district_name": ["A", "B"],
    ...                   "pop_covered_pct_4g": [80.0, 40.0],
    ...                   "pop_covered_pct_4g_planned": [90.0, 75.0]})
    >>> fig = district_coverage_chart(d)
    >>> [int(round(b.get_width())) for b in fig.axes[0].containers[1]]
    [90, 75]
    >>> district_coverage_chart(d.drop(columns="pop_covered_pct_4g_planned")).axes[0].get_title()
    'Phủ sóng 4G theo huyện, hiện trạng'
    """
    _check_lang(lang)
    d = districts
    if "district_code" in d.columns:
        d = d.sort_values("district_code", kind="stable")
    names = (d["district_name"].fillna("").astype(str).tolist()
             if "district_name" in d.columns else [str(i) for i in d.index])
    before, after, kind = coverage_columns(d, technology)
    series = [(before, _BEFORE, _t("before", lang))]
    if after in d.columns:
        series.append((after, _AFTER, _t("after", lang)))
    n = len(d)
    fig = Figure(figsize=(7.0, 1.6 + 0.34 * max(n, 1)), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(n, dtype=float)
    h = 0.8 / len(series)
    for k, (col, color, label) in enumerate(series):
        v = _floats(d, col)
        pos = y - 0.4 + h * (k + 0.5)
        bars = ax.barh(pos, np.nan_to_num(v, nan=0.0), height=h, color=color, label=label)
        for bar, value, p in zip(bars, v, pos, strict=True):
            if np.isnan(value):
                bar.set_width(0.0)
                ax.text(1.0, p, _t("no_data", lang), va="center", fontsize=7, color="#555555")
            else:
                ax.text(value + 1.0, p, _num(value, lang, 1), va="center", fontsize=7)
    ax.set_yticks(y, names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_xticks(np.arange(0, 101, 20))
    ax.xaxis.set_major_formatter(_formatter(lang))
    ax.set_xlabel(_t(f"{kind}_pct", lang, t=technology.upper()))
    ax.set_title(district_title(technology.upper(), lang, planned=len(series) > 1),
                 fontsize=11)
    fig.legend(loc="outside lower center", ncols=len(series), fontsize=8, frameon=False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


def phases_chart(phases: pd.DataFrame, *, tower_budget_vnd_per_year: float | None = None,
                 fiber_budget_vnd_per_year: float | None = None,
                 lang: Lang = "vi") -> Figure:
    """Spending per year on towers and fiber, the annual budgets, and coverage reached.

    Parameters
    ----------
    phases
        ``phases.csv``: ``year``, ``towers_built``, ``fiber_km``, ``tower_spend_vnd``,
        ``fiber_spend_vnd`` and a cumulative ``pop_covered_pct_<tech>`` (or
        ``area_covered_pct_<tech>``).
    tower_budget_vnd_per_year, fiber_budget_vnd_per_year
        The budget lines (``plan.*_budget_vnd_per_year`` of the config); not drawn
        when None.
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    Figure
        ``axes[0]``: bars in billion VND (``containers[0]`` towers, ``[1]`` fiber) and
        dashed budget lines; ``axes[1]`` (right): the cumulative coverage line, in %.

    Examples
    --------
    >>> p = pd.DataFrame({"year": [2020, 2021], "towers_built": [2, 1],
    ...     "fiber_km": [10.0, 0.0], "tower_spend_vnd": [3e9, 1.5e9],
    ...     "fiber_spend_vnd": [6e8, 0.0], "pop_covered_pct_4g": [80.0, 85.0]})
    >>> fig = phases_chart(p, tower_budget_vnd_per_year=4e9)
    >>> [float(b.get_height()) for b in fig.axes[0].containers[0]]
    [3.0, 1.5]
    """
    _check_lang(lang)
    years = pd.to_numeric(phases["year"], errors="coerce").astype(int).to_numpy()
    x = np.arange(len(years), dtype=float)
    fig = Figure(figsize=(7.0, 4.6), layout="constrained")
    ax = fig.add_subplot()
    w = 0.38
    tower = _floats(phases, "tower_spend_vnd") / 1e9
    fiber = _floats(phases, "fiber_spend_vnd") / 1e9
    bt = ax.bar(x - w / 2, np.nan_to_num(tower), w, color=_TOWER, label=_t("towers", lang))
    bf = ax.bar(x + w / 2, np.nan_to_num(fiber), w, color=_FIBER, label=_t("fiber", lang))
    n_towers = _floats(phases, "towers_built")
    km = _floats(phases, "fiber_km")
    for bars, counts, key in ((bt, n_towers, "towers_n"), (bf, km, "fiber_km")):
        for bar, c in zip(bars, counts, strict=True):
            if np.isfinite(c) and c > 0:
                label = (_t(key, lang, n=_int(c, lang)) if key == "towers_n"
                         else _t(key, lang, km=_num(c, lang, 1)))
                ax.annotate(label, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                            xytext=(0, 2), textcoords="offset points", ha="center",
                            va="bottom", fontsize=7)
    for budget, color, key in ((tower_budget_vnd_per_year, _TOWER, "tower_budget"),
                               (fiber_budget_vnd_per_year, _FIBER, "fiber_budget")):
        if budget is not None:
            ax.axhline(budget / 1e9, color=color, linestyle="--", linewidth=1.2,
                       label=f"{_t(key, lang)}: {_t('bn', lang, x=_num(budget / 1e9, lang, 1))}")
    ax.set_xticks(x, [str(y) for y in years])
    ax.set_xlabel(_t("year", lang))
    ax.set_ylabel(_t("spend", lang))
    ax.yaxis.set_major_formatter(_formatter(lang))
    top = np.nanmax([*np.nan_to_num(tower), *np.nan_to_num(fiber),
                     (tower_budget_vnd_per_year or 0) / 1e9,
                     (fiber_budget_vnd_per_year or 0) / 1e9, 0.0])
    ax.set_ylim(0, top * 1.15 if top > 0 else 1.0)
    ax2 = ax.twinx()
    pct_col = next((c for c in phases.columns
                    if str(c).startswith(("pop_covered_pct_", "area_covered_pct_"))), None)
    handles, labels = ax.get_legend_handles_labels()
    if pct_col is not None:
        what = _t("pop_pct_cum" if pct_col.startswith("pop") else "area_pct_cum", lang,
                  t=pct_col.rsplit("_", 1)[-1].upper())
        (line,) = ax2.plot(x, _floats(phases, pct_col), color=_LINE, marker="o",
                           linewidth=1.5, label=what)
        ax2.set_ylabel(what)
        handles.append(line)
        labels.append(line.get_label())
    ax2.set_ylim(0, 105)
    ax2.yaxis.set_major_formatter(_formatter(lang))
    fig.legend(handles, labels, loc="outside lower center", fontsize=7, ncols=3,
               frameon=False)
    ax.set_title(_t("phases_title", lang), fontsize=11)
    return fig


def gain_curve_chart(towers_proposed: pd.DataFrame, *, lang: Lang = "vi") -> Figure:
    """People (or area) newly covered against cumulative cost, proposals in rank order.

    Parameters
    ----------
    towers_proposed
        The ``towers_proposed`` layer: ``rank``, ``total_cost_vnd`` and ``pop_gain``
        (or ``area_gain_km2`` in an area-only plan).
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    Figure
        One axes with one line from (0, 0) through one point per proposal; x in
        billion VND, y in people (or km²).

    Examples
    --------
    >>> t = pd.DataFrame({"rank": [2, 1], "pop_gain": [100, 300],
    ...                   "total_cost_vnd": [1e9, 2e9]})
    >>> x, y = gain_curve_chart(t).axes[0].lines[0].get_data()
    >>> x.tolist(), y.tolist()
    ([0.0, 2.0, 3.0], [0.0, 300.0, 400.0])
    """
    _check_lang(lang)
    fig = Figure(figsize=(7.0, 4.2), layout="constrained")
    ax = fig.add_subplot()
    t = towers_proposed
    if "rank" in t.columns:
        t = t.sort_values("rank", kind="stable")
    gain_col = "pop_gain" if np.isfinite(_floats(t, "pop_gain")).any() else "area_gain_km2"
    gain = _floats(t, gain_col)
    cost = _floats(t, "total_cost_vnd") / 1e9
    ok = np.isfinite(gain) & np.isfinite(cost)
    if not ok.any():
        ax.text(0.5, 0.5, _t("no_towers", lang), ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    x = np.concatenate([[0.0], np.cumsum(cost[ok])])
    y = np.concatenate([[0.0], np.cumsum(gain[ok])])
    ax.plot(x, y, color=_AFTER, marker="o", markersize=3, linewidth=1.5)
    ax.fill_between(x, y, color=_BEFORE, alpha=0.4, linewidth=0)
    ax.set_xlim(0, x[-1] * 1.02 if x[-1] > 0 else 1.0)
    ax.set_ylim(0, y[-1] * 1.08 if y[-1] > 0 else 1.0)
    ax.set_xlabel(_t("cost_cum", lang))
    ax.set_ylabel(_t("pop_gain" if gain_col == "pop_gain" else "area_gain", lang))
    ax.xaxis.set_major_formatter(_formatter(lang))
    ax.yaxis.set_major_formatter(_formatter(lang))
    ax.grid(color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_title(_t("gain_title", lang), fontsize=11)
    return fig


def save_png(fig: Figure, path: str | os.PathLike, *, dpi: int = 200) -> Path:
    """Write ``fig`` as a PNG, atomically (temporary file, then rename).

    Examples
    --------
    >>> import tempfile
    >>> p = save_png(Figure(figsize=(1, 1)), f"{tempfile.mkdtemp()}/f.png", dpi=50)
    >>> p.stat().st_size > 0
    True
    """
    path = Path(path)
    with atomic_file(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format="png")
    return path
