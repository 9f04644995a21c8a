"""Private: the province summary (re-exported by geotel.indicators).

Every figure is one of three things: given by an input, derived from given facts, or
unknown. Unknown figures are ``None`` in :class:`ProvinceSummary` and ``null`` in
``summary.json``, and the text says "no data" with the way to give the fact.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geotel._atomic import atomic_file
from geotel._lang import check_lang
from geotel._zonal import bool_column, commune_labels_text, is_official_code, text_column
from geotel.config import IndicatorsConfig

__all__ = ["FACT_FIXES", "NO_DATA", "ProvinceSummary", "population_source", "province_summary"]

Lang = Literal["vi", "en"]

#: "no data" inside a sentence (the summary, the report, the charts).
NO_DATA: dict[str, str] = {"vi": "không có số liệu", "en": "no data"}

#: How to give each commune fact that can be unknown (shown after "no data").
FACT_FIXES: dict[str, dict[str, str]] = {
    "population": {
        "vi": "cho dân số theo một trong bốn cách: cột `population` trong lớp xã, "
              "raster dân số, bảng niên giám (mã/tên xã → dân số), hoặc tổng dân số "
              "huyện (`inputs.district_population`)",
        "en": "give population one of four ways: a `population` column in the communes "
              "layer, a population raster, a yearbook table (commune code/name → "
              "population), or district totals (`inputs.district_population`)"},
    "has_fixed_internet": {
        "vi": "cho cột `has_fixed_internet` trong lớp xã, hoặc lớp cáp quang "
              "(`inputs.fiber`)",
        "en": "give `has_fixed_internet` in the communes layer, or a fiber layer "
              "(`inputs.fiber`)"},
    "has_radio_station": {
        "vi": "cho cột `has_radio_station` trong lớp xã",
        "en": "give `has_radio_station` in the communes layer"},
    "has_postal_point": {
        "vi": "cho cột `has_postal_point` trong lớp xã",
        "en": "give `has_postal_point` in the communes layer"},
    "has_it_admin": {
        "vi": "cho cột `has_it_admin` trong lớp xã, hoặc "
              "`indicators.c8_it_admin_default`",
        "en": "give `has_it_admin` in the communes layer, or "
              "`indicators.c8_it_admin_default`"},
}

_T: dict[str, dict[str, str]] = {
    "head": {"vi": "{n} xã, phường, thị trấn; dân số {pop} người; diện tích {area} km².",
             "en": "{n} communes; population {pop}; area {area} km²."},
    "no_data": NO_DATA,
    "pop_unknown": {"vi": "dân số: không có số liệu ({fix})",
                    "en": "population: no data ({fix})"},
    "pop_none": {"vi": "dân số: không có số liệu (cấu hình `population: none`: quy hoạch "
                       "theo diện tích)",
                 "en": "population: no data (`population: none` in the config: an "
                       "area-only plan)"},
    "pop_source": {"vi": "Nguồn dân số: {src}.", "en": "Population source: {src}."},
    "fixed": {"vi": "{k}/{n} xã chưa có Internet cố định{rest}.",
              "en": "{k}/{n} communes without fixed Internet{rest}."},
    "fixed_fact": {"vi": "Internet cố định", "en": "fixed Internet"},
    "radio": {"vi": "{k}/{n} xã có đài truyền thanh không dây{rest}.",
              "en": "{k}/{n} with a wireless radio station{rest}."},
    "radio_fact": {"vi": "đài truyền thanh", "en": "radio stations"},
    "postal": {"vi": "{k}/{n} xã có điểm phục vụ bưu chính{rest}.",
               "en": "{k}/{n} with a postal service point{rest}."},
    "postal_fact": {"vi": "điểm phục vụ bưu chính", "en": "postal service points"},
    "partial": {"vi": "; {u} xã không có số liệu", "en": "; no data for {u}"},
    "mobile": {"vi": "{a} xã chỉ có sóng 2G; {b} xã chưa có sóng di động.",
               "en": "{a} commune{s} with 2G only; {b} without mobile coverage."},
    "cov_pop": {"vi": "Tỷ lệ dân số được phủ sóng: {cov}", "en": "Population covered: {cov}"},
    "cov_area": {"vi": "diện tích phủ sóng 4G {pct}%", "en": "4G area coverage {pct}%"},
    "cov_area_only": {"vi": "Diện tích phủ sóng 4G: {pct}%.", "en": "4G area coverage: {pct}%."},
    "dz": {"vi": "{people} người sống trong vùng lõm sóng {t} ({zones}{km2} km²).",
           "en": "{people} people in {t} dead zones ({zones}{km2} km²)."},
    "dz_area": {"vi": "Vùng lõm sóng {t}: {zones}{km2} km² (dân số: không có số liệu).",
                "en": "{t} dead zones: {zones}{km2} km² (people: no data)."},
    "zones": {"vi": "{z} vùng, ", "en": "{z} zone{s}, "},
    "towers": {"vi": "{k} trạm BTS", "en": "{k} tower sites"},
    "shared": {"vi": ", {pct}% dùng chung hạ tầng.", "en": ", {pct}% shared."},
    "c8": {"vi": "{k}/{n} xã đạt Tiêu chí 8 (Thông tin và Truyền thông){rest}.",
           "en": "{k}/{n} communes meet Criterion 8 (information and communications){rest}."},
    "c8_open": {"vi": "; {u} xã chưa xác định được (thiếu số liệu: {what})",
                "en": "; {u} undecided (no data: {what})"},
    "c8_unknown": {"vi": "Tiêu chí 8: không có số liệu (thiếu: {what}).",
                   "en": "Criterion 8: no data (missing: {what})."},
    "top": {"vi": "Xã có nhiều người trong vùng lõm sóng nhất: {top}.",
            "en": "Communes with the most people in dead zones: {top}."},
    "people": {"vi": "người", "en": "people"},
    "uncoded": {"vi": "{k} xã chưa có mã chính thức: {rows}.",
                "en": "{k} commune{s} without an official code: {rows}."},
    "shortfall": {"vi": "{step}: yêu cầu {asked}, đạt {done}. Lý do: {reason}",
                  "en": "{step}: asked {asked}, delivered {done}. Reason: {reason}"},
    "assumed": {"vi": "Giả định: {text}", "en": "Assumed: {text}"},
}


def _t(key: str, lang: Lang, **kw: Any) -> str:
    return _T[key][lang].format(**kw)


_SPREAD_VI = {"area": "diện tích", "column": "cột trọng số",
              "dasymetric": "mô hình phân bố dân cư (gần đường, độ dốc thấp)"}


def population_source(source: str | None, lang: Lang) -> str:
    """Where the people came from, in words.

    Examples
    --------
    >>> population_source("yearbook table nien_giam.xlsx", "vi")
    'bảng niên giám nien_giam.xlsx'
    >>> population_source("district totals census.gpkg, spread by area", "vi")
    'tổng dân số huyện census.gpkg, phân bổ theo diện tích'
    """
    if not source:
        return "không có số liệu" if lang == "vi" else "no data"
    if lang == "en":
        return "none (an area-only plan)" if source == "none" else source
    if source == "none":
        return "không có (quy hoạch theo diện tích)"
    text = source
    if ", spread by " in text:
        head, how = text.split(", spread by ", 1)
        text = f"{head}, phân bổ theo {_SPREAD_VI.get(how, how)}"
    for en, vi in (("communes layer (population column)", "lớp xã (cột dân số)"),
                   ("yearbook table", "bảng niên giám"), ("raster", "raster dân số"),
                   ("district totals", "tổng dân số huyện")):
        if text.startswith(en):
            return vi + text[len(en):]
    return text


@dataclass(frozen=True)
class ProvinceSummary:
    """The province's headline figures, as in its own infrastructure report.

    Shares are in percent of people (``pop_*``) or of area; ``None`` when unknown.
    Counts of communes with a fact (radio station, ...) count the communes whose
    input says so; they are ``None`` when no commune's input gives the fact, and
    ``no_data`` counts, per fact, the communes whose value is unknown.
    Build it with :func:`province_summary`; print it with :meth:`text`, save it with
    :meth:`to_json`.

    Examples
    --------
    >>> s = ProvinceSummary(222, 1_513_847, 15_510.0, 10, 149, None, 150, 12, 0, 99.0, 97.0,
    ...     90.0, 75.0, "4G", 300, 1_200.0, 45_000, 1_500, 20.0)
    >>> print(s.text("vi").splitlines()[1])
    10/222 xã chưa có Internet cố định.
    >>> print(s.text("en").splitlines()[3])
    postal service points: no data (give `has_postal_point` in the communes layer).
    >>> s.to_dict()["dead_zone_pop"], s.to_dict()["communes_with_postal_point"]
    (45000, None)
    """

    communes: int
    population: int | None
    area_km2: float | None
    communes_without_fixed_internet: int | None
    communes_with_radio_station: int | None
    communes_with_postal_point: int | None
    communes_c8_met: int | None
    communes_2g_only: int | None
    communes_without_mobile: int | None
    pop_covered_pct_2g: float | None
    pop_covered_pct_3g: float | None
    pop_covered_pct_4g: float | None
    area_covered_pct_4g: float | None
    dead_zone_technology: str
    dead_zones: int | None
    dead_zone_km2: float | None
    dead_zone_pop: int | None
    towers: int | None
    shared_tower_pct: float | None
    #: Communes without an official code: "row N (name)".
    communes_without_code: tuple[str, ...] = ()
    #: The communes with the most people in dead zones: (code, name, people).
    top_dead_zone_communes: tuple[tuple[str, str, int], ...] = ()
    #: Per fact (``has_radio_station``, ``c8_met``, ...): communes whose value is unknown.
    no_data: dict[str, int] = field(default_factory=dict)
    #: Where the population came from ("none" for an area-only plan); None if not said.
    population_source: str | None = None
    #: Per Criterion 8 input: the communes where it is unknown.
    c8_missing: dict[str, int] = field(default_factory=dict)
    #: Modelling assumptions used: {"key", "value", "note", "stands_in_for_data"}.
    assumptions: tuple[dict[str, Any], ...] = ()
    #: Steps that delivered less than asked: {"step", "asked", "delivered", "reason", ...}.
    shortfalls: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (tuples become lists); unknown figures are None."""
        d = dataclasses.asdict(self)
        d["communes_without_code"] = list(self.communes_without_code)
        d["top_dead_zone_communes"] = [
            {"commune_code": c, "commune_name": n, "people": p}
            for c, n, p in self.top_dead_zone_communes
        ]
        d["unknowns"] = [{"fact": k, "communes": v, "fix": FACT_FIXES[k]["en"]}
                         for k, v in self.no_data.items() if v and k in FACT_FIXES]
        d["assumptions"] = [dict(a) for a in self.assumptions]
        d["shortfalls"] = [dict(s) for s in self.shortfalls]
        return d

    def to_json(self, path: str | os.PathLike) -> Path:
        """Write :meth:`to_dict` as UTF-8 JSON, atomically (temporary file, then rename)."""
        path = Path(path)
        with atomic_file(path) as tmp:
            tmp.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n",
                           encoding="utf-8")
        return path

    def text(self, lang: Lang = "vi") -> str:
        """The summary as short report lines, in Vietnamese or English."""
        check_lang(lang)
        i = lambda x: _int(x, lang)  # noqa: E731
        f = lambda x, d=1: _num(x, lang, d)  # noqa: E731
        n = self.communes
        lines = [_t("head", lang, n=i(n), pop=i(self.population), area=f(self.area_km2, 0))]
        if self.population is None:
            lines.append(_t("pop_none" if self.population_source == "none" else "pop_unknown",
                            lang, fix=FACT_FIXES["population"][lang]) + ".")
        elif self.population_source:
            lines.append(_t("pop_source", lang,
                            src=population_source(self.population_source, lang)))
        for key, value, fact in (
                ("fixed", self.communes_without_fixed_internet, "has_fixed_internet"),
                ("radio", self.communes_with_radio_station, "has_radio_station"),
                ("postal", self.communes_with_postal_point, "has_postal_point")):
            lines.append(self._fact_line(key, value, fact, lang))
        if self.communes_2g_only is not None:
            lines.append(_t("mobile", lang, a=i(self.communes_2g_only),
                            b=i(self.communes_without_mobile), s=_s(self.communes_2g_only)))
        t = self.dead_zone_technology
        cov = ", ".join(f"{k} {f(v)}%" for k, v in (
            ("2G", self.pop_covered_pct_2g), ("3G", self.pop_covered_pct_3g),
            ("4G", self.pop_covered_pct_4g)) if v is not None)
        if cov:
            lines.append(_t("cov_pop", lang, cov=cov) + (
                "; " + _t("cov_area", lang, pct=f(self.area_covered_pct_4g)) + "."
                if self.area_covered_pct_4g is not None else "."))
        elif self.area_covered_pct_4g is not None:
            lines.append(_t("cov_area_only", lang, pct=f(self.area_covered_pct_4g)))
        zones = (_t("zones", lang, z=i(self.dead_zones), s=_s(self.dead_zones))
                 if self.dead_zones is not None else "")
        if self.dead_zone_pop is not None:
            lines.append(_t("dz", lang, people=i(self.dead_zone_pop), t=t, zones=zones,
                            km2=f(self.dead_zone_km2)))
        elif self.dead_zone_km2 is not None:
            lines.append(_t("dz_area", lang, t=t, zones=zones, km2=f(self.dead_zone_km2)))
        if self.towers is not None:
            lines.append(_t("towers", lang, k=i(self.towers)) + (
                _t("shared", lang, pct=f(self.shared_tower_pct))
                if self.shared_tower_pct is not None else "."))
        lines.append(self._c8_line(lang))
        if self.top_dead_zone_communes:
            top = "; ".join(f"{nm or c} ({i(p)} {_t('people', lang)})"
                            for c, nm, p in self.top_dead_zone_communes)
            lines.append(_t("top", lang, top=top))
        if self.communes_without_code:
            rows = list(self.communes_without_code)
            if lang == "vi":
                rows = [r.replace("row ", "dòng ", 1) for r in rows]
            lines.append(_t("uncoded", lang, k=len(rows), s=_s(len(rows)),
                            rows="; ".join(rows)))
        for sf in self.shortfalls:
            said = sf.get("vi", sf) if lang == "vi" else sf
            lines.append(_t("shortfall", lang, step=said.get("step", ""),
                            asked=said.get("asked", "–"), done=said.get("delivered", "–"),
                            reason=said.get("reason", "")))
        lines += [_t("assumed", lang, text=a.get("note", "")) for a in self.assumptions
                  if a.get("stands_in_for_data")]
        return "\n".join(lines)

    def _fact_line(self, key: str, value: int | None, fact: str, lang: Lang) -> str:
        unknown = self.no_data.get(fact, 0)
        if value is None:
            return (f"{_t(key + '_fact', lang)}: {_t('no_data', lang)} "
                    f"({FACT_FIXES[fact][lang]}).")
        rest = _t("partial", lang, u=_int(unknown, lang)) if unknown else ""
        return _t(key, lang, k=_int(value, lang), n=_int(self.communes, lang), rest=rest)

    def _c8_line(self, lang: Lang) -> str:
        what = ", ".join(f"{k} ({v})" for k, v in self.c8_missing.items() if v)
        if self.communes_c8_met is None:
            return _t("c8_unknown", lang, what=what or "–")
        open_ = self.no_data.get("c8_met", 0)
        rest = _t("c8_open", lang, u=_int(open_, lang), what=what) if open_ else ""
        return _t("c8", lang, k=_int(self.communes_c8_met, lang),
                  n=_int(self.communes, lang), rest=rest)

    def __str__(self) -> str:
        return self.text("vi")


def _s(count: int | None) -> str:
    return "" if count == 1 else "s"


def _int(x: float | int | None, lang: str) -> str:
    if x is None:
        return "–"
    s = f"{round(x):,}"
    return s.replace(",", ".") if lang == "vi" else s


def _num(x: float | None, lang: str, digits: int = 1) -> str:
    if x is None:
        return "–"
    s = f"{x:,.{digits}f}"
    if lang == "vi":
        s = s.replace(",", " ").replace(".", ",").replace(" ", ".")
    return s


def _opt(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _count(kpi: pd.DataFrame, name: str, want: bool) -> tuple[int | None, int]:
    """Communes whose ``name`` is ``want`` (None when no commune's value is known), and
    the communes whose value is unknown."""
    values = bool_column(kpi, name)
    unknown = int(values.isna().sum())
    if unknown == len(values):
        return None, unknown
    return int((values == want).sum()), unknown


def province_summary(
    communes_kpi: gpd.GeoDataFrame,
    dead_zones: gpd.GeoDataFrame | None = None,
    *,
    technology: str | None = None,
    top: int = 5,
) -> ProvinceSummary:
    """The province's headline figures from the commune indicators and the dead zones.

    Parameters
    ----------
    communes_kpi
        Output of :func:`geotel.indicators.commune_indicators`.
    dead_zones
        The ``dead_zones`` layer; its ``operator == 'any'`` zones of ``technology`` are
        counted. Without it, the commune columns ``dead_zone_*`` are summed.
    technology
        Dead-zone technology; by default the only one in ``dead_zones``, else
        ``IndicatorsConfig.dead_zone_technology``.
    top
        How many communes to list by people in dead zones.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> k = gpd.GeoDataFrame({"commune_code": ["1", ""], "commune_name": ["A", "B"],
    ...     "population": [100, 300], "has_fixed_internet": [True, False],
    ...     "mobile_covered_technologies": ["2G", "2G,3G,4G"], "dead_zone_pop": [5.0, 0.0]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=32649)
    >>> s = province_summary(k)
    >>> print(s.text("en").splitlines()[1])
    1/2 communes without fixed Internet.
    >>> s.communes_with_radio_station, s.no_data["has_radio_station"]
    (None, 2)
    """
    kpi = communes_kpi
    n = len(kpi)

    def col(name: str) -> pd.Series:
        if name not in kpi.columns:
            return pd.Series(np.full(n, np.nan))
        return pd.to_numeric(kpi[name], errors="coerce").astype(float).reset_index(drop=True)

    pop_col = col("population")
    pop_known = bool(pop_col.notna().any())
    pop = pop_col.fillna(0.0)

    def weighted(name: str, weight: pd.Series) -> float | None:
        v = col(name)
        known = v.notna()
        den = float(weight[known].sum())
        return _opt(float((v[known] * weight[known]).sum()) / den) if den > 0 else None

    area = col("area_km2")
    tech = text_column(kpi, "mobile_covered_technologies")
    has_tech = "mobile_covered_technologies" in kpi.columns
    dz_tech = technology or IndicatorsConfig.dead_zone_technology
    zones = km2 = people = None
    if dead_zones is not None:
        dz = dead_zones
        if "operator" in dz.columns:
            dz = dz[dz["operator"] == "any"]
        if technology is None and "technology" in dz.columns and dz["technology"].nunique() == 1:
            dz_tech = str(dz["technology"].iloc[0])
        if "technology" in dz.columns:
            dz = dz[dz["technology"] == dz_tech]
        zones, km2 = len(dz), float(dz["area_km2"].sum())
        dz_people = pd.to_numeric(dz["population"], errors="coerce")
        people = (round(float(dz_people.sum()))
                  if pop_known and (len(dz) == 0 or dz_people.notna().any()) else None)
    elif col("dead_zone_km2").notna().any() or col("dead_zone_pop").notna().any():
        km2 = (_opt(float(col("dead_zone_km2").sum())) if col("dead_zone_km2").notna().any()
               else None)
        people = (round(float(col("dead_zone_pop").sum()))
                  if col("dead_zone_pop").notna().any() else None)
    towers = int(col("towers").sum()) if col("towers").notna().any() else None
    dzp = col("dead_zone_pop")
    order = dzp.fillna(0.0).sort_values(ascending=False, kind="stable")
    codes, names = text_column(kpi, "commune_code"), text_column(kpi, "commune_name")
    top_list = tuple((codes[i], names[i], round(v)) for i, v in order.head(top).items()
                     if v > 0)
    labels = commune_labels_text(kpi)
    no_fixed, u_fixed = _count(kpi, "has_fixed_internet", False)
    radio, u_radio = _count(kpi, "has_radio_station", True)
    postal, u_postal = _count(kpi, "has_postal_point", True)
    c8, u_c8 = _count(kpi, "c8_met", True)
    missing = text_column(kpi, "c8_missing")
    c8_missing: dict[str, int] = {}
    for m in missing:
        for k in filter(None, m.split(",")):
            c8_missing[k] = c8_missing.get(k, 0) + 1
    return ProvinceSummary(
        communes=n,
        population=round(float(pop.sum())) if pop_known else None,
        area_km2=_opt(float(area.sum())) if area.notna().any() else None,
        communes_without_fixed_internet=no_fixed,
        communes_with_radio_station=radio,
        communes_with_postal_point=postal,
        communes_c8_met=c8,
        communes_2g_only=sum(t == "2G" for t in tech) if has_tech else None,
        communes_without_mobile=sum(t == "" for t in tech) if has_tech else None,
        pop_covered_pct_2g=weighted("pop_covered_pct_2g", pop),
        pop_covered_pct_3g=weighted("pop_covered_pct_3g", pop),
        pop_covered_pct_4g=weighted("pop_covered_pct_4g", pop),
        area_covered_pct_4g=weighted("area_covered_pct_4g", area.fillna(0.0)),
        dead_zone_technology=dz_tech,
        dead_zones=zones,
        dead_zone_km2=km2,
        dead_zone_pop=people,
        towers=towers,
        shared_tower_pct=weighted("shared_tower_pct", col("towers").fillna(0.0)),
        communes_without_code=tuple(lab for c, lab in zip(codes, labels, strict=True)
                                    if not is_official_code(c)),
        top_dead_zone_communes=top_list,
        no_data={"population": 0 if pop_known else n, "has_fixed_internet": u_fixed,
                 "has_radio_station": u_radio, "has_postal_point": u_postal, "c8_met": u_c8},
        c8_missing=c8_missing,
    )
