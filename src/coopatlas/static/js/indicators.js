/* Indicator charts, drawn from the tables already on the page (no second copy of the data is sent).
   Progressive enhancement: without JavaScript (or without plotly) the tables remain. */
(function () {
  "use strict";

  /* TopoJSON topology -> GeoJSON FeatureCollection (arcs delta-encoded and quantised, as world-atlas ships them). */
  function topojsonToGeojson(topology, objectName) {
    var t = topology.transform;
    var arcs = topology.arcs.map(function (arc) {
      var x = 0, y = 0;
      return arc.map(function (p) {
        if (!t) return [p[0], p[1]];
        x += p[0]; y += p[1];
        return [x * t.scale[0] + t.translate[0], y * t.scale[1] + t.translate[1]];
      });
    });
    function ring(indexes) {
      var points = [];
      indexes.forEach(function (i) {
        var arc = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
        points = points.concat(points.length ? arc.slice(1) : arc);
      });
      return points;
    }
    function polygon(rings) { return rings.map(ring); }
    var features = topology.objects[objectName].geometries.map(function (g) {
      var geometry = null;
      if (g.type === "Polygon") geometry = {type: "Polygon", coordinates: polygon(g.arcs)};
      if (g.type === "MultiPolygon") geometry = {type: "MultiPolygon", coordinates: g.arcs.map(polygon)};
      return {type: "Feature", id: g.id, properties: g.properties || {}, geometry: geometry};
    });
    return {type: "FeatureCollection", features: features.filter(function (f) { return f.geometry && f.id; })};
  }

  function cellValue(cell) {
    var raw = cell ? cell.getAttribute("data-value") : null;
    if (raw === null || raw === "" || raw === "None") return null;
    var number = Number(raw);
    return isNaN(number) ? raw : number;
  }

  function tableRows(table) {
    return Array.prototype.map.call(table.tBodies[0].rows, function (row) {
      return Array.prototype.slice.call(row.cells);
    }).filter(function (cells) { return cells.length > 1; });
  }

  function headings(table) {
    return Array.prototype.map.call(table.tHead.rows[0].cells, function (cell) { return cell.textContent.trim(); });
  }

  var rtl = document.documentElement.dir === "rtl";
  var config = {responsive: true, displaylogo: false};
  function layout(extra) {
    var base = {margin: {t: 20, r: 20, b: 40, l: 50}, legend: {orientation: "h"}, font: {family: "inherit"}};
    if (rtl) base.xaxis = {autorange: "reversed"};
    return Object.assign(base, extra || {});
  }

  function lineChart(target, table) {
    var names = headings(table);
    var rows = tableRows(table);
    var traces = names.slice(1).map(function (name, i) {
      return {type: "scatter", mode: "lines+markers", name: name, connectgaps: true,
        x: rows.map(function (cells) { return cellValue(cells[0]); }),
        y: rows.map(function (cells) { return cellValue(cells[i + 1]); })};
    });
    return Plotly.newPlot(target, traces, layout({showlegend: traces.length > 1}), config);
  }

  function barChart(target, table) {
    var rows = tableRows(table).slice(0, 80);
    var labelAt = Number(target.dataset.labelColumn || 0), valueAt = Number(target.dataset.valueColumn || 1);
    var trace = {type: "bar", x: rows.map(function (c) { return c[labelAt].textContent.trim(); }),
      y: rows.map(function (c) { return cellValue(c[valueAt]); }), marker: {color: "#0b6e99"}};
    return Plotly.newPlot(target, [trace], layout({margin: {t: 20, r: 20, b: 120, l: 50}}), config);
  }

  function mapChart(target, table) {
    return fetch(target.dataset.topojson).then(function (response) { return response.json(); }).then(function (topology) {
      // Plotly's geo subplot fetches its own base map from a CDN unless it is already in PlotlyGeoAssets:
      // hand it the same vendored world-atlas topology, so the page never leaves the server.
      window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};
      window.PlotlyGeoAssets.topojson.world_110m = topology;
      var rows = tableRows(table);
      var labelAt = Number(target.dataset.labelColumn), locationAt = Number(target.dataset.locationColumn);
      var valueAt = Number(target.dataset.valueColumn);
      var trace = {type: "choropleth", geojson: topojsonToGeojson(topology, "countries"), featureidkey: "id",
        locations: rows.map(function (c) { return c[locationAt].textContent.trim(); }),
        z: rows.map(function (c) { return cellValue(c[valueAt]); }),
        text: rows.map(function (c) { return c[labelAt].textContent.trim(); }),
        hovertemplate: "%{text}: %{z}<extra></extra>", colorscale: "Viridis",
        colorbar: {title: {text: headings(table)[valueAt], side: "right"}}};
      var geo = {resolution: 110, showland: true, landcolor: "#e6e9ec", showcountries: false, showcoastlines: false,
        showocean: false, showlakes: false, showrivers: false, showframe: false, lonaxis: {range: [-180, 180]},
        lataxis: {range: [-58, 85]}, center: {lon: 0, lat: 10}, projection: {type: "natural earth", rotation: {lon: 0}}};
      return Plotly.newPlot(target, [trace], layout({geo: geo, margin: {t: 0, r: 0, b: 0, l: 0}, height: 480}), config);
    });
  }

  var draw = {line: lineChart, bar: barChart, map: mapChart};

  function drawAll() {
    if (typeof Plotly === "undefined") return;
    document.querySelectorAll("[data-chart-for]").forEach(function (target) {
      var table = document.getElementById(target.dataset.chartFor);
      if (!table || !draw[table.dataset.chart] || tableRows(table).length === 0) return;
      target.hidden = false;
      Promise.resolve(draw[table.dataset.chart](target, table)).then(function () {
        target.setAttribute("data-drawn", "true");
      }).catch(function (error) {
        target.hidden = true;
        if (window.console) console.error("chart not drawn:", error);
      });
    });
  }

  window.CoopAtlasIndicators = {topojsonToGeojson: topojsonToGeojson};
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
