"""Private: the report's content, built once from a plan folder (see ``_report_model``).

Sections in the order of the province's report: summary, districts, Criterion 8, dead
zones, proposals per year (``_report_plan``), map, method and assumptions
(``_report_plan``), and an annex with one table of communes per district.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geotel import __version__
from geotel._zonal import bool_column, text_column
from geotel.outputs._labels import COLUMN_TITLES, TEXT, Lang
from geotel.outputs._report_data import PlanFolder
from geotel.outputs._report_model import Block, Heading, Image, PageBreak, Para, Report, Table
from geotel.outputs._report_text import cap, n_int, n_num, no_data, pct, summary_paragraph, t
from geotel.outputs.charts import coverage_columns, district_title
from geotel.outputs.tables import column_titles

__all__ = ["Columns", "Doc", "build_report", "floats", "tri", "w", "yes_no"]

#: How many communes the dead-zone table lists.
TOP_DEAD_ZONES = 20

_W: dict[str, dict[str, str]] = {
    "district": {"vi": "Huyện, thị xã, thành phố", "en": "District"},
    "commune": {"vi": "Xã, phường, thị trấn", "en": "Commune"},
    "n_communes": {"vi": "Số xã", "en": "Communes"},
    "population": COLUMN_TITLES["population"],
    "area": COLUMN_TITLES["area_km2"],
    "cov_now": {"vi": "Phủ sóng {t} hiện trạng (%)", "en": "{t} coverage now (%)"},
    "cov_after": {"vi": "Phủ sóng {t} sau quy hoạch (%)", "en": "{t} coverage after (%)"},
    "cov_what_pop": {"vi": "tỷ lệ dân số", "en": "share of people"},
    "cov_what_area": {"vi": "tỷ lệ diện tích", "en": "share of area"},
    "dz_pop": {"vi": "Dân số vùng lõm {t} (người)", "en": "People in {t} dead zones"},
    "dz_km2": {"vi": "Diện tích vùng lõm {t} (km²)", "en": "{t} dead-zone area (km²)"},
    "towers": COLUMN_TITLES["towers"],
    "no_fixed": {"vi": "Xã chưa có Internet cố định", "en": "Communes without fixed Internet"},
    "c8_met": {"vi": "Xã đạt Tiêu chí 8", "en": "Communes meeting Criterion 8"},
    "fixed": {"vi": "Internet cố định", "en": "Fixed Internet"},
    "c8": {"vi": "Tiêu chí 8", "en": "Criterion 8"},
    "rank": {"vi": "TT", "en": "#"},
    "districts_cap": {"vi": "Hiện trạng hạ tầng viễn thông theo huyện",
                      "en": "Telecom infrastructure per district"},
    "districts_note": {"vi": "Tỷ lệ phủ sóng là {what} trong vùng có tín hiệu đạt ngưỡng. "
                             "Dòng “Toàn tỉnh” lấy từ summary.json.",
                       "en": "Coverage is the {what} where the signal reaches the threshold. "
                             "The “Province” row is from summary.json."},
    "met": TEXT["met"],
    "not_met": TEXT["not_met"],
    "c8_intro": {"vi": "Có {k}/{n} xã đạt Tiêu chí 8; {m} xã chưa đạt; {u} xã chưa xác định "
                       "được do không có số liệu. Một xã đạt Tiêu chí 8 khi đạt cả bốn chỉ "
                       "tiêu; chỉ tiêu 8.2 đạt khi ít nhất {thr}% dân số được phủ sóng {tech} "
                       "trở lên{fixed}.",
                 "en": "{k}/{n} communes meet Criterion 8; {m} do not; {u} are undecided for "
                       "lack of data. A commune meets Criterion 8 when it meets all four "
                       "sub-indicators; 8.2 needs at least {thr}% of people covered by {tech} "
                       "or newer{fixed}."},
    "c8_fixed": {"vi": " và có Internet cố định đến trung tâm xã",
                 "en": " and fixed Internet at the commune centre"},
    "c8_cap": {"vi": "Kết quả các chỉ tiêu của Tiêu chí 8", "en": "Criterion 8 sub-indicators"},
    "c8_ind": {"vi": "Chỉ tiêu", "en": "Sub-indicator"},
    "fail_cap": {"vi": "Các xã chưa đạt hoặc chưa xác định được Tiêu chí 8 và lý do",
                 "en": "Communes not meeting Criterion 8, or undecided, and why"},
    "result": {"vi": "Kết quả", "en": "Result"},
    "why": {"vi": "Chỉ tiêu chưa đạt, lý do", "en": "Failing sub-indicators, why"},
    "missing": TEXT["missing_inputs"],
    "all_met": {"vi": "Tất cả các xã đều đạt Tiêu chí 8.", "en": "Every commune meets "
                                                                  "Criterion 8."},
    "r81": {"vi": "8.1: chưa có điểm phục vụ bưu chính", "en": "8.1: no postal service point"},
    "r82": {"vi": "8.2: {why}", "en": "8.2: {why}"},
    "r82_cov": {"vi": "{p}% dân số được phủ sóng {tech} (< {thr}%)",
                "en": "{p}% of people covered by {tech} (< {thr}%)"},
    "r82_fixed": {"vi": "chưa có Internet cố định", "en": "no fixed Internet"},
    "r82_other": {"vi": "chưa đạt", "en": "not met"},
    "r83": {"vi": "8.3: chưa có đài truyền thanh", "en": "8.3: no radio station"},
    "r84": {"vi": "8.4: chưa ứng dụng CNTT trong quản lý", "en": "8.4: no IT in administration"},
    "dz_intro": {"vi": "{k} xã có nhiều người sống trong vùng lõm sóng {t} nhất: tổng cộng "
                       "{people} người, {share}% số người trong vùng lõm của toàn tỉnh.",
                 "en": "The {k} communes with the most people in {t} dead zones: {people} "
                       "people in all, {share}% of the province's people in dead zones."},
    "dz_intro_area": {"vi": "Không có số liệu dân số: {k} xã có diện tích vùng lõm sóng {t} "
                            "lớn nhất.",
                      "en": "Population unknown: the {k} communes with the largest {t} "
                            "dead-zone area."},
    "dz_cap": {"vi": "{k} xã có nhiều người trong vùng lõm sóng nhất",
               "en": "The {k} communes with the most people in dead zones"},
    "dz_cap_area": {"vi": "{k} xã có diện tích vùng lõm sóng lớn nhất",
                    "en": "The {k} communes with the largest dead-zone area"},
    "dz_none": {"vi": "Không có xã nào có vùng lõm sóng {t}.",
                "en": "No commune has {t} dead zones."},
    "annex_cap": {"vi": "Chỉ tiêu theo xã: {d}", "en": "Indicators per commune: {d}"},
    "code": {"vi": "Mã xã", "en": "Code"},
}


def w(key: str, lang: Lang, **kw: Any) -> str:
    return _W[key][lang].format(**kw)


def floats(frame: pd.DataFrame | None, column: str) -> np.ndarray:
    """A column as float64 (NaN for unknown or absent)."""
    if frame is None:
        return np.array([], dtype="float64")
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64",
                                                                   na_value=np.nan)


class Columns:
    """A table's columns as float arrays or nullable booleans, each converted once."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._floats: dict[str, np.ndarray] = {}
        self._bools: dict[str, pd.Series] = {}

    def f(self, name: str) -> np.ndarray:
        if name not in self._floats:
            self._floats[name] = floats(self.frame, name)
        return self._floats[name]

    def b(self, name: str) -> pd.Series:
        if name not in self._bools:
            self._bools[name] = bool_column(self.frame, name)
        return self._bools[name]


def tri(series: pd.Series, i: int) -> bool | None:
    """Row ``i`` of a nullable boolean Series as True, False or None (unknown)."""
    v = series.iloc[i]
    return None if v is pd.NA or v is None else bool(v)


def yes_no(value: object, lang: Lang, yes: str | None = None, no: str | None = None) -> str:
    """True/False/unknown in words ("Có" / "Không" / "không có số liệu")."""
    if value is None or value is pd.NA:
        return no_data(lang)
    return (yes or t("yes", lang)) if bool(value) else (no or t("no", lang))


class Doc:
    """Blocks being built, with table and figure numbers."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self.blocks: list[Block] = []
        self._tables = 0
        self._figures = 0

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    def table(self, caption: str, header: list[str], rows: list[list[str]], *,
              numeric: list[bool] | None = None, total: list[str] | None = None,
              widths: list[float] | None = None) -> None:
        self._tables += 1
        self.blocks.append(Table(t("table", self.lang, n=self._tables, text=caption),
                                 tuple(header), tuple(tuple(r) for r in rows),
                                 tuple(numeric or ()), tuple(total) if total else None,
                                 tuple(widths or ())))

    def image(self, path: Path | None, caption: str, width_mm: float = 160.0) -> None:
        if path is None:
            return
        self._figures += 1
        self.blocks.append(Image(path, t("figure", self.lang, n=self._figures, text=caption),
                                 width_mm))


def _counted(value: object, unknown: object, lang: Lang) -> str:
    """A count of communes, with how many had no data."""
    text = n_int(value, lang)
    u = 0 if value is None or pd.isna(value) or pd.isna(unknown) else int(str(unknown))
    return text + (t("partial", lang, u=n_int(u, lang)) if u else "")


def _districts(doc: Doc, f: PlanFolder, figures: dict[str, Path]) -> None:
    lang, s = doc.lang, f.summary
    tech = str(f.cfg("siting.technology"))
    doc.add(Heading(t("s_districts", lang)))
    d = f.districts
    if d is None or not len(d):
        doc.add(Para(no_data(lang)))
        return
    d = d.sort_values("district_code", kind="stable") if "district_code" in d else d
    before, after, kind = coverage_columns(f.communes, tech)
    has_after = after in f.communes.columns
    dz_tech = s.get("dead_zone_technology", tech)
    header = [w("district", lang), w("n_communes", lang),
              w("population" if kind == "pop" else "area", lang),
              w("cov_now", lang, t=tech)] + ([w("cov_after", lang, t=tech)] if has_after else [])
    header += [w("dz_pop" if kind == "pop" else "dz_km2", lang, t=dz_tech),
               w("towers", lang), w("no_fixed", lang), w("c8_met", lang)]
    planned = _weighted_after(f, after, kind)
    rows = []
    for _, r in d.iterrows():
        row = [str(r.get("district_name") or r.get("district_code") or ""),
               n_int(r.get("communes"), lang),
               n_int(r.get("population"), lang) if kind == "pop"
               else n_num(r.get("area_km2"), lang, 1),
               pct(r.get(before), lang)]
        if has_after:
            row.append(pct(planned.get(str(r.get("district_code"))), lang))
        row += [n_int(r.get("dead_zone_pop"), lang) if kind == "pop"
                else n_num(r.get("dead_zone_km2"), lang, 1),
                n_int(r.get("towers"), lang),
                _counted(r.get("communes_without_fixed_internet"),
                         r.get("has_fixed_internet_no_data"), lang),
                _counted(r.get("communes_c8_met"), r.get("c8_met_no_data"), lang)]
        rows.append(row)
    nd = s.get("no_data") or {}
    total = [t("total", lang), n_int(s.get("communes"), lang),
             n_int(s.get("population"), lang) if kind == "pop"
             else n_num(s.get("area_km2"), lang, 1),
             pct(s.get(f"{kind}_covered_pct_{tech.lower()}"), lang)]
    if has_after:
        total.append(pct(planned.get(None), lang))
    total += [n_int(s.get("dead_zone_pop"), lang) if kind == "pop"
              else n_num(s.get("dead_zone_km2"), lang, 1),
              n_int(s.get("towers"), lang),
              _counted(s.get("communes_without_fixed_internet"),
                       nd.get("has_fixed_internet", 0), lang),
              _counted(s.get("communes_c8_met"), nd.get("c8_met", 0), lang)]
    doc.table(w("districts_cap", lang), header, rows, total=total,
              numeric=[False] + [True] * (len(header) - 1),
              widths=[2.1, 0.75, 1.25] + [1.0] * (len(header) - 3))
    doc.add(Para(w("districts_note", lang, what=w(f"cov_what_{kind}", lang)), "note"))
    doc.image(figures.get("districts"),
              district_title(tech, lang, planned=has_after), 150.0)


def _weighted_after(f: PlanFolder, after: str, kind: str) -> dict[str | None, float]:
    """Coverage after the plan per district code (None: the whole province), weighted by
    population or area over communes where it is known."""
    c = f.communes
    value = floats(c, after)
    weight = np.nan_to_num(floats(c, "population" if kind == "pop" else "area_km2"))
    known = np.isfinite(value)
    key = pd.Series(text_column(c, "district_code"))
    num = pd.Series(np.where(known, value * weight, 0.0)).groupby(key).sum()
    den = pd.Series(np.where(known, weight, 0.0)).groupby(key).sum()
    out: dict[str | None, float] = {k: float(num[k] / den[k]) for k in num.index if den[k] > 0}
    if float(den.sum()) > 0:
        out[None] = float(num.sum() / den.sum())
    return out


def _c8_reasons(c: Columns, i: int, f: PlanFolder, lang: Lang) -> str:
    tech = str(f.cfg("indicators.c8_technology"))
    thr = float(f.cfg("indicators.c8_min_pop_covered_pct"))
    reasons = []
    if tri(c.b("c8_1_postal"), i) is False:
        reasons.append(w("r81", lang))
    if tri(c.b("c8_2_telecom_internet"), i) is False:
        why = []
        p = c.f("c8_pop_covered_pct")[i]
        if np.isfinite(p) and p < thr:
            why.append(w("r82_cov", lang, p=pct(p, lang), tech=tech, thr=n_num(thr, lang, 0)))
        if (bool(f.cfg("indicators.c8_requires_fixed_internet"))
                and tri(c.b("has_fixed_internet"), i) is False):
            why.append(w("r82_fixed", lang))
        reasons.append(w("r82", lang, why="; ".join(why) or w("r82_other", lang)))
    if tri(c.b("c8_3_radio"), i) is False:
        reasons.append(w("r83", lang))
    if tri(c.b("c8_4_it_admin"), i) is False:
        reasons.append(w("r84", lang))
    return "; ".join(reasons)


def _c8(doc: Doc, f: PlanFolder) -> None:
    from geotel.outputs._report_text import fact_name

    lang, c = doc.lang, f.communes
    cols = Columns(c)
    doc.add(Heading(t("s_c8", lang)))
    met = cols.b("c8_met")
    k, m, u = int((met == True).sum()), int((met == False).sum()), int(met.isna().sum())  # noqa: E712
    fixed = w("c8_fixed", lang) if f.cfg("indicators.c8_requires_fixed_internet") else ""
    doc.add(Para(w("c8_intro", lang, k=n_int(k, lang), n=n_int(len(c), lang),
                   m=n_int(m, lang), u=n_int(u, lang),
                   thr=n_num(float(f.cfg("indicators.c8_min_pop_covered_pct")), lang, 0),
                   tech=f.cfg("indicators.c8_technology"), fixed=fixed)))
    rows = []
    for col in ("c8_1_postal", "c8_2_telecom_internet", "c8_3_radio", "c8_4_it_admin",
                "c8_met"):
        v = cols.b(col)
        vi, en = column_titles(col)
        rows.append([vi if lang == "vi" else en, n_int(int((v == True).sum()), lang),  # noqa: E712
                     n_int(int((v == False).sum()), lang), n_int(int(v.isna().sum()), lang)])  # noqa: E712
    doc.table(w("c8_cap", lang), [w("c8_ind", lang), w("met", lang), w("not_met", lang),
                                  cap(no_data(lang))], rows,
              numeric=[False, True, True, True], widths=[3.0, 1.0, 1.0, 1.0])
    if k == len(c):
        doc.add(Para(w("all_met", lang)))
        return
    order = np.lexsort((text_column(c, "commune_code"), text_column(c, "district_code"),
                        met.isna().to_numpy()))
    dnames, cnames = text_column(c, "district_name"), text_column(c, "commune_name")
    missing = text_column(c, "c8_missing")
    rows = []
    for i in order:
        verdict = tri(met, int(i))
        if verdict is True:
            continue
        rows.append([cnames[i], dnames[i],
                     w("not_met", lang) if verdict is False else no_data(lang),
                     _c8_reasons(cols, int(i), f, lang) or "–",
                     ", ".join(fact_name(x, lang) for x in missing[i].split(",") if x) or "–"])
    header = [w("commune", lang), w("district", lang), w("result", lang), w("why", lang),
              w("missing", lang)]
    widths = [1.6, 1.5, 1.0, 3.0, 2.2]
    if all(r[-1] == "–" for r in rows):  # no data missing: the column would be empty
        header, widths, rows = header[:-1], [1.6, 1.5, 1.0, 5.2], [r[:-1] for r in rows]
    doc.table(w("fail_cap", lang), header, rows, widths=widths)


def _dead_zones(doc: Doc, f: PlanFolder) -> None:
    lang, c, s = doc.lang, f.communes, f.summary
    tech = str(f.cfg("siting.technology"))
    dz_tech = s.get("dead_zone_technology", tech)
    doc.add(Heading(t("s_dead", lang)))
    before, after, kind = coverage_columns(c, tech)
    cols = Columns(c)
    key = cols.f("dead_zone_pop" if kind == "pop" else "dead_zone_km2")
    order = [i for i in np.argsort(-np.nan_to_num(key), kind="stable") if key[i] > 0]
    top = order[:TOP_DEAD_ZONES]
    if not top:
        doc.add(Para(w("dz_none", lang, t=dz_tech)))
        return
    people = float(np.nansum(key[top]))
    total = s.get("dead_zone_pop")
    if kind == "pop":
        share = 100.0 * people / total if total else None
        doc.add(Para(w("dz_intro", lang, k=len(top), t=dz_tech, people=n_int(people, lang),
                       share=pct(share, lang))))
    else:
        doc.add(Para(w("dz_intro_area", lang, k=len(top), t=dz_tech)))
    cnames, dnames = text_column(c, "commune_name"), text_column(c, "district_name")
    header = [w("rank", lang), w("commune", lang), w("district", lang),
              w("population", lang), w("dz_pop", lang, t=dz_tech),
              w("dz_km2", lang, t=dz_tech), w("cov_now", lang, t=tech)]
    has_after = after in c.columns
    if has_after:
        header.append(w("cov_after", lang, t=tech))
    rows = []
    for n, i in enumerate(top, start=1):
        row = [str(n), cnames[i], dnames[i], n_int(cols.f("population")[i], lang),
               n_int(cols.f("dead_zone_pop")[i], lang),
               n_num(cols.f("dead_zone_km2")[i], lang, 1), pct(cols.f(before)[i], lang)]
        if has_after:
            row.append(pct(cols.f(after)[i], lang))
        rows.append(row)
    doc.table(w("dz_cap" if kind == "pop" else "dz_cap_area", lang, k=len(top)), header, rows,
              numeric=[True, False, False] + [True] * (len(header) - 3),
              widths=[0.5, 1.8, 1.8] + [1.0] * (len(header) - 3))


def _annex(doc: Doc, f: PlanFolder) -> None:
    lang, c = doc.lang, f.communes
    tech = str(f.cfg("siting.technology"))
    before, after, kind = coverage_columns(c, tech)
    has_after = after in c.columns
    doc.add(Heading(t("s_annex", lang)))
    codes, names = text_column(c, "commune_code"), text_column(c, "commune_name")
    dcodes, dnames = text_column(c, "district_code"), text_column(c, "district_name")
    cols = Columns(c)
    fixed, c8 = cols.b("has_fixed_internet"), cols.b("c8_met")
    header = [w("commune", lang), w("code", lang),
              w("population" if kind == "pop" else "area", lang), w("cov_now", lang, t=tech)]
    header += [w("cov_after", lang, t=tech)] if has_after else []
    header += [w("dz_pop" if kind == "pop" else "dz_km2", lang, t=tech), w("fixed", lang),
               w("c8", lang)]
    for dcode in sorted(set(dcodes)):
        idx = [i for i in np.lexsort((codes, dcodes)) if dcodes[i] == dcode]
        rows = []
        for i in idx:
            row = [names[i], codes[i],
                   n_int(cols.f("population")[i], lang) if kind == "pop"
                   else n_num(cols.f("area_km2")[i], lang, 1), pct(cols.f(before)[i], lang)]
            if has_after:
                row.append(pct(cols.f(after)[i], lang))
            row += [n_int(cols.f("dead_zone_pop")[i], lang) if kind == "pop"
                    else n_num(cols.f("dead_zone_km2")[i], lang, 1),
                    yes_no(tri(fixed, i), lang),
                    yes_no(tri(c8, i), lang, w("met", lang), w("not_met", lang))]
            rows.append(row)
        doc.table(w("annex_cap", lang, d=dnames[idx[0]] or dcode), header, rows,
                  numeric=[False, False] + [True] * (len(header) - 4) + [False, False],
                  widths=[2.0, 0.9] + [1.0] * (len(header) - 2))


def build_report(f: PlanFolder, figures: dict[str, Path], *, lang: Lang = "vi",
                 date: dt.date | None = None) -> Report:
    """The report's content from a plan folder and the chart images (``districts``,
    ``phases``, ``gain``); ``print_map.png`` comes from the folder."""
    from geotel.outputs._report_plan import method_section, plan_section, plan_sentences

    doc = Doc(lang)
    doc.add(Heading(t("s_summary", lang)), Para(summary_paragraph(f.summary, lang), "lead"))
    doc.add(*(Para(p, "lead") for p in plan_sentences(f, lang)))
    _districts(doc, f, figures)
    _c8(doc, f)
    _dead_zones(doc, f)
    plan_section(doc, f, figures)
    doc.add(PageBreak(), Heading(t("s_map", lang)))
    if f.print_map is None:
        doc.add(Para(no_data(lang)))
    # write_plan prints pop_covered_pct_4g (grey "no data" in an area-only plan)
    doc.image(f.print_map, column_titles("pop_covered_pct_4g")[lang == "en"], 150.0)
    doc.add(PageBreak())
    method_section(doc, f)
    doc.add(PageBreak())
    _annex(doc, f)
    date = date or dt.date.today()
    return Report(
        lang=lang, title=t("title", lang),
        subtitle=t("subtitle", lang, name=f.cfg("name"), y0=f.cfg("plan.start_year"),
                   y1=f.cfg("plan.end_year")),
        meta=(t("made", lang, date=date.strftime("%d/%m/%Y") if lang == "vi"
                else date.isoformat(), version=__version__),),
        blocks=tuple(doc.blocks), page_word=t("page", lang))
