"""Open a GeoPackage in real QGIS, headless, and check it against expectations.

Run with the *system* python (the one that imports ``qgis``), not the venv:

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_check.py plan.gpkg expected.json \
        [--render out.png]

``expected.json``: ``{"layers": {name: {"count": int, "crs": "EPSG:4326",
"renderer": "RuleRenderer" | "graduatedSymbol" | "categorizedSymbol" | "singleSymbol",
"attr": str | null, "classes": int | null, "aliases": {field: alias}, "labels": bool,
"symbol": {"color": "#rrggbb", "size_mm" | "width_mm": float},
"rule_counts": {rule label: features the rule draws}}}}`` (all but count/crs/renderer
optional). For a rule-based renderer, ``attr`` is the field its first rule tests and
``classes`` the number of rules.

Prints a JSON report on stdout; exits 0 when every check passes, 1 when one fails,
2 when QGIS cannot be imported.
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from qgis.core import (
            QgsApplication,
            QgsExpression,
            QgsExpressionContext,
            QgsMapRendererSequentialJob,
            QgsMapSettings,
            QgsProject,
            QgsRectangle,
            QgsVectorLayer,
        )
        from qgis.PyQt.QtCore import QSize
        from qgis.PyQt.QtGui import QColor
    except ImportError as exc:  # pragma: no cover - depends on the system
        print(json.dumps({"ok": False, "errors": [f"cannot import qgis: {exc}"]}))
        return 2

    gpkg, expected_path = argv[0], argv[1]
    render = argv[argv.index("--render") + 1] if "--render" in argv else None
    with open(expected_path, encoding="utf-8") as fh:
        expected = json.load(fh)["layers"]

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    errors: list[str] = []
    report: dict[str, dict] = {}
    layers = []
    try:
        for name, exp in expected.items():
            layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
            info: dict = {"valid": layer.isValid()}
            report[name] = info
            if not layer.isValid():
                errors.append(f"{name}: layer is not valid in QGIS")
                continue
            QgsProject.instance().addMapLayer(layer, False)  # the project owns it
            layers.append(layer)
            info["count"] = layer.featureCount()
            info["crs"] = layer.crs().authid()
            renderer = layer.renderer()
            info["renderer"] = renderer.type()
            info["attr"] = renderer.classAttribute() if hasattr(renderer, "classAttribute") \
                else None
            if renderer.type() == "RuleRenderer":
                rules = renderer.rootRule().children()
                info["classes"] = len(rules)
                first = rules[0].filterExpression() if rules else ""
                info["attr"] = first.split('"')[1] if first.count('"') >= 2 else None
                info["rule_counts"] = {}
                for rule in rules:
                    expr = QgsExpression(rule.filterExpression())
                    ctx = QgsExpressionContext()
                    n = 0
                    for feature in layer.getFeatures():
                        ctx.setFeature(feature)
                        n += bool(expr.evaluate(ctx))
                    info["rule_counts"][rule.label()] = n
                info["rules_active"] = {r.label(): r.active() for r in rules}
            elif renderer.type() == "graduatedSymbol":
                info["classes"] = len(renderer.ranges())
            elif renderer.type() == "categorizedSymbol":
                info["classes"] = len(renderer.categories())
            else:
                info["classes"] = None
                symbol = renderer.symbol()
                info["symbol"] = {"color": symbol.color().name(), "type": symbol.type()}
                if hasattr(symbol, "size"):
                    info["symbol"]["size_mm"] = symbol.size()
                if hasattr(symbol, "width"):
                    info["symbol"]["width_mm"] = symbol.width()
            fields = layer.fields()
            info["aliases"] = {f.name(): layer.attributeAlias(i) for i, f in enumerate(fields)}
            info["labels"] = bool(layer.labelsEnabled())
            if info["labels"] and layer.labeling() is not None:
                info["label_field"] = layer.labeling().settings().fieldName
            info["styles_in_db"] = layer.listStylesInDatabase()[0]
            if info["count"] != exp["count"]:
                errors.append(f"{name}: {info['count']} features, expected {exp['count']}")
            if info["crs"] != exp["crs"]:
                errors.append(f"{name}: CRS {info['crs']}, expected {exp['crs']}")
            if info["renderer"] != exp["renderer"]:
                errors.append(f"{name}: renderer {info['renderer']}, expected "
                              f"{exp['renderer']} (default style from layer_styles not applied)")
            if exp.get("attr") and info["attr"] != exp["attr"]:
                errors.append(f"{name}: classified by {info['attr']}, expected {exp['attr']}")
            if exp.get("classes") is not None and info["classes"] != exp["classes"]:
                errors.append(f"{name}: {info['classes']} classes, expected {exp['classes']}")
            for label, n in exp.get("rule_counts", {}).items():
                got = info.get("rule_counts", {}).get(label)
                if got != n:
                    errors.append(f"{name}: rule '{label}' draws {got} features, expected {n}")
            for key, value in exp.get("symbol", {}).items():
                got = info.get("symbol", {}).get(key)
                if got != value:
                    errors.append(f"{name}: symbol {key} is {got!r}, expected {value!r}")
            for field, alias in exp.get("aliases", {}).items():
                if info["aliases"].get(field) != alias:
                    errors.append(f"{name}: alias of {field} is "
                                  f"{info['aliases'].get(field)!r}, expected {alias!r}")
            if bool(exp.get("labels", False)) != info["labels"]:
                errors.append(f"{name}: labels enabled = {info['labels']}, "
                              f"expected {exp.get('labels', False)}")
        if render and layers:
            settings = QgsMapSettings()
            settings.setLayers(list(reversed(layers)))
            extent = QgsRectangle()
            for layer in layers:
                if layer.featureCount():
                    extent.combineExtentWith(layer.extent())
            extent.scale(1.05)
            settings.setExtent(extent)
            settings.setDestinationCrs(layers[0].crs())
            settings.setOutputSize(QSize(900, 700))
            settings.setBackgroundColor(QColor(255, 255, 255))
            job = QgsMapRendererSequentialJob(settings)
            job.start()
            job.waitForFinished()
            image = job.renderedImage()
            image.save(render, "PNG")
            colours = {image.pixel(x, y) for x in range(0, 900, 9) for y in range(0, 700, 7)}
            report["_render"] = {"path": render, "distinct_colours": len(colours)}
            if len(colours) < 5:
                errors.append(f"the rendered map has only {len(colours)} colours: "
                              "the styles draw nothing")
    finally:
        del layers
        QgsProject.instance().removeAllMapLayers()
        app.exitQgis()
    print(json.dumps({"ok": not errors, "errors": errors, "layers": report},
                     ensure_ascii=False, default=str))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
