"""VN-2000, the Vietnamese national datum, and its projected zones.

VN-2000 uses the WGS 84 ellipsoid but not its origin: converting VN-2000 coordinates
to WGS 84 needs the 7-parameter Helmert shift of the Ministry of Natural Resources and
Environment (Decision 05/2007/QĐ-BTNMT; EPSG transformation 6960, "VN-2000 to WGS 84
(2)", coordinate-frame rotation):

====  ==================  ====  ====================
dx    −191.90441429 m     rx    −0.00928836″
dy    −39.30318279 m      ry    +0.01975479″
dz    −111.45032835 m     rz    −0.00427372″
ds    +0.252906278 ppm
====  ==================  ====  ====================

Ignoring the shift moves points by about 200–250 m in Gia Lai. :func:`vn2000_crs` returns
the EPSG CRS where one exists (UTM 48N = EPSG:3405, UTM 49N = EPSG:3406, the TM-3 zones
EPSG:5896–5899 and 9205–9218; Gia Lai's 108°30′ zone is EPSG:9218, checked against
pyproj's database), for which PROJ picks transformation 6960; other central meridians get
a CRS bound to WGS 84 by the same seven parameters. :func:`ensure_datum_shift` repairs a
VN-2000 CRS read from a file whose transformation would otherwise be a "ballpark" one.

Examples
--------
>>> crs = vn2000_crs("tm3", central_meridian_deg=108.5)
>>> crs.to_epsg()
9218
>>> has_datum_shift(crs)
True
"""

from __future__ import annotations

import logging
import math
from typing import Literal

from pyproj import CRS, Transformer

from geotel._crs import is_metric, require_metric_crs, to_crs
from geotel.errors import CRSError

__all__ = [
    "VN2000_TOWGS84_EPSG",
    "VN2000_TO_WGS84",
    "crs_candidates",
    "ensure_datum_shift",
    "has_datum_shift",
    "is_metric",
    "is_vn2000",
    "looks_like_vietnam_metres",
    "missing_crs_fix",
    "require_metric_crs",
    "to_crs",
    "vn2000_crs",
]

log = logging.getLogger(__name__)

#: EPSG code of the VN-2000 → WGS 84 transformation used (onshore Vietnam).
VN2000_TOWGS84_EPSG = 6960
#: Its parameters: dx, dy, dz (m); rx, ry, rz (arc-seconds, coordinate frame); ds (ppm).
VN2000_TO_WGS84: tuple[float, ...] = (
    -191.90441429, -39.30318279, -111.45032835,
    -0.00928836, 0.01975479, -0.00427372, 0.252906278,
)

# EPSG projected CRSs on VN-2000 by zone; TM-3 by central meridian (degrees).
_UTM = {"utm48": 3405, "utm49": 3406}
_TM3 = {
    102.0: 5896, 105.0: 5897, 108.0: 5898, 107.75: 5899,
    103.0: 9205, 104.0: 9206, 104.5: 9207, 104.75: 9208, 105.5: 9209, 105.75: 9210,
    106.0: 9211, 106.25: 9212, 106.5: 9213, 107.0: 9214, 107.25: 9215, 107.5: 9216,
    108.25: 9217, 108.5: 9218,
}
_VN2000_NAMES = ("vietnam 2000", "vietnam_2000", "vn-2000", "vn_2000", "vn2000")


def _towgs84() -> str:
    # +towgs84 uses the position-vector convention: rotation signs flip.
    dx, dy, dz, rx, ry, rz, ds = VN2000_TO_WGS84
    return ",".join(repr(v) for v in (dx, dy, dz, -rx, -ry, -rz, ds))


def vn2000_crs(
    zone: Literal["utm48", "utm49", "tm3"], *, central_meridian_deg: float = 108.5
) -> CRS:
    """The VN-2000 projected CRS of a national UTM zone or a provincial TM-3 zone.

    Parameters
    ----------
    zone
        ``"utm48"`` (EPSG:3405), ``"utm49"`` (EPSG:3406) or ``"tm3"`` (scale 0.9999,
        false easting 500 km, on the given central meridian).
    central_meridian_deg
        TM-3 central meridian in degrees; Gia Lai uses 108°30′ = 108.5 (EPSG:9218).
        Ignored for UTM zones.

    Returns
    -------
    pyproj.CRS
        A CRS whose transformation to WGS 84 applies the 7-parameter shift.

    Examples
    --------
    >>> vn2000_crs("utm49").to_epsg(), vn2000_crs("tm3", central_meridian_deg=107.75).to_epsg()
    (3406, 5899)
    >>> c = vn2000_crs("tm3", central_meridian_deg=109.0)   # no EPSG code: bound CRS
    >>> has_datum_shift(c)
    True
    """
    if zone in _UTM:
        return CRS.from_epsg(_UTM[zone])
    if zone != "tm3":
        raise CRSError(f"unknown VN-2000 zone '{zone}'", fix="use 'utm48', 'utm49' or 'tm3'")
    cm = float(central_meridian_deg)
    if not 100.0 <= cm <= 112.0 or not math.isclose(cm * 4, round(cm * 4), abs_tol=1e-9):
        raise CRSError(f"central meridian {cm} is not a VN-2000 TM-3 meridian",
                       fix="give a meridian between 102 and 110 degrees in steps of 0.25 "
                       "(e.g. 108.5 for Gia Lai)")
    code = _TM3.get(round(cm * 4) / 4)
    if code:
        return CRS.from_epsg(code)
    deg = int(cm)
    minutes = round((cm - deg) * 60)
    bound = CRS.from_proj4(
        f"+proj=tmerc +lat_0=0 +lon_0={cm} +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
        f"+towgs84={_towgs84()} +units=m +no_defs +type=crs"
    ).to_json_dict()
    bound["source_crs"]["name"] = f"VN-2000 / TM-3 {deg}-{minutes:02d}"
    bound["source_crs"]["base_crs"]["name"] = "VN-2000"
    bound["source_crs"]["base_crs"]["datum"]["name"] = "Vietnam 2000"
    return CRS.from_json_dict(bound)


def is_vn2000(crs: object) -> bool:
    """Whether a CRS is on the VN-2000 datum (by EPSG code or by datum name).

    Examples
    --------
    >>> is_vn2000("EPSG:9218"), is_vn2000("EPSG:32649")
    (True, False)
    """
    if crs is None:
        return False
    c = CRS.from_user_input(crs)
    src = c.source_crs if c.is_bound and c.source_crs is not None else c
    names = " ".join(
        n.lower() for n in (src.name, getattr(src.datum, "name", "") or "") if n
    )
    geod = src.geodetic_crs
    return any(k in names for k in _VN2000_NAMES) or (
        geod is not None and geod.to_epsg(min_confidence=90) == 4756
    )


def _probe_point(crs: CRS) -> tuple[float, float]:
    """A point of the CRS inside Vietnam and its area of use, to test transformations."""
    lon, lat = 106.0, 14.0
    area = crs.area_of_use
    if area is not None:
        w, s, e, n = max(area.west, 102.2), max(area.south, 8.4), min(area.east, 109.4), \
            min(area.north, 23.3)
        if w < e and s < n:
            lon, lat = (w + e) / 2, (s + n) / 2
    return Transformer.from_crs(4326, crs, always_xy=True).transform(lon, lat)


def has_datum_shift(crs: object) -> bool:
    """Whether PROJ's transformation from ``crs`` to WGS 84 applies a datum shift.

    True for CRSs not on VN-2000 (nothing to shift). For VN-2000, the operation PROJ
    actually uses must not be a ballpark one.

    Examples
    --------
    >>> has_datum_shift("EPSG:3406")
    True
    """
    c = CRS.from_user_input(crs)
    if not is_vn2000(c):
        return True
    if c.is_bound:
        return True
    t = Transformer.from_crs(c, 4326, always_xy=True)
    t.transform(*_probe_point(c))
    try:
        op = t.get_last_used_operation()
    except Exception:  # noqa: BLE001 - older PROJ: fall back to the transformer itself
        op = t
    text = f"{op.description} {op.definition}".lower()
    return "ballpark" not in text and "helmert" in text


def ensure_datum_shift(crs: object) -> CRS:
    """The CRS itself, or a VN-2000 CRS bound to WGS 84 by the EPSG:6960 parameters when
    PROJ would otherwise use a ballpark transformation (a CRS read from an ESRI .prj or
    a PROJ string that lost its datum identity).

    Examples
    --------
    >>> c = ensure_datum_shift('PROJCS["VN_2000_UTM_zone_49N",GEOGCS["GCS_VN_2000",'
    ...     'DATUM["D_Vietnam_2000",SPHEROID["WGS_1984",6378137,298.257223563]],'
    ...     'PRIMEM["Greenwich",0],UNIT["Degree",0.0174532925199433]],'
    ...     'PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000],'
    ...     'PARAMETER["False_Northing",0],PARAMETER["Central_Meridian",111],'
    ...     'PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0],'
    ...     'UNIT["Meter",1]]')
    >>> has_datum_shift(c)
    True
    """
    c = CRS.from_user_input(crs)
    if has_datum_shift(c):
        return c
    epsg = c.to_epsg(min_confidence=70)
    if epsg is not None:
        cand = CRS.from_epsg(epsg)
        if is_vn2000(cand) and has_datum_shift(cand):
            log.info("VN-2000 CRS identified as EPSG:%s", epsg)
            return cand
    proj4 = c.to_proj4()
    if proj4 is None or "+towgs84" in proj4:
        raise CRSError(f"cannot attach the VN-2000 datum shift to {c.name}",
                       fix="give the CRS as an EPSG code, e.g. EPSG:9218 for Gia Lai TM-3")
    log.info("binding %s to WGS 84 with the EPSG:6960 parameters", c.name)
    return CRS.from_proj4(proj4.replace("+type=crs", "") + f" +towgs84={_towgs84()} +type=crs")


#: Projected coordinates in metres that can lie in Vietnam (TM-3 or UTM eastings,
#: northings of latitudes 8–24°N).
_VN_EASTING_M = (100_000.0, 900_000.0)
_VN_NORTHING_M = (900_000.0, 2_700_000.0)
#: The other projected CRSs of Vietnamese data: VN-2000 / UTM 48N, 49N; WGS 84 / UTM 48N, 49N.
_UTM_CANDIDATES = (3405, 3406, 32648, 32649)


def looks_like_vietnam_metres(bounds: tuple[float, float, float, float]) -> bool:
    """Whether (xmin, ymin, xmax, ymax) look like projected metres inside Vietnam.

    Examples
    --------
    >>> looks_like_vietnam_metres((386560, 1437215, 540255, 1615036))
    True
    >>> looks_like_vietnam_metres((107.4, 12.9, 108.9, 14.6))
    False
    """
    x0, y0, x1, y1 = (float(v) for v in bounds)
    return (_VN_EASTING_M[0] <= x0 <= x1 <= _VN_EASTING_M[1]
            and _VN_NORTHING_M[0] <= y0 <= y1 <= _VN_NORTHING_M[1])


def _area_box(code: int) -> tuple[float, float, float, float]:
    a = CRS.from_epsg(code).area_of_use
    assert a is not None  # every VN-2000 zone has one
    return a.west, a.south, a.east, a.north


def _tm3_zone(bounds: tuple[float, float, float, float],
              near_lonlat: tuple[float, float] | None) -> int | None:
    """The TM-3 zone most likely meant: among the zones whose area of use holds the data's
    centre once read in that zone (and ``near_lonlat``, where the other inputs lie, when
    known), the most specific one (smallest area of use)."""
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    fits: list[tuple[float, int, bool]] = []
    for code in sorted(set(_TM3.values())):
        w, s, e, n = _area_box(code)
        lon, lat = Transformer.from_crs(code, 4326, always_xy=True).transform(cx, cy)
        if w <= lon <= e and s <= lat <= n:
            near = near_lonlat is not None and (w <= near_lonlat[0] <= e
                                                and s <= near_lonlat[1] <= n)
            fits.append(((e - w) * (n - s), code, near))
    if any(f[2] for f in fits):
        fits = [f for f in fits if f[2]]
    return min(fits)[1] if fits else None


def crs_candidates(bounds: tuple[float, float, float, float], *,
                   near_lonlat: tuple[float, float] | None = None) -> list[str]:
    """Likely CRSs of coordinates in metres inside Vietnam that came without a CRS.

    The province's VN-2000 TM-3 zone (chosen from ``near_lonlat``, the longitude and
    latitude of the other inputs, when known; otherwise from where the data fall in each
    zone), then VN-2000 / UTM 48N and 49N and WGS 84 / UTM 48N and 49N. Empty when the
    bounds do not look like metres in Vietnam.

    Examples
    --------
    >>> crs_candidates((386560, 1437215, 540255, 1615036))  # Gia Lai in TM-3 108-30
    ['EPSG:9218 (VN-2000 / TM-3 108-30)', 'EPSG:3405 (VN-2000 / UTM zone 48N)', \
'EPSG:3406 (VN-2000 / UTM zone 49N)', 'EPSG:32648 (WGS 84 / UTM zone 48N)', \
'EPSG:32649 (WGS 84 / UTM zone 49N)']
    >>> crs_candidates((107.4, 12.9, 108.9, 14.6))
    []
    """
    if not looks_like_vietnam_metres(bounds):
        return []
    tm3 = _tm3_zone(bounds, near_lonlat)
    codes = ([tm3] if tm3 else []) + list(_UTM_CANDIDATES)
    return [f"EPSG:{c} ({CRS.from_epsg(c).name})" for c in codes]


def missing_crs_fix(key: str, bounds: tuple[float, float, float, float] | None = None, *,
                    near_lonlat: tuple[float, float] | None = None) -> str:
    """The fix of a file without a CRS: the config key to set and the likely CRSs.

    Examples
    --------
    >>> missing_crs_fix("inputs.roads_crs")
    'set inputs.roads_crs in the config to the CRS of the file (e.g. EPSG:4326 for \
longitude/latitude), or save the file with its CRS (a .prj beside a shapefile)'
    """
    cands = crs_candidates(bounds, near_lonlat=near_lonlat) if bounds is not None else []
    if cands:
        return (f"set {key} in the config to the CRS of the file; its coordinates are metres "
                f"in Vietnam, likely one of: {', '.join(cands)}")
    return (f"set {key} in the config to the CRS of the file (e.g. EPSG:4326 for "
            "longitude/latitude), or save the file with its CRS (a .prj beside a shapefile)")
