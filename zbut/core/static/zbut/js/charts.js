/* Draws the charts whose configuration the page embeds with Django's json_script.
 *
 * <canvas data-chart="id-of-json-script"> gets the chart described in that script element:
 *   type "bar"    — outcome shares against their norm ranges (outside-norm bars outlined);
 *   type "funnel" — horizontal bars, widest first;
 *   type "stacked" — counts stacked per label (the desk's calls and outcomes per hour).
 */
(function () {
  "use strict";

  function read(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function percentTick(value) {
    return value + " %";
  }

  function barChart(canvas, config) {
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: config.labels, datasets: config.datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { ticks: { autoSkip: false, maxRotation: 35, minRotation: 0, font: { size: 11 } } },
          y: { beginAtZero: true, ticks: { callback: percentTick } },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                var raw = context.raw;
                if (Array.isArray(raw)) {
                  return context.dataset.label + ": " + raw[0] + "–" + raw[1] + " %";
                }
                var mark = config.outside && config.outside[context.dataIndex] ? " ⚠" : "";
                return context.dataset.label + ": " + raw + " %" + mark;
              },
            },
          },
        },
      },
    });
  }

  function funnelChart(canvas, config) {
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: config.labels, datasets: config.datasets },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true } },
      },
    });
  }

  function stackedChart(canvas, config) {
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: config.labels, datasets: config.datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12, font: { size: 11 } } } },
      },
    });
  }

  function draw() {
    if (!window.Chart) {
      return;
    }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var config = read(canvas.getAttribute("data-chart"));
      if (!config) {
        return;
      }
      if (config.type === "funnel") {
        funnelChart(canvas, config);
      } else if (config.type === "stacked") {
        stackedChart(canvas, config);
      } else {
        barChart(canvas, config);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
