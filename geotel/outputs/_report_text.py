"""Private: the report's words, in Vietnamese and English, and its number formats.

Phrases are keyed and formatted with :func:`t`; numbers use the Vietnamese separators
of the summary (1.234.567; 12,5) through :mod:`geotel._summary`. An unknown figure
reads "không có số liệu" / "no data", never 0.
"""

from __future__ import annotations

import math
from typing import Any

from geotel._summary import FACT_FIXES, NO_DATA, _int, _num, population_source
from geotel.outputs._labels import TEXT, Lang

__all__ = [
    "COST_SOURCES",
    "TRANSLATED_ASSUMPTIONS",
    "assumption_text",
    "bn",
    "cap",
    "fact_fix",
    "fact_name",
    "n_int",
    "n_num",
    "no_data",
    "pct",
    "population_source",
    "summary_paragraph",
    "t",
]

P: dict[str, dict[str, str]] = {
    # title block
    "title": {"vi": "BÁO CÁO QUY HOẠCH HẠ TẦNG VIỄN THÔNG THỤ ĐỘNG",
              "en": "PASSIVE TELECOM INFRASTRUCTURE PLAN"},
    "subtitle": {"vi": "{name} — giai đoạn {y0}–{y1}", "en": "{name} — {y0}–{y1}"},
    "made": {"vi": "Lập ngày {date} bằng geotel {version}.",
             "en": "Made on {date} with geotel {version}."},
    "page": {"vi": "Trang", "en": "Page"},
    "no_data": NO_DATA,
    "yes": TEXT["yes"],
    "no": TEXT["no"],
    "table": {"vi": "Bảng {n}. {text}", "en": "Table {n}. {text}"},
    "figure": {"vi": "Hình {n}. {text}", "en": "Figure {n}. {text}"},
    "total": {"vi": "Toàn tỉnh", "en": "Province"},
    # sections
    "s_summary": {"vi": "I. TÓM TẮT", "en": "I. SUMMARY"},
    "s_districts": {"vi": "II. HIỆN TRẠNG THEO HUYỆN", "en": "II. DISTRICTS"},
    "s_c8": {"vi": "III. TIÊU CHÍ 8 VỀ THÔNG TIN VÀ TRUYỀN THÔNG",
             "en": "III. CRITERION 8, INFORMATION AND COMMUNICATIONS"},
    "s_dead": {"vi": "IV. VÙNG LÕM SÓNG", "en": "IV. DEAD ZONES"},
    "s_plan": {"vi": "V. ĐỀ XUẤT ĐẦU TƯ THEO NĂM", "en": "V. PROPOSALS PER YEAR"},
    "s_map": {"vi": "VI. BẢN ĐỒ", "en": "VI. MAP"},
    "s_method": {"vi": "VII. PHƯƠNG PHÁP VÀ GIẢ ĐỊNH", "en": "VII. METHOD AND ASSUMPTIONS"},
    "s_annex": {"vi": "PHỤ LỤC: CHỈ TIÊU THEO XÃ", "en": "ANNEX: INDICATORS PER COMMUNE"},
    # summary paragraph
    "head": {"vi": "Toàn tỉnh có {n} xã, phường, thị trấn, dân số {pop}, diện tích {area} km².",
             "en": "The province has {n} communes, population {pop}, area {area} km²."},
    "people": {"vi": "{x} người", "en": "{x}"},
    "fixed": {"vi": "Còn {k} xã/{n} xã chưa có kết nối Internet hữu tuyến đến trung tâm xã",
              "en": "{k} of {n} communes have no wired Internet connection to the commune "
                    "centre"},
    "fixed_nd": {"vi": "kết nối Internet hữu tuyến đến trung tâm xã: không có số liệu",
                 "en": "wired Internet to the commune centres: no data"},
    "radio": {"vi": "{k}/{n} xã có đài truyền thanh không dây",
              "en": "{k}/{n} have a wireless radio station"},
    "radio_nd": {"vi": "đài truyền thanh không dây: không có số liệu",
                 "en": "wireless radio stations: no data"},
    "postal": {"vi": "{k}/{n} xã có điểm phục vụ bưu chính",
               "en": "{k}/{n} have a postal service point"},
    "postal_nd": {"vi": "điểm phục vụ bưu chính: không có số liệu",
                  "en": "postal service points: no data"},
    "partial": {"vi": " ({u} xã không có số liệu)", "en": " (no data for {u})"},
    "cov": {"vi": "Tỷ lệ dân số được phủ sóng di động: {cov}.",
            "en": "Population covered by mobile networks: {cov}."},
    "cov_area": {"vi": "Tỷ lệ diện tích được phủ sóng 4G: {pct}% (dân số: không có số liệu).",
                 "en": "Area covered by 4G: {pct}% (population: no data)."},
    "mobile": {"vi": "{b} xã chưa có sóng di động, {a} xã chỉ có sóng 2G.",
               "en": "Communes without mobile coverage: {b}; with 2G only: {a}."},
    "dz": {"vi": "Còn {people} người sống trong {zones} vùng lõm sóng {t} (tổng diện tích "
                 "{km2} km²).",
           "en": "{people} people live in {zones} {t} dead zones ({km2} km² in all)."},
    "dz_area": {"vi": "Còn {zones} vùng lõm sóng {t} (tổng diện tích {km2} km²; số người: "
                      "không có số liệu).",
                "en": "{zones} {t} dead zones remain ({km2} km²; people: no data)."},
    "towers": {"vi": "Toàn tỉnh có {k} trạm BTS{shared}.",
               "en": "There are {k} tower sites{shared}."},
    "towers_nd": {"vi": "Số trạm BTS: không có số liệu.", "en": "Tower sites: no data."},
    "shared": {"vi": ", {pct}% dùng chung hạ tầng", "en": ", {pct}% shared"},
    "c8": {"vi": "{k}/{n} xã đạt Tiêu chí 8 về Thông tin và Truyền thông{rest}.",
           "en": "{k}/{n} communes meet Criterion 8 (information and communications){rest}."},
    "c8_open": {"vi": "; {u} xã chưa xác định được do thiếu số liệu",
                "en": "; {u} undecided for lack of data"},
    "c8_nd": {"vi": "Tiêu chí 8: không có số liệu.", "en": "Criterion 8: no data."},
    "plan": {"vi": "Quy hoạch đề xuất xây dựng {towers} trạm BTS mới ({tc} tỷ đồng) và {routes} "
                   "tuyến cáp quang dài {km} km ({fc} tỷ đồng){sched}.",
             "en": "The plan proposes {towers} new tower sites ({tc} billion VND) and {routes} "
                   "fiber routes of {km} km ({fc} billion VND){sched}."},
    "sched": {"vi": "; {s} trạm và {r} tuyến được bố trí trong giai đoạn {y0}–{y1}",
              "en": "; {s} towers and {r} routes fit in {y0}–{y1}"},
    "after": {"vi": "Sau quy hoạch, tỷ lệ {what} được phủ sóng {tech} đạt {pct}%.",
              "en": "After the plan, {pct}% of the {what} is covered by {tech}."},
    "what_pop": {"vi": "dân số", "en": "population"},
    "what_area": {"vi": "diện tích", "en": "area"},
    "no_plan": {"vi": "Lần chạy này chưa có bước đề xuất trạm BTS và cáp quang.",
                "en": "This run did not reach the tower and fiber proposals."},
}


def t(key: str, lang: Lang, **kw: Any) -> str:
    """The phrase ``key`` in ``lang``, formatted with ``kw``."""
    return P[key][lang].format(**kw)


def no_data(lang: Lang) -> str:
    return P["no_data"][lang]


def cap(text: str) -> str:
    """The first letter upper-case, the rest as it is ("CNTT" stays).

    Examples
    --------
    >>> cap("ứng dụng CNTT")
    'Ứng dụng CNTT'
    """
    return text[:1].upper() + text[1:]


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or str(x) in ("<NA>", "nan")


def n_int(x: object, lang: Lang) -> str:
    """An integer in the Vietnamese (1.234) or English (1,234) format; "no data" if unknown.

    Examples
    --------
    >>> n_int(1234567, "vi"), n_int(None, "vi"), n_int(float("nan"), "en")
    ('1.234.567', 'không có số liệu', 'no data')
    """
    return no_data(lang) if _missing(x) else _int(float(x), lang)  # type: ignore[arg-type]


def n_num(x: object, lang: Lang, digits: int = 1) -> str:
    """A decimal number (12,5 in Vietnamese); "no data" if unknown.

    Examples
    --------
    >>> n_num(1234.56, "vi", 1), n_num(1234.56, "en", 2)
    ('1.234,6', '1,234.56')
    """
    return no_data(lang) if _missing(x) else _num(float(x), lang, digits)  # type: ignore[arg-type]


def pct(x: object, lang: Lang) -> str:
    """A percentage with one decimal, without the % sign."""
    return n_num(x, lang, 1)


def bn(vnd: object, lang: Lang, digits: int = 2) -> str:
    """VND in billions (tỷ đồng).

    Examples
    --------
    >>> bn(2_960_337_415.4, "vi")
    '2,96'
    """
    return no_data(lang) if _missing(vnd) else _num(float(vnd) / 1e9, lang, digits)  # type: ignore[arg-type]


_FACTS: dict[str, tuple[str, str]] = {
    "population": ("dân số", "population"),
    "has_fixed_internet": ("Internet cố định", "fixed Internet"),
    "has_radio_station": ("đài truyền thanh", "radio station"),
    "has_postal_point": ("điểm phục vụ bưu chính", "postal service point"),
    "has_it_admin": ("ứng dụng CNTT trong quản lý, điều hành", "IT in administration"),
    "c8_met": ("kết quả Tiêu chí 8", "Criterion 8 verdict"),
}


def fact_name(fact: str, lang: Lang) -> str:
    """A commune fact (``has_radio_station``) in words."""
    vi, en = _FACTS.get(fact, (fact, fact))
    return vi if lang == "vi" else en


def fact_fix(fact: str, lang: Lang) -> str:
    """How to give a fact that was unknown."""
    return FACT_FIXES.get(fact, {}).get(lang, "")


def _fact(s: dict[str, Any], key: str, value_key: str, fact: str, lang: Lang) -> str:
    value = s.get(value_key)
    if value is None:
        return t(key + "_nd", lang)
    unknown = (s.get("no_data") or {}).get(fact, 0)
    rest = t("partial", lang, u=n_int(unknown, lang)) if unknown else ""
    return t(key, lang, k=n_int(value, lang), n=n_int(s["communes"], lang)) + rest


def summary_paragraph(s: dict[str, Any], lang: Lang) -> str:
    """The summary in the province report's own style, from ``summary.json``.

    Examples
    --------
    >>> s = {"communes": 222, "population": 1513847, "area_km2": 15510.0,
    ...      "communes_without_fixed_internet": 10, "communes_with_radio_station": 149,
    ...      "communes_with_postal_point": None, "no_data": {}}
    >>> print(summary_paragraph(s, "vi").split(". ")[1])
    Còn 10 xã/222 xã chưa có kết nối Internet hữu tuyến đến trung tâm xã; 149/222 xã có đài \
truyền thanh không dây; điểm phục vụ bưu chính: không có số liệu
    """
    n = s["communes"]
    pop = s.get("population")
    parts = [t("head", lang, n=n_int(n, lang),
               pop=no_data(lang) if pop is None else t("people", lang, x=n_int(pop, lang)),
               area=n_num(s.get("area_km2"), lang, 0))]
    services = [_fact(s, "fixed", "communes_without_fixed_internet", "has_fixed_internet",
                      lang),
                _fact(s, "radio", "communes_with_radio_station", "has_radio_station", lang),
                _fact(s, "postal", "communes_with_postal_point", "has_postal_point", lang)]
    parts.append(cap("; ".join(services) + "."))
    cov = ", ".join(f"{k} {pct(s.get(f'pop_covered_pct_{k.lower()}'), lang)}%"
                    for k in ("2G", "3G", "4G")
                    if s.get(f"pop_covered_pct_{k.lower()}") is not None)
    if cov:
        parts.append(t("cov", lang, cov=cov))
    elif s.get("area_covered_pct_4g") is not None:
        parts.append(t("cov_area", lang, pct=pct(s["area_covered_pct_4g"], lang)))
    if "communes_without_mobile" in s:
        parts.append(t("mobile", lang, a=n_int(s.get("communes_2g_only"), lang),
                       b=n_int(s.get("communes_without_mobile"), lang)))
    tech = s.get("dead_zone_technology", "4G")
    if s.get("dead_zone_pop") is not None:
        parts.append(t("dz", lang, people=n_int(s["dead_zone_pop"], lang),
                       zones=n_int(s.get("dead_zones"), lang), t=tech,
                       km2=n_num(s.get("dead_zone_km2"), lang, 1)))
    elif s.get("dead_zone_km2") is not None:
        parts.append(t("dz_area", lang, zones=n_int(s.get("dead_zones"), lang), t=tech,
                       km2=n_num(s["dead_zone_km2"], lang, 1)))
    if s.get("towers") is None:
        parts.append(t("towers_nd", lang))
    else:
        shared = s.get("shared_tower_pct")
        parts.append(t("towers", lang, k=n_int(s["towers"], lang),
                       shared="" if shared is None else t("shared", lang,
                                                          pct=pct(shared, lang))))
    if s.get("communes_c8_met") is None:
        parts.append(t("c8_nd", lang))
    else:
        u = (s.get("no_data") or {}).get("c8_met", 0)
        parts.append(t("c8", lang, k=n_int(s["communes_c8_met"], lang), n=n_int(n, lang),
                       rest=t("c8_open", lang, u=n_int(u, lang)) if u else ""))
    return " ".join(parts)


#: Sources of the cost figures (config key → Vietnamese, English).
COST_SOURCES: dict[str, tuple[str, str]] = {
    "fiber.cost_per_km_vnd": (
        "Tham chiếu quốc tế, tỷ giá khoảng 25.000 đồng/USD: cáp quang nông thôn khoảng "
        "15.850 USD/km (Analysys Mason 2011); khoảng 13.000 USD/km nếu thi công riêng, "
        "5.600 USD/km nếu kết hợp làm đường (UNESCAP 2018); cáp treo khoảng 0,4 lần cáp "
        "ngầm (Cartesian 2023). Cáp treo trên cột sẵn có chỉ tính cáp và treo cáp.",
        "International benchmarks at about 25,000 VND per USD: rural fiber about USD "
        "15,850/km (Analysys Mason 2011); about USD 13,000/km built alone, 5,600/km laid "
        "with road works (UNESCAP 2018); aerial about 0.4 times underground (Cartesian "
        "2023). Aerial on existing poles pays only for the cable and its hanging."),
    "siting.tower_capex_vnd": (
        "Ước tính quy hoạch (giá 2023): cột tự đứng loại A2b gồm móng, nhà trạm và nguồn "
        "điện, trong khoảng 1–1,5 tỷ đồng theo các doanh nghiệp viễn thông; cần thay bằng "
        "báo giá hiện hành.",
        "Planning estimate (2023 prices): a self-supporting A2b tower with foundation, "
        "shelter and power, in the 1–1.5 billion VND range reported by operators and tower "
        "companies; replace with current quotes."),
    "siting.colocation_capex_vnd": (
        "Khoảng một phần tư chi phí trạm mới (anten, RRU, dùng chung nguồn).",
        "About a quarter of a new tower (antennas, RRUs, shared power)."),
    "siting.microwave_capex_vnd": (
        "Một bước nhảy viba có cấp phép (hai đầu ODU/IDU và anten).",
        "One licensed microwave hop (two ODU/IDU ends and antennas)."),
    "siting.unknown_backhaul_cost_vnd": (
        "Khi không có lớp cáp quang: khoảng 5 km cáp treo × 60 triệu đồng/km, hoặc một "
        "bước viba.",
        "Without a fiber layer: about 5 km of aerial fiber at 60 million VND/km, or one "
        "microwave hop."),
}


#: Assumptions that stand in for data and have a Vietnamese text in :func:`assumption_text`.
TRANSLATED_ASSUMPTIONS = frozenset({
    "population", "population.district_weight", "siting.unknown_backhaul_cost_vnd",
    "fiber.connected_max_km", "indicators.c8_it_admin_default"})


def assumption_text(a: dict[str, Any], lang: Lang, *, counts: dict[str, int]) -> str:
    """One assumption of ``summary.json`` in words; ``counts`` gives the numbers the
    Vietnamese text needs (``unknown_backhaul``: sites, ``fiber_reach``: communes)."""
    key, value, note = a.get("key", ""), a.get("value"), str(a.get("note", ""))
    if lang == "en":
        return note
    if key == "population":
        return ("Không có số liệu dân số (cấu hình `population: none`): quy hoạch theo diện "
                "tích, các trạm được chọn để phủ thêm nhiều diện tích nhất; không có số liệu "
                "về số người.")
    if key == "population.district_weight":
        src = note.split("estimated from ", 1)[-1]
        return (f"Dân số từng xã được ước tính từ {population_source(src, 'vi')} "
                f"(phân bổ theo: {value}).")
    if key == "siting.unknown_backhaul_cost_vnd":
        return (f"Truyền dẫn của {n_int(counts.get('unknown_backhaul'), 'vi')} trạm đề xuất "
                f"chưa rõ (không có lớp cáp quang): giả định {n_int(value, 'vi')} đồng/trạm.")
    if key == "fiber.connected_max_km":
        return (f"Internet cố định của {n_int(counts.get('fiber_reach'), 'vi')} xã được suy "
                f"ra từ lớp cáp quang: có khi cáp quang cách trung tâm xã không quá "
                f"{n_num(value, 'vi', 1)} km theo đường giao thông.")
    if key == "indicators.c8_it_admin_default":
        verdict = "đạt" if value else "chưa đạt"
        return (f"Chỉ tiêu 8.4 (ứng dụng CNTT trong quản lý, điều hành) được giả định "
                f"{verdict} ở các xã không có số liệu.")
    return note
