// Draws the dashboard's charts from the JSON the page carries (no inline script).
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  // "Bản in A4": drawn at once (no animation), then the browser's print dialog opens.
  var brief = document.body.classList.contains("printing");
  var printing = brief || (window.matchMedia && window.matchMedia("print").matches);
  Chart.defaults.animation = printing ? false : Chart.defaults.animation;
  Chart.defaults.maintainAspectRatio = false; // the .chart-box gives the height
  var charts = [];
  var colors = {
    done_on_time: "#0f5132",
    done_late: "#842029",
    open_in_time: "#198754",
    open_overdue: "#dc3545",
    cancelled: "#adb5bd"
  };

  var unitCanvas = document.getElementById("unit-chart");
  if (unitCanvas && data.units.labels.length) {
    charts.push(new Chart(unitCanvas, {
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
    }));
  }

  var trendCanvas = document.getElementById("trend-chart");
  if (trendCanvas) {
    var highest = Math.max.apply(null, data.trend.completed.concat(data.trend.overdue, [0]));
    charts.push(new Chart(trendCanvas, {
      data: {
        labels: data.trend.labels,
        datasets: [
          { type: "bar", label: "Hoàn thành trong kỳ", data: data.trend.completed, backgroundColor: "#198754" },
          { type: "line", label: "Quá hạn cuối kỳ", data: data.trend.overdue, borderColor: "#dc3545", backgroundColor: "#dc3545", tension: 0.2 }
        ]
      },
      options: {
        responsive: true,
        scales: {
          // Bars whole at both ends; a few steps on the axis even when the counts are small.
          x: { offset: true },
          y: { beginAtZero: true, suggestedMax: Math.max(4, highest + 1), ticks: { precision: 0 } }
        },
        plugins: { legend: { position: "bottom" } }
      }
    }));
  }

  // The page is laid out again at the paper's width: the charts follow.
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
  var printButton = document.querySelector("[data-print]");
  if (printButton) printButton.addEventListener("click", function () { window.print(); });
  if (brief && !/[?&]auto=0/.test(window.location.search)) {
    window.setTimeout(function () { window.print(); }, 300);
  }
})();
