"""Synthetic district and commune polygons of the demo province.

Two nested, area-fitted power diagrams on a 270 m grid:

1. districts: sites at the 17 real district centres, weights fitted so that each
   district gets its real area; the province outline is where some district's
   power distance is negative (a union of warped disks), so its area fits too;
2. communes: inside each district, one site per real commune (towns pinned around the
   real district seat, Kon Pne pinned at its real location, the others relaxed by
   Lloyd steps), weights fitted to the communes' real areas.

Coordinates are warped by a smooth random displacement field before the distances
are taken, so boundaries wander like real ones. The labels are polygonised and
simplified together (shared edges stay shared).
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numba
import numpy as np
import rasterio.features
import shapely
from affine import Affine
from scipy import ndimage

from geotel.datasets._facts import ANALYSIS_CRS, communes, districts, grid, to_metric
from geotel.datasets._noise import spectral_field

__all__ = ["KON_PNE_LONLAT", "LAYOUT_CELL_M", "Layout", "make_layout"]

LAYOUT_CELL_M = 270.0
#: Real position of Xã Kon Pne (its centre, rounded), far north of KBang.
KON_PNE_LONLAT = (108.352, 14.358)
_CELL_KM2 = (LAYOUT_CELL_M / 1_000.0) ** 2
_SHIFT_M = (17.3187, -11.9413)


@dataclasses.dataclass(frozen=True)
class Layout:
    """Commune polygons and offices (analysis CRS) and the label grid."""

    communes: gpd.GeoDataFrame  # commune_code, names, type, district, office_x/y, geometry
    districts: gpd.GeoDataFrame  # district_code, district_name, seat_x/y, geometry
    province: shapely.Geometry


def _warp(shape: tuple[int, int], amp_m: float, wavelength_m: float, name: str
          ) -> tuple[np.ndarray, np.ndarray]:
    kw = {"beta": 4.0, "max_wavelength_m": wavelength_m, "min_wavelength_m": 4 * LAYOUT_CELL_M}
    return (amp_m * spectral_field(shape, LAYOUT_CELL_M, name=name + "-x", **kw),
            amp_m * spectral_field(shape, LAYOUT_CELL_M, name=name + "-y", **kw))


@numba.njit(cache=True)
def _assign(px: np.ndarray, py: np.ndarray, sx: np.ndarray, sy: np.ndarray, w: np.ndarray,
            bounded: bool) -> np.ndarray:  # pragma: no cover - compiled
    """Index of the site with the least power distance per point (-1: none when bounded)."""
    out = np.empty(px.size, np.int64)
    for i in range(px.size):
        best = np.inf
        b = -1
        for j in range(sx.size):
            d = (px[i] - sx[j]) ** 2 + (py[i] - sy[j]) ** 2 - w[j]
            if d < best:
                best = d
                b = j
        if bounded and best >= 0.0:
            b = -1
        out[i] = b
    return out


def _fit_power(
    px: np.ndarray, py: np.ndarray, sx: np.ndarray, sy: np.ndarray, target_km2: np.ndarray, *,
    cell_km2: float, bounded: bool, pinned: np.ndarray, iters: int = 60, lloyd_every: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit power weights so that the sites' cells (points ``px, py`` of ``cell_km2``
    each) get ``target_km2``. Free sites move towards their cell centroids every
    ``lloyd_every`` iterations.

    ``bounded``: a point belongs to no site where every power distance is positive
    (the outline then adapts too). Returns weights and site x, y.
    """
    px, py = np.ascontiguousarray(px, np.float64), np.ascontiguousarray(py, np.float64)
    sx, sy = sx.astype(np.float64).copy(), sy.astype(np.float64).copy()
    target = target_km2 / cell_km2
    w = target_km2 * 1e6 / np.pi  # radius² of a disk of the target area
    for it in range(iters):
        labels = _assign(px, py, sx, sy, w, bounded)
        ok = labels >= 0
        counts = np.bincount(labels[ok], minlength=sx.size).astype(float)
        # Newton-like step: a power cell grows by about (pi/2)·dw; damped because
        # the neighbours move the other way at the same time.
        w += 0.3 * (target - counts) * cell_km2 * 1e6
        for i in np.flatnonzero(counts == 0):
            # An emptied cell: raise its weight until the site owns its own place.
            d0 = (sx - sx[i]) ** 2 + (sy - sy[i]) ** 2 - w
            d0[i] = np.inf
            w[i] = max(-d0.min(), 0.0) + target_km2[i] * 1e6 / np.pi
        if lloyd_every and it % lloyd_every == lloyd_every - 1 and it < iters - 15:
            free = ~pinned & (counts > 0)
            mx = np.bincount(labels[ok], weights=px[ok], minlength=sx.size)
            my = np.bincount(labels[ok], weights=py[ok], minlength=sx.size)
            with np.errstate(invalid="ignore", divide="ignore"):
                cx, cy = mx / counts, my / counts
            sx[free] = 0.5 * sx[free] + 0.5 * cx[free]
            sy[free] = 0.5 * sy[free] + 0.5 * cy[free]
    return w, sx, sy


def _clean(labels: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Keep each label's largest connected part; refill the rest (and holes inside
    ``mask``) with the nearest kept label."""
    out = labels.copy()
    for lab, sl in enumerate(ndimage.find_objects(np.where(labels > 0, labels, 0)), start=1):
        if sl is None:
            continue
        comp, n = ndimage.label(labels[sl] == lab)
        if n > 1:
            sizes = np.bincount(comp.ravel())[1:]
            drop = (comp > 0) & (comp != np.argmax(sizes) + 1)
            out[sl][drop] = 0
    hole = mask & (out <= 0)
    if hole.any():
        _, (ri, ci) = ndimage.distance_transform_edt(out <= 0, return_indices=True)
        out = np.where(hole, out[ri, ci], out)
    return np.where(mask, out, 0)


def _seed_order(n: int, sx: float, sy: float, mx: np.ndarray, my: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """``n`` well-spread points of the district cells, away from the seat
    (farthest-point sampling; deterministic)."""
    px, py = [], []
    d2 = (mx - sx) ** 2 + (my - sy) ** 2
    for _ in range(n):
        i = int(np.argmax(d2))
        px.append(mx[i])
        py.append(my[i])
        d2 = np.minimum(d2, (mx - mx[i]) ** 2 + (my - my[i]) ** 2)
    return np.array(px), np.array(py)


def make_layout() -> Layout:
    """Generate the districts, communes, commune offices and the province outline."""
    g = grid(LAYOUT_CELL_M)
    gx, gy = g.centres()
    # Shift the layout grid by an odd amount, so that no polygon edge runs exactly
    # through a cell centre of the 30/90 m grids (rasterising stays unambiguous).
    X, Y = np.meshgrid(gx + _SHIFT_M[0], gy + _SHIFT_M[1])
    transform = Affine.translation(*_SHIFT_M) * g.transform
    wx, wy = _warp(g.shape, 2_500.0, 40_000.0, "layout-districts")
    dist = districts()
    com = communes()
    target_d = dist["district_code"].map(com.groupby("district_code")["area_km2"].sum())
    QX, QY = (X + wx).ravel(), (Y + wy).ravel()
    sub4 = (slice(None, None, 4), slice(None, None, 4))
    # District sites between the real centre and the real seat, so that elongated
    # districts (Mang Yang, KBang) still hold their seat town.
    site_x = 0.6 * dist["x"].to_numpy() + 0.4 * dist["seat_x"].to_numpy()
    site_y = 0.6 * dist["y"].to_numpy() + 0.4 * dist["seat_y"].to_numpy()
    w_d, sx_d, sy_d = _fit_power(
        (X + wx)[sub4].ravel(), (Y + wy)[sub4].ravel(), site_x, site_y,
        target_d.to_numpy(float), cell_km2=16 * _CELL_KM2,
        bounded=True, pinned=np.ones(len(dist), bool), iters=250,
    )
    # Polish on the full grid: scale all weights until the province area is right.
    for _ in range(6):
        labels_d = _assign(QX, QY, sx_d, sy_d, w_d, True).reshape(g.shape) + 1
        area = ndimage.binary_fill_holes(labels_d > 0).sum() * _CELL_KM2
        w_d *= (target_d.sum() / area) ** 1.2
    # Each district keeps a 2 km disk around its real seat (the seat town lies in it),
    # joined to the district's site by a 1.5 km wide corridor.
    inside = labels_d > 0
    for di in range(len(dist)):
        near = _segment_distance(X, Y, site_x[di], site_y[di], dist["seat_x"].iloc[di],
                                 dist["seat_y"].iloc[di]) < 750.0
        labels_d[near & inside] = di + 1
    for di, d in dist.iterrows():
        near = (X - d["seat_x"]) ** 2 + (Y - d["seat_y"]) ** 2 < 2_000.0**2
        labels_d[near] = di + 1
    province = ndimage.binary_fill_holes(labels_d > 0)
    comp, _ = ndimage.label(province)
    province = comp == np.argmax(np.bincount(comp.ravel())[1:]) + 1
    labels_d = _clean(labels_d, province)

    # Communes inside each district.
    vx, vy = _warp(g.shape, 600.0, 8_000.0, "layout-communes")
    PX, PY = X + vx, Y + vy
    kx, ky = to_metric(np.array([KON_PNE_LONLAT[0]]), np.array([KON_PNE_LONLAT[1]]))
    labels_c = np.zeros(g.shape, np.int64)
    office_x = np.zeros(len(com))
    office_y = np.zeros(len(com))
    for di, d in dist.iterrows():
        cell = labels_d == di + 1
        idx = np.flatnonzero(com["district_code"].to_numpy() == d["district_code"])
        sub = com.iloc[idx]
        area = sub["area_km2"].to_numpy(float)
        target = area / area.sum() * cell.sum() * _CELL_KM2
        town = (sub["commune_type"] != "xã").to_numpy()
        if not town.any():  # Ia Pa: the seat is a xã (Kim Tân), the densest one
            town = np.zeros(len(sub), bool)
            town[np.argmax(sub["pop_weight"].to_numpy() / area)] = True
        sx = np.zeros(len(sub))
        sy = np.zeros(len(sub))
        pinned = np.zeros(len(sub), bool)
        # Towns on a golden-angle spiral around the seat, the largest town at the seat.
        order = np.flatnonzero(town)[np.argsort(-area[town], kind="stable")]
        cum = 0.0
        for k, i in enumerate(order):
            r = 0.0 if k == 0 else np.sqrt(cum / np.pi) * 1_000.0 + 0.5 * np.sqrt(area[i]) * 1_000
            sx[i] = d["seat_x"] + r * np.cos(k * 2.39996)
            sy[i] = d["seat_y"] + r * np.sin(k * 2.39996)
            cum += area[i]
        # Rural communes: well-spread points, the densest nearest the seat.
        rural = np.flatnonzero(~town)
        mx, my = X[cell], Y[cell]
        px, py = _seed_order(len(rural), d["seat_x"], d["seat_y"], mx, my)
        by_dist = np.argsort(np.hypot(px - d["seat_x"], py - d["seat_y"]), kind="stable")
        density = sub["pop_weight"].to_numpy(float)[rural] / area[rural]
        by_density = rural[np.argsort(-density, kind="stable")]
        sx[by_density] = px[by_dist]
        sy[by_density] = py[by_dist]
        # Sites outside the district move to its nearest cell.
        for k in range(len(sub)):
            dd = (mx - sx[k]) ** 2 + (my - sy[k]) ** 2
            if dd.min() > (LAYOUT_CELL_M) ** 2:
                sx[k], sy[k] = mx[np.argmin(dd)], my[np.argmin(dd)]
        kon = np.flatnonzero(sub["commune_code"].to_numpy() == "23641")
        if kon.size:
            # Swap whoever sits nearest Kon Pne's real place with Kon Pne, then pin it.
            j = rural[np.argmin(np.hypot(sx[rural] - kx[0], sy[rural] - ky[0]))]
            sx[j], sy[j] = sx[kon[0]], sy[kon[0]]
            sx[kon[0]], sy[kon[0]] = kx[0], ky[0]
            pinned[kon[0]] = True
        coarse = cell & _every(g.shape, 2)
        w, fx, fy = _fit_power(
            PX[coarse], PY[coarse], sx, sy, target, cell_km2=4 * _CELL_KM2, bounded=False,
            pinned=pinned, iters=60, lloyd_every=5,
        )
        lab: np.ndarray = _assign(np.ascontiguousarray(PX[cell]),
                                  np.ascontiguousarray(PY[cell]), fx, fy, w, False)
        # A commune squeezed out entirely gets the cells nearest its site.
        for k in np.flatnonzero(np.bincount(lab, minlength=len(sub)) == 0).tolist():
            nearest = np.argsort((mx - fx[k]) ** 2 + (my - fy[k]) ** 2, kind="stable")[:4]
            lab[nearest] = k
        full = np.zeros(g.shape, np.int64)
        full[cell] = idx[lab] + 1
        # One piece per commune; stray pieces go to a neighbour in the same district.
        rows, cols = ndimage.find_objects(cell.astype(np.int8))[0]
        full[rows, cols] = _clean(full[rows, cols], cell[rows, cols])
        labels_c = np.where(cell, full, labels_c)
        office_x[idx] = fx
        office_y[idx] = fy

    polys = _polygonise(labels_c, transform, len(com))
    polys = shapely.coverage_simplify(polys, tolerance=2.0 * LAYOUT_CELL_M)
    out = gpd.GeoDataFrame(
        {
            "commune_code": com["commune_code"], "commune_name": com["commune_name"],
            "commune_type": com["commune_type"], "district_code": com["district_code"],
            "district_name": com["district_name"],
        },
        geometry=polys, crs=ANALYSIS_CRS,
    )
    # Offices: the pinned or relaxed site when it lies in its commune, else a point inside.
    pts = shapely.points(office_x, office_y)
    inside = shapely.contains(polys, pts)
    pts = np.where(inside, pts, shapely.point_on_surface(polys))
    out["office_x"] = shapely.get_x(pts)
    out["office_y"] = shapely.get_y(pts)
    dis = out.dissolve("district_code", sort=True)[["district_name", "geometry"]].reset_index()
    dis = dis.merge(dist[["district_code", "seat_x", "seat_y"]], on="district_code")
    return Layout(out, gpd.GeoDataFrame(dis, geometry="geometry", crs=ANALYSIS_CRS),
                  shapely.union_all(polys))


def _segment_distance(x: np.ndarray, y: np.ndarray, x0: float, y0: float, x1: float,
                      y1: float) -> np.ndarray:
    """Distance from points to the segment (x0, y0)–(x1, y1)."""
    dx, dy = x1 - x0, y1 - y0
    t = np.clip(((x - x0) * dx + (y - y0) * dy) / max(dx * dx + dy * dy, 1e-9), 0.0, 1.0)
    return np.hypot(x - x0 - t * dx, y - y0 - t * dy)


def _every(shape: tuple[int, int], k: int) -> np.ndarray:
    m = np.zeros(shape, bool)
    m[::k, ::k] = True
    return m


def _polygonise(labels: np.ndarray, transform: object, n: int) -> np.ndarray:
    parts: dict[int, list[shapely.Geometry]] = {}
    for geom, value in rasterio.features.shapes(labels.astype(np.int32), mask=labels > 0,
                                                transform=transform, connectivity=4):
        parts.setdefault(int(value), []).append(shapely.geometry.shape(geom))
    missing = [i for i in range(1, n + 1) if i not in parts]
    if missing:
        raise RuntimeError(f"demo layout lost communes {missing}")
    return np.array([shapely.union_all(parts[i]) if len(parts[i]) > 1 else parts[i][0]
                     for i in range(1, n + 1)], dtype=object)
