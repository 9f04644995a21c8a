"""Roads from OpenStreetMap files (.osm XML or .osm.pbf), read offline with pyosmium.

Highway tags map onto the canonical road classes as they are used in Vietnam:
``motorway``/``trunk`` (quốc lộ) → national, ``primary`` (tỉnh lộ) → provincial,
``secondary`` (huyện lộ) → district, ``tertiary`` → commune, residential, service and
unclassified roads → local, ``track``/``path`` → track. Footways, cycleways, steps,
and roads under construction or proposed are left out.

Examples
--------
>>> import tempfile, pathlib
>>> xml = '''<osm version="0.6">
... <node id="1" lat="13.9" lon="108.0"/><node id="2" lat="13.9" lon="108.01"/>
... <way id="7"><nd ref="1"/><nd ref="2"/><tag k="highway" v="trunk"/>
... <tag k="ref" v="QL19"/></way></osm>'''
>>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.osm"
>>> _ = p.write_text(xml)
>>> roads = read_osm_roads(p)
>>> roads[["road_id", "road_class", "name"]].values.tolist()
[['w7', 'national', 'QL19']]
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geotel.errors import FileFormatError

__all__ = ["OSM_HIGHWAY_CLASSES", "read_osm_roads"]

log = logging.getLogger(__name__)

#: OSM ``highway`` value → canonical road class (``_link`` roads take their road's class).
OSM_HIGHWAY_CLASSES: dict[str, str] = {
    "motorway": "national",
    "trunk": "national",
    "primary": "provincial",
    "secondary": "district",
    "tertiary": "commune",
    "unclassified": "local",
    "residential": "local",
    "living_street": "local",
    "service": "local",
    "road": "local",
    "track": "track",
    "path": "track",
}


def read_osm_roads(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Read the roads of an OpenStreetMap file into a canonical roads layer.

    Parameters
    ----------
    path
        ``.osm`` (XML), ``.osm.pbf``, or another format pyosmium reads
        (``.osm.bz2``, ``.osm.gz``, ``.o5m``).

    Returns
    -------
    GeoDataFrame
        ``road_id`` (``w`` + way id), ``road_class``, ``name`` (name, else ref),
        ``highway``, ``ref``, ``osm_id``; LineStrings in EPSG:4326.

    Raises
    ------
    FileFormatError
        The file is missing, unreadable, or holds no roads.

    Examples
    --------
    >>> OSM_HIGHWAY_CLASSES["primary"], OSM_HIGHWAY_CLASSES["track"]
    ('provincial', 'track')
    """
    p = Path(path)
    if not p.is_file():
        raise FileFormatError("OpenStreetMap file not found", file=str(p),
                              fix="check inputs.osm in the config")
    try:
        import osmium
    except ImportError:  # pragma: no cover - a declared dependency
        raise FileFormatError("reading OpenStreetMap files needs the 'osmium' package",
                              file=str(p), fix="pip install osmium") from None
    ids: list[int] = []
    classes: list[str] = []
    names: list[str] = []
    highways: list[str] = []
    refs: list[str] = []
    coords: list[np.ndarray] = []
    skipped = 0
    try:
        fp = osmium.FileProcessor(str(p)).with_locations()
        for obj in fp:
            if not isinstance(obj, osmium.osm.Way):
                continue
            hw = obj.tags.get("highway")
            if hw is None:
                continue
            base = hw[:-5] if hw.endswith("_link") else hw
            cls = OSM_HIGHWAY_CLASSES.get(base)
            if cls is None or obj.tags.get("area") == "yes":
                continue
            try:
                xy = np.array([(n.lon, n.lat) for n in obj.nodes], np.float64)
            except osmium.InvalidLocationError:
                skipped += 1
                continue
            if len(xy) < 2:
                continue
            ids.append(int(obj.id))
            classes.append(cls)
            ref = obj.tags.get("ref", "") or ""
            names.append(obj.tags.get("name", "") or ref)
            highways.append(hw)
            refs.append(ref)
            coords.append(xy)
    except RuntimeError as exc:
        raise FileFormatError(f"not a readable OpenStreetMap file: {exc}", file=str(p),
                              fix="give an .osm or .osm.pbf extract") from None
    if skipped:
        log.warning("%s: %d way(s) with nodes outside the extract skipped", p, skipped)
    if not ids:
        raise FileFormatError("the file holds no roads (ways tagged highway=...)", file=str(p),
                              fix="use an extract that covers the province's roads")
    lengths = np.array([len(c) for c in coords])
    geoms = shapely.linestrings(np.concatenate(coords),
                                indices=np.repeat(np.arange(len(coords)), lengths))
    log.info("%s: %d roads read", p, len(ids))
    return gpd.GeoDataFrame(
        {"road_id": [f"w{i}" for i in ids], "road_class": classes, "name": names,
         "highway": highways, "ref": refs, "osm_id": np.array(ids, np.int64)},
        geometry=geoms, crs="EPSG:4326",
    )
