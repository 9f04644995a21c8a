"""The meeting map's controls, in small JavaScript (no third-party code): the title with
its VI / EN switch, the legend with the indicator menu, the layer list with the year
filter, and the commune search.

``gt.controls(map, communes, entries)`` runs after the layers are created; ``entries``
lists every overlay as ``[layer, meta]`` in drawing order, ``meta`` being what
:meth:`geotel.outputs.maps._Overlay.meta` writes (key, names in both languages, year,
search and served-communes columns). Every text is read from ``gt.T()`` when drawn, so
switching the language redraws the controls and the open popup and keeps the view, the
layers shown, the indicator and the year.
"""

from __future__ import annotations

__all__ = ["CONTROLS_CSS", "CONTROLS_JS"]

CONTROLS_CSS = """
.gt-title {position:absolute; top:8px; left:50%; transform:translateX(-50%); z-index:800;
  background:rgba(255,255,255,.92); padding:6px 14px; border-radius:6px;
  box-shadow:0 1px 5px rgba(0,0,0,.4); font:600 16px/1.3 "Noto Sans", Arial, sans-serif;
  text-align:center; pointer-events:none; max-width:60%;}
.gt-title small {display:block; font-weight:400; font-size:12px; color:#444;}
.gt-lang {pointer-events:auto; margin-left:10px; white-space:nowrap;}
.gt-lang button {font:600 11px Arial, sans-serif; border:1px solid #888; background:#fff;
  padding:1px 5px; cursor:pointer; color:#333;}
.gt-lang button.on {background:#333; color:#fff; border-color:#333;}
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
.gt-legend .ring {width:10px; height:10px; border-radius:50%; border:2px solid #555;
  background:transparent; flex:none; box-sizing:border-box;}
.gt-layers {font:12px/1.35 "Noto Sans", Arial, sans-serif; max-height:45vh; overflow-y:auto;}
.gt-layers label {display:block;}
.gt-layers .gt-off {color:#999;}
.gt-layers .gt-year {font-weight:600;}
.gt-layers .gt-year select {font-size:12px; margin-left:4px;}
.gt-search {background:#fff; width:240px; font:12px/1.35 "Noto Sans", Arial, sans-serif;}
.gt-search input {width:100%; box-sizing:border-box; border:0; padding:6px 8px; font-size:13px;}
.gt-search ul {list-style:none; margin:0; padding:0; max-height:40vh; overflow-y:auto;}
.gt-search li {padding:4px 8px; border-top:1px solid #eee; cursor:pointer;}
.gt-search li:hover {background:#eef4fb;}
.gt-search li small {color:#666;}
.gt-search li.gt-none {color:#777; cursor:default;}
"""

CONTROLS_JS = r"""
gt.controls = function (map, communes, entries) {
  var C = gt.config(), T = gt.T, esc = gt.esc, state = gt.state;
  var open = null;  // the open popup, redrawn in a new language or year
  gt.map = map;
  map.on("popupopen", function (e) { open = e.popup; });
  map.on("popupclose", function (e) { if (open === e.popup) open = null; });
  function redrawPopup() { if (open && open.isOpen()) open.update(); }
  entries.forEach(function (e) {  // the proposals each commune's card lists
    if (e[1].serves && e[0].eachLayer) {
      e[0].eachLayer(function (l) { if (l.feature) gt.serve(e[1], l.feature.properties); });
    }
  });

  // A control redraws itself on a click or a change: the map must not see that click
  // (its target is no longer in the control, and the map would close the open card).
  function own(div) {
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    L.DomEvent.on(div, "click", L.DomEvent.stopPropagation);
  }

  // title and language switch
  var title = L.DomUtil.create("div", "gt-title", map.getContainer());
  own(title);
  title.addEventListener("click", function (ev) {
    var lang = ev.target.getAttribute && ev.target.getAttribute("data-lang");
    if (lang && lang !== state.lang) gt.setLang(lang);
  });
  function drawTitle() {
    title.innerHTML = esc(T().title) + '<span class="gt-lang" title="' + esc(T().text.language) +
      '">' + Object.keys(C.i18n).map(function (lang) {
        return '<button type="button" data-lang="' + lang + '"' +
          (lang === state.lang ? ' class="on"' : "") + ">" + lang.toUpperCase() + "</button>";
      }).join("") + "</span><small>" + esc(T().subtitle) + "</small>";
    document.title = T().title;
  }
  L.control.scale({imperial: false, metric: true, position: "bottomleft"}).addTo(map);

  // legend and indicator menu
  function span(cls, style) { return '<span class="' + cls + '" style="' + style + '"></span>'; }
  function row(sym, label) {
    return '<div class="row">' + sym + "<span>" + esc(label) + "</span></div>";
  }
  function legendItem(item) {
    if (item.kind === "header") return "<h4>" + esc(item.label) + "</h4>";
    if (item.kind === "ramp") {
      return "<div>" + esc(item.label) + '</div><div class="ramp" style="background:' +
        "linear-gradient(to right," + item.colors.join(",") + ')"></div>' +
        '<div class="row" style="justify-content:space-between;width:172px"><span>' +
        esc(item.min) + "</span><span>" + esc(item.max) + "</span></div>";
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
  function classes() {
    var ind = C.indicators[state.indicator], h = "";
    if (!ind) return "";
    if (ind.kind === "bool") {
      h += row(span("sw", "background:" + ind.colors[1]), T().text.yes);
      h += row(span("sw", "background:" + ind.colors[0]), T().text.no);
    } else {
      for (var i = 0; i < ind.colors.length; i++) {
        h += row(span("sw", "background:" + ind.colors[i]),
                 gt.fmt(ind.breaks[i]) + " – " + gt.fmt(ind.breaks[i + 1]));
      }
    }
    return h + row(span("sw", "background:" + C.noDataColor), T().text.no_data);
  }
  var legendDiv = null;
  function drawLegend() {
    var h = "<b>" + esc(T().text.legend) + "</b>";
    var keys = Object.keys(C.indicators);
    if (keys.length) {
      h += "<h4>" + esc(T().text.indicator) + '</h4><select id="gt-indicator">';
      keys.forEach(function (k) {
        h += '<option value="' + k + '"' + (k === state.indicator ? " selected" : "") + ">" +
          esc(T().indicators[k]) + "</option>";
      });
      h += '</select><div id="gt-classes">' + classes() + "</div>";
    }
    T().legend.forEach(function (item) { h += legendItem(item); });
    legendDiv.innerHTML = h;
  }
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    legendDiv = L.DomUtil.create("div", "gt-legend");
    own(legendDiv);
    legendDiv.addEventListener("change", function (ev) {
      if (ev.target.id !== "gt-indicator") return;
      state.indicator = ev.target.value;
      if (communes) communes.setStyle(gt.communeStyle);
      document.getElementById("gt-classes").innerHTML = classes();
    });
    drawLegend();
    return legendDiv;
  };

  // layer list and year filter: a layer is drawn when it is ticked and, for a planned
  // layer, when its year is the year chosen or before
  var on = {};
  entries.forEach(function (e) { on[e[1].key] = map.hasLayer(e[0]); });
  var years = [];
  entries.forEach(function (e) {
    if (e[1].phased && e[1].year !== null && years.indexOf(e[1].year) < 0) years.push(e[1].year);
  });
  years.sort(function (a, b) { return a - b; });
  function passes(meta) {
    return !meta.phased || state.year === null || (meta.year !== null && meta.year <= state.year);
  }
  function apply() {
    var added = false;
    entries.forEach(function (e) {
      var want = on[e[1].key] && passes(e[1]);
      if (want && !map.hasLayer(e[0])) { map.addLayer(e[0]); added = true; }
      if (!want && map.hasLayer(e[0])) map.removeLayer(e[0]);
    });
    if (added) {  // keep the drawing order of the registry (communes at the bottom)
      entries.forEach(function (e) {
        if (map.hasLayer(e[0]) && e[0] instanceof L.GeoJSON) e[0].bringToFront();
      });
    }
  }
  var listDiv = null;
  function drawList() {
    var h = "";
    if (years.length) {
      h += '<label class="gt-year">' + esc(T().text.year_filter) + '<select id="gt-year">' +
        '<option value="">' + esc(T().text.all_years) + "</option>" +
        years.map(function (y) {
          return '<option value="' + y + '"' + (y === state.year ? " selected" : "") + ">" + y +
            "</option>";
        }).join("") + '</select></label><div class="leaflet-control-layers-separator"></div>';
    }
    entries.forEach(function (e) {
      var ok = passes(e[1]);
      h += '<label class="gt-entry' + (ok ? "" : " gt-off") + '"><input type="checkbox" ' +
        'class="leaflet-control-layers-selector" data-key="' + esc(e[1].key) + '"' +
        (on[e[1].key] && ok ? " checked" : "") + (ok ? "" : " disabled") + "> " +
        '<span class="gt-name">' + esc(e[1].names[state.lang]) + "</span></label>";
    });
    listDiv.innerHTML = h;
  }
  var list = L.control({position: "topright"});
  list.onAdd = function () {
    listDiv = L.DomUtil.create("div", "leaflet-control-layers leaflet-control-layers-expanded " +
                               "gt-layers");
    own(listDiv);
    listDiv.addEventListener("change", function (ev) {
      var t = ev.target;
      if (t.id === "gt-year") state.year = t.value === "" ? null : Number(t.value);
      else if (t.getAttribute("data-key")) on[t.getAttribute("data-key")] = t.checked;
      else return;
      apply();
      drawList();
      redrawPopup();
    });
    drawList();
    return listDiv;
  };

  // commune search: case and diacritics ignored; zooms to the commune and opens its card
  var index = [];
  entries.forEach(function (e) {
    if (!e[1].search || !e[0].eachLayer) return;
    e[0].eachLayer(function (l) {
      var p = l.feature && l.feature.properties;
      if (p && p[e[1].search]) {
        index.push({layer: l, entry: e, name: String(p[e[1].search]),
                    sub: p.district_name || "", key: gt.fold(p[e[1].search]),
                    code: String(p.commune_code || "")});
      }
    });
  });
  function matches(query) {
    var q = gt.fold(query), words = q.split(" "), out = [];
    if (!q) return [];
    index.forEach(function (it) {
      var i = it.key.indexOf(q), score = -1;
      if (i === 0 || (q.length > 2 && it.code.indexOf(q) === 0)) score = 0;
      else if (i > 0) score = it.key.charAt(i - 1) === " " ? 1 : 2;
      else if (words.every(function (w) { return it.key.indexOf(w) >= 0; })) score = 3;
      if (score >= 0) out.push([score, it]);
    });
    out.sort(function (a, b) { return a[0] - b[0] || a[1].key.localeCompare(b[1].key); });
    return out.slice(0, 8).map(function (x) { return x[1]; });
  }
  var search = L.control({position: "topleft"});
  search.onAdd = function () {
    var div = L.DomUtil.create("div", "gt-search leaflet-bar");
    div.innerHTML = '<input id="gt-search" type="search" autocomplete="off" spellcheck="false">' +
      '<ul id="gt-search-list"></ul>';
    own(div);
    var input = div.firstChild, ul = div.lastChild, found = [], chosen = null;
    function draw() {
      input.placeholder = T().text.search;
      input.setAttribute("aria-label", T().text.search);
      ul.innerHTML = found.map(function (it, i) {
        return '<li data-i="' + i + '"><b>' + esc(it.name) + "</b>" +
          (it.sub ? " <small>" + esc(it.sub) + "</small>" : "") + "</li>";
      }).join("") + (input.value.trim() && !found.length && !chosen
                     ? '<li class="gt-none">' + esc(T().text.no_match) + "</li>" : "");
    }
    function choose(it) {
      input.value = it.name;
      found = [];
      chosen = it;
      draw();
      if (!map.hasLayer(it.entry[0])) { on[it.entry[1].key] = true; apply(); drawList(); }
      if (it.layer.getBounds) {  // the commune in the lower part of the view, its card above
        var top = Math.min(340, map.getSize().y * 0.4);
        map.fitBounds(it.layer.getBounds(), {maxZoom: 13, paddingTopLeft: [40, top],
                                             paddingBottomRight: [40, 30], animate: false});
      } else {
        map.setView(it.layer.getLatLng(), 13, {animate: false});
      }
      var pt = it.layer.feature.properties._pt;
      it.layer.openPopup(pt ? L.latLng(pt[0], pt[1]) : undefined);
    }
    input.addEventListener("input", function () {
      chosen = null;
      found = matches(input.value);
      draw();
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && found.length) choose(found[0]);
      if (ev.key === "Escape") { input.value = ""; found = []; chosen = null; draw(); }
    });
    ul.addEventListener("click", function (ev) {
      var li = ev.target.closest("li[data-i]");
      if (li) choose(found[Number(li.getAttribute("data-i"))]);
    });
    gt.onLang(draw);
    draw();
    return div;
  };

  drawTitle();
  if (index.length) search.addTo(map);
  list.addTo(map);
  legend.addTo(map);
  gt.onLang(function () { drawTitle(); drawLegend(); drawList(); redrawPopup(); });
};
"""
