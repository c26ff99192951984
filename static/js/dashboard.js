// Draws the dashboard's charts from the JSON the page carries (no inline script).
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var printing = window.matchMedia && window.matchMedia("print").matches;
  Chart.defaults.animation = printing ? false : Chart.defaults.animation;
  var colors = {
    done_on_time: "#0f5132",
    done_late: "#842029",
    open_in_time: "#198754",
    open_overdue: "#dc3545",
    cancelled: "#adb5bd"
  };

  var unitCanvas = document.getElementById("unit-chart");
  if (unitCanvas && data.units.labels.length) {
    new Chart(unitCanvas, {
      type: "bar",
      data: {
        labels: data.units.labels,
        datasets: Object.keys(colors).map(function (key) {
          return { label: data.units.names[key], data: data.units[key], backgroundColor: colors[key] };
        })
      },
      options: {
        indexAxis: "y",
        responsive: true,
        scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  var trendCanvas = document.getElementById("trend-chart");
  if (trendCanvas) {
    new Chart(trendCanvas, {
      data: {
        labels: data.trend.labels,
        datasets: [
          { type: "bar", label: "Hoàn thành trong kỳ", data: data.trend.completed, backgroundColor: "#198754" },
          { type: "line", label: "Quá hạn cuối kỳ", data: data.trend.overdue, borderColor: "#dc3545", backgroundColor: "#dc3545", tension: 0.2 }
        ]
      },
      options: {
        responsive: true,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }
})();
