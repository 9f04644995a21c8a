"""Column-name aliases of the canonical layers (English, Vietnamese with and without
diacritics, and the names found in the real Gia Lai files), and header normalisation.

A header is compared after :func:`normalise_header`: diacritics removed (``đ`` → ``d``),
lower case, anything in brackets dropped (``"Độ cao cột (m)"`` → ``"do_cao_cot"``), and
runs of other characters turned into one ``_``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import pandas as pd

__all__ = [
    "ALIASES",
    "LAT_ALIASES",
    "LON_ALIASES",
    "X_ALIASES",
    "Y_ALIASES",
    "match_columns",
    "normalise_header",
    "rename_columns",
    "strip_diacritics",
]


def strip_diacritics(text: str) -> str:
    """``"Kinh độ"`` → ``"Kinh do"``; ``đ``/``Đ`` become ``d``/``D``."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def normalise_header(name: object) -> str:
    """Canonical comparison key of a column header.

    Examples
    --------
    >>> normalise_header(" Độ cao cột (m) ")
    'do_cao_cot'
    >>> normalise_header("Mã  Trạm")
    'ma_tram'
    """
    text = re.sub(r"[\(\[].*?[\)\]]", " ", str(name))
    text = strip_diacritics(unicodedata.normalize("NFC", text)).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _keys(*names: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(normalise_header(n) for n in names))


#: Canonical column → accepted headers, per layer (the canonical name always matches).
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "communes": {
        "commune_code": _keys("commune_code", "ma_xa", "mã xã", "commune_id", "xa_code",
                              "ma_dvhc", "code"),
        "commune_name": _keys("commune_name", "ten_xa", "tên xã", "name", "ten", "commune"),
        "district_code": _keys("district_code", "ma_huyen", "mã huyện", "ma_qh"),
        "district_name": _keys("district_name", "ten_huyen", "tên huyện", "district", "huyen"),
        "population": _keys("population", "dan_so", "Dân số", "Dan_So", "pop", "so_dan",
                            "population_total"),
        "area_km2": _keys("area_km2", "dien_tich_km2", "diện tích (km2)",
                          "diện tích tự nhiên", "dien_tich_tn"),
        "has_fixed_internet": _keys("has_fixed_internet", "internet_co_dinh", "co_internet"),
        "has_fiber": _keys("has_fiber", "cap_quang", "có cáp quang", "co_cap_quang"),
        "has_radio_station": _keys("has_radio_station", "dai_truyen_thanh", "đài truyền thanh"),
        "has_postal_point": _keys("has_postal_point", "diem_buu_dien", "điểm bưu điện",
                                  "buu_dien"),
        "has_it_admin": _keys("has_it_admin", "ung_dung_cntt", "ứng dụng CNTT",
                              "ung_dung_cntt_trong_quan_ly", "cntt"),
        "mobile_technologies": _keys("mobile_technologies", "cong_nghe_di_dong",
                                     "công nghệ di động"),
    },
    "towers": {
        "site_id": _keys("site_id", "site", "site_code", "site_name", "bts_id", "station_id",
                         "mã trạm", "ma_tram", "tên trạm", "ten_tram", "id", "ma_bts"),
        "sector_id": _keys("sector_id", "sector", "cell_id", "cell", "mã cell", "ma_sector",
                           "so_sector"),
        "operator": _keys("operator", "carrier", "network", "mno", "nhà mạng", "nha_mang",
                          "doanh nghiệp", "doanh_nghiep", "mang"),
        "technologies": _keys("technologies", "technology", "tech", "rat", "công nghệ",
                              "cong_nghe"),
        "height_m": _keys("height_m", "height", "tower_height", "antenna_height",
                          "độ cao cột", "do_cao_cot", "chiều cao cột", "chieu_cao_cot",
                          "độ cao", "chieu_cao", "độ cao anten", "do_cao_anten"),
        "shared_by": _keys("shared_by", "shared", "dùng chung", "dung_chung", "dùng chung với",
                           "dung_chung_voi"),
        "azimuth_deg": _keys("azimuth_deg", "azimuth", "az", "góc phương vị", "goc_phuong_vi",
                             "phương vị", "phuong_vi", "huong"),
        "beamwidth_deg": _keys("beamwidth_deg", "beamwidth", "hbw", "độ rộng búp sóng",
                               "do_rong_bup_song", "búp sóng", "bup_song"),
        "tilt_deg": _keys("tilt_deg", "tilt", "downtilt", "góc ngẩng", "góc nghiêng",
                          "goc_nghieng", "độ nghiêng", "do_nghieng"),
        "eirp_dbm": _keys("eirp_dbm", "eirp", "công suất phát xạ", "cong_suat_phat_xa"),
        "freq_mhz": _keys("freq_mhz", "frequency", "freq", "frequency_mhz", "tần số",
                          "tan_so", "băng tần", "bang_tan"),
    },
    "fiber": {
        "route_id": _keys("route_id", "id", "fid_route", "ma_tuyen", "mã tuyến", "tuyen",
                          "name", "ten_tuyen"),
        "operator": _keys("operator", "owner", "nhà mạng", "nha_mang", "doanh_nghiep",
                          "don_vi", "chu_so_huu"),
        "level": _keys("level", "cap", "cấp", "cap_tuyen", "cấp tuyến", "loai", "type"),
    },
    "roads": {
        "road_id": _keys("road_id", "id", "gid", "osm_id", "ma_duong", "map_id"),
        "road_class": _keys("road_class", "class", "highway", "cap_duong", "cấp đường",
                            "loai_duong", "fclass"),
        "name": _keys("name", "ten", "tên", "ten_duong", "tên đường", "ref"),
    },
    "exclusion_zones": {
        "zone_id": _keys("zone_id", "id", "ma_vung", "mã vùng"),
        "kind": _keys("kind", "type", "loai", "loại", "category"),
        "name": _keys("name", "ten", "tên"),
    },
}

LON_ALIASES = _keys("lon", "long", "lng", "longitude", "kinh độ", "kinh_do", "kd", "x_lon",
                    "toa_do_kinh_do")
LAT_ALIASES = _keys("lat", "latitude", "vĩ độ", "vi_do", "vd", "y_lat", "toa_do_vi_do")
#: Projected coordinates (VN-2000 lists give them as X/Y or Đông/Bắc).
X_ALIASES = _keys("x", "easting", "east", "toa_do_x", "tọa độ x", "toạ độ x", "x_m", "dong")
Y_ALIASES = _keys("y", "northing", "north", "toa_do_y", "tọa độ y", "toạ độ y", "y_m", "bac")


def match_columns(
    columns: Iterable[object], aliases: dict[str, tuple[str, ...]]
) -> dict[object, str]:
    """Map original headers to canonical names: the first alias that matches wins.

    A canonical name is matched once; the exact canonical header takes precedence.

    Examples
    --------
    >>> match_columns(["Mã trạm", "Nhà mạng", "x"], ALIASES["towers"])
    {'Mã trạm': 'site_id', 'Nhà mạng': 'operator'}
    """
    keys = {c: normalise_header(c) for c in columns}
    out: dict[object, str] = {}
    for canonical, names in aliases.items():
        for name in names:
            hits = [c for c, k in keys.items() if k == name and c not in out]
            if hits:
                out[hits[0]] = canonical
                break
    return out


def rename_columns(df: pd.DataFrame, layer: str) -> pd.DataFrame:
    """A copy of ``df`` with aliased headers renamed to the canonical names.

    A source column whose name would collide with a canonical one it does not map to is
    renamed ``<name>_src``.
    """
    mapping = match_columns([c for c in df.columns if c != getattr(df, "_geometry_column_name",
                                                                   None)],
                            ALIASES[layer])
    targets = set(mapping.values())
    extra = {c: f"{c}_src" for c in df.columns if c in targets and c not in mapping}
    return df.rename(columns={**extra, **mapping})
