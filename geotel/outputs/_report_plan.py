"""Private: the report's proposals (towers and fiber per year, costs, budget line) and its
method page (models, thresholds, cost figures and sources, assumptions, unknowns)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geotel._zonal import text_column
from geotel.outputs._labels import COLUMN_TITLES, TEXT, Lang, value_title
from geotel.outputs._labels import text as label_text
from geotel.outputs._report_content import Doc, floats
from geotel.outputs._report_data import PlanFolder
from geotel.outputs._report_model import Bullets, Heading, Para
from geotel.outputs._report_text import (
    COST_SOURCES,
    TRANSLATED_ASSUMPTIONS,
    assumption_text,
    bn,
    cap,
    fact_fix,
    fact_name,
    n_int,
    n_num,
    pct,
    population_source,
    t,
)

__all__ = ["method_section", "plan_section", "plan_sentences"]

_W: dict[str, dict[str, str]] = {
    "rule": {"vi": "Các tuyến cáp quang được xếp theo số xã được kết nối trên mỗi đồng chi phí, "
                   "các trạm BTS theo {what} được phủ thêm trên mỗi đồng; mỗi năm thực hiện "
                   "đến hết ngân sách: {tb} tỷ đồng/năm cho trạm BTS, {fb} tỷ đồng/năm cho cáp "
                   "quang. Một trạm dùng tuyến cáp quang đề xuất làm truyền dẫn không được "
                   "xây trước tuyến đó.",
             "en": "Fiber routes are ordered by communes connected per đồng, towers by {what} "
                   "newly covered per đồng; each year builds what its budget allows: {tb} "
                   "billion VND per year for towers, {fb} billion VND for fiber. A tower whose "
                   "backhaul is a proposed route is not built before that route."},
    "what_pop": {"vi": "số dân", "en": "people"},
    "what_area": {"vi": "diện tích", "en": "area"},
    "year": {"vi": "Năm", "en": "Year"},
    "towers_built": {"vi": "Trạm BTS mới", "en": "New towers"},
    "tower_spend": {"vi": "Kinh phí trạm (tỷ đồng)", "en": "Tower spend (bn VND)"},
    "tower_budget": {"vi": "Ngân sách trạm (tỷ đồng)", "en": "Tower budget (bn VND)"},
    "routes": {"vi": "Tuyến cáp quang", "en": "Fiber routes"},
    "km": {"vi": "Cáp quang (km)", "en": "Fiber (km)"},
    "fiber_spend": {"vi": "Kinh phí cáp quang (tỷ đồng)", "en": "Fiber spend (bn VND)"},
    "fiber_budget": {"vi": "Ngân sách cáp quang (tỷ đồng)", "en": "Fiber budget (bn VND)"},
    "cum_pop": {"vi": "Dân số phủ sóng {t} lũy kế (%)", "en": "People covered, {t}, cum. (%)"},
    "cum_area": {"vi": "Diện tích phủ sóng {t} lũy kế (%)", "en": "Area covered, {t}, cum. (%)"},
    "fixed": {"vi": "Xã có Internet cố định", "en": "Communes with fixed Internet"},
    "all_years": {"vi": "Cả giai đoạn", "en": "All years"},
    "phases_cap": {"vi": "Phân kỳ đầu tư trạm BTS và cáp quang theo năm, so với ngân sách",
                   "en": "Towers and fiber per year, against the budget"},
    "phases_fig": {"vi": "Kinh phí theo năm, ngân sách và tỷ lệ phủ sóng lũy kế",
                   "en": "Spending per year, budgets and cumulative coverage"},
    "over": {"vi": "Năm {y}: kinh phí {what} {spend} tỷ đồng vượt ngân sách {budget} tỷ đồng "
                   "(một hạng mục đắt hơn ngân sách cả năm được xây riêng trong một năm).",
             "en": "{y}: {what} spending of {spend} billion VND exceeds the {budget} billion "
                   "budget (an item dearer than a whole year's budget is built alone in a "
                   "year)."},
    "tw": {"vi": "trạm BTS", "en": "tower"},
    "fb": {"vi": "cáp quang", "en": "fiber"},
    "beyond": {"vi": "Ngoài giai đoạn {y0}–{y1} (vượt ngân sách): {n} trạm BTS ({tc} tỷ đồng) "
                     "và {r} tuyến cáp quang ({fc} tỷ đồng).",
               "en": "Beyond {y0}–{y1} (over budget): {n} towers ({tc} billion VND) and {r} "
                     "fiber routes ({fc} billion VND)."},
    "no_phases": {"vi": "Không có bảng phân kỳ (phases.csv).", "en": "No phasing table "
                                                                     "(phases.csv)."},
    "towers_cap": {"vi": "Các trạm BTS đề xuất theo thứ tự ưu tiên",
                   "en": "Proposed towers in rank order"},
    "gain_fig": {"vi": "{what} được phủ sóng thêm theo chi phí lũy kế, theo thứ tự ưu tiên",
                 "en": "{what} newly covered against cumulative cost, in rank order"},
    "gain_pop": {"vi": "Dân số", "en": "People"},
    "gain_area": {"vi": "Diện tích", "en": "Area"},
    "rank": {"vi": "TT", "en": "Rank"},
    "site": {"vi": "Mã trạm", "en": "Site"},
    "commune": {"vi": "Xã", "en": "Commune"},
    "pop_gain": {"vi": "Dân số phủ thêm (người)", "en": "People newly covered"},
    "area_gain": {"vi": "Diện tích phủ thêm (km²)", "en": "Area newly covered (km²)"},
    "backhaul": COLUMN_TITLES["backhaul"],
    "cost": {"vi": "Chi phí (tỷ đồng)", "en": "Cost (bn VND)"},
    "no_towers": {"vi": "Không có trạm BTS đề xuất.", "en": "No tower is proposed."},
    "fiber_cap": {"vi": "Các tuyến cáp quang đề xuất", "en": "Proposed fiber routes"},
    "route": {"vi": "Mã tuyến", "en": "Route"},
    "length": COLUMN_TITLES["length_km"],
    "served": {"vi": "Xã được kết nối", "en": "Communes connected"},
    "no_fiber": {"vi": "Không có tuyến cáp quang đề xuất.", "en": "No fiber route is proposed."},
    # method page
    "models": {"vi": "1. Mô hình và ngưỡng", "en": "1. Models and thresholds"},
    "costs": {"vi": "2. Chi phí và nguồn số liệu", "en": "2. Cost figures and their sources"},
    "assumed": {"vi": "3. Giả định thay cho số liệu", "en": "3. Assumptions standing in for data"},
    "unknown": {"vi": "4. Những số liệu chưa biết", "en": "4. What was unknown"},
    "short": {"vi": "5. Những bước chưa đạt yêu cầu", "en": "5. Steps that delivered less"},
    "cov_model": {"vi": "Phủ sóng: mô hình Okumura-Hata / COST-231 có tính nhiễu xạ địa hình "
                        "({diff}), môi trường {env}, anten thu cao {rx} m, suy hao trong nhà: "
                        "{indoor}; tính trên mô hình số độ cao {res} m, trong bán kính {r} km "
                        "quanh mỗi trạm.",
                  "en": "Coverage: Okumura-Hata / COST-231 with terrain diffraction ({diff}), "
                        "{env} environment, receiver at {rx} m, indoor loss: {indoor}; over the "
                        "DEM at {res} m, up to {r} km from each site."},
    "thr": {"vi": "Ngưỡng phủ sóng: {thr}; một ô được coi là có sóng khi tín hiệu của trạm "
                  "phục vụ tốt nhất đạt ngưỡng.",
            "en": "Coverage thresholds: {thr}; a cell is covered when the best server's signal "
                  "reaches the threshold."},
    "pop_src": {"vi": "Dân số: {src}.", "en": "Population: {src}."},
    "dz": {"vi": "Vùng lõm sóng: vùng không có sóng {t} của bất kỳ nhà mạng nào, diện tích từ "
                 "{km2} km² trở lên.",
           "en": "Dead zones: areas without {t} from any operator, of {km2} km² or more."},
    "c8": {"vi": "Tiêu chí 8.2: ít nhất {thr}% dân số được phủ sóng {tech} trở lên{fixed}.",
           "en": "Criterion 8.2: at least {thr}% of people covered by {tech} or newer{fixed}."},
    "c8_fixed": {"vi": " và có Internet cố định", "en": " and fixed Internet"},
    "fiber": {"vi": "Cáp quang: mạng đường giao thông, khoảng cách theo đường tới cáp quang "
                    "hiện có; tuyến mở rộng theo phương pháp {method}, thi công {build}.",
              "en": "Fiber: the road network, distances along roads to the existing fiber; "
                    "extension by the {method} method, {build} build."},
    "siting": {"vi": "Vị trí trạm: lưới ứng viên {grid} m và các đỉnh địa hình, cột {h} m; chọn "
                     "theo bài toán phủ tối đa (phương pháp {method}), {asked}.",
               "en": "Siting: candidates on a {grid} m grid and DEM peaks, {h} m towers; "
                     "maximal covering (method {method}), {asked}."},
    "asked_n": {"vi": "tối đa {n} trạm", "en": "up to {n} sites"},
    "asked_budget": {"vi": "ngân sách {b} tỷ đồng", "en": "a budget of {b} billion VND"},
    "asked_target": {"vi": "mục tiêu {p}% dân số được phủ sóng",
                     "en": "a target of {p}% of people covered"},
    "item": {"vi": "Hạng mục", "en": "Item"},
    "value": {"vi": "Giá trị (đồng)", "en": "Value (VND)"},
    "source": TEXT["source"],
    "costs_cap": {"vi": "Đơn giá dùng trong quy hoạch", "en": "Cost figures used"},
    "c_aerial": {"vi": "Cáp quang treo, mỗi km", "en": "Aerial fiber, per km"},
    "c_underground": {"vi": "Cáp quang ngầm, mỗi km", "en": "Underground fiber, per km"},
    "c_tower": {"vi": "Trạm BTS mới (cột A2b)", "en": "New tower (A2b)"},
    "c_coloc": {"vi": "Dùng chung cột hiện có", "en": "Co-location on an existing tower"},
    "c_mw": {"vi": "Truyền dẫn viba, mỗi bước", "en": "Microwave backhaul, per hop"},
    "c_unknown": {"vi": "Truyền dẫn chưa rõ, mỗi trạm", "en": "Unknown backhaul, per site"},
    "own": {"vi": "Giá trị do người lập quy hoạch đặt trong config.yml.",
            "en": "Set by the planner in config.yml."},
    "none_assumed": {"vi": "Không có giả định nào thay cho số liệu.",
                     "en": "No assumption stands in for data."},
    "fact": {"vi": "Số liệu", "en": "Fact"},
    "n_unknown": {"vi": "Số xã không có số liệu", "en": "Communes without it"},
    "how": {"vi": "Cách bổ sung", "en": "How to give it"},
    "unknown_cap": {"vi": "Số liệu chưa biết theo xã", "en": "Unknown facts per commune"},
    "undecided": {"vi": "không xác định được vì thiếu một trong các số liệu trên",
                  "en": "undecided because one of the facts above is missing"},
    "all_known": {"vi": "Mọi số liệu về xã đều có.", "en": "Every commune fact was given."},
    "c8_missing": {"vi": "Tiêu chí 8 thiếu số liệu: {what}.",
                   "en": "Criterion 8 inputs missing: {what}."},
    "uncoded": {"vi": "{k} xã chưa có mã chính thức: {rows}.",
                "en": "{k} communes without an official code: {rows}."},
    "sf": {"vi": "Bước {step}: yêu cầu {asked}, đạt {done}. Lý do: {reason}",
           "en": "Step {step}: asked {asked}, delivered {done}. Reason: {reason}"},
    "sf_short": {"vi": "Bước {step} chưa đạt yêu cầu: yêu cầu {asked}, đạt {done} (lý do ở "
                       "mục VII).",
                 "en": "Step {step} delivered less than asked: {asked} asked, {done} delivered "
                       "(the reason is in section VII)."},
    "no_sf": {"vi": "Mọi bước đều đạt yêu cầu.", "en": "Every step delivered what was asked."},
}


#: Config choices in words (Vietnamese; English keeps the config's word).
_CHOICES: dict[str, str] = {
    "urban": "đô thị", "suburban": "ven đô", "open": "nông thôn, vùng trống", "none": "không tính",
    "rural": "nông thôn", "aerial": "cáp treo", "underground": "cáp ngầm",
    "steiner": "cây Steiner", "shortest_paths": "đường ngắn nhất tới từng xã",
    "exact": "tối ưu chính xác, HiGHS", "greedy": "tham lam", "deygout": "Deygout",
    "bullington": "Bullington",
}
_CHOICES_EN: dict[str, str] = {"steiner": "Steiner tree", "shortest_paths": "shortest paths",
                               "exact": "exact, HiGHS", "none": "none"}


def _choice(value: object, lang: Lang) -> str:
    v = str(value)
    return (_CHOICES if lang == "vi" else _CHOICES_EN).get(v, v)


def w(key: str, lang: Lang, **kw: Any) -> str:
    return _W[key][lang].format(**kw)


def _tech(f: PlanFolder) -> str:
    return str(f.cfg("siting.technology"))


def _cov_col(f: PlanFolder) -> str | None:
    if f.phases is None:
        return None
    return next((c for c in f.phases.columns
                 if str(c).startswith(("pop_covered_pct_", "area_covered_pct_"))), None)


def plan_sentences(f: PlanFolder, lang: Lang) -> list[str]:
    """What the plan proposes, the coverage it reaches, and the steps that delivered
    less than asked, for the summary."""
    tw, fb = f.towers_proposed, f.fiber_proposed
    if tw is None:
        return [t("no_plan", lang)]
    routes = fb if fb is not None else pd.DataFrame()
    y0, y1 = f.cfg("plan.start_year"), f.cfg("plan.end_year")
    sched = ""
    if f.phases is not None:
        s = int(np.isfinite(floats(tw, "phase_year")).sum())
        r = int(np.isfinite(floats(routes, "phase_year")).sum()) if len(routes) else 0
        sched = t("sched", lang, s=n_int(s, lang), r=n_int(r, lang), y0=y0, y1=y1)
    out = [t("plan", lang, towers=n_int(len(tw), lang),
             tc=bn(np.nansum(floats(tw, "total_cost_vnd")), lang),
             routes=n_int(len(routes), lang),
             km=n_num(np.nansum(floats(routes, "length_km")), lang, 1),
             fc=bn(np.nansum(floats(routes, "cost_vnd")), lang), sched=sched)]
    col = _cov_col(f)
    if col is not None and f.phases is not None and len(f.phases):
        out.append(t("after", lang, what=t("what_pop" if col.startswith("pop") else
                                           "what_area", lang),
                     tech=col.rsplit("_", 1)[-1].upper(),
                     pct=pct(float(f.phases[col].iloc[-1]), lang)))
    out += [w("sf_short", lang, step=sf.get("step", ""), asked=sf.get("asked", "–"),
              done=sf.get("delivered", "–"))
            for sf in (_said(x, lang) for x in f.summary.get("shortfalls") or [])]
    return out


def _phases(doc: Doc, f: PlanFolder, figures: dict[str, Path]) -> None:
    lang, p = doc.lang, f.phases
    tb, fb = float(f.cfg("plan.tower_budget_vnd_per_year")), float(
        f.cfg("plan.fiber_budget_vnd_per_year"))
    measure = "pop" if (_cov_col(f) or "pop").startswith("pop") else "area"
    doc.add(Para(w("rule", lang, what=w(f"what_{measure}", lang), tb=bn(tb, lang),
                   fb=bn(fb, lang))))
    if p is None or not len(p):
        doc.add(Para(w("no_phases", lang)))
        return
    col = _cov_col(f)
    header = [w("year", lang), w("towers_built", lang), w("tower_spend", lang),
              w("tower_budget", lang), w("routes", lang), w("km", lang),
              w("fiber_spend", lang), w("fiber_budget", lang)]
    if col:
        header.append(w(f"cum_{measure}", lang, t=col.rsplit("_", 1)[-1].upper()))
    header.append(w("fixed", lang))
    rows, notes = [], []
    for _, r in p.iterrows():
        row = [str(int(r["year"])), n_int(r.get("towers_built"), lang),
               bn(r.get("tower_spend_vnd"), lang), bn(tb, lang),
               n_int(r.get("fiber_routes_built"), lang), n_num(r.get("fiber_km"), lang, 1),
               bn(r.get("fiber_spend_vnd"), lang), bn(fb, lang)]
        if col:
            row.append(pct(r.get(col), lang))
        row.append(n_int(r.get("communes_with_fixed_internet"), lang))
        rows.append(row)
        for spend, budget, what in ((r.get("tower_spend_vnd"), tb, "tw"),
                                    (r.get("fiber_spend_vnd"), fb, "fb")):
            if pd.notna(spend) and float(spend) > budget + 1.0:
                notes.append(w("over", lang, y=int(r["year"]), what=w(what, lang),
                               spend=bn(spend, lang), budget=bn(budget, lang)))
    years = len(p)
    total = [w("all_years", lang), n_int(p["towers_built"].sum(), lang),
             bn(p["tower_spend_vnd"].sum(), lang), bn(tb * years, lang),
             n_int(p["fiber_routes_built"].sum(), lang), n_num(p["fiber_km"].sum(), lang, 1),
             bn(p["fiber_spend_vnd"].sum(), lang), bn(fb * years, lang)]
    if col:
        total.append(pct(p[col].iloc[-1], lang))
    total.append(n_int(p["communes_with_fixed_internet"].iloc[-1], lang))
    doc.table(w("phases_cap", lang), header, rows, total=total, numeric=[True] * len(header))
    doc.add(*(Para(n, "note") for n in notes))
    tw, fr = f.towers_proposed, f.fiber_proposed
    n_out = int((~np.isfinite(floats(tw, "phase_year"))).sum()) if tw is not None else 0
    r_out = int((~np.isfinite(floats(fr, "phase_year"))).sum()) if fr is not None else 0
    if n_out or r_out:
        tc = np.nansum(np.where(np.isfinite(floats(tw, "phase_year")), 0.0,
                                floats(tw, "total_cost_vnd"))) if tw is not None else 0.0
        fc = np.nansum(np.where(np.isfinite(floats(fr, "phase_year")), 0.0,
                                floats(fr, "cost_vnd"))) if fr is not None else 0.0
        doc.add(Para(w("beyond", lang, y0=f.cfg("plan.start_year"), y1=f.cfg("plan.end_year"),
                       n=n_int(n_out, lang), tc=bn(tc, lang), r=n_int(r_out, lang),
                       fc=bn(fc, lang))))
    doc.image(figures.get("phases"), w("phases_fig", lang))


def _year(v: object, lang: Lang) -> str:
    return label_text("no_year", lang) if pd.isna(v) else str(int(float(v)))  # type: ignore[arg-type]


def plan_section(doc: Doc, f: PlanFolder, figures: dict[str, Path]) -> None:
    """Towers and fiber per year with costs and the budget line; the proposal lists."""
    lang = doc.lang
    doc.add(Heading(t("s_plan", lang)))
    _phases(doc, f, figures)
    names = dict(zip(text_column(f.communes, "commune_code"),
                     text_column(f.communes, "commune_name"), strict=True))
    tw = f.towers_proposed
    if tw is None or not len(tw):
        doc.add(Para(w("no_towers", lang)))
    else:
        tw = tw.sort_values("rank", kind="stable") if "rank" in tw else tw
        pop = bool(np.isfinite(floats(tw, "pop_gain")).any())
        gain = floats(tw, "pop_gain" if pop else "area_gain_km2")
        rows = [[n_int(r.get("rank"), lang), str(r.get("site_id", "")),
                 names.get(str(r.get("commune_code", "")), str(r.get("commune_code", ""))),
                 n_int(g, lang) if pop else n_num(g, lang, 2),
                 str(value_title("backhaul", r.get("backhaul"), lang)),
                 bn(r.get("total_cost_vnd"), lang), _year(r.get("phase_year"), lang)]
                for (_, r), g in zip(tw.iterrows(), gain, strict=True)]
        doc.table(w("towers_cap", lang),
                  [w("rank", lang), w("site", lang), w("commune", lang),
                   w("pop_gain" if pop else "area_gain", lang), w("backhaul", lang),
                   w("cost", lang), w("year", lang)], rows,
                  numeric=[True, False, False, True, False, True, True],
                  widths=[0.6, 1.0, 2.0, 1.3, 1.8, 1.1, 0.8])
        doc.image(figures.get("gain"), w("gain_fig", lang,
                                         what=w("gain_pop" if pop else "gain_area", lang)))
    fr = f.fiber_proposed
    if fr is None or not len(fr):
        doc.add(Para(w("no_fiber", lang)))
        return
    rows = [[str(r.get("route_id", "")), n_num(r.get("length_km"), lang, 1),
             bn(r.get("cost_vnd"), lang),
             ", ".join(names.get(c.strip(), c.strip())
                       for c in str(r.get("communes_served") or "").split(",") if c.strip())
             or "–", _year(r.get("phase_year"), lang)] for _, r in fr.iterrows()]
    doc.table(w("fiber_cap", lang), [w("route", lang), w("length", lang), w("cost", lang),
                                     w("served", lang), w("year", lang)], rows,
              numeric=[False, True, True, False, True], widths=[0.9, 1.0, 1.0, 3.5, 0.8])


def _models(doc: Doc, f: PlanFolder) -> None:
    lang, s = doc.lang, f.summary
    thr = ", ".join(f"{k} {n_num(float(v), lang, 0)} dBm"
                    for k, v in (f.cfg("coverage.thresholds_dbm") or {}).items())
    siting = {"n": f.cfg("siting.new_sites"), "budget": f.cfg("siting.budget_vnd"),
              "target": f.cfg("siting.target_pop_pct")}
    asked = (w("asked_target", lang, p=n_num(siting["target"], lang, 1))
             if siting["target"] is not None else
             w("asked_budget", lang, b=bn(siting["budget"], lang))
             if siting["budget"] is not None else w("asked_n", lang, n=siting["n"]))
    items = [
        w("cov_model", lang, diff=_choice(f.cfg("coverage.diffraction"), lang),
          env=_choice(f.cfg("coverage.environment"), lang),
          rx=n_num(float(f.cfg("coverage.rx_height_m")), lang, 1),
          indoor=_choice(f.cfg("coverage.indoor"), lang),
          res=n_num(float(f.cfg("coverage.resolution_m")), lang, 0),
          r=n_num(float(f.cfg("coverage.max_radius_m")) / 1000.0, lang, 0)),
        w("thr", lang, thr=thr),
        w("pop_src", lang, src=population_source(s.get("population_source"), lang)),
        w("dz", lang, t=s.get("dead_zone_technology", _tech(f)),
          km2=n_num(float(f.cfg("deadzones.min_area_km2")), lang, 2)),
        w("c8", lang, thr=n_num(float(f.cfg("indicators.c8_min_pop_covered_pct")), lang, 0),
          tech=f.cfg("indicators.c8_technology"),
          fixed=w("c8_fixed", lang) if f.cfg("indicators.c8_requires_fixed_internet") else ""),
        w("fiber", lang, method=_choice(f.cfg("fiber.method"), lang),
          build=_choice(f.cfg("fiber.build"), lang)),
        w("siting", lang, grid=n_num(float(f.cfg("siting.grid_spacing_m")), lang, 0),
          h=n_num(float(f.cfg("siting.new_tower_height_m")), lang, 0),
          method=_choice(f.cfg("siting.method"), lang), asked=asked),
    ]
    doc.add(Heading(w("models", lang), 2), Bullets(tuple(items)))


def _costs(doc: Doc, f: PlanFolder) -> None:
    from geotel.outputs._report_data import _default

    lang = doc.lang
    per_km = f.cfg("fiber.cost_per_km_vnd") or {}
    default_km = _default("fiber.cost_per_km_vnd") or {}
    rows = []
    for label, key, value, default in (
            ("c_aerial", "fiber.cost_per_km_vnd", per_km.get("aerial"),
             default_km.get("aerial")),
            ("c_underground", "fiber.cost_per_km_vnd", per_km.get("underground"),
             default_km.get("underground")),
            *((k, key, f.cfg(key), _default(key)) for k, key in (
                ("c_tower", "siting.tower_capex_vnd"), ("c_coloc", "siting.colocation_capex_vnd"),
                ("c_mw", "siting.microwave_capex_vnd"),
                ("c_unknown", "siting.unknown_backhaul_cost_vnd")))):
        src = COST_SOURCES[key][lang == "en"]
        if value is not None and default is not None and float(value) != float(default):
            src = w("own", lang)
        rows.append([w(label, lang), n_int(value, lang), src])
    doc.add(Heading(w("costs", lang), 2))
    doc.table(w("costs_cap", lang), [w("item", lang), w("value", lang), w("source", lang)],
              rows, numeric=[False, True, False], widths=[1.6, 1.1, 4.5])


def _unknowns(doc: Doc, f: PlanFolder) -> None:
    lang, s = doc.lang, f.summary
    doc.add(Heading(w("unknown", lang), 2))
    nd = s.get("no_data") or {}
    rows = [[cap(fact_name(k, lang)), n_int(v, lang),
             fact_fix(k, lang) or w("undecided", lang)] for k, v in nd.items() if v]
    if rows:
        doc.table(w("unknown_cap", lang), [w("fact", lang), w("n_unknown", lang),
                                           w("how", lang)], rows,
                  numeric=[False, True, False], widths=[1.6, 1.0, 4.5])
    else:
        doc.add(Para(w("all_known", lang)))
    missing = {k: v for k, v in (s.get("c8_missing") or {}).items() if v}
    if missing:
        doc.add(Para(w("c8_missing", lang, what="; ".join(
            f"{fact_name(k, lang)} ({n_int(v, lang)})" for k, v in missing.items()))))
    uncoded = list(s.get("communes_without_code") or [])
    if uncoded:
        if lang == "vi":
            uncoded = [r.replace("row ", "dòng ", 1) for r in uncoded]
        doc.add(Para(w("uncoded", lang, k=n_int(len(uncoded), lang), rows="; ".join(uncoded))))


def _said(shortfall: dict[str, Any], lang: Lang) -> dict[str, Any]:
    """A shortfall of summary.json in ``lang`` (its Vietnamese under ``vi``)."""
    return shortfall.get("vi", shortfall) if lang == "vi" else shortfall


def method_section(doc: Doc, f: PlanFolder) -> None:
    """Models, thresholds, cost figures and sources, assumptions, unknowns, shortfalls."""
    lang, s = doc.lang, f.summary
    doc.add(Heading(t("s_method", lang)))
    _models(doc, f)
    _costs(doc, f)
    counts = {"unknown_backhaul": int((f.towers_proposed["backhaul"] == "unknown").sum())
              if f.towers_proposed is not None and "backhaul" in f.towers_proposed else 0,
              "fiber_reach": text_column(f.communes, "fixed_internet_source").count(
                  "fiber reach")}
    stand_ins = [assumption_text(a, lang, counts=counts) for a in s.get("assumptions") or []
                 if a.get("stands_in_for_data")]
    doc.add(Heading(w("assumed", lang), 2),
            Bullets(tuple(stand_ins)) if stand_ins else Para(w("none_assumed", lang)))
    _unknowns(doc, f)
    sfs = [w("sf", lang, step=sf.get("step", ""), asked=sf.get("asked", "–"),
             done=sf.get("delivered", "–"), reason=sf.get("reason", ""))
           for sf in (_said(x, lang) for x in s.get("shortfalls") or [])]
    doc.add(Heading(w("short", lang), 2), Bullets(tuple(sfs)) if sfs else Para(w("no_sf", lang)))
    untranslated = [a for a in s.get("assumptions") or [] if a.get("stands_in_for_data")
                    and a.get("key") not in TRANSLATED_ASSUMPTIONS]
    english = [x for x in s.get("shortfalls") or [] if "vi" not in x]
    if lang == "vi" and (english or untranslated):
        doc.add(Para("Lý do và ghi chú của các bước được ghi nguyên văn từ summary.json "
                     "(tiếng Anh) khi không có bản tiếng Việt.", "note"))
