/* Draws each dashboard panel with the vendored ECharts from the panel's own table (columns, rows).
   The first column names the categories (months, units); each further column is one series. */
(function () {
  "use strict";
  var data = document.getElementById("panels-data");
  if (!data || !window.echarts) { return; }
  var panels = JSON.parse(data.textContent);
  var dark = document.body.classList.contains("wall");
  var palette = ["#c0392b", "#2e86c1", "#d68910", "#239b56", "#7d3c98", "#5d6d7e"];
  var charts = [];
  panels.forEach(function (panel) {
    var el = document.getElementById("chart-" + panel.key);
    if (!el || panel.chart === "table") { return; }
    var chart = echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
    var categories = panel.rows.map(function (row) { return row[0]; });
    var horizontal = panel.chart === "hbar";
    var series = panel.columns.slice(1).map(function (name, index) {
      return {
        name: name,
        type: panel.chart === "line" ? "line" : "bar",
        smooth: true,
        data: panel.rows.map(function (row) { return row[index + 1]; }),
        label: { show: horizontal, position: "right" }
      };
    });
    var categoryAxis = { type: "category", data: categories, axisLabel: { interval: horizontal ? 0 : "auto" } };
    if (horizontal) { categoryAxis.inverse = true; }
    chart.setOption({
      backgroundColor: "transparent",
      color: palette,
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { show: series.length > 1, top: 0 },
      grid: { left: 8, right: horizontal ? 48 : 16, top: series.length > 1 ? 32 : 12, bottom: 8, containLabel: true },
      xAxis: horizontal ? { type: "value" } : categoryAxis,
      yAxis: horizontal ? categoryAxis : { type: "value" },
      series: series
    });
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.documentElement.dataset.chartsDrawn = String(charts.length);
})();
