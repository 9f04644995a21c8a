"""The small JavaScript and CSS of the meeting map's core (no third-party code).

``CORE_JS`` defines ``window.gt``: the page's two languages, popups (a table of the
registry's columns, or the commune card), styles, markers. It reads its texts, classes
and layer facts from ``gt.config``, which :mod:`geotel.outputs.maps` writes as JSON
before the layers are created. The controls (title, legend, layer list, year filter,
search) are in :mod:`geotel.outputs._mapcontrols`.
"""

from __future__ import annotations

from geotel.outputs._mapcontrols import CONTROLS_CSS, CONTROLS_JS

__all__ = ["CONTROLS_JS", "CORE_JS", "CSS"]

CSS = """
html, body {margin:0; padding:0; height:100%;}
.folium-map {background:#eef0ec;}
.gt-dot span {display:block; width:10px; height:10px; border-radius:50%;
  border:1px solid #222; box-sizing:border-box;}
.gt-ring span {display:block; width:11px; height:11px; border-radius:50%;
  border:2px solid #555; background:rgba(255,255,255,.6); box-sizing:border-box;}
.gt-rank {background:#ff00ff; color:#fff; border:2px solid #000; border-radius:50%;
  font:700 11px/18px Arial, sans-serif; text-align:center; box-sizing:border-box;}
.gt-pop table {border-collapse:collapse; font-size:12px;}
.gt-pop td {padding:1px 6px 1px 0; vertical-align:top;}
.gt-pop td:first-child {color:#555;}
.gt-card {font:12px/1.35 "Noto Sans", Arial, sans-serif; min-width:300px;}
.gt-card-head b {font-size:15px; display:block;}
.gt-card-head small {color:#555;}
.gt-card h5 {margin:8px 0 2px; font-size:12px; border-bottom:1px solid #ddd;}
.gt-card table {border-collapse:collapse; width:100%;}
.gt-card td, .gt-card th {padding:1px 4px 1px 0; text-align:left; vertical-align:top;}
.gt-card th {font-weight:600; color:#555; font-size:11px;}
.gt-card .gt-facts td:first-child, .gt-card .gt-c8 td:first-child {color:#555; width:62%;}
.gt-bar {display:inline-block; width:46px; height:8px; background:#e5e5e5;
  margin-right:4px; vertical-align:middle;}
.gt-bar i {display:block; height:100%; background:#2c7fb8;}
.gt-mark {font-weight:700;}
.gt-ok {color:#1a9641;} .gt-ko {color:#d7191c;} .gt-nd {color:#777; font-style:italic;}
.gt-card .gt-verdict td {border-top:1px solid #ddd; font-weight:600;}
.gt-card .gt-sub {margin-top:4px; font-weight:600;}
.gt-card .gt-later td {color:#999;}
""" + CONTROLS_CSS

CORE_JS = r"""
var gt = (function () {
  var C = null;
  var state = {indicator: null, lang: "vi", year: null};
  var listeners = [];
  var serving = {};  // commune code -> [[layer, properties, layer-list entry], ...]
  function T() { return C.i18n[state.lang]; }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function num(v, digits) {
    return v.toLocaleString(T().locale, {maximumFractionDigits: digits === undefined ? 2 : digits});
  }
  function fmt(v) {
    if (v === null || v === undefined || v === "") return "–";
    if (typeof v === "boolean") return v ? T().text.yes : T().text.no;
    if (typeof v === "number") return num(v);
    return esc(v);
  }
  function col(c) { return T().columns[c] || c; }
  // one value as people read it: coded values titled, years and ranks as written,
  // an unknown fact "no data" (not a dash)
  function shown(c, v) {
    var vals = T().values[c];
    if (vals && v !== null && v in vals) v = vals[v];
    if (v === null && /^(has_|c8_|population$)/.test(c)) return esc(T().text.no_data);
    if (typeof v === "number" && /(year|rank)$/.test(c)) return String(v);
    return fmt(v);
  }
  function table(p, cols) {
    var h = "<table>";
    cols.forEach(function (c) {
      if (c in p) h += "<tr><td>" + esc(col(c)) + "</td><td>" + shown(c, p[c]) + "</td></tr>";
    });
    return h + "</table>";
  }
  function noData() { return '<span class="gt-nd">' + esc(T().text.no_data) + "</span>"; }
  function mark(v) {  // a Criterion 8 fact: ✓, ✗ or no data
    if (v === true) return '<span class="gt-mark gt-ok">✓</span>';
    if (v === false) return '<span class="gt-mark gt-ko">✗</span>';
    return noData();
  }
  function pct(v) {
    if (v === null || v === undefined) return noData();
    return '<span class="gt-bar"><i style="width:' + Math.max(0, Math.min(100, v)) +
      '%"></i></span>' + num(v, 1) + " %";
  }
  function vnd(v) {
    var t = T().text;
    return Math.abs(v) >= 1e9 ? num(v / 1e9, 2) + " " + t.billion_vnd
                              : num(v / 1e6, 0) + " " + t.million_vnd;
  }
  function later(entry) {  // a proposal built after the year chosen in the year filter
    return state.year !== null && entry.phased && (entry.year === null || entry.year > state.year);
  }
  function coverage(p, share, title) {
    var techs = ["2g", "3g", "4g"].filter(function (k) { return (share + k) in p; });
    if (!techs.length) return "";
    var planned = techs.some(function (k) { return (share + k + "_planned") in p; });
    var t = T().text;
    var h = '<table class="gt-cov" data-share="' + share + '"><tr><th>' + esc(title) +
      "</th><th>" + esc(t.coverage_now) + "</th>" +
      (planned ? "<th>" + esc(t.coverage_planned) + "</th>" : "") + "</tr>";
    techs.forEach(function (k) {
      var c = share + k;
      h += '<tr data-col="' + c + '"><td>' + k.toUpperCase() + "</td><td>" + pct(p[c]) +
        "</td>" + (planned ? "<td>" + ((c + "_planned") in p ? pct(p[c + "_planned"]) : "") +
                   "</td>" : "") + "</tr>";
    });
    return h + "</table>";
  }
  function proposals(code) {
    var items = serving[code] || [], t = T().text;
    var h = "<h5>" + esc(t.proposals) + " (" + items.length + ")</h5>";
    if (!items.length) return h + '<div class="gt-nd">' + esc(t.no_proposals) + "</div>";
    Object.keys(C.card).forEach(function (layer) {
      var mine = items.filter(function (it) { return it[0] === layer; });
      var cols = C.card[layer].filter(function (c) {
        return mine.some(function (it) { return it[1][c] !== null && it[1][c] !== undefined; });
      });
      if (!mine.length) return;
      h += '<div class="gt-sub">' + esc(T().layers[layer]) + '</div><table class="gt-list" ' +
        'data-layer="' + layer + '"><tr>' + cols.map(function (c) {
          return "<th>" + esc(col(c)) + "</th>"; }).join("") + "</tr>";
      mine.forEach(function (it) {
        h += "<tr" + (later(it[2]) ? ' class="gt-later" title="' + esc(t.later) + '"' : "") +
          ">" + cols.map(function (c) {
            var v = it[1][c];
            return "<td>" + (typeof v === "number" && /_vnd$/.test(c) ? vnd(v) : shown(c, v)) +
              "</td>";
          }).join("") + "</tr>";
      });
      h += "</table>";
    });
    return h;
  }
  // The commune card: coverage, dead zones, fiber, Criterion 8, the proposals serving it.
  function card(p) {
    var t = T().text;
    function row(c, html) {
      return c in p ? '<tr data-col="' + c + '"><td>' + esc(col(c)) + "</td><td>" + html +
        "</td></tr>" : "";
    }
    var sub = [p.district_name, p.commune_code].filter(function (x) { return x; });
    var h = '<div class="gt-card" data-code="' + esc(p.commune_code || "") + '">' +
      '<div class="gt-card-head"><b>' + esc(p.commune_name || p.commune_code || "") +
      "</b><small>" + sub.map(esc).join(" · ") + "</small></div>";
    h += '<table class="gt-facts">' + row("population", shown("population", p.population)) +
      row("area_km2", shown("area_km2", p.area_km2)) + "</table>";
    h += coverage(p, "pop_covered_pct_", t.pop_coverage);
    var popKnown = ["2g", "3g", "4g"].some(function (k) {
      var v = p["pop_covered_pct_" + k]; return v !== null && v !== undefined; });
    if (!popKnown) h += coverage(p, "area_covered_pct_", t.area_coverage);
    var dz = p.dead_zone_pop === null || p.dead_zone_pop === undefined ? noData()
      : fmt(p.dead_zone_pop) + (typeof p.dead_zone_km2 === "number"
                                ? " (" + num(p.dead_zone_km2, 1) + " km²)" : "");
    h += '<table class="gt-facts">' + row("dead_zone_pop", dz) +
      row("fiber_distance_km", p.fiber_distance_km === null ? noData()
          : fmt(p.fiber_distance_km)) + "</table>";
    var c8 = ["c8_1_postal", "c8_2_telecom_internet", "c8_3_radio", "c8_4_it_admin"];
    if (c8.some(function (c) { return c in p; }) || "c8_met" in p) {
      h += "<h5>" + esc(t.criterion8) + '</h5><table class="gt-c8">';
      c8.forEach(function (c) { h += row(c, mark(p[c])); });
      if ("c8_met" in p) {
        h += '<tr class="gt-verdict" data-col="c8_met"><td>' + esc(col("c8_met")) + "</td><td>" +
          mark(p.c8_met) + (p.c8_met === true ? " " + esc(t.met)
                            : p.c8_met === false ? " " + esc(t.not_met) : "") + "</td></tr>";
      }
      if (p.c8_missing) {
        h += row("c8_missing", p.c8_missing.split(",").map(function (c) {
          return esc(col(c)); }).join(", "));
      }
      h += "</table>";
    }
    return h + proposals(p.commune_code) + "</div>";
  }
  function popup(kind) {
    var isCard = C.popupKind[kind] === "commune_card";
    return function (feature, layer) {
      layer.bindPopup(function () {
        var p = feature.properties;
        if (isCard) return card(p);
        return '<div class="gt-pop"><b>' + esc(T().layers[kind]) + "</b>" +
          table(p, C.popup[kind]) + "</div>";
      }, {maxWidth: isCard ? 400 : 360});
    };
  }
  // a proposal serving communes, for their cards
  function serve(entry, p) {
    String(p[entry.serves] === null || p[entry.serves] === undefined ? "" : p[entry.serves])
      .split(",").forEach(function (code) {
        code = code.trim();
        if (code) (serving[code] = serving[code] || []).push([entry.layer, p, entry]);
      });
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
    // the commune whose card is open is outlined
    layer.on("popupopen", function () { layer.setStyle({color: "#000", weight: 3}); });
    layer.on("popupclose", function () { layer.setStyle(communeStyle(feature)); });
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
    var icon = outside
      ? L.divIcon({className: "gt-ring", html: "<span></span>", iconSize: [11, 11]})
      : L.divIcon({className: "gt-dot", html: '<span style="background:' + color + '"></span>',
                   iconSize: [10, 10]});
    var m = L.marker([row[0], row[1]], {icon: icon});
    m.bindPopup(function () {
      var p = {site_id: row[3], operator: row[2] >= 0 ? C.operators[row[2]][0] : T().text.other,
               technologies: row[4], height_m: row[5], sectors: row[6], shared_by: row[7]};
      var head = outside ? T().text.towers_outside : T().layers.towers_existing;
      return '<div class="gt-pop"><b>' + esc(head) + "</b>" +
        table(p, ["site_id", "operator", "technologies", "height_m", "sectors", "shared_by"]) +
        "</div>";
    });
    return m;
  }
  // Fold case and diacritics: "Xã Đăk Đoa" -> "xa dak doa".
  function fold(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[đĐ]/g, "d")
      .normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/\s+/g, " ").trim();
  }
  function setLang(lang) {
    if (!C.i18n[lang]) return;
    state.lang = lang;
    document.documentElement.lang = lang;
    listeners.forEach(function (fn) { fn(); });
  }
  function onLang(fn) { listeners.push(fn); }
  function init(config) {
    C = config;
    state.indicator = config.defaultIndicator;
    state.lang = config.lang;
    document.documentElement.lang = config.lang;
  }
  return {init: init, state: state, T: T, style: style, popup: popup, card: card,
          serve: serve, communeStyle: communeStyle, communeFeature: communeFeature,
          rankMarker: rankMarker, towerMarker: towerMarker, colorFor: colorFor, esc: esc,
          fmt: fmt, fold: fold, setLang: setLang, onLang: onLang,
          config: function () { return C; }};
})();
"""
