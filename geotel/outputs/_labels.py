"""Vietnamese and English labels, colours and classes shared by the output writers.

One place for what a planner reads: layer titles, column titles, operator colours and
the coverage classes, so that the GeoPackage styles, the HTML map and the print map
agree with each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import matplotlib
import numpy as np

__all__ = [
    "BACKHAUL",
    "COLUMN_TITLES",
    "DEAD_ZONE_COLOR",
    "EXCLUSION_COLOR",
    "FIBER_EXISTING_COLOR",
    "FIBER_PROPOSED_COLOR",
    "INDICATORS",
    "LAYER_TITLES",
    "NO_DATA_COLOR",
    "OPERATOR_COLORS",
    "OTHER_COLOR",
    "PCT_BREAKS",
    "PCT_COLORS",
    "PROPOSED_COLOR",
    "TEXT",
    "Classes",
    "Lang",
    "as_float",
    "column_title",
    "indicator_classes",
    "layer_title",
    "text",
    "value_title",
]

Lang = Literal["vi", "en"]

LAYER_TITLES: dict[str, dict[str, str]] = {
    "communes": {"vi": "Xã / phường / thị trấn", "en": "Communes"},
    "districts": {"vi": "Huyện / thị xã / thành phố", "en": "Districts"},
    "towers_existing": {"vi": "Trạm BTS hiện có", "en": "Existing towers"},
    "towers_proposed": {"vi": "Trạm BTS đề xuất", "en": "Proposed towers"},
    "dead_zones": {"vi": "Vùng lõm sóng", "en": "Dead zones"},
    "fiber_existing": {"vi": "Cáp quang hiện có", "en": "Existing fiber"},
    "fiber_proposed": {"vi": "Cáp quang đề xuất", "en": "Proposed fiber"},
    "exclusion_zones": {"vi": "Vùng hạn chế xây trạm", "en": "Exclusion zones"},
    "coverage": {"vi": "Cường độ tín hiệu", "en": "Signal strength"},
}

COLUMN_TITLES: dict[str, dict[str, str]] = {
    # communes / districts
    "commune_code": {"vi": "Mã xã", "en": "Commune code"},
    "commune_name": {"vi": "Tên xã", "en": "Commune"},
    "district_code": {"vi": "Mã huyện", "en": "District code"},
    "district_name": {"vi": "Tên huyện", "en": "District"},
    "population": {"vi": "Dân số (người)", "en": "Population"},
    "area_km2": {"vi": "Diện tích (km²)", "en": "Area (km²)"},
    "pop_covered_pct_2g": {"vi": "Dân số phủ sóng 2G (%)", "en": "Population covered, 2G (%)"},
    "pop_covered_pct_3g": {"vi": "Dân số phủ sóng 3G (%)", "en": "Population covered, 3G (%)"},
    "pop_covered_pct_4g": {"vi": "Dân số phủ sóng 4G (%)", "en": "Population covered, 4G (%)"},
    "area_covered_pct_4g": {"vi": "Diện tích phủ sóng 4G (%)", "en": "Area covered, 4G (%)"},
    "pop_covered_pct_4g_planned": {"vi": "Dân số phủ sóng 4G sau quy hoạch (%)",
                                   "en": "Population covered, 4G, after the plan (%)"},
    "area_covered_pct_4g_planned": {"vi": "Diện tích phủ sóng 4G sau quy hoạch (%)",
                                    "en": "Area covered, 4G, after the plan (%)"},
    "c8_missing": {"vi": "Tiêu chí 8: thiếu số liệu", "en": "Criterion 8: missing data"},
    "fixed_internet_source": {"vi": "Nguồn số liệu Internet cố định",
                              "en": "Fixed Internet: source"},
    "area_gain_km2": {"vi": "Diện tích được phủ thêm (km²)", "en": "Area newly covered (km²)"},
    "dead_zone_km2": {"vi": "Diện tích vùng lõm (km²)", "en": "Dead-zone area (km²)"},
    "dead_zone_pop": {"vi": "Dân số vùng lõm (người)", "en": "People in dead zones"},
    "towers": {"vi": "Số trạm BTS", "en": "Towers"},
    "fiber_distance_km": {"vi": "Khoảng cách tới cáp quang (km)", "en": "Distance to fiber (km)"},
    "has_fixed_internet": {"vi": "Có Internet cố định", "en": "Fixed Internet"},
    "has_fiber": {"vi": "Có cáp quang", "en": "Fiber"},
    "has_radio_station": {"vi": "Có đài truyền thanh", "en": "Radio station"},
    "has_postal_point": {"vi": "Có điểm bưu điện", "en": "Postal point"},
    "mobile_technologies": {"vi": "Công nghệ di động", "en": "Mobile technologies"},
    "c8_met": {"vi": "Đạt tiêu chí 8 NTM", "en": "Criterion 8 met"},
    # towers
    "site_id": {"vi": "Mã trạm", "en": "Site id"},
    "sector_id": {"vi": "Số hiệu sector", "en": "Sector"},
    "operator": {"vi": "Nhà mạng", "en": "Operator"},
    "technologies": {"vi": "Công nghệ", "en": "Technologies"},
    "height_m": {"vi": "Chiều cao anten (m)", "en": "Height (m)"},
    "shared_by": {"vi": "Dùng chung với", "en": "Shared by"},
    "azimuth_deg": {"vi": "Góc phương vị (độ)", "en": "Azimuth (deg)"},
    "beamwidth_deg": {"vi": "Độ rộng búp sóng (độ)", "en": "Beamwidth (deg)"},
    "tilt_deg": {"vi": "Góc nghiêng (độ)", "en": "Downtilt (deg)"},
    "eirp_dbm": {"vi": "EIRP (dBm)", "en": "EIRP (dBm)"},
    "freq_mhz": {"vi": "Tần số (MHz)", "en": "Frequency (MHz)"},
    "front_to_back_db": {"vi": "Tỷ số trước/sau của anten (dB)",
                         "en": "Antenna front-to-back ratio (dB)"},
    "vertical_beamwidth_deg": {"vi": "Độ rộng búp sóng đứng (độ)",
                               "en": "Vertical beamwidth (deg)"},
    "side_lobe_db": {"vi": "Mức búp phụ (dB)", "en": "Side-lobe level (dB)"},
    # proposed towers
    "rank": {"vi": "Thứ tự ưu tiên", "en": "Rank"},
    "colocated": {"vi": "Dùng chung hạ tầng", "en": "Co-located"},
    "pop_gain": {"vi": "Dân số được phủ thêm (người)", "en": "People newly covered"},
    "cum_pop_covered_pct": {"vi": "Tỷ lệ dân số phủ sóng lũy kế (%)",
                            "en": "Cumulative population covered (%)"},
    "capex_vnd": {"vi": "Chi phí trạm (VNĐ)", "en": "Tower cost (VND)"},
    "backhaul": {"vi": "Truyền dẫn", "en": "Backhaul"},
    "backhaul_km": {"vi": "Chiều dài truyền dẫn (km)", "en": "Backhaul length (km)"},
    "backhaul_cost_vnd": {"vi": "Chi phí truyền dẫn (VNĐ)", "en": "Backhaul cost (VND)"},
    "total_cost_vnd": {"vi": "Tổng chi phí (VNĐ)", "en": "Total cost (VND)"},
    "phase_year": {"vi": "Năm thực hiện", "en": "Year"},
    # dead zones
    "zone_id": {"vi": "Mã vùng", "en": "Zone id"},
    "technology": {"vi": "Công nghệ", "en": "Technology"},
    "nearest_tower_km": {"vi": "Tới trạm gần nhất (km)", "en": "Nearest tower (km)"},
    "nearest_fiber_km": {"vi": "Tới cáp quang gần nhất (km)", "en": "Nearest fiber (km)"},
    # fiber
    "route_id": {"vi": "Mã tuyến", "en": "Route id"},
    "length_km": {"vi": "Chiều dài (km)", "en": "Length (km)"},
    "method": {"vi": "Phương thức thi công", "en": "Method"},
    "cost_vnd": {"vi": "Chi phí (VNĐ)", "en": "Cost (VND)"},
    "communes_served": {"vi": "Các xã được phục vụ", "en": "Communes served"},
    "level": {"vi": "Cấp tuyến", "en": "Level"},
    # exclusion zones
    "kind": {"vi": "Loại", "en": "Kind"},
    "name": {"vi": "Tên", "en": "Name"},
}

#: Operator colours (hex), used by QGIS styles, the HTML map and the print map.
OPERATOR_COLORS: dict[str, str] = {
    "Viettel": "#e31a1c",
    "VinaPhone": "#1f78b4",
    "MobiFone": "#33a02c",
    "Vietnamobile": "#ff7f00",
}
OTHER_COLOR = "#7f7f7f"
PROPOSED_COLOR = "#ff00ff"
FIBER_EXISTING_COLOR = "#3f007d"
FIBER_PROPOSED_COLOR = "#ff00ff"
DEAD_ZONE_COLOR = "#b2182b"
EXCLUSION_COLOR = "#006d2c"

#: Backhaul of a proposed site: value → (colour, Vietnamese, English). 'unknown': no fiber
#: layer was given, so the backhaul and its cost are assumed (see the summary).
BACKHAUL: dict[str, tuple[str, str, str]] = {
    "fiber": ("#ff00ff", "Cáp quang", "Fiber"),
    "microwave": ("#00a6d6", "Viba", "Microwave"),
    "unknown": ("#8c8c8c", "Chưa rõ (không có số liệu cáp quang)",
                "Unknown (no fiber data)"),
    "none": ("#000000", "Không có", "None"),
}
#: Coded values shown to people: column → value → (Vietnamese, English).
_VALUE_TITLES: dict[str, dict[str, tuple[str, str]]] = {
    "backhaul": {k: (vi, en) for k, (_, vi, en) in BACKHAUL.items()},
}


def value_title(column: str, value: object, lang: Lang = "vi") -> object:
    """A coded value as people read it (``backhaul`` 'unknown' → 'Chưa rõ ...');
    other values unchanged.

    Examples
    --------
    >>> value_title("backhaul", "microwave"), value_title("backhaul", "fiber", "en")
    ('Viba', 'Fiber')
    """
    titles = _VALUE_TITLES.get(column, {}).get(str(value))
    return value if titles is None else titles[0 if lang == "vi" else 1]


#: Classes of every ``*_pct*`` indicator (percent) and their colours (ColorBrewer RdYlGn 5).
PCT_BREAKS: tuple[float, ...] = (0.0, 20.0, 40.0, 60.0, 80.0, 100.0)
PCT_COLORS: tuple[str, ...] = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")

TEXT: dict[str, dict[str, str]] = {
    "title": {"vi": "Quy hoạch hạ tầng viễn thông thụ động", "en": "Telecom infrastructure plan"},
    "indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "legend": {"vi": "Chú giải", "en": "Legend"},
    "date": {"vi": "Ngày lập", "en": "Date"},
    "source": {"vi": "Nguồn", "en": "Source"},
    "no_data": {"vi": "Không có số liệu", "en": "No data"},
    "other": {"vi": "Khác", "en": "Other"},
    "yes": {"vi": "Có", "en": "Yes"},
    "no": {"vi": "Không", "en": "No"},
    "year": {"vi": "năm", "en": "year"},
    "no_year": {"vi": "chưa xếp năm", "en": "not scheduled"},
    "north": {"vi": "B", "en": "N"},
    "sectors": {"vi": "Số sector", "en": "Sectors"},
    "other_layers": {"vi": "Lớp khác", "en": "Other layers"},
    "towers_outside": {"vi": "Trạm ngoài tỉnh", "en": "Towers outside the province"},
    # the meeting map's controls and commune card
    "language": {"vi": "Ngôn ngữ", "en": "Language"},
    "layers": {"vi": "Lớp bản đồ", "en": "Map layers"},
    "search": {"vi": "Tìm xã (không cần dấu)…", "en": "Find a commune…"},
    "no_match": {"vi": "Không tìm thấy xã nào", "en": "No commune found"},
    "year_filter": {"vi": "Đề xuất xây đến hết năm", "en": "Proposals built up to and including"},
    "all_years": {"vi": "Tất cả các năm", "en": "All years"},
    "coverage_now": {"vi": "Hiện nay", "en": "Now"},
    "coverage_planned": {"vi": "Sau quy hoạch", "en": "After the plan"},
    "pop_coverage": {"vi": "Phủ sóng (% dân số)", "en": "Coverage (% of people)"},
    "area_coverage": {"vi": "Phủ sóng (% diện tích)", "en": "Coverage (% of area)"},
    "criterion8": {"vi": "Tiêu chí 8 (Thông tin và Truyền thông)",
                   "en": "Criterion 8 (information and communications)"},
    "met": {"vi": "Đạt", "en": "Met"},
    "not_met": {"vi": "Chưa đạt", "en": "Not met"},
    "missing_inputs": {"vi": "Thiếu số liệu", "en": "Missing data"},
    "proposals": {"vi": "Đề xuất phục vụ xã", "en": "Proposals serving the commune"},
    "no_proposals": {"vi": "Không có đề xuất nào cho xã này",
                     "en": "No proposal serves this commune"},
    "later": {"vi": "sau năm đã chọn", "en": "after the year chosen"},
    "people": {"vi": "người", "en": "people"},
    "billion_vnd": {"vi": "tỷ đồng", "en": "billion VND"},
    "million_vnd": {"vi": "triệu đồng", "en": "million VND"},
}


def layer_title(layer: str, lang: Lang = "vi") -> str:
    """Title of a layer for people, ``layer`` itself when unknown.

    Examples
    --------
    >>> layer_title("dead_zones"), layer_title("dead_zones", "en")
    ('Vùng lõm sóng', 'Dead zones')
    """
    return LAYER_TITLES.get(layer, {}).get(lang, layer)


def column_title(column: str, lang: Lang = "vi") -> str:
    """Title of a column for people, ``column`` itself when unknown.

    Examples
    --------
    >>> column_title("pop_covered_pct_4g")
    'Dân số phủ sóng 4G (%)'
    """
    return COLUMN_TITLES.get(column, {}).get(lang, column)


def text(key: str, lang: Lang = "vi") -> str:
    """A fixed piece of map text in ``lang``.

    Examples
    --------
    >>> text("legend", "en")
    'Legend'
    """
    return TEXT[key][lang]


#: Commune indicators offered on the maps, in menu order (those present are shown).
INDICATORS: tuple[str, ...] = (
    "pop_covered_pct_4g", "pop_covered_pct_4g_planned", "pop_covered_pct_3g",
    "pop_covered_pct_2g", "area_covered_pct_4g", "area_covered_pct_4g_planned",
    "dead_zone_pop", "dead_zone_km2", "fiber_distance_km", "towers", "population", "c8_met",
    "has_fixed_internet",
)
NO_DATA_COLOR = "#bdbdbd"
_HIGH_IS_BAD = ("dead_zone_pop", "dead_zone_km2", "fiber_distance_km")


@dataclass(frozen=True)
class Classes:
    """Colour classes of one indicator: class ``i`` is ``breaks[i] < v <= breaks[i+1]``
    (the first class includes ``breaks[0]``); booleans use ``colors = (no, yes)``."""

    column: str
    kind: Literal["pct", "bool", "quantile"]
    breaks: tuple[float, ...]
    colors: tuple[str, ...]

    def color_of(self, values: np.ndarray) -> np.ndarray:
        """Hex colour of every value (``NO_DATA_COLOR`` for missing ones)."""
        v = np.asarray(values, dtype="float64")
        out = np.full(v.shape, NO_DATA_COLOR, dtype=object)
        ok = ~np.isnan(v)
        if self.kind == "bool":
            out[ok] = np.where(v[ok] > 0, self.colors[1], self.colors[0])
            return out
        idx = np.searchsorted(np.asarray(self.breaks[1:-1]), v[ok], side="left")
        out[ok] = np.asarray(self.colors, dtype=object)[np.clip(idx, 0, len(self.colors) - 1)]
        return out


def as_float(values: object) -> np.ndarray:
    """Any column (numbers, booleans, nullable ``boolean``/``Int64``) as float64 with NaN
    for unknowns, so that classes and colours treat every kind alike.

    Examples
    --------
    >>> import pandas as pd
    >>> as_float(pd.array([True, None, False], dtype="boolean")).tolist()
    [1.0, nan, 0.0]
    """
    import pandas as pd

    s = pd.Series(values)
    if s.dtype == object:
        s = s.map(lambda v: np.nan if v is None or v is pd.NA else v)
        if s.map(lambda v: isinstance(v, bool | np.bool_)).any():
            s = s.astype("boolean")
    if isinstance(s.dtype, pd.BooleanDtype) or s.dtype == bool:
        return s.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(s, errors="coerce").astype("Float64").to_numpy(
        dtype="float64", na_value=np.nan)


def _nice(x: float) -> float:
    if x == 0 or not np.isfinite(x):
        return float(x)
    digits = 2 - int(np.floor(np.log10(abs(x))))
    return float(round(x, max(digits, 0)))


def indicator_classes(column: str, values: np.ndarray, *, n: int = 5) -> Classes:
    """Colour classes of a commune indicator.

    Percentages (``*_pct*``) use fixed classes of 20 % in red-yellow-green; booleans
    two colours; other numbers ``n`` quantile classes (yellow-red when a high value is
    bad, e.g. ``dead_zone_pop``; yellow-blue otherwise).

    Examples
    --------
    >>> c = indicator_classes("pop_covered_pct_4g", np.array([10.0, 90.0]))
    >>> c.kind, c.breaks, list(c.color_of(np.array([10.0, 20.0, 20.1, np.nan])))
    ('pct', (0.0, 20.0, 40.0, 60.0, 80.0, 100.0), ['#d7191c', '#d7191c', '#fdae61', '#bdbdbd'])
    """
    v = np.asarray(values)
    if v.dtype == bool or column.startswith(("has_", "c8_")):
        return Classes(column, "bool", (0.0, 1.0), ("#d7191c", "#1a9641"))
    if "_pct" in column:
        return Classes(column, "pct", PCT_BREAKS, PCT_COLORS)
    num = np.asarray(v, dtype="float64")
    num = num[np.isfinite(num)]
    if num.size == 0:
        breaks: tuple[float, ...] = (0.0, 1.0)
    else:
        qs = np.nanquantile(num, np.linspace(0.0, 1.0, n + 1))
        breaks = tuple(dict.fromkeys(_nice(q) for q in qs))
        if len(breaks) < 2:
            breaks = (breaks[0], breaks[0] + 1.0)
        breaks = (min(breaks[0], float(num.min())), *breaks[1:-1],
                  max(breaks[-1], float(num.max())))
    cmap = matplotlib.colormaps["YlOrRd" if column in _HIGH_IS_BAD else "YlGnBu"]
    k = len(breaks) - 1
    colors = tuple(matplotlib.colors.to_hex(cmap(x)) for x in np.linspace(0.15, 0.9, k))
    return Classes(column, "quantile", breaks, colors)
