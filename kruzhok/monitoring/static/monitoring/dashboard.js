/* Draws the dashboard's charts with the vendored Chart.js. The data come from <script type="application/json">
   blocks written by Django's json_script (never inline HTML); each canvas names its block in data-source.
   Runs on page load and on every fragment htmx swaps in (the organization-side sections). */
(function () {
  "use strict";
  var COLORS = ["#1f6feb", "#2da44e", "#bf8700", "#cf222e", "#8250df", "#1b7c83", "#bc4c00", "#57606a", "#d63384"];

  function readData(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function config(kind, data) {
    var common = { responsive: true, maintainAspectRatio: false, animation: false };
    if (kind === "bars") {
      return { type: "bar", data: { labels: data.labels, datasets: data.datasets.map(function (set, i) {
        return { label: set.label, data: set.values, backgroundColor: COLORS[i % COLORS.length] };
      }) }, options: Object.assign({ indexAxis: "y", scales: { x: { beginAtZero: true } } }, common) };
    }
    if (kind === "doughnut") {
      return { type: "doughnut", data: { labels: data.labels, datasets: [{ label: data.label, data: data.values,
        backgroundColor: COLORS.slice(0, data.values.length) }] }, options: common };
    }
    if (kind === "line") {
      return { type: "line", data: { labels: data.labels, datasets: [{ label: data.label, data: data.values,
        borderColor: COLORS[0], backgroundColor: COLORS[0], spanGaps: true }] },
        options: Object.assign({ scales: { y: { beginAtZero: true } } }, common) };
    }
    return { type: "bar", data: { labels: data.labels, datasets: [{ label: data.label, data: data.values,
      backgroundColor: COLORS.slice(0, data.values.length) }] },
      options: Object.assign({ plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }, common) };
  }

  function draw(root) {
    if (typeof Chart === "undefined") { return; }
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      var data = readData(canvas.dataset.source);
      if (!data) { return; }
      canvas.dataset.drawn = "1";
      new Chart(canvas, config(canvas.dataset.chart, data));
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
