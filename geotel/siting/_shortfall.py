"""Private: why the siting step proposed fewer sites than asked, in English and Vietnamese.

A shortfall is a dict ``{"step", "asked", "delivered", "reason", "vi": {...}}`` (the
same keys in Vietnamese under ``"vi"``), as ``summary.json`` keeps it.
"""

from __future__ import annotations

from typing import Any, Literal

from geotel.config import SitingConfig

__all__ = ["Reason", "asked", "reason", "shortfall"]

Demand = Literal["population", "area"]
Reason = Literal["covered", "none_near", "no_backhaul", "none_covers", "target", "fewer"]


def _vi_number(x: float) -> str:
    return f"{x:,.0f}".replace(",", ".")


def asked(cfg: SitingConfig) -> tuple[str, str]:
    """What was asked, in words (English, Vietnamese).

    Examples
    --------
    >>> asked(SitingConfig(new_sites=20))
    ('20 sites', '20 trạm')
    """
    if cfg.target_pop_pct is not None:
        pct = f"{cfg.target_pop_pct:g}"
        return f"{pct} % covered", f"phủ sóng {pct.replace('.', ',')} %"
    if cfg.budget_vnd is not None:
        return f"{cfg.budget_vnd:,.0f} VND", f"{_vi_number(cfg.budget_vnd)} đồng"
    return f"{cfg.new_sites} sites", f"{cfg.new_sites} trạm"


def reason(kind: Reason, demand: Demand, **kw: Any) -> tuple[str, str]:
    """The reason of a shortfall in English and Vietnamese.

    Examples
    --------
    >>> reason("no_backhaul", "population", near=12)[1][:40]
    'cả 12 vị trí ứng viên gần dân chưa được '
    """
    people = demand == "population"
    what_en = "people" if people else "area"
    what_vi = "dân chưa được phủ sóng" if people else "diện tích chưa được phủ sóng"
    dropped_en = dropped_vi = ""
    if kw.get("no_backhaul"):
        dropped_en = f"; {kw['no_backhaul']} candidate sites were left out for lack of a backhaul"
        dropped_vi = f"; {kw['no_backhaul']} vị trí ứng viên bị loại vì không có truyền dẫn"
    if kind == "covered":
        tech = kw["tech"]
        return ((("nobody is left uncovered" if people else "no uncovered area is left")
                 + f": the existing {tech} sites cover it all"),
                f"không còn {what_vi}: các trạm {tech} hiện có đã phủ hết")
    if kind == "none_near":
        km = f"{kw['radius_km']:g}"
        return (f"no candidate site lies within {km} km of the uncovered {what_en} "
                "(exclusion zones, spacing rules or no DEM there)",
                f"không có vị trí ứng viên nào trong phạm vi {km.replace('.', ',')} km quanh "
                f"{what_vi} (vùng cấm, quy định khoảng cách, hoặc thiếu số liệu địa hình)")
    if kind == "no_backhaul":
        near = kw["near"]
        return (f"all {near} candidate sites near uncovered {what_en} lack a backhaul: no "
                "fiber reachable by road and no microwave line of sight to an existing tower "
                "with fiber",
                f"cả {near} vị trí ứng viên gần {what_vi} đều không có truyền dẫn: không có "
                "cáp quang tới được theo đường bộ và không có tầm nhìn thẳng viba tới trạm "
                "hiện có có cáp quang")
    if kind == "none_covers":
        return (f"no candidate site covers any of the uncovered {what_en}",
                f"không vị trí ứng viên nào phủ được phần {what_vi}")
    if kind == "target":
        pct = f"{kw['reached']:.2f}"
        return (f"the {kw['n_model']} candidate sites together reach only {pct} % of the "
                f"{what_en}{dropped_en}",
                f"toàn bộ {kw['n_model']} vị trí ứng viên chỉ phủ được {pct.replace('.', ',')} "
                f"% {'dân số' if people else 'diện tích'}{dropped_vi}")
    n = kw["n"]
    return (f"only {n} candidate sites add uncovered {what_en}; every other candidate covers "
            f"nothing new{dropped_en}",
            f"chỉ {n} vị trí ứng viên phủ thêm được {what_vi}; các vị trí còn lại không phủ "
            f"thêm được gì{dropped_vi}")


def shortfall(cfg: SitingConfig, delivered: int, why: tuple[str, str]) -> dict[str, Any]:
    """The shortfall record of the siting step."""
    ask_en, ask_vi = asked(cfg)
    return {"step": "siting", "asked": ask_en, "delivered": f"{delivered} sites",
            "reason": why[0],
            "vi": {"step": "quy hoạch trạm BTS", "asked": ask_vi,
                   "delivered": f"{delivered} trạm", "reason": why[1]}}
