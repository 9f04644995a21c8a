"""The small valid project of the bad-input corpus and the helpers that spoil it: four
square communes near Pleiku, a GeoTIFF DEM, a tower CSV, roads, fiber and exclusion
zones; Excel, legacy .xls, TCVN3/VNI and cp1258 writers for the cases."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import rasterio
import yaml
from affine import Affine
from shapely.geometry import LineString, box

from geotel.errors import InputError

__all__ = [
    "COMMUNES",
    "TOWERS",
    "TOWERS_HEADER",
    "Accepted",
    "Case",
    "Result",
    "communes",
    "cp1258",
    "tcvn3",
    "towers_csv",
    "vni",
    "write_dem",
    "write_good_project",
    "write_xls",
    "write_xlsx",
]

Result = tuple[Path, type[InputError], str]
Case = Callable[[Path], Result]
#: An input that is read right, with a warning: (config, text of the warning or note,
#: check of the loaded province).
Accepted = Callable[[Path], tuple[Path, str, Callable[[Any], None]]]

# Four 0.05° communes around (108.0, 14.0), in Pleiku.
COMMUNES = [
    ("23557", "Phường Yên Đỗ", box(107.95, 14.00, 108.00, 14.05)),
    ("23560", "Phường Diên Hồng", box(108.00, 14.00, 108.05, 14.05)),
    ("23563", "Phường Ia Kring", box(107.95, 13.95, 108.00, 14.00)),
    ("23566", "Phường Hội Thương", box(108.00, 13.95, 108.05, 14.00)),
]
TOWERS_HEADER = "Mã trạm;Nhà mạng;Kinh độ;Vĩ độ;Độ cao cột (m);Công nghệ;Tần số (MHz)"
TOWERS = [
    "GL001;Viettel;107,9800;14,0200;42;2G,3G,4G;900",
    "GL002;VNPT;108,0200;14,0300;36;3G,4G;1800",
    "GL003;MobiFone;107,9900;13,9700;30;4G;1800",
]


def communes(rows: list[tuple[Any, str, Any]] | None = None) -> gpd.GeoDataFrame:
    rows = rows or COMMUNES
    return gpd.GeoDataFrame(
        {"ma_xa": [r[0] for r in rows], "ten_xa": [r[1] for r in rows],
         "ma_huyen": ["622"] * len(rows), "ten_huyen": ["Thành phố Pleiku"] * len(rows),
         "dan_so": [12000] * len(rows)},
        geometry=[r[2] for r in rows], crs="EPSG:4326")


def write_dem(path: Path, *, crs: str = "EPSG:4326", west: float = 107.85,
               north: float = 14.15, step: float = 0.001, scale: float = 1.0,
               n: int = 300) -> None:
    y, x = np.mgrid[0:n, 0:n]
    z = ((700 + 2 * x - y) * scale).astype("float32")
    with rasterio.open(path, "w", driver="GTiff", width=n, height=n, count=1, dtype="float32",
                       crs=crs, transform=Affine(step, 0, west, 0, -step, north),
                       nodata=-9999.0) as ds:
        ds.write(z, 1)


def _write_config(folder: Path, inputs: dict[str, Any], **extra: Any) -> Path:
    cfg: dict[str, Any] = {"name": "bad input case", "analysis_crs": "EPSG:32649",
                           "inputs": inputs, "coverage": {"resolution_m": 200}}
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            cfg[key] = {**cfg[key], **value}
        else:
            cfg[key] = value
    path = folder / "config.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_good_project(folder: Path, **overrides: Any) -> Path:
    """Write the valid project; ``overrides`` replace entries of ``inputs`` (None drops)."""
    folder.mkdir(parents=True, exist_ok=True)
    communes().to_file(folder / "communes.gpkg", layer="communes", driver="GPKG")
    (folder / "towers.csv").write_text("\n".join([TOWERS_HEADER, *TOWERS]) + "\n",
                                       encoding="utf-8")
    gpd.GeoDataFrame({"ten": ["Quốc lộ 19"], "cap_duong": ["Quốc Gia"], "gid": [380]},
                     geometry=[LineString([(107.9, 13.98), (108.1, 14.02)])],
                     crs="EPSG:4326").to_file(folder / "roads.geojson", driver="GeoJSON")
    gpd.GeoDataFrame({"ma_tuyen": ["T1"], "cap": ["Trục"]},
                     geometry=[LineString([(107.96, 14.0), (108.04, 14.0)])],
                     crs="EPSG:4326").to_file(folder / "fiber.geojson", driver="GeoJSON")
    gpd.GeoDataFrame({"id": ["Z1"], "loai": ["Sân bay"], "ten": ["Pleiku"]},
                     geometry=[box(108.01, 13.96, 108.03, 13.98)],
                     crs="EPSG:4326").to_file(folder / "zones.geojson", driver="GeoJSON")
    write_dem(folder / "dem.tif")
    inputs: dict[str, Any] = {
        "communes": "communes.gpkg", "towers": "towers.csv", "roads": "roads.geojson",
        "fiber": "fiber.geojson", "exclusion_zones": "zones.geojson", "dem": ["dem.tif"],
    }
    extra = overrides.pop("_config", {})
    for key, value in overrides.items():
        if value is None:
            inputs.pop(key, None)
        else:
            inputs[key] = value
    return _write_config(folder, inputs, **extra)


def towers_csv(folder: Path, rows: list[str], header: str = TOWERS_HEADER,
                name: str = "towers_bad.csv") -> str:
    (folder / name).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return name




def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]], *,
               merges: dict[str, list[str]] | None = None) -> str:
    """An .xlsx workbook: sheet name -> rows; ``merges``: sheet -> ranges ("A5:A7")."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path.name


def write_xls(path: Path, rows: list[list[Any]], *, sheet: str = "Danh sach") -> str:
    """A legacy Excel 97-2003 workbook (.xls)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if v is not None:
                ws.write(i, j, v)
    wb.save(str(path))
    return path.name


_TCVN3_TABLE = dict(zip(
    "ăâêôơưđĂÂÊÔƠƯĐàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ",
    [0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
     0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA,
     0xCB, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xDC,
     0xDD, 0xDE, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xEB,
     0xEC, 0xED, 0xEE, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA,
     0xFB, 0xFC, 0xFD, 0xFE], strict=True))


def tcvn3(text: str) -> str:
    """Text as a TCVN3 (ABC, .VnTime) font shows it in Unicode software: "M· tr¹m"."""
    return "".join(chr(_TCVN3_TABLE[c]) if c in _TCVN3_TABLE else c
                   for c in unicodedata.normalize("NFC", text))


_VNI_TONE = {"\u0300": "ø", "\u0301": "ù", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_HAT = {"": "â", "\u0300": "à", "\u0301": "á", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_VNI_BREVE = {"": "ê", "\u0300": "è", "\u0301": "é", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI_I = {"\u0300": "ì", "\u0301": "í", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def vni(text: str) -> str:
    """Text as a VNI font (VNI-Times) shows it in Unicode software: "Maõ traïm"."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in "đĐ":
            out.append("ñ" if ch == "đ" else "Ñ")
            continue
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        tone = next((m for m in marks if m in _VNI_TONE), "")
        if "\u0302" in marks:
            out.append(base + _VNI_HAT[tone])
        elif "\u0306" in marks:
            out.append(base + _VNI_BREVE[tone])
        elif "\u031b" in marks:
            out.append(("ô" if base == "o" else "ö") + _VNI_TONE.get(tone, ""))
        elif tone and base in "iI":
            out.append(_VNI_I[tone])
        elif tone:
            out.append(base + _VNI_TONE[tone])
        else:
            out.append(ch)
    return "".join(out)


def cp1258(text: str) -> bytes:
    """cp1258 bytes as Windows writes them: base letters precomposed, tones combining."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")
