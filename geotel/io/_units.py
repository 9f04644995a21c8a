"""Units written in column headers (private): read, never stripped.

A header carries its unit in brackets (``"Độ cao cột (ft)"``, ``"Diện tích (ha)"``,
``"Dân số (nghìn người)"``) or as a last word (``height_ft``, ``dien_tich_ha``). Each
canonical numeric column has a kind of quantity, and each kind the units it accepts
with their conversion to the column's own unit (``height_m`` in metres, ``eirp_dbm`` in
dBm, ``area_km2`` in km², ...). A unit that the column's kind does not know is an error
naming the header; feet are converted with a warning (towers in Vietnam are measured in
metres, so a header in feet deserves a look), other units with a note.

Bracketed text that is not a unit is left alone: a year (``"Dân số (2019)"``), a
footnote mark (``"(*)"``, ``"(1)"``), a CRS label on coordinates (``"X (VN-2000)"``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geotel.errors import ValidationReport
from geotel.io._aliases import ALIASES, match_columns, normalise_header, strip_diacritics

__all__ = [
    "COLUMN_KINDS",
    "Unit",
    "UnitError",
    "apply_units",
    "bracket_contents",
    "header_multiplier",
    "header_unit",
    "known_unit_word",
    "match_with_units",
    "note_unit",
    "split_unit_suffix",
    "unit_key",
    "units_hint",
]

_BRACKETS = re.compile(r"[\(\[]([^\)\]]*)[\)\]]")


class UnitError(ValueError):
    """A unit in a header that the column's kind of quantity does not know."""


@dataclass(frozen=True)
class Unit:
    """A unit as found in a header, and how to turn its values into the column's unit."""

    written: str
    key: str
    kind: str
    convert: Callable[[np.ndarray], np.ndarray]
    #: the values change (anything but the column's own unit)
    converts: bool
    #: the conversion deserves a warning, not only a note
    warn: bool
    #: how the conversion reads in a message ("× 0.3048", "+ 30 dB")
    how: str


def _scale(f: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda v: np.asarray(v, float) * f


def _offset(db: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda v: np.asarray(v, float) + db


def _log_power(db: float) -> Callable[[np.ndarray], np.ndarray]:
    def f(v: np.ndarray) -> np.ndarray:
        a = np.asarray(v, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(a > 0, 10.0 * np.log10(np.where(a > 0, a, 1.0)) + db, np.nan)
    return f


# unit key -> (convert, how, warn); the first entry of each kind is its own unit.
_Entry = tuple[Callable[[np.ndarray], np.ndarray], str, bool]
_ONE: _Entry = (_scale(1.0), "", False)
_FEET: _Entry = (_scale(0.3048), "× 0.3048 (feet to metres)", True)
_KINDS: dict[str, dict[str, _Entry]] = {
    "height": {"m": _ONE, "met": _ONE, "metre": _ONE, "metres": _ONE, "meter": _ONE,
               "meters": _ONE, "ft": _FEET, "feet": _FEET, "foot": _FEET},
    "frequency": {"mhz": _ONE, "ghz": (_scale(1e3), "× 1000 (GHz to MHz)", False),
                  "khz": (_scale(1e-3), "÷ 1000 (kHz to MHz)", False)},
    "angle": {"deg": _ONE, "do": _ONE, "degree": _ONE, "degrees": _ONE,
              "do_thap_phan": _ONE, "decimal_degrees": _ONE, "dd": _ONE},
    "power": {"dbm": _ONE, "dbw": (_offset(30.0), "+ 30 (dBW to dBm)", False),
              "w": (_log_power(30.0), "10·log10(W) + 30 (watts to dBm)", False),
              "watt": (_log_power(30.0), "10·log10(W) + 30 (watts to dBm)", False),
              "watts": (_log_power(30.0), "10·log10(W) + 30 (watts to dBm)", False),
              "mw": (_log_power(0.0), "10·log10(mW) (milliwatts to dBm)", False),
              "kw": (_log_power(60.0), "10·log10(kW) + 60 (kilowatts to dBm)", False)},
    "decibel": {"db": _ONE},
    "area": {"km2": _ONE, "ha": (_scale(0.01), "× 0.01 (hectares to km²)", False),
             "hecta": (_scale(0.01), "× 0.01 (hectares to km²)", False),
             "hectare": (_scale(0.01), "× 0.01 (hectares to km²)", False),
             "hectares": (_scale(0.01), "× 0.01 (hectares to km²)", False),
             "m2": (_scale(1e-6), "÷ 1,000,000 (m² to km²)", False)},
    "people": {"nguoi": _ONE, "people": _ONE, "persons": _ONE, "person": _ONE,
               "inhabitants": _ONE, "nhan_khau": _ONE},
    "metres": {"m": _ONE, "met": _ONE, "metre": _ONE, "metres": _ONE, "meter": _ONE,
               "meters": _ONE},
}
_THOUSAND: _Entry = (_scale(1e3), "× 1000 (thousands of people)", False)
_MILLION: _Entry = (_scale(1e6), "× 1,000,000 (millions of people)", False)
_KINDS["people"].update(dict.fromkeys((
    "nghin_nguoi", "ngan_nguoi", "nghin", "ngan", "thousand", "thousands", "thousand_people",
    "000", "1000", "1_000", "000_people", "000_nguoi", "1000_nguoi", "nghin_nhan_khau"),
    _THOUSAND))
_KINDS["people"].update(dict.fromkeys(("trieu_nguoi", "million", "millions"), _MILLION))

#: Canonical column -> kind of quantity (coordinates by their role: lon, lat, x, y).
COLUMN_KINDS: dict[str, str] = {
    "height_m": "height", "freq_mhz": "frequency", "azimuth_deg": "angle",
    "beamwidth_deg": "angle", "tilt_deg": "angle", "vertical_beamwidth_deg": "angle",
    "eirp_dbm": "power", "front_to_back_db": "decibel", "side_lobe_db": "decibel",
    "area_km2": "area", "population": "people", "lon": "angle", "lat": "angle",
    "x": "metres", "y": "metres",
}
#: Bracketed words on coordinates that name a CRS or a format, not a unit.
_CRS_WORDS = ("vn2000", "vn_2000", "wgs", "utm", "tm3", "tm_3", "mui", "kinh_tuyen",
              "he_toa_do", "epsg", "hn72", "indian")
#: Bracketed words that say "above ground", not a unit.
_AGL = ("agl", "so_voi_mat_dat", "tu_mat_dat", "tinh_tu_mat_dat", "above_ground",
        "tren_mat_dat")
#: Words that may end a header as its unit (``height_ft``); never a header's own word.
_SUFFIXES = ("ft", "feet", "mhz", "ghz", "khz", "ha", "km2", "m2", "dbm", "dbw", "w",
             "kw", "mw", "m", "deg")


def unit_key(text: str) -> str:
    """The comparison key of a unit: ``"km²"`` → ``"km2"``, ``"°"`` → ``"deg"``,
    ``"nghìn người"`` → ``"nghin_nguoi"``.

    Examples
    --------
    >>> unit_key("km²"), unit_key("°"), unit_key(" Nghìn người "), unit_key("dBm")
    ('km2', 'deg', 'nghin_nguoi', 'dbm')
    """
    t = unicodedata.normalize("NFC", str(text)).replace("²", "2").replace("°", " deg ")
    t = strip_diacritics(t).lower()
    return re.sub(r"[^a-z0-9]+", "_", t).strip("_")


def bracket_contents(header: object) -> list[str]:
    """The texts in round or square brackets of a header.

    Examples
    --------
    >>> bracket_contents("Độ cao cột (ft) [2023]")
    ['ft', '2023']
    """
    return [m.strip() for m in _BRACKETS.findall(str(header))]


def split_unit_suffix(key: str) -> tuple[str, str] | None:
    """A normalised header ending in a unit word, split: ``height_ft`` → (height, ft).

    Examples
    --------
    >>> split_unit_suffix("dien_tich_ha"), split_unit_suffix("kinh_do")
    (('dien_tich', 'ha'), None)
    """
    head, _, last = key.rpartition("_")
    if head and last in _SUFFIXES:
        return head, last
    return None


def _ignored(key: str, kind: str) -> bool:
    """Bracketed text that is no unit: empty, a year, a footnote, a CRS on coordinates."""
    if key in ("", "x") or re.fullmatch(r"\d{1,2}", key):
        return True  # "(*)" normalises to "", "(1)" is a column number or footnote
    if re.fullmatch(r"(19|20)\d\d", key):
        return True  # a year
    if key in ("nam", "tong", "tong_so", "ghi_chu", "neu_co", "du_kien") or key in _AGL:
        return True
    return kind in ("angle", "metres") and any(w in key for w in _CRS_WORDS)


def header_unit(header: object, canonical: str, *, suffix: str | None = None
                ) -> Unit | None:
    """The unit a header gives for ``canonical``; None when it gives none.

    ``suffix`` is a unit word that ended the header (see :func:`split_unit_suffix`).

    Raises
    ------
    UnitError
        The header gives a unit that ``canonical``'s kind does not know, or two units.

    Examples
    --------
    >>> u = header_unit("Độ cao cột (ft)", "height_m")
    >>> u.warn, u.convert([100.0]).round(2).tolist()
    (True, [30.48])
    >>> header_unit("EIRP (W)", "eirp_dbm").convert([20.0]).round(2).tolist()
    [43.01]
    >>> header_unit("Dân số (2019)", "population") is None
    True
    >>> header_unit("Độ cao cột (yd)", "height_m")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geotel.io._units.UnitError: unit '(yd)' in the header 'Độ cao cột (yd)' is not ...
    """
    kind = COLUMN_KINDS.get(canonical)
    if kind is None:
        return None
    table = _KINDS[kind]
    found: list[Unit] = []
    written = [*bracket_contents(header), *([suffix] if suffix else [])]
    for text in written:
        key = unit_key(text)
        if key not in table:  # "(m, so với mặt đất)": one unit among other words
            key = _unit_among_words(key, table, kind)
        if key in table:
            convert, how, warn = table[key]
            found.append(Unit(text, key, kind, convert, bool(how), warn, how))
        elif not _ignored(key, kind):
            raise UnitError(f"unit '({text})' in the header '{header}' is not understood for "
                            f"{canonical} (use {units_hint(canonical)})")
    if len(found) > 1 and len({u.key for u in found}) > 1 and kind != "people":
        raise UnitError(f"the header '{header}' gives two units "
                        f"({', '.join(u.written for u in found)}) for {canonical}")
    if not found:
        return None
    if kind == "people" and len(found) > 1:  # "(nghìn) (người)": the factors multiply
        factor = float(np.prod([u.convert(np.array([1.0]))[0] for u in found]))
        return Unit(" ".join(u.written for u in found), "_".join(u.key for u in found), kind,
                    _scale(factor), factor != 1.0, False, f"× {factor:g}")
    return found[0]


def _unit_among_words(key: str, table: dict[str, _Entry], kind: str) -> str:
    """The one unit word (or two-word unit) of a longer bracket text whose other words
    say nothing (``m_so_voi_mat_dat`` → ``m``); the key itself otherwise."""
    words = key.split("_")
    hits: list[tuple[int, int]] = []  # (start, length)
    k = 0
    while k < len(words):
        if k + 1 < len(words) and f"{words[k]}_{words[k + 1]}" in table:
            hits.append((k, 2))
            k += 2
        elif words[k] in table:
            hits.append((k, 1))
            k += 1
        else:
            k += 1
    if len(hits) != 1:
        return key
    start, n = hits[0]
    rest = "_".join(words[:start] + words[start + n:])
    return "_".join(words[start:start + n]) if _ignored(rest, kind) else key


def units_hint(canonical: str) -> str:
    """The units a column accepts, for a fix: ``"m, ft"``.

    Examples
    --------
    >>> units_hint("eirp_dbm")
    'dBm, dBW, W, mW, kW'
    """
    shown = {"height": "m, ft", "frequency": "MHz, GHz, kHz", "angle": "độ, deg, °",
             "power": "dBm, dBW, W, mW, kW", "decibel": "dB", "area": "km², ha, m²",
             "people": "người, nghìn người, thousands", "metres": "m"}
    return shown[COLUMN_KINDS[canonical]]


def header_multiplier(header: object) -> float:
    """Factor from the unit in a population header's brackets to people.

    Raises ``ValueError`` (:class:`UnitError`) when the brackets hold a unit that is not
    understood.

    Examples
    --------
    >>> header_multiplier("Dân số (người)"), header_multiplier("Dân số (nghìn người)")
    (1.0, 1000.0)
    >>> header_multiplier("Dân số trung bình"), header_multiplier("Dân số (2019)")
    (1.0, 1.0)
    """
    unit = header_unit(header, "population")
    return 1.0 if unit is None else float(unit.convert(np.array([1.0]))[0])


def known_unit_word(text: object) -> bool:
    """Whether a cell holds only a unit (a units row under a header: ``"(m)"``, ``"MHz"``).

    Examples
    --------
    >>> known_unit_word("(m)"), known_unit_word("độ"), known_unit_word("GL001")
    (True, True, False)
    """
    if not isinstance(text, str) or not text.strip():
        return False
    inner = bracket_contents(text)
    key = unit_key(inner[0] if len(inner) == 1 and text.strip()[0] in "([" else text)
    return any(key in table for table in _KINDS.values()) and len(key) <= 12


def match_with_units(columns: Iterable[object], aliases: dict[str, tuple[str, ...]]
                     ) -> tuple[dict[object, tuple[str, Unit | None]], list[tuple[object, str]]]:
    """Headers mapped to canonical columns with their units, and the unit errors.

    A header matches by its aliases (brackets dropped), or, for a numeric column, by an
    alias followed by a unit word (``height_ft``, ``Diện tích, ha``).

    Examples
    --------
    >>> from geotel.io._aliases import ALIASES
    >>> m, errors = match_with_units(["Mã trạm", "height_ft", "EIRP (dBW)"], ALIASES["towers"])
    >>> sorted((canon, u and u.key) for canon, u in m.values()), errors
    ([('eirp_dbm', 'dbw'), ('height_m', 'ft'), ('site_id', None)], [])
    """
    cols = list(columns)
    out: dict[object, tuple[str, Unit | None]] = {}
    errors: list[tuple[object, str]] = []
    for c, canon in match_columns(cols, aliases).items():
        try:
            out[c] = (canon, header_unit(c, canon))
        except UnitError as exc:
            errors.append((c, str(exc)))
            out[c] = (canon, None)
    taken = {canon for canon, _ in out.values()}
    for c in cols:
        if c in out:
            continue
        split = split_unit_suffix(normalise_header(c))
        if split is None:
            continue
        head, suffix = split
        for canon, names in aliases.items():
            if canon in taken or canon not in COLUMN_KINDS or head not in names:
                continue
            try:
                out[c] = (canon, header_unit(c, canon, suffix=suffix))
            except UnitError as exc:
                errors.append((c, str(exc)))
                out[c] = (canon, None)
            taken.add(canon)
            break
    return out, errors


def _target_unit(canonical: str) -> str:
    return {"height": "metres", "frequency": "MHz", "angle": "degrees", "power": "dBm",
            "decibel": "dB", "area": "km²", "people": "people", "metres": "metres"}[
        COLUMN_KINDS[canonical]]


def note_unit(c: object, canonical: str, unit: Unit, source: str,
              report: ValidationReport) -> None:
    """The warning (feet) or note (other units) that a column was converted."""
    text = (f"'{c}' is in {unit.written}: its values were converted to "
            f"{_target_unit(canonical)} ({unit.how}) for {canonical}")
    if unit.warn:
        report.warn("schema", text, file=source, column=str(c),
                    fix=f"check that the values really are in {unit.written}; give them in "
                    f"{_target_unit(canonical)} to silence this")
    else:
        report.info("schema", text, file=source, column=str(c))


def apply_units(df: pd.DataFrame, layer: str, source: str, report: ValidationReport
                ) -> pd.DataFrame:
    """A copy of a layer's table with the columns that name a unit converted to the
    canonical unit and renamed to the canonical column; unit errors reported.

    Examples
    --------
    >>> rep = ValidationReport()
    >>> df = pd.DataFrame({"ma_xa": ["23557"], "Diện tích (ha)": [1250.0]})
    >>> apply_units(df, "communes", "c.gpkg", rep)["area_km2"].tolist(), len(rep)
    ([12.5], 1)
    """
    from geotel.io._files import parse_column

    geom = getattr(df, "_geometry_column_name", None)
    cols = [c for c in df.columns if c not in (geom, "_row")]
    mapping, errors = match_with_units(cols, ALIASES[layer])
    rows = ([int(r) for r in df["_row"]] if "_row" in df.columns
            else list(range(1, len(df) + 1)))
    for c, message in errors:
        canon = mapping[c][0]
        report.add("schema", message, file=source, column=str(c),
                   fix=f"write the unit as ({units_hint(canon)}), or remove the brackets")
    out = df
    renames: dict[object, str] = {}
    for c, (canon, unit) in mapping.items():
        suffixed = normalise_header(c) not in ALIASES[layer][canon]
        if unit is None or not unit.converts:
            if suffixed and canon not in df.columns:
                renames[c] = canon
            continue
        values, problems = parse_column(df[c].tolist(), integers=canon == "population")
        for p in problems:
            report.add("schema" if p.kind == "type" else "range", p.message, file=source,
                       row=rows[p.position], column=str(c),
                       fix="write a plain number in each cell")
        if out is df:
            out = df.copy()
        out[c] = unit.convert(values)
        note_unit(c, canon, unit, source, report)
        if canon not in df.columns:
            renames[c] = canon
    return out.rename(columns=renames) if renames else out
