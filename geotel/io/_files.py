"""Low-level file access shared by the readers: existence checks, shapefile encodings,
text decoding (UTF-8 with or without BOM, cp1258 fallback) and number parsing."""

from __future__ import annotations

import codecs
import logging
import math
import os
import re
import struct
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geotel.errors import FileFormatError

__all__ = [
    "NumberProblem",
    "decode_text",
    "nfc",
    "number_convention",
    "parse_column",
    "parse_number",
    "parse_numbers",
    "require_file",
    "shapefile_encoding",
]

log = logging.getLogger(__name__)

_CPG_NAMES = {
    "utf8": "utf-8", "utf_8": "utf-8", "utf-8": "utf-8", "65001": "utf-8",
    "1258": "cp1258", "cp1258": "cp1258", "ansi1258": "cp1258", "windows-1258": "cp1258",
    "1252": "cp1252", "ansi1252": "cp1252", "88591": "latin-1", "iso-8859-1": "latin-1",
}


def require_file(path: str | os.PathLike[str], what: str, *, fix: str | None = None) -> Path:
    """The path as a :class:`Path`; :class:`FileFormatError` when it is not a readable file."""
    p = Path(path)
    if not p.exists():
        raise FileFormatError(f"{what} file not found", file=str(p),
                              fix=fix or "check the path (relative paths are taken from the "
                              "config file's folder)")
    if not p.is_file():
        raise FileFormatError(f"{what} path is not a file", file=str(p),
                              fix="give the path of the file itself, not of a folder")
    try:
        with p.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise FileFormatError(f"{what} file cannot be read: {exc.strerror}", file=str(p),
                              fix="check the file's permissions") from None
    return p


def _codec(name: str) -> str | None:
    key = re.sub(r"[\s_]", "", name.strip().lower())
    if key in _CPG_NAMES:
        return _CPG_NAMES[key]
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None


def _dbf_text_bytes(dbf: Path) -> bytes:
    """The bytes of a .dbf's field names and records (where text lives)."""
    raw = dbf.read_bytes()
    header_len = struct.unpack("<H", raw[8:10])[0] if len(raw) >= 10 else 0
    return raw[:32] if header_len == 0 else raw[32:header_len] + raw[header_len:]


def shapefile_encoding(shp: Path) -> tuple[str, str]:
    """Encoding of a shapefile's .dbf and how it was found: ``"cpg"``, ``"detected"``,
    or ``"cpg-wrong"`` (the .cpg names a code page the bytes are not in).

    The .cpg is believed when it names a known code page that reads the bytes as well as
    any other. Without one, the .dbf records are decoded as UTF-8; when that fails they
    are taken as cp1258 (the Vietnamese Windows code page that older GIS software
    writes). A .cpg that says UTF-8 over cp1258 bytes, or 1252 over Vietnamese cp1258
    text, is overruled by the bytes.
    """
    from geotel.io._encodings import best_decoding

    dbf = shp.with_suffix(".dbf")
    if not dbf.exists():
        dbf = shp.with_suffix(".DBF")
    body = _dbf_text_bytes(dbf) if dbf.exists() else b""
    cpg = shp.with_suffix(".cpg")
    if not cpg.exists():
        cpg = shp.with_suffix(".CPG")
    if cpg.exists():
        codec = _codec(cpg.read_text(encoding="ascii", errors="replace"))
        if codec:
            best, wrong = best_decoding(body, codec)
            return (best, "cpg-wrong") if wrong else (codec, "cpg")
        log.warning("%s: unknown code page in %s; detecting the encoding", shp, cpg.name)
    try:
        body.decode("utf-8")
        return "utf-8", "detected"
    except UnicodeDecodeError:
        return "cp1258", "detected"


def nfc(text: str) -> str:
    """NFC-normalised text (cp1258 decodes tones as combining marks)."""
    return unicodedata.normalize("NFC", text)


def decode_text(raw: bytes) -> tuple[str, str]:
    """Text of a CSV file and its encoding: UTF-8 (BOM or not), else cp1258."""
    if raw.startswith(codecs.BOM_UTF8):
        return nfc(raw[3:].decode("utf-8")), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return nfc(raw.decode("utf-16")), "utf-16"
    try:
        return nfc(raw.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        return nfc(raw.decode("cp1258", errors="replace")), "cp1258"


def parse_number(value: object) -> float:
    """A float from a cell: numbers as is; text with a decimal comma or point, and
    thousands separators (``"1.523.456,78"``, ``"1,523,456.78"``); NaN when empty.

    Raises ``ValueError`` for text that is not a number.

    Examples
    --------
    >>> parse_number("108,25"), parse_number("1.523.456,7"), parse_number(" 45 ")
    (108.25, 1523456.7, 45.0)
    """
    if value is None:
        return math.nan
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if text in ("", "-", "nan", "NaN", "NA", "None"):
        return math.nan
    if "," in text and "." in text:
        dec = "," if text.rfind(",") > text.rfind(".") else "."
        thou = "." if dec == "," else ","
        text = text.replace(thou, "").replace(dec, ".")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif text.count(",") > 1:
        text = text.replace(",", "")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    return float(text)


_SEP = re.compile(r"^[+-]?\d{1,3}([.,])\d{3}$")


def _decimal_vote(text: str) -> str | None:
    """Which separator a number's text shows to be the decimal mark: '.', ',', '?'
    (ambiguous: one separator followed by exactly three digits) or None (no separator)."""
    has_dot, has_comma = "." in text, "," in text
    if has_dot and has_comma:
        return "," if text.rfind(",") > text.rfind(".") else "."
    if text.count(".") > 1:
        return ","
    if text.count(",") > 1:
        return "."
    if not (has_dot or has_comma):
        return None
    if _SEP.match(text):
        return "?"
    return "." if has_dot else ","


def parse_numbers(values: Sequence[object], *, integers: bool = False,
                  decimal: str | None = None) -> np.ndarray:
    """Floats from a column of cells, reading thousands and decimal marks by the
    column's evident convention.

    Vietnamese tables write ``5.234`` for five thousand two hundred and thirty-four and
    ``5,5`` for five and a half; English ones the reverse. The convention is taken from
    the values that show it (``1.234.567``, ``12,5``, ``1.234,5``). A value such as
    ``5.234`` or ``5,234`` on its own is ambiguous: with ``integers=True`` (counts of
    people, say) its mark is a thousands separator; with ``decimal`` (``"."`` or ``","``:
    the convention the rest of the table shows) it is read by that convention;
    otherwise it is an error.

    Raises
    ------
    ValueError
        ``args = (message, position)``: text that is not a number, a column mixing both
        conventions, or an ambiguous value (``position`` is 0-based).

    Examples
    --------
    >>> parse_numbers(["5.234", "12.345.678", "7"]).tolist()
    [5234.0, 12345678.0, 7.0]
    >>> parse_numbers(["5,5", "5.234"]).tolist()
    [5.5, 5234.0]
    >>> parse_numbers(["5.234"], integers=True).tolist()
    [5234.0]
    >>> parse_numbers(["523.456", "1.800"], decimal=",").tolist()
    [523456.0, 1800.0]
    >>> parse_numbers(["5.234"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ("'5.234' is ambiguous: 5.234 or 5234? Write 5234 or 5,234 ...", 0)
    """
    texts: list[str | None] = []
    out = np.full(len(values), np.nan)
    votes: dict[str, list[int]] = {".": [], ",": [], "?": []}
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            texts.append(None)
            continue
        if isinstance(v, bool):
            raise ValueError(f"'{v}' is not a number", i)
        if isinstance(v, int | float | np.integer | np.floating):
            out[i] = float(v)
            texts.append(None)
            continue
        t = str(v).strip().replace("\u00a0", "").replace(" ", "")
        if t in ("", "-", "nan", "NaN", "NA", "None"):
            texts.append(None)
            continue
        if not re.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*", t):
            raise ValueError(f"'{v}' is not a number", i)
        texts.append(t)
        vote = _decimal_vote(t)
        if vote is not None:
            votes[vote].append(i)
    if votes["."] and votes[","]:
        raise ValueError(f"the column mixes decimal points ('{values[votes['.'][0]]}') and "
                         f"decimal commas ('{values[votes[','][0]]}')", votes[","][0])
    dec = "." if votes["."] else "," if votes[","] else None
    if dec is None and votes["?"] and decimal in (".", ","):
        dec = decimal
    if dec is None and votes["?"] and not integers:
        i = votes["?"][0]
        amb = texts[i] or ""
        whole = amb.replace(".", "").replace(",", "")
        raise ValueError(f"'{values[i]}' is ambiguous: {amb.replace(',', '.')} or {whole}? "
                         f"Write {whole} or {amb.replace('.', ',')} (Vietnamese decimal "
                         "comma)", i)
    for i, cell in enumerate(texts):
        if cell is None:
            continue
        if dec is None:  # only whole numbers, or marks that can only be thousands
            out[i] = float(cell.replace(".", "").replace(",", ""))
        else:
            thou = "." if dec == "," else ","
            out[i] = float(cell.replace(thou, "").replace(dec, "."))
    return out


def _cell_text(v: object) -> str | None:
    """A cell as number text without spaces, or None when blank; numbers as they are."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    t = str(v).strip().replace("\u00a0", "").replace(" ", "")
    return None if t in ("", "-", "nan", "NaN", "NA", "None", "<NA>") else t


def number_convention(values: Sequence[object]) -> str | None:
    """The decimal mark that the text cells of ``values`` show (``"."`` or ``","``), or
    None when they show none (whole numbers, lone ``5.234``) or show both.

    Examples
    --------
    >>> number_convention(["107,98", "14,02", "42"]), number_convention(["1.800", 42])
    (',', None)
    """
    seen = set()
    for v in values:
        if isinstance(v, str):
            t = _cell_text(v)
            if t is not None and _NUMBER_TEXT.fullmatch(t):
                vote = _decimal_vote(t)
                if vote in (".", ","):
                    seen.add(vote)
    return seen.pop() if len(seen) == 1 else None


_NUMBER_TEXT = re.compile(r"[+-]?[\d.,]*\d[\d.,]*")


@dataclass(frozen=True)
class NumberProblem:
    """A cell that is not a number, or whose number is ambiguous (0-based position)."""

    position: int
    message: str
    kind: str  # "type" (not a number) or "format" (ambiguous, mixed conventions)


def parse_column(values: Sequence[object], *, integers: bool = False,
                 decimal: str | None = None) -> tuple[np.ndarray, list[NumberProblem]]:
    """Floats from a column of cells (see :func:`parse_numbers`), and every problem.

    Unlike :func:`parse_numbers` it goes on past a bad cell: each cell that is not a
    number is a problem of kind ``"type"`` (and NaN), and an ambiguous value or a
    column mixing both conventions is a problem of kind ``"format"`` for its cell.

    Examples
    --------
    >>> v, probs = parse_column(["42", "bốn mươi", "1.800"])
    >>> v.tolist()[:2], [(p.position, p.kind) for p in probs]
    ([42.0, nan], [(1, 'type'), (2, 'format')])
    """
    out = np.full(len(values), np.nan)
    problems: list[NumberProblem] = []
    good: list[int] = []
    for i, v in enumerate(values):
        if isinstance(v, bool):
            problems.append(NumberProblem(i, f"value '{v}' is not a number", "type"))
            continue
        if isinstance(v, int | float | np.integer | np.floating) and not (
                isinstance(v, float) and math.isnan(v)):
            out[i] = float(v)
            continue
        t = _cell_text(v)
        if t is None:
            continue
        if not _NUMBER_TEXT.fullmatch(t):
            problems.append(NumberProblem(i, f"value '{v}' has the wrong type (expected a "
                                             "number)", "type"))
            continue
        good.append(i)
    pending = list(good)
    while pending:
        try:
            parsed = parse_numbers([values[i] for i in pending], integers=integers,
                                   decimal=decimal)
        except ValueError as exc:
            message, pos = exc.args
            problems.append(NumberProblem(pending[pos], message, "format"))
            if "mixes" in message:
                break
            pending = pending[:pos] + pending[pos + 1:]
            continue
        out[pending] = parsed
        break
    problems.sort(key=lambda p: p.position)
    return out, problems
