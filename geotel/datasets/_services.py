"""Service attributes of the demo communes, matching the province's 2017 report:
10 communes without fixed Internet (Kon Pne among them, with no fiber and 2G only),
149 of 222 with a wireless radio station, most with a postal service point."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from geotel.datasets._facts import KON_PNE_CODE, districts
from geotel.datasets._network import RoadGraph
from geotel.datasets._noise import rng

__all__ = [
    "N_NO_FIXED_INTERNET",
    "N_RADIO",
    "choose_no_internet",
    "remoteness_m",
    "service_columns",
]

N_NO_FIXED_INTERNET = 10
N_RADIO = 149
N_NO_POSTAL = 5


def remoteness_m(rg: RoadGraph, communes: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Road distance from each office to its district seat, and whether the office is
    a leaf of the Pleiku shortest-path tree (no other office's path passes it)."""
    nodes = rg.nodes_of(communes["office_x"].to_numpy(), communes["office_y"].to_numpy())
    seats = districts().set_index("district_code")
    dist = np.zeros(len(communes))
    for code, sub in communes.groupby("district_code"):
        s = seats.loc[code]
        lengths = nx.single_source_dijkstra_path_length(
            rg.graph, rg.node_of(s["seat_x"], s["seat_y"]), weight="length_m")
        idx = communes.index.get_indexer(sub.index)
        dist[idx] = [lengths.get(int(n), np.inf) for n in nodes[idx]]
    root = rg.node_of(seats.loc["622", "seat_x"], seats.loc["622", "seat_y"])
    _, paths = nx.single_source_dijkstra(rg.graph, root, weight="length_m")
    through: dict[int, int] = {}
    for n in nodes:
        for v in paths[int(n)][:-1]:
            through[v] = through.get(v, 0) + 1
    leaf = np.array([through.get(int(n), 0) == 0 for n in nodes])
    return dist, leaf


def choose_no_internet(communes: gpd.GeoDataFrame, dist: np.ndarray, leaf: np.ndarray
                       ) -> list[str]:
    """Kon Pne and the 9 most remote rural leaf communes (at most 2 per district);
    ``dist`` and ``leaf`` from :func:`remoteness_m`."""
    order = np.argsort(-dist, kind="stable")
    chosen = [KON_PNE_CODE]
    per_district: dict[str, int] = {}
    for i in order:
        row = communes.iloc[i]
        if len(chosen) == N_NO_FIXED_INTERNET:
            break
        if row["commune_code"] == KON_PNE_CODE or row["commune_type"] != "xã" or not leaf[i]:
            continue
        if per_district.get(row["district_code"], 0) >= 2:
            continue
        per_district[row["district_code"]] = per_district.get(row["district_code"], 0) + 1
        chosen.append(str(row["commune_code"]))
    return chosen


def service_columns(
    communes: gpd.GeoDataFrame, dist: np.ndarray, fiber: gpd.GeoDataFrame,
    towers: gpd.GeoDataFrame, no_internet: list[str],
) -> pd.DataFrame:
    """has_fixed_internet, has_fiber, has_radio_station, has_postal_point, has_it_admin
    and mobile_technologies per commune (index of ``communes``); ``dist`` is the road
    distance to the district seat from :func:`remoteness_m`."""
    gen = rng("services")
    code = communes["commune_code"].to_numpy()
    fixed = ~np.isin(code, no_internet)
    fiber_union = shapely.union_all(fiber.geometry.to_numpy())
    has_fiber = shapely.intersects(communes.geometry.to_numpy(), fiber_union)
    # Radio: towns first, then the least remote rural communes (with some noise).
    score = np.where(communes["commune_type"].to_numpy() != "xã", -1.0,
                     dist * gen.lognormal(0.0, 0.5, len(communes)))
    score[~fixed] = np.inf
    radio = np.zeros(len(communes), bool)
    radio[np.argsort(score, kind="stable")[:N_RADIO]] = True
    postal = np.ones(len(communes), bool)
    postal[np.argsort(-np.where(fixed, dist, dist + 1e9), kind="stable")[:N_NO_POSTAL]] = False
    # Mobile technologies: what the sites in or within 3 km of the commune offer.
    sites = towers.drop_duplicates("site_id")
    reach = communes.geometry.buffer(3_000.0).to_numpy()
    tree = shapely.STRtree(sites.geometry.to_numpy())
    pairs = tree.query(reach, predicate="intersects")
    techs: list[set[str]] = [set() for _ in range(len(communes))]
    site_tech = sites["technologies"].to_numpy()
    for ci, si in zip(*pairs, strict=True):
        techs[ci].update(site_tech[si].split(","))
    mobile = [",".join(sorted(t)) if t else "2G" for t in techs]
    return pd.DataFrame({
        "has_fixed_internet": fixed, "has_fiber": has_fiber, "has_radio_station": radio,
        "has_postal_point": postal,
        # Every commune office of the demo uses IT in its administration (synthetic).
        "has_it_admin": np.ones(len(communes), bool), "mobile_technologies": mobile,
    }, index=communes.index)
