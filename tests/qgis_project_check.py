"""Open a QGIS project (``plan.qgz``) in real QGIS, headless, and report what QGIS sees.

Run with the *system* python (the one that imports ``qgis``), not the venv:

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_project_check.py plan.qgz \
        expected.json [--render view.png] [--pdf layout.pdf]

``expected.json`` (every key optional): ``{"tree": [[group, [[name, checked] or
[subgroup, [...]]]]], "visible_rasters": [name], "rules_active": {layer: {rule label:
bool}}, "labels": {layer: {"field": str, "max_scale": float}}, "layout": {"name": str,
"items": [id]}, "dead_zones": {"layer": name, "expression": QGIS filter of the real dead
zones, "tolerance": share}}``.

The default view (the project's default extent, the ticked layers in the project's
drawing order) is rendered twice, with and without the dead-zone layer: ``drawn_share``
is the share of pixels the dead zones change, ``red_share`` the share of pixels in the
colours of the dead zones' drawn rules (fill, outline) mixed with the white background,
``area_share`` the share of the view that the real dead zones (``expression``) cover.
The dead zones must be drawn where they are: both shares within ``tolerance`` of
``area_share``.

Prints a JSON report on stdout; exits 0 when every check passes, 1 when one fails,
2 when QGIS cannot be imported.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np


def _tree(node, checked_of) -> list:
    from qgis.core import QgsLayerTree

    out = []
    for child in node.children():
        if QgsLayerTree.isGroup(child):
            out.append([child.name(), _tree(child, checked_of)])
        else:
            out.append([child.name(), checked_of(child)])
    return out


def _pixels(image):
    """An (h, w, 4) uint8 array (R, G, B, A) of a QImage."""
    from qgis.PyQt.QtGui import QImage

    img = image.convertToFormat(QImage.Format_RGBA8888)
    buf = img.constBits()
    buf.setsize(img.sizeInBytes())
    arr = np.frombuffer(buf, dtype=np.uint8).reshape(img.height(), img.bytesPerLine())
    return arr[:, : img.width() * 4].reshape(img.height(), img.width(), 4).copy()


def _render(project, layers, extent, size):
    from qgis.core import QgsMapRendererSequentialJob, QgsMapSettings
    from qgis.PyQt.QtGui import QColor

    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(project.crs())
    settings.setTransformContext(project.transformContext())
    settings.setExtent(extent)
    settings.setOutputSize(size)
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    return job.renderedImage(), settings.visibleExtent()


def _dead_zone_shares(project, root, exp, render_path, report, errors) -> None:
    from qgis.core import (
        QgsCoordinateTransform,
        QgsFeatureRequest,
        QgsGeometry,
        QgsRectangle,
    )
    from qgis.PyQt.QtCore import QSize

    extent = QgsRectangle(project.viewSettings().defaultViewExtent())
    width = 1000
    size = QSize(width, max(1, round(width * extent.height() / extent.width())))
    layers = [lyr for lyr in root.layerOrder() if root.findLayer(lyr.id()).isVisible()]
    dead = next((lyr for lyr in layers if lyr.name() == exp["layer"]), None)
    if dead is None:
        errors.append(f"the dead-zone layer {exp['layer']!r} is not drawn by default")
        return
    image, visible = _render(project, layers, extent, size)
    if render_path:
        image.save(render_path, "PNG")
    without, _ = _render(project, [lyr for lyr in layers if lyr is not dead], extent, size)
    # the colours of each drawn rule's fill and outline: any mix of them with the white
    # background from 35 % on (fills are translucent, thin outlines antialiased)
    colours = []
    for rule in dead.renderer().rootRule().children():
        if rule.active() and rule.symbol() is not None:
            colours.append(rule.symbol().color())
            sl = rule.symbol().symbolLayer(0)
            if hasattr(sl, "strokeColor"):
                colours.append(sl.strokeColor())
    blends = sorted({(c.red(), c.green(), c.blue()) for c in colours})
    w, h = image.width(), image.height()
    with_dz, without_dz = _pixels(image), _pixels(without)
    changed = float((with_dz != without_dz).any(axis=2).mean())
    near = np.zeros((h, w), dtype=bool)
    rgb = with_dz[..., :3].astype(float) - 255.0
    for b in blends:
        d = np.array(b, dtype=float) - 255.0
        t = np.clip((rgb @ d) / max(float(d @ d), 1.0), 0.35, 1.0)
        near |= ((rgb - t[..., None] * d) ** 2).sum(axis=2) <= 30 ** 2
    red = float(near.mean())
    # the real dead zones' share of the view, in the project CRS
    to_project = QgsCoordinateTransform(dead.crs(), project.crs(), project.transformContext())
    geoms = []
    for f in dead.getFeatures(QgsFeatureRequest().setFilterExpression(exp["expression"])):
        g = QgsGeometry(f.geometry())
        g.transform(to_project)
        geoms.append(g)
    union = QgsGeometry.unaryUnion(geoms) if geoms else QgsGeometry()
    view = QgsGeometry.fromRect(visible)
    area = union.intersection(view).area() if geoms else 0.0
    info = {"drawn_share": changed, "red_share": red,
            "area_share": area / view.area(),
            "visible_extent": [visible.xMinimum(), visible.yMinimum(), visible.xMaximum(),
                               visible.yMaximum()],
            "rule_colours": blends, "size": [w, h], "layers": [lyr.name() for lyr in layers]}
    report["dead_zones"] = info
    tol = exp.get("tolerance", 0.04)
    for key in ("drawn_share", "red_share"):
        if abs(info[key] - info["area_share"]) > tol:
            errors.append(f"dead zones: {key} {info[key]:.3f} but they cover "
                          f"{info['area_share']:.3f} of the view (tolerance {tol})")


def _layout(project, exp, pdf_path, report, errors) -> None:
    from qgis.core import QgsLayoutExporter

    layout = project.layoutManager().layoutByName(exp["name"])
    if layout is None:
        errors.append(f"no print layout named {exp['name']!r}")
        return
    ids = sorted(i.id() for i in layout.items() if hasattr(i, "id") and i.id())
    pages = layout.pageCollection()
    size = pages.page(0).pageSize() if pages.pageCount() else None
    info = {"items": ids, "pages": pages.pageCount(),
            "page_mm": [size.width(), size.height()] if size else None}
    for item in layout.items():
        if hasattr(item, "id") and item.id() == "map":
            info["map_layers"] = [lyr.name() for lyr in item.layersToRender()]
            info["map_scale"] = item.scale()
    report["layout"] = info
    missing = sorted(set(exp.get("items", [])) - set(ids))
    if missing:
        errors.append(f"layout {exp['name']}: no item {missing}")
    if pdf_path:
        result = QgsLayoutExporter(layout).exportToPdf(
            pdf_path, QgsLayoutExporter.PdfExportSettings())
        info["pdf_result"] = int(result)
        if result != QgsLayoutExporter.Success:
            errors.append(f"layout {exp['name']}: PDF export failed ({int(result)})")


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from qgis.core import QgsApplication, QgsMapLayerType, QgsProject
    except ImportError as exc:  # pragma: no cover - depends on the system
        print(json.dumps({"ok": False, "errors": [f"cannot import qgis: {exc}"]}))
        return 2

    path, expected_path = argv[0], argv[1]
    render = argv[argv.index("--render") + 1] if "--render" in argv else None
    pdf = argv[argv.index("--pdf") + 1] if "--pdf" in argv else None
    with open(expected_path, encoding="utf-8") as fh:
        exp = json.load(fh)

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    errors: list[str] = []
    report: dict = {}
    project = QgsProject.instance()
    try:
        if not project.read(path):
            errors.append(f"QGIS cannot read the project: {project.error()}")
            raise SystemExit
        report["crs"] = project.crs().authid()
        layers = project.mapLayers().values()
        report["layers"] = {lyr.name(): {"valid": lyr.isValid(), "source": lyr.source(),
                                         "crs": lyr.crs().authid()} for lyr in layers}
        errors += [f"{lyr.name()}: layer is not valid ({lyr.source()})"
                   for lyr in layers if not lyr.isValid()]
        root = project.layerTreeRoot()
        report["tree"] = _tree(root, lambda n: n.itemVisibilityChecked())
        report["custom_order"] = root.hasCustomLayerOrder()
        if "tree" in exp and report["tree"] != exp["tree"]:
            errors.append(f"layer tree {report['tree']} != expected {exp['tree']}")
        rasters = [lyr for lyr in root.layerOrder() if lyr.type() == QgsMapLayerType.RasterLayer]
        report["visible_rasters"] = [lyr.name() for lyr in rasters
                                     if root.findLayer(lyr.id()).isVisible()]
        report["raster_renderers"] = sorted({lyr.renderer().type() for lyr in rasters})
        if "visible_rasters" in exp and report["visible_rasters"] != exp["visible_rasters"]:
            errors.append(f"visible rasters {report['visible_rasters']} != "
                          f"{exp['visible_rasters']}")
        by_name = {}
        for lyr in layers:
            by_name.setdefault(lyr.name(), lyr)
        report["rules_active"] = {}
        for name, rules in exp.get("rules_active", {}).items():
            lyr = by_name.get(name)
            got = {r.label(): r.active() for r in lyr.renderer().rootRule().children()} \
                if lyr is not None and lyr.renderer().type() == "RuleRenderer" else {}
            report["rules_active"][name] = got
            if got != rules:
                errors.append(f"{name}: rules on/off {got} != {rules}")
        report["labels"] = {}
        for name, spec in exp.get("labels", {}).items():
            lyr = by_name.get(name)
            if lyr is None or not lyr.labelsEnabled() or lyr.labeling() is None:
                errors.append(f"{name}: no labels")
                continue
            s = lyr.labeling().settings()
            got = {"field": s.fieldName, "scale_visibility": bool(s.scaleVisibility),
                   "max_scale": s.minimumScale, "min_scale": s.maximumScale}
            report["labels"][name] = got
            if got["field"] != spec["field"] or not got["scale_visibility"] \
                    or got["max_scale"] != spec["max_scale"]:
                errors.append(f"{name}: labels {got}, expected {spec} at scales "
                              "larger than 1:max_scale only")
        if "layout" in exp:
            _layout(project, exp["layout"], pdf, report, errors)
        if "dead_zones" in exp:
            _dead_zone_shares(project, root, exp["dead_zones"], render, report, errors)
    except SystemExit:
        pass
    finally:
        project.clear()
        app.exitQgis()
    print(json.dumps({"ok": not errors, "errors": errors, **report}, ensure_ascii=False,
                     default=str))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
