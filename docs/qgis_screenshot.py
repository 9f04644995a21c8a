"""Screenshot of a plan's QGIS project: QGIS's layers panel and map canvas, headless.

Run with the *system* python (the one that imports ``qgis``) on a plan folder written by
``geotel demo`` (``make demo``):

    env -u PYTHONPATH QT_QPA_PLATFORM=offscreen /usr/bin/python3 docs/qgis_screenshot.py \
        maps/demo/plan.qgz docs/qgis_project.png

The desktop QGIS needs a display; this draws the same widgets QGIS shows (the layer
tree view of the project's panel, the map canvas at the project's default view) without
one, and saves them as one PNG.
"""

from __future__ import annotations

import os
import sys


def main(qgz: str, out_png: str) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication, QgsLayerTreeModel, QgsProject
    from qgis.gui import QgsLayerTreeMapCanvasBridge, QgsLayerTreeView, QgsMapCanvas
    from qgis.PyQt.QtCore import QEventLoop, Qt, QTimer
    from qgis.PyQt.QtWidgets import QSplitter

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], True)
    app.initQgis()
    project = QgsProject.instance()
    if not project.read(qgz):
        print(f"cannot read {qgz}: {project.error()}", file=sys.stderr)
        return 1
    window = QSplitter(Qt.Horizontal)
    model = QgsLayerTreeModel(project.layerTreeRoot())
    model.setFlag(QgsLayerTreeModel.AllowNodeChangeVisibility)
    view = QgsLayerTreeView()
    view.setModel(model)
    canvas = QgsMapCanvas()
    canvas.setCanvasColor(Qt.white)
    bridge = QgsLayerTreeMapCanvasBridge(project.layerTreeRoot(), canvas)  # noqa: F841
    canvas.setDestinationCrs(project.crs())
    window.addWidget(view)
    window.addWidget(canvas)
    window.setSizes([430, 1070])
    window.resize(1500, 950)
    window.show()
    canvas.setReferencedExtent(project.viewSettings().defaultViewExtent())
    loop = QEventLoop()
    canvas.mapCanvasRefreshed.connect(loop.quit)
    canvas.refresh()
    QTimer.singleShot(120_000, loop.quit)
    loop.exec_()
    for _ in range(20):
        app.processEvents()
    ok = window.grab().save(out_png, "PNG")
    project.clear()
    app.exitQgis()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
