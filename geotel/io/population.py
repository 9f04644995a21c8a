"""Population as a province has it: a statistics-yearbook table of communes, or district
totals (a census table or layer) to spread over the communes.

- :func:`read_population_table`: CSV or XLSX, commune code or name → population.
  Vietnamese headers ('Mã xã', 'Tên xã', 'Dân số (người)', 'Dân số trung bình
  (nghìn người)'), Vietnamese and English number formats read by the column's
  convention (:func:`geotel.io._files.parse_numbers`), and the unit in the header
  (người / nghìn người / thousands) applied. Communes without a row are errors named
  by commune; rows matching no commune are warnings.
- :func:`read_district_population`: district code or name → population, from a table
  or from a vector layer (e.g. ``districts_2009_census.gpkg`` with ``Code_vung`` and
  ``Dan_So``).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geotel.errors import FileFormatError, SchemaError, ValidationReport
from geotel.io._aliases import match_columns, normalise_header, strip_diacritics
from geotel.io._files import parse_numbers, require_file
from geotel.io._layers import format_code
from geotel.io._units import header_multiplier

__all__ = [
    "TABLE_SUFFIXES",
    "header_multiplier",
    "match_districts",
    "name_key",
    "read_district_population",
    "read_population_table",
]

log = logging.getLogger(__name__)

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")

_COMMUNE_ALIASES: dict[str, tuple[str, ...]] = {
    "code": tuple(normalise_header(n) for n in (
        "commune_code", "ma_xa", "mã xã", "mã đơn vị hành chính", "ma_dvhc", "mã dvhc",
        "code")),
    "name": tuple(normalise_header(n) for n in (
        "commune_name", "ten_xa", "tên xã", "tên đơn vị hành chính", "đơn vị hành chính",
        "xã, phường, thị trấn", "xa_phuong_thi_tran", "xã", "name", "ten")),
    "district": tuple(normalise_header(n) for n in (
        "district_name", "ten_huyen", "tên huyện", "huyện", "huyện, thị xã, thành phố",
        "district")),
    "population": tuple(normalise_header(n) for n in (
        "population", "dân số", "dan_so", "dân số trung bình", "dan_so_trung_binh",
        "tổng số dân", "tong_so_dan", "số dân", "so_dan", "nhân khẩu", "pop")),
}
_DISTRICT_ALIASES: dict[str, tuple[str, ...]] = {
    "code": tuple(normalise_header(n) for n in (
        "district_code", "ma_huyen", "mã huyện", "code_vung", "ma_qh", "code")),
    "name": tuple(normalise_header(n) for n in (
        "district_name", "ten_huyen", "tên huyện", "huyện", "huyện, thị xã, thành phố",
        "huyen", "name", "ten")),
    "population": _COMMUNE_ALIASES["population"],
}
_PREFIX = re.compile(r"^(xa|phuong|thi tran|thi xa|thanh pho|huyen|tt|tx|tp|p|x)[ .]+")


def name_key(name: object) -> str:
    """A commune or district name as a matching key: no diacritics, no type prefix.

    Examples
    --------
    >>> name_key("Xã Ia Dêr"), name_key("TT. Kbang"), name_key("Phường Yên Đỗ")
    ('ia der', 'kbang', 'yen do')
    """
    text = strip_diacritics(str(name)).lower().strip()
    text = re.sub(r"\s+", " ", text)
    text = _PREFIX.sub("", text)
    return re.sub(r"[^a-z0-9 ]", "", text).strip()


def _rows(path: Path) -> list[list[object]]:
    from geotel.io.tables import _rows_from_csv, _rows_from_xlsx

    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise FileFormatError(f"unsupported table format '{path.suffix}'", file=str(path),
                              fix="save the table as CSV (UTF-8) or Excel .xlsx")
    return _rows_from_xlsx(path) if suffix in (".xlsx", ".xlsm") else _rows_from_csv(path)[0]


def _table(path: Path, aliases: dict[str, tuple[str, ...]], what: str
           ) -> tuple[pd.DataFrame, dict[str, str], int]:
    """The table under its header row (the first of 15 naming a population column and a
    code or name column), its role → header mapping and the header's line number."""
    rows = _rows(path)
    for k, r in enumerate(rows[:15]):
        cells = [c for c in r if c not in (None, "")]
        found = match_columns(cells, aliases)
        roles = set(found.values())
        if "population" in roles and roles & {"code", "name"}:
            header = [str(c).strip() if c not in (None, "") else f"column_{i + 1}"
                      for i, c in enumerate(r)]
            body = []
            for line, row in enumerate(rows[k + 1:], start=k + 2):
                cells = list(row) + [None] * (len(header) - len(row))
                if all(c is None or str(c).strip() == "" for c in cells):
                    continue
                body.append([*cells[: len(header)], line])
            df = pd.DataFrame(body, columns=[*header, "_row"], dtype=object)
            return df, {role: str(col).strip() for col, role in found.items()}, k + 1
    first = [c for c in (rows[0] if rows else []) if c not in (None, "")]
    raise SchemaError(f"no {what} population table found: no row of the first 15 names a "
                      f"population column and a code or name column (first row: {first})",
                      file=str(path), column="population",
                      fix="name the columns e.g. 'Mã xã' / 'Tên xã' and 'Dân số (người)'")


def _population_values(df: pd.DataFrame, header: str, source: str,
                       rep: ValidationReport) -> np.ndarray:
    try:
        factor = header_multiplier(header)
    except ValueError as exc:
        rep.add("schema", str(exc), file=source, column=header,
                fix="write the unit as (người) or (nghìn người), or remove the brackets")
        return np.full(len(df), np.nan)
    try:
        values = parse_numbers(df[header].tolist(), integers=factor == 1.0)
    except ValueError as exc:
        message, pos = exc.args
        rep.add("range", message, file=source, feature=f"row {df['_row'].iloc[pos]}",
                column=header, fix="write plain numbers of people, e.g. 5234")
        return np.full(len(df), np.nan)
    values = values * factor
    for i in np.flatnonzero(values < 0):
        rep.add("range", f"negative population {values[i]:g}", file=source,
                feature=f"row {df['_row'].iloc[i]}", column=header,
                fix="give the number of people, 0 or more")
    if factor != 1.0:
        log.info("%s: column '%s' is in units of %g people", source, header, factor)
    return values


def read_population_table(
    path: str | os.PathLike,
    communes: gpd.GeoDataFrame,
    *,
    report: ValidationReport | None = None,
) -> pd.Series:
    """Population per commune from a yearbook table (code or name → people).

    Parameters
    ----------
    path
        ``.csv`` or ``.xlsx`` with a population column and a commune code column, a
        commune name column, or both (and optionally a district name, used to tell
        apart communes of the same name).
    communes
        The communes layer (``commune_code``, ``commune_name``, ``district_name``).
    report
        Collects the problems; without it the first error's class is raised.

    Returns
    -------
    Series
        float people, index of ``communes``; NaN for a commune the table does not give
        (an error in the report, naming the commune).

    Examples
    --------
    >>> import tempfile, geopandas as gpd
    >>> from shapely.geometry import box
    >>> p = Path(tempfile.mkdtemp()) / "nien_giam.csv"
    >>> _ = p.write_text("Tên xã;Dân số (người)\\nXã Ia Dêr;12.345\\nPhường Yên Đỗ;16.555\\n",
    ...                  encoding="utf-8")
    >>> c = gpd.GeoDataFrame({"commune_code": ["23563", "23557"],
    ...                       "commune_name": ["Xã Ia Dêr", "Phường Yên Đỗ"]},
    ...                      geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=32649)
    >>> read_population_table(p, c).tolist()
    [12345.0, 16555.0]
    """
    rep = report if report is not None else ValidationReport()
    source = str(path)
    out = pd.Series(np.nan, index=communes.index, dtype=float)
    try:
        df, role, _ = _table(require_file(path, "population table"), _COMMUNE_ALIASES,
                             "commune")
    except (FileFormatError, SchemaError) as exc:
        if report is None:
            raise
        rep.add_error(exc)
        return out
    values = _population_values(df, role["population"], source, rep)
    rows = df["_row"].tolist()
    codes = [format_code(c, 5) for c in communes.get("commune_code", [None] * len(communes))]
    names = [name_key(n) for n in communes.get("commune_name", [""] * len(communes))]
    dists = [name_key(d) for d in communes.get("district_name", [""] * len(communes))]
    by_code = {c: i for i, c in enumerate(codes) if c}
    by_name: dict[str, list[int]] = {}
    for i, n in enumerate(names):
        by_name.setdefault(n, []).append(i)
    hit = np.full(len(communes), -1)
    unmatched: list[str] = []
    for j in range(len(df)):
        i = -1
        if "code" in role:
            i = by_code.get(format_code(df[role["code"]].iloc[j], 5) or "", -1)
        if i < 0 and "name" in role:
            cands = by_name.get(name_key(df[role["name"]].iloc[j]), [])
            if len(cands) > 1 and "district" in role:
                d = name_key(df[role["district"]].iloc[j])
                cands = [c for c in cands if dists[c] == d]
            if len(cands) == 1:
                i = cands[0]
            elif len(cands) > 1:
                rep.add("duplicate", f"'{df[role['name']].iloc[j]}' names {len(cands)} "
                        "communes", file=source, feature=f"row {rows[j]}", column=role["name"],
                        fix="add the commune code, or a district column ('Huyện')")
                continue
        label = " ".join(str(df[role[k]].iloc[j]) for k in ("code", "name") if k in role)
        if i < 0:
            unmatched.append(f"{label} (row {rows[j]})")
            continue
        if hit[i] >= 0:
            rep.add("duplicate", f"commune {label} is given twice (rows {rows[hit[i]]} and "
                    f"{rows[j]})", file=source, feature=f"row {rows[j]}",
                    fix="keep one row per commune")
            continue
        hit[i] = j
        out.iloc[i] = values[j]
    if unmatched:
        rep.warn("schema", f"{len(unmatched)} row(s) match no commune and are not used: "
                 + "; ".join(unmatched[:8]) + ("; ..." if len(unmatched) > 8 else ""),
                 file=source, fix="check the codes and names (totals and district rows are "
                 "expected here)")
    labels = [str(n) for n in communes.get("commune_name", codes)]
    for i in np.flatnonzero(hit < 0).tolist():
        rep.add("schema", f"commune '{labels[i]}' ({codes[i] or 'no code'}) has no row in the "
                "population table", file=source, feature=labels[i], column="population",
                fix="add a row for it (code or name, and population)")
    if report is None:
        rep.raise_if_errors()
    return out


def read_district_population(
    path: str | os.PathLike,
    *,
    layer: str | None = None,
    report: ValidationReport | None = None,
) -> pd.DataFrame:
    """District totals: ``district_code`` (3 digits or ''), ``name_key`` and
    ``population``, from a table (CSV/XLSX) or a vector layer (GeoPackage, ...).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "huyen.csv"
    >>> _ = p.write_text("Mã huyện,Tên huyện,Dân số\\n622,Pleiku,208634\\n", encoding="utf-8")
    >>> read_district_population(p).values.tolist()
    [['622', 'pleiku', 208634.0]]
    """
    rep = report if report is not None else ValidationReport()
    p = Path(path)
    source = str(p)
    empty = pd.DataFrame({"district_code": [], "name_key": [], "population": []})
    try:
        require_file(p, "district population")
        if p.suffix.lower() in TABLE_SUFFIXES:
            df, role, _ = _table(p, _DISTRICT_ALIASES, "district")
            values = _population_values(df, role["population"], source, rep)
            codes = df[role["code"]] if "code" in role else pd.Series([None] * len(df))
            names = df[role["name"]] if "name" in role else pd.Series([""] * len(df))
        else:
            from geotel.io.vector import read_districts

            d = read_districts(p, layer=layer, report=rep)
            values = pd.to_numeric(d["population"], errors="coerce").to_numpy(float)
            codes, names = d["district_code"], d["district_name"]
    except (FileFormatError, SchemaError) as exc:
        if report is None:
            raise
        rep.add_error(exc)
        return empty
    out = pd.DataFrame({
        "district_code": [(format_code(c, 3) or "")[-3:] for c in codes],
        "name_key": [name_key(n) for n in names],
        "population": np.asarray(values, float),
    })
    if report is None:
        rep.raise_if_errors()
    return out


def match_districts(codes: Iterable[object], names: Iterable[object],
                    totals: pd.DataFrame) -> np.ndarray:
    """Row of ``totals`` for each commune's district (-1 when none), by code when the
    code's name agrees (or either name is missing), else by name.

    Census layers do not always carry today's codes (the 2009 layer has Ayun Pa as 636,
    the GSO code is 624), so a code alone is trusted only when the names do not
    contradict it.

    Examples
    --------
    >>> t = pd.DataFrame({"district_code": ["636", "625"], "name_key": ["ayun pa", "kbang"],
    ...                   "population": [34890.0, 61682.0]})
    >>> match_districts(["624", "625", "636"], ["Thị xã Ayun Pa", "Huyện KBang", "Ia Pa"],
    ...                 t).tolist()
    [0, 1, -1]
    """
    code_list = ["" if c is None else str(c) for c in codes]
    name_list = [name_key(n) if n is not None else "" for n in names]
    by_code = {c: i for i, c in enumerate(totals["district_code"]) if c}
    by_name = {k: i for i, k in enumerate(totals["name_key"]) if k}
    out = np.full(len(code_list), -1)
    for j, (c, n) in enumerate(zip(code_list, name_list, strict=True)):
        i = by_code.get(c, -1)
        if i >= 0 and n and totals["name_key"].iloc[i] and totals["name_key"].iloc[i] != n:
            i = -1  # the code names another district: trust the name
        if i < 0:
            i = by_name.get(n, -1)
        out[j] = i
    return out
