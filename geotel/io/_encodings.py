"""Vietnamese text encodings (private): the legacy font encodings that predate Unicode,
and which of several code pages a file's bytes were really written in.

Before Unicode, Vietnamese offices typed with fonts whose glyphs sat on Latin-1 code
points: TCVN3 (ABC, the ``.VnTime`` fonts) and VNI (the ``VNI-Times`` fonts). Such text,
in an Excel cell, a CSV or a shapefile's .dbf, reads as ``"M· tr¹m"`` or ``"Maõ traïm"``
for ``"Mã trạm"``. It cannot be told apart from real Latin-1 text by its bytes, but its
marks (``® µ ¸ ¹ §`` in TCVN3, ``ø ï ñ ä`` in VNI) never occur in Vietnamese words, so
it is recognised, and refused with the way to convert it (Unikey's converter).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "LEGACY_FIX",
    "LegacyText",
    "best_decoding",
    "legacy_encoding",
    "vietnamese_score",
]

_VN = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
VN_LETTERS = frozenset(_VN + _VN.upper())
#: Latin-1 glyphs that TCVN3 puts Vietnamese letters on (đ=®, Đ=§, à=µ, á=¸, ạ=¹, ã=·,
#: ả=¶, ơ=¬, ô=«, ê=ª, â=©, ă=¨, and the capitals ¡ ¢ £ ¤ ¥ ¦).
_TCVN3 = re.compile(r"(?<=[A-Za-z])[®µ¸¹·¶¬«ª©¨»¼½¾]|[®§¡¢£¤¥¦](?=[A-Za-z\u00c0-\u00ff])")
#: Latin-1 glyphs that VNI uses as marks after a vowel (ø grave, ï dot below, û hook,
#: ä/å circumflex with tone, ö ư) or for đ (ñ, Ñ).
_VNI = re.compile(r"(?<=[A-Za-z])[øïûäåöØÏÛÄÅÖ]|[ñÑ](?=[a-zA-Z\u00e0-\u00ff])")
LEGACY_FIX = ("convert the text to Unicode, e.g. with Unikey's converter (Ctrl+Shift+F6: "
              "source {name}, destination Unicode; tick 'convert clipboard' or open the "
              "file), then save it as UTF-8 (CSV UTF-8, .xlsx, or a GeoPackage)")


@dataclass(frozen=True)
class LegacyText:
    """Text in a legacy Vietnamese font encoding: which, and the first example."""

    name: str
    example: str
    position: int


def legacy_encoding(texts: Iterable[object]) -> LegacyText | None:
    """TCVN3 (ABC) or VNI text among ``texts``, or None (at least two marks needed).

    Examples
    --------
    >>> legacy_encoding(["M· tr¹m", "Nhµ m¹ng", "Kinh ®é"]).name
    'TCVN3 (ABC)'
    >>> legacy_encoding(["Maõ traïm", "Nhaø maïng"]).name
    'VNI'
    >>> legacy_encoding(["Mã trạm", "Nhà mạng", "Kinh độ", "Ia Grai", "A · B"]) is None
    True
    """
    counts = {"TCVN3 (ABC)": 0, "VNI": 0}
    first: dict[str, tuple[str, int]] = {}
    for i, t in enumerate(texts):
        if not isinstance(t, str) or t.isascii():
            continue
        for name, pattern in (("TCVN3 (ABC)", _TCVN3), ("VNI", _VNI)):
            n = len(pattern.findall(t))
            if n:
                counts[name] += n
                first.setdefault(name, (t, i))
    name = max(counts, key=lambda k: counts[k])
    if counts[name] < 2:
        return None
    if name == "VNI" and counts["TCVN3 (ABC)"] >= 2:
        name = "TCVN3 (ABC)"  # TCVN3 read as cp1258 shows VNI-like marks too
    example, pos = first[name]
    return LegacyText(name, example, pos)


def vietnamese_score(text: str) -> float:
    """Share of the non-ASCII letters of ``text`` that are Vietnamese letters (1.0 when
    there are none): low for text decoded with the wrong code page.

    Examples
    --------
    >>> vietnamese_score("Đắk Đoa"), round(vietnamese_score("Ðãk Ðoa"), 2)
    (1.0, 0.17)
    """
    text = unicodedata.normalize("NFC", text)
    other = [c for c in text if ord(c) > 127 and not c.isspace()]
    if not other:
        return 1.0
    good = sum(c in VN_LETTERS and c not in "ãõìòý" for c in other) + 0.5 * sum(
        c in "ãõìòý" for c in other)  # also what cp1258 bytes read as cp1252 give
    return good / len(other)


def best_decoding(raw: bytes, declared: str) -> tuple[str, bool]:
    """The code page that ``raw`` was written in, and whether ``declared`` (a .cpg's)
    was wrong: it cannot decode the bytes, or another code page (UTF-8, cp1258) reads
    them as Vietnamese where it reads garbage.

    Examples
    --------
    >>> best_decoding("Đắk Đoa".encode("utf-8"), "cp1258")
    ('utf-8', True)
    >>> best_decoding("Đắk Đoa".encode("utf-8"), "utf-8")
    ('utf-8', False)
    """
    def score(codec: str) -> float | None:
        try:
            return vietnamese_score(raw.decode(codec))
        except (UnicodeDecodeError, LookupError):
            return None

    own = score(declared)
    if raw.isascii():
        return declared, False
    others = {c: score(c) for c in ("utf-8", "cp1258") if c != declared}
    best = max(others, key=lambda c: _or(others[c], -1.0))
    best_score = others[best]
    if own is None:
        return (best, True) if best_score is not None else (declared, False)
    if best_score is not None and best_score >= own + 0.2 and own < 0.9:
        return best, True
    return declared, False


def _or(value: float | None, default: float) -> float:
    return default if value is None else value
