"""The small JavaScript and CSS of geotel's own map controls (no third-party code).

``CORE_JS`` defines ``window.gt``: popups, styles, markers, the indicator selector,
the legend and the title. It reads its texts and classes from ``gt.config``, which
:mod:`geotel.outputs.maps` writes as JSON before the layers are created.
"""

from __future__ import annotations

__all__ = ["CORE_JS", "CONTROLS_JS", "CSS"]

CSS = """
html, body {margin:0; padding:0; height:100%;}
.folium-map {background:#eef0ec;}
.gt-title {position:absolute; top:8px; left:50%; transform:translateX(-50%); z-index:800;
  background:rgba(255,255,255,.92); padding:6px 14px; border-radius:6px;
  box-shadow:0 1px 5px rgba(0,0,0,.4); font:600 16px/1.3 "Noto Sans", Arial, sans-serif;
  text-align:center; pointer-events:none; max-width:60%;}
.gt-title small {display:block; font-weight:400; font-size:12px; color:#444;}
.gt-legend {background:rgba(255,255,255,.94); padding:8px 10px; border-radius:6px;
  box-shadow:0 1px 5px rgba(0,0,0,.4); font:12px/1.35 "Noto Sans", Arial, sans-serif;
  max-height:60vh; overflow-y:auto; min-width:190px;}
.gt-legend h4 {margin:6px 0 3px; font-size:12px;}
.gt-legend select {max-width:230px; font-size:12px;}
.gt-legend .row {display:flex; align-items:center; gap:6px; margin:1px 0;}
.gt-legend .sw {width:16px; height:12px; border:1px solid #777; flex:none;}
.gt-legend .dot {width:10px; height:10px; border-radius:50%; border:1px solid #222; flex:none;}
.gt-legend .ln {width:22px; height:0; border-top-style:solid; flex:none;}
.gt-legend .ramp {height:10px; width:170px; border:1px solid #777;}
.gt-dot span {display:block; width:10px; height:10px; border-radius:50%;
  border:1px solid #222; box-sizing:border-box;}
.gt-ring span {display:block; width:11px; height:11px; border-radius:50%;
  border:2px solid #555; background:rgba(255,255,255,.6); box-sizing:border-box;}
.gt-legend .ring {width:10px; height:10px; border-radius:50%; border:2px solid #555;
  background:transparent; flex:none; box-sizing:border-box;}
.gt-rank {background:#ff00ff; color:#fff; border:2px solid #000; border-radius:50%;
  font:700 11px/18px Arial, sans-serif; text-align:center; box-sizing:border-box;}
.gt-pop table {border-collapse:collapse; font-size:12px;}
.gt-pop td {padding:1px 6px 1px 0; vertical-align:top;}
.gt-pop td:first-child {color:#555;}
"""

CORE_JS = r"""
var gt = (function () {
  var C = null;
  var state = {indicator: null};
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function fmt(v) {
    if (v === null || v === undefined || v === "") return "–";
    if (typeof v === "boolean") return v ? C.text.yes : C.text.no;
    if (typeof v === "number") return v.toLocaleString(C.locale, {maximumFractionDigits: 2});
    return esc(v);
  }
  function table(p, cols) {
    var h = "<table>";
    cols.forEach(function (c) {
      var v = (C.values[c] && p[c] in C.values[c]) ? C.values[c][p[c]] : p[c];
      // an unknown fact reads "no data", not a dash
      var shown = (v === null && /^(has_|c8_|population$)/.test(c)) ? esc(C.text.no_data)
                                                                       : fmt(v);
      if (c in p) h += "<tr><td>" + esc(C.columns[c] || c) + "</td><td>" + shown + "</td></tr>";
    });
    return h + "</table>";
  }
  function popup(kind) {
    return function (feature, layer) {
      layer.bindPopup(function () {
        var p = feature.properties;
        return '<div class="gt-pop"><b>' + esc(C.layers[kind]) + "</b>" +
          table(p, C.popup[kind]) + "</div>";
      }, {maxWidth: 360});
    };
  }
  function colorFor(v, ind) {
    if (v === null || v === undefined) return C.noDataColor;
    if (ind.kind === "bool") return v ? ind.colors[1] : ind.colors[0];
    for (var i = 1; i < ind.breaks.length; i++) {
      if (v <= ind.breaks[i]) return ind.colors[i - 1];
    }
    return ind.colors[ind.colors.length - 1];
  }
  function communeStyle(feature) {
    var ind = C.indicators[state.indicator];
    if (!ind) return {fillColor: "#f0f0f0", fillOpacity: 0.5, color: "#555", weight: 0.7};
    return {fillColor: colorFor(feature.properties[state.indicator], ind), fillOpacity: 0.7,
            color: "#555", weight: 0.7, opacity: 0.9};
  }
  function communeFeature(feature, layer) {
    popup("communes")(feature, layer);
    layer.bindTooltip(function () {
      var p = feature.properties;
      return esc(p.commune_name || p.commune_code || "") + ": " + fmt(p[state.indicator]);
    }, {sticky: true});
  }
  // Path styles of the layers, from the layer registry (C.styles: Leaflet path options).
  function style(name) { return function () { return C.styles[name] || {}; }; }
  function rankMarker(feature, latlng) {
    var r = feature.properties.rank;
    var bg = C.backhaul[feature.properties.backhaul] || C.backhaul.fiber;
    return L.marker(latlng, {
      icon: L.divIcon({className: "gt-rank",
                       html: '<span style="display:block;border-radius:50%;background:' + bg +
                             '">' + (r === null || r === undefined ? "+" : String(r)) +
                             "</span>",
                       iconSize: [22, 22], iconAnchor: [11, 11]}),
      zIndexOffset: 1000, title: String(feature.properties.site_id || "")
    });
  }
  function towerMarker(row, outside) {
    // row: [lat, lon, operator index, site id, technologies, height m, sectors, shared by]
    // outside: a site across the provincial border (hollow grey ring, own layer)
    var color = row[2] >= 0 ? C.operators[row[2]][1] : C.colors.other;
    var op = row[2] >= 0 ? C.operators[row[2]][0] : C.text.other;
    var icon = outside
      ? L.divIcon({className: "gt-ring", html: "<span></span>", iconSize: [11, 11]})
      : L.divIcon({className: "gt-dot", html: '<span style="background:' + color + '"></span>',
                   iconSize: [10, 10]});
    var m = L.marker([row[0], row[1]], {icon: icon});
    var p = {site_id: row[3], operator: op, technologies: row[4], height_m: row[5],
             sectors: row[6], shared_by: row[7]};
    var head = outside ? C.text.towers_outside : C.layers.towers_existing;
    m.bindPopup(function () {
      return '<div class="gt-pop"><b>' + esc(head) + "</b>" +
        table(p, ["site_id", "operator", "technologies", "height_m", "sectors", "shared_by"]) +
        "</div>";
    });
    return m;
  }
  function init(config) { C = config; state.indicator = config.defaultIndicator; }
  return {init: init, state: state, style: style, popup: popup, communeStyle: communeStyle,
          communeFeature: communeFeature, rankMarker: rankMarker, towerMarker: towerMarker,
          colorFor: colorFor, esc: esc, fmt: fmt, config: function () { return C; }};
})();
"""

CONTROLS_JS = r"""
gt.controls = function (map, communes) {
  var C = gt.config();
  function span(cls, style) { return '<span class="' + cls + '" style="' + style + '"></span>'; }
  function row(sym, label) {
    return '<div class="row">' + sym + "<span>" + gt.esc(label) + "</span></div>";
  }
  function legendItem(item) {
    if (item.kind === "header") return "<h4>" + gt.esc(item.label) + "</h4>";
    if (item.kind === "ramp") {
      return "<div>" + gt.esc(item.label) + '</div><div class="ramp" style="background:' +
        "linear-gradient(to right," + item.colors.join(",") + ')"></div>' +
        '<div class="row" style="justify-content:space-between;width:172px"><span>' +
        gt.esc(item.min) + "</span><span>" + gt.esc(item.max) + "</span></div>";
    }
    var sym = "";
    if (item.kind === "dot") sym = span("dot", "background:" + item.color);
    if (item.kind === "ring") sym = span("ring", "");
    if (item.kind === "rank") {
      sym = '<span class="gt-rank" style="width:18px;height:18px;line-height:14px;' +
        "font-size:9px;display:inline-block;background:" + (item.color || "#ff00ff") +
        '">1</span>';
    }
    if (item.kind === "line") {
      sym = span("ln", "border-color:" + item.color + ";border-top-width:" + item.width + "px" +
                 (item.dash ? ";border-top-style:dashed" : ""));
    }
    if (item.kind === "fill") {
      sym = span("sw", item.outline ? "background:transparent;border:2px solid " + item.outline
                 : "background:" + item.color + ";opacity:" + (item.opacity || 1));
    }
    return row(sym, item.label);
  }
  var title = L.DomUtil.create("div", "gt-title", map.getContainer());
  title.innerHTML = gt.esc(C.title) + "<small>" + gt.esc(C.subtitle) + "</small>";
  L.control.scale({imperial: false, metric: true, position: "bottomleft"}).addTo(map);
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "gt-legend");
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    var h = "<b>" + gt.esc(C.text.legend) + "</b>";
    var keys = Object.keys(C.indicators);
    if (keys.length) {
      h += '<h4>' + gt.esc(C.text.indicator) + '</h4><select id="gt-indicator">';
      keys.forEach(function (k) {
        h += '<option value="' + k + '"' + (k === gt.state.indicator ? " selected" : "") + ">" +
          gt.esc(C.indicators[k].label) + "</option>";
      });
      h += '</select><div id="gt-classes"></div>';
    }
    C.legend.forEach(function (item) { h += legendItem(item); });
    div.innerHTML = h;
    return div;
  };
  legend.addTo(map);
  function classes() {
    var box = document.getElementById("gt-classes");
    if (!box) return;
    var ind = C.indicators[gt.state.indicator];
    var h = "";
    if (ind.kind === "bool") {
      h += row(span("sw", "background:" + ind.colors[1]), C.text.yes);
      h += row(span("sw", "background:" + ind.colors[0]), C.text.no);
    } else {
      for (var i = 0; i < ind.colors.length; i++) {
        h += row(span("sw", "background:" + ind.colors[i]),
                 gt.fmt(ind.breaks[i]) + " – " + gt.fmt(ind.breaks[i + 1]));
      }
    }
    h += row(span("sw", "background:" + C.noDataColor), C.text.no_data);
    box.innerHTML = h;
  }
  classes();
  var select = document.getElementById("gt-indicator");
  if (select && communes) {
    select.addEventListener("change", function () {
      gt.state.indicator = select.value;
      communes.setStyle(gt.communeStyle);
      classes();
    });
  }
};
"""
