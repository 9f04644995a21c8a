"""Private: the province summary (re-exported by geotel.indicators)."""

from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geotel._atomic import atomic_file
from geotel._zonal import bool_column, commune_labels_text, is_official_code, text_column
from geotel.config import IndicatorsConfig

__all__ = ["ProvinceSummary", "province_summary"]


@dataclass(frozen=True)
class ProvinceSummary:
    """The province's headline figures, as in its own infrastructure report.

    Shares are in percent of people (``pop_*``) or of area; ``None`` when unknown.
    Build it with :func:`province_summary`; print it with :meth:`text`, save it with
    :meth:`to_json`.

    Examples
    --------
    >>> s = ProvinceSummary(222, 1_513_847, 15_510.0, 10, 149, 222, 150, 12, 0, 99.0, 97.0,
    ...     90.0, 75.0, "4G", 300, 1_200.0, 45_000, 1_500, 20.0)
    >>> print(s.text("vi").splitlines()[1])
    10/222 xã chưa có Internet cố định.
    >>> s.to_dict()["dead_zone_pop"]
    45000
    """

    communes: int
    population: int
    area_km2: float | None
    communes_without_fixed_internet: int
    communes_with_radio_station: int
    communes_with_postal_point: int
    communes_c8_met: int
    communes_2g_only: int
    communes_without_mobile: int
    pop_covered_pct_2g: float | None
    pop_covered_pct_3g: float | None
    pop_covered_pct_4g: float | None
    area_covered_pct_4g: float | None
    dead_zone_technology: str
    dead_zones: int | None
    dead_zone_km2: float | None
    dead_zone_pop: int | None
    towers: int | None
    shared_tower_pct: float | None
    #: Communes without an official code: "row N (name)".
    communes_without_code: tuple[str, ...] = ()
    #: The communes with the most people in dead zones: (code, name, people).
    top_dead_zone_communes: tuple[tuple[str, str, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (tuples become lists)."""
        d = dataclasses.asdict(self)
        d["communes_without_code"] = list(self.communes_without_code)
        d["top_dead_zone_communes"] = [
            {"commune_code": c, "commune_name": n, "people": p}
            for c, n, p in self.top_dead_zone_communes
        ]
        return d

    def to_json(self, path: str | os.PathLike) -> Path:
        """Write :meth:`to_dict` as UTF-8 JSON, atomically (temporary file, then rename)."""
        path = Path(path)
        with atomic_file(path) as tmp:
            tmp.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n",
                           encoding="utf-8")
        return path

    def text(self, lang: Literal["vi", "en"] = "vi") -> str:
        """The summary as short report lines, in Vietnamese or English."""
        if lang not in ("vi", "en"):
            raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
        i = lambda x: _int(x, lang)  # noqa: E731
        f = lambda x, d=1: _num(x, lang, d)  # noqa: E731
        n = self.communes
        t = self.dead_zone_technology
        cov = ", ".join(f"{k} {f(v)}%" for k, v in (
            ("2G", self.pop_covered_pct_2g), ("3G", self.pop_covered_pct_3g),
            ("4G", self.pop_covered_pct_4g)) if v is not None)
        if lang == "vi":
            lines = [
                f"{i(n)} xã, phường, thị trấn; dân số {i(self.population)} người; "
                f"diện tích {f(self.area_km2, 0)} km².",
                f"{i(self.communes_without_fixed_internet)}/{i(n)} xã chưa có Internet cố định.",
                f"{i(self.communes_with_radio_station)}/{i(n)} xã có đài truyền thanh không dây.",
                f"{i(self.communes_with_postal_point)}/{i(n)} xã có điểm phục vụ bưu chính.",
                f"{i(self.communes_2g_only)} xã chỉ có sóng 2G; "
                f"{i(self.communes_without_mobile)} xã chưa có sóng di động.",
            ]
            if cov:
                lines.append(f"Tỷ lệ dân số được phủ sóng: {cov}"
                             + (f"; diện tích phủ sóng 4G {f(self.area_covered_pct_4g)}%."
                                if self.area_covered_pct_4g is not None else "."))
            if self.dead_zone_pop is not None:
                zones = f"{i(self.dead_zones)} vùng, " if self.dead_zones is not None else ""
                lines.append(f"{i(self.dead_zone_pop)} người sống trong vùng lõm sóng {t} "
                             f"({zones}{f(self.dead_zone_km2)} km²).")
            if self.towers is not None:
                lines.append(f"{i(self.towers)} trạm BTS"
                             + (f", {f(self.shared_tower_pct)}% dùng chung hạ tầng."
                                if self.shared_tower_pct is not None else "."))
            lines.append(f"{i(self.communes_c8_met)}/{i(n)} xã đạt Tiêu chí 8 "
                         "(Thông tin và Truyền thông).")
            if self.top_dead_zone_communes:
                top = "; ".join(f"{nm or c} ({i(p)} người)"
                                for c, nm, p in self.top_dead_zone_communes)
                lines.append(f"Xã có nhiều người trong vùng lõm sóng nhất: {top}.")
            if self.communes_without_code:
                rows = [r.replace("row ", "dòng ", 1) for r in self.communes_without_code]
                lines.append(f"{len(rows)} xã chưa có mã chính thức: " + "; ".join(rows) + ".")
        else:
            lines = [
                f"{i(n)} communes; population {i(self.population)}; "
                f"area {f(self.area_km2, 0)} km².",
                f"{i(self.communes_without_fixed_internet)}/{i(n)} communes without fixed "
                "Internet.",
                f"{i(self.communes_with_radio_station)}/{i(n)} with a wireless radio station.",
                f"{i(self.communes_with_postal_point)}/{i(n)} with a postal service point.",
                f"{i(self.communes_2g_only)} commune{_s(self.communes_2g_only)} with 2G only; "
                f"{i(self.communes_without_mobile)} without mobile coverage.",
            ]
            if cov:
                lines.append(f"Population covered: {cov}"
                             + (f"; 4G area coverage {f(self.area_covered_pct_4g)}%."
                                if self.area_covered_pct_4g is not None else "."))
            if self.dead_zone_pop is not None:
                zones = (f"{i(self.dead_zones)} zone{_s(self.dead_zones)}, "
                         if self.dead_zones is not None else "")
                lines.append(f"{i(self.dead_zone_pop)} people in {t} dead zones "
                             f"({zones}{f(self.dead_zone_km2)} km²).")
            if self.towers is not None:
                lines.append(f"{i(self.towers)} tower sites"
                             + (f", {f(self.shared_tower_pct)}% shared."
                                if self.shared_tower_pct is not None else "."))
            lines.append(f"{i(self.communes_c8_met)}/{i(n)} communes meet Criterion 8 "
                         "(information and communications).")
            if self.top_dead_zone_communes:
                top = "; ".join(f"{nm or c} ({i(p)} people)"
                                for c, nm, p in self.top_dead_zone_communes)
                lines.append(f"Communes with the most people in dead zones: {top}.")
            if self.communes_without_code:
                k = len(self.communes_without_code)
                lines.append(f"{k} commune{_s(k)} without an official code: "
                             + "; ".join(self.communes_without_code) + ".")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text("vi")


def _s(count: int | None) -> str:
    return "" if count == 1 else "s"


def _int(x: float | int | None, lang: str) -> str:
    if x is None:
        return "–"
    s = f"{round(x):,}"
    return s.replace(",", ".") if lang == "vi" else s


def _num(x: float | None, lang: str, digits: int = 1) -> str:
    if x is None:
        return "–"
    s = f"{x:,.{digits}f}"
    if lang == "vi":
        s = s.replace(",", " ").replace(".", ",").replace(" ", ".")
    return s


def _opt(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def province_summary(
    communes_kpi: gpd.GeoDataFrame,
    dead_zones: gpd.GeoDataFrame | None = None,
    *,
    technology: str | None = None,
    top: int = 5,
) -> ProvinceSummary:
    """The province's headline figures from the commune indicators and the dead zones.

    Parameters
    ----------
    communes_kpi
        Output of :func:`geotel.indicators.commune_indicators`.
    dead_zones
        The ``dead_zones`` layer; its ``operator == 'any'`` zones of ``technology`` are
        counted. Without it, the commune columns ``dead_zone_*`` are summed.
    technology
        Dead-zone technology; by default the only one in ``dead_zones``, else
        ``IndicatorsConfig.dead_zone_technology``.
    top
        How many communes to list by people in dead zones.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> k = gpd.GeoDataFrame({"commune_code": ["1", ""], "commune_name": ["A", "B"],
    ...     "population": [100, 300], "has_fixed_internet": [True, False],
    ...     "mobile_covered_technologies": ["2G", "2G,3G,4G"], "dead_zone_pop": [5.0, 0.0]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=32649)
    >>> print(province_summary(k).text("en").splitlines()[1])
    1/2 communes without fixed Internet.
    """
    kpi = communes_kpi
    n = len(kpi)

    def col(name: str) -> pd.Series:
        if name not in kpi.columns:
            return pd.Series(np.full(n, np.nan))
        return pd.to_numeric(kpi[name], errors="coerce").astype(float).reset_index(drop=True)

    pop = col("population").fillna(0.0)

    def weighted(name: str, weight: pd.Series) -> float | None:
        v = col(name)
        known = v.notna()
        den = float(weight[known].sum())
        return _opt(float((v[known] * weight[known]).sum()) / den) if den > 0 else None

    def count(name: str, want: bool, default: bool = True) -> int:
        return int((bool_column(kpi, name, default) == want).sum())

    area = col("area_km2")
    tech = text_column(kpi, "mobile_covered_technologies")
    has_tech = "mobile_covered_technologies" in kpi.columns
    dz_tech = technology or IndicatorsConfig.dead_zone_technology
    zones = km2 = people = None
    if dead_zones is not None:
        dz = dead_zones
        if "operator" in dz.columns:
            dz = dz[dz["operator"] == "any"]
        if technology is None and "technology" in dz.columns and dz["technology"].nunique() == 1:
            dz_tech = str(dz["technology"].iloc[0])
        if "technology" in dz.columns:
            dz = dz[dz["technology"] == dz_tech]
        zones, km2 = len(dz), float(dz["area_km2"].sum())
        people = int(round(float(dz["population"].sum())))
    elif col("dead_zone_pop").notna().any():
        km2 = _opt(float(col("dead_zone_km2").sum())) if "dead_zone_km2" in kpi else None
        people = int(round(float(col("dead_zone_pop").sum())))
    towers = int(col("towers").sum()) if col("towers").notna().any() else None
    dzp = col("dead_zone_pop")
    order = dzp.fillna(0.0).sort_values(ascending=False, kind="stable")
    codes, names = text_column(kpi, "commune_code"), text_column(kpi, "commune_name")
    top_list = tuple((codes[i], names[i], int(round(v))) for i, v in order.head(top).items()
                     if v > 0)
    labels = commune_labels_text(kpi)
    return ProvinceSummary(
        communes=n,
        population=int(round(float(pop.sum()))),
        area_km2=_opt(float(area.sum())) if area.notna().any() else None,
        communes_without_fixed_internet=count("has_fixed_internet", False),
        communes_with_radio_station=count("has_radio_station", True),
        communes_with_postal_point=count("has_postal_point", True),
        communes_c8_met=count("c8_met", True, default=False),
        communes_2g_only=sum(t == "2G" for t in tech) if has_tech else 0,
        communes_without_mobile=sum(t == "" for t in tech) if has_tech else 0,
        pop_covered_pct_2g=weighted("pop_covered_pct_2g", pop),
        pop_covered_pct_3g=weighted("pop_covered_pct_3g", pop),
        pop_covered_pct_4g=weighted("pop_covered_pct_4g", pop),
        area_covered_pct_4g=weighted("area_covered_pct_4g", area.fillna(0.0)),
        dead_zone_technology=dz_tech,
        dead_zones=zones,
        dead_zone_km2=km2,
        dead_zone_pop=people,
        towers=towers,
        shared_tower_pct=weighted("shared_tower_pct", col("towers").fillna(0.0)),
        communes_without_code=tuple(lab for c, lab in zip(codes, labels, strict=True)
                                    if not is_official_code(c)),
        top_dead_zone_communes=top_list,
    )
