"""Synthetic existing BTS of the four operators, one row per sector.

Sites follow the people (and the main roads, for Viettel), spaced more tightly in
towns; nobody builds in the national park or on the airport, so the remote highlands
keep their gaps. Smaller operators put part of their sites on others' towers
(``shared_by``). Remote sites are 2G only; around Kon Pne every site is 2G only.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import shapely
from scipy import ndimage

from geotel.datasets._facts import ANALYSIS_CRS, KON_PNE_CODE, grid
from geotel.datasets._noise import rng
from geotel.datasets._people import POPULATION_CELL_M

__all__ = ["SITES_PER_OPERATOR", "make_towers"]

#: Sites per operator (Viettel largest, then VinaPhone, MobiFone, Vietnamobile).
SITES_PER_OPERATOR: dict[str, int] = {
    "Viettel": 620, "VinaPhone": 390, "MobiFone": 330, "Vietnamobile": 160,
}
#: Share of an operator's sites put on another operator's tower.
_SHARE_P = {"Viettel": 0.0, "VinaPhone": 0.2, "MobiFone": 0.25, "Vietnamobile": 0.45}
#: Density exponent: larger = more urban.
_URBAN_EXP = {"Viettel": 0.55, "VinaPhone": 0.65, "MobiFone": 0.7, "Vietnamobile": 1.0}


def _place(n: int, prob: np.ndarray, density: np.ndarray, *, name: str,
           existing: list[tuple[float, float]], share_p: float, blocked: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pick ``n`` sites by sampling ``prob`` with a density-dependent spacing.

    Returns site coordinates and, per site, the index into ``existing`` of the tower
    it shares (-1 = own tower).
    """
    g = grid(POPULATION_CELL_M)
    gen = rng(name)
    flat = prob.ravel() / prob.sum()
    cand = gen.choice(flat.size, size=12 * n, replace=True, p=flat)
    rows, cols = cand // prob.shape[1], cand % prob.shape[1]
    left, _, _, top = g.bounds
    x0 = left + (cols + gen.uniform(0, 1, cand.size)) * g.cell_m
    y0 = top - (rows + gen.uniform(0, 1, cand.size)) * g.cell_m
    dens = density[rows, cols]
    spacing = np.clip(4_500.0 / np.sqrt(1.0 + dens / 40.0), 450.0, 4_500.0)
    ex = np.array(existing) if existing else np.zeros((0, 2))
    share = gen.uniform(0, 1, cand.size) < share_p
    cell_m = 4_500.0
    buckets: dict[tuple[int, int], list[int]] = {}
    xs: list[float] = []
    ys: list[float] = []
    shared: list[int] = []
    for i in range(cand.size):
        if len(xs) == n:
            break
        x, y = float(x0[i]), float(y0[i])
        if blocked[rows[i], cols[i]]:
            continue
        j = -1
        if share[i] and len(ex):
            d = np.hypot(ex[:, 0] - x, ex[:, 1] - y)
            k = int(np.argmin(d))
            if d[k] < 2.0 * spacing[i]:
                j, x, y = k, float(ex[k, 0]), float(ex[k, 1])
        bx, by = int(x // cell_m), int(y // cell_m)
        near = [q for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                for q in buckets.get((bx + dx, by + dy), [])]
        if any(np.hypot(xs[q] - x, ys[q] - y) < spacing[i] for q in near):
            continue
        buckets.setdefault((bx, by), []).append(len(xs))
        xs.append(x)
        ys.append(y)
        shared.append(j)
    return np.array(xs), np.array(ys), np.array(shared, dtype=np.int64)


def make_towers(
    population: np.ndarray, roads: gpd.GeoDataFrame, zones: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """The towers layer (one row per sector, canonical columns) in the analysis CRS."""
    g = grid(POPULATION_CELL_M)
    # People within about 1 km, per km².
    density = ndimage.uniform_filter(population.astype(np.float64), 11) / (
        POPULATION_CELL_M / 1_000.0) ** 2
    blocked = np.zeros(population.shape, bool)
    blocked |= rasterio.features.rasterize(
        zones.loc[zones["kind"].isin(["national_park", "airport"])].geometry.to_numpy(),
        out_shape=population.shape, transform=g.transform, fill=0, dtype="uint8").astype(bool)
    blocked |= population <= 0
    main = roads.loc[roads["road_class"].isin(["national", "provincial"])]
    on_main = rasterio.features.rasterize(main.geometry.to_numpy(), out_shape=population.shape,
                                          transform=g.transform, fill=0, dtype="uint8",
                                          all_touched=True)
    kon = communes.loc[communes["commune_code"] == KON_PNE_CODE].iloc[0]
    # Around Kon Pne (its area plus 10 km, and 15 km around its office) only 2G, so that
    # no 3G/4G signal reaches its villages, as in the province's 2017 report.
    kon_zone = shapely.union(kon["geometry"].buffer(10_000.0),
                             shapely.Point(kon["office_x"], kon["office_y"]).buffer(15_000.0))
    sites: list[dict[str, object]] = []
    towers: list[tuple[float, float]] = []
    tower_ops: list[list[str]] = []
    for op, n in SITES_PER_OPERATOR.items():
        prob = (density + 0.05) ** _URBAN_EXP[op]
        if op == "Viettel":
            prob = prob + 0.6 * prob.mean() * on_main
        xs, ys, shared = _place(n, prob * ~blocked, density, name=f"towers-{op}",
                                existing=towers, share_p=_SHARE_P[op], blocked=blocked)
        for k, (x, y, j) in enumerate(zip(xs, ys, shared, strict=True)):
            if j < 0:
                towers.append((x, y))
                tower_ops.append([op])
                j = len(towers) - 1
            else:
                tower_ops[j].append(op)
            sites.append({"op": op, "k": k + 1, "x": x, "y": y, "tower": j})
    # Kon Pne: make sure a 2G site stands near the commune office.
    sites.append({"op": "Viettel", "k": SITES_PER_OPERATOR["Viettel"] + 1,
                  "x": kon["office_x"] + 900.0, "y": kon["office_y"] + 600.0, "tower": len(towers)})
    towers.append((kon["office_x"] + 900.0, kon["office_y"] + 600.0))
    tower_ops.append(["Viettel"])
    return _sectors(pd.DataFrame(sites), tower_ops, density, g, kon_zone)


_ABBR = {"Viettel": "VTL", "VinaPhone": "VNP", "MobiFone": "MBF", "Vietnamobile": "VNM"}


def _sectors(sites: pd.DataFrame, tower_ops: list[list[str]], density: np.ndarray,
             g: object, kon_zone: shapely.Geometry) -> gpd.GeoDataFrame:
    gen = rng("sectors")
    r, c = g.rowcol(sites["x"].to_numpy(), sites["y"].to_numpy())  # type: ignore[attr-defined]
    dens = density[r, c]
    urban = dens > 1_500.0
    rural = dens < 60.0
    remote = dens < 8.0
    near_kon = shapely.contains_xy(kon_zone, sites["x"].to_numpy(), sites["y"].to_numpy())
    u = gen.uniform(0, 1, len(sites))
    rows = []
    for i, s in enumerate(sites.itertuples(index=False)):
        op = s.op
        if near_kon[i] or (remote[i] and u[i] < 0.7):
            tech = "2G"
        elif op == "Vietnamobile":
            tech = "2G,3G"
        elif rural[i]:
            tech = "2G,3G,4G" if (op == "Viettel" or u[i] < 0.4) else "2G,3G"
        else:
            tech = "2G,3G,4G"
        if urban[i]:
            n_sec, height = 3, float(np.round(gen.uniform(15, 30)))
        elif rural[i]:
            n_sec = int(gen.choice([1, 2, 3], p=[0.35, 0.2, 0.45]))
            height = float(np.round(gen.uniform(36, 60)))
        else:
            n_sec = int(gen.choice([2, 3], p=[0.3, 0.7]))
            height = float(np.round(gen.uniform(25, 45)))
        others = [o for o in tower_ops[s.tower] if o != op]
        az0 = float(np.round(gen.uniform(0, 120)))
        eirp = 56.0 if tech == "2G" else 59.0
        rows += [{
            "site_id": f"{_ABBR[op]}-GLI-{s.k:04d}", "sector_id": k + 1, "operator": op,
            "technologies": tech, "height_m": height, "shared_by": ",".join(others),
            "azimuth_deg": 0.0 if n_sec == 1 else (az0 + k * 360.0 / n_sec) % 360.0,
            "beamwidth_deg": 360.0 if n_sec == 1 else 65.0,
            "tilt_deg": 0.0 if n_sec == 1 else (5.0 if urban[i] else 2.0),
            "eirp_dbm": eirp + (3.0 if n_sec > 1 else 0.0),
            "x": s.x, "y": s.y,
        } for k in range(n_sec)]
    df = pd.DataFrame(rows)
    geom = shapely.points(df.pop("x").to_numpy(), df.pop("y").to_numpy())
    return gpd.GeoDataFrame(df, geometry=geom, crs=ANALYSIS_CRS)
