// The results report's chart (cases/report.html), from the JSON the page carries in #chart-data.
// A static file: the Content-Security-Policy allows no inline script.
(function () {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  new Chart(document.getElementById("chart"), {
    data: {
      labels: data.labels,
      datasets: [
        {type: "bar", label: "Recuperado ($)", data: data.recovered.map(Number), backgroundColor: "#0b3d91", yAxisID: "y"},
        {type: "bar", label: "Promesas cumplidas", data: data.kept, backgroundColor: "#198754", yAxisID: "y1"},
        {type: "bar", label: "Promesas incumplidas", data: data.broken, backgroundColor: "#dc3545", yAxisID: "y1"},
      ],
    },
    options: {
      scales: {
        y: {position: "left", ticks: {callback: v => "$" + Number(v).toLocaleString("en-US")}},
        y1: {position: "right", grid: {drawOnChartArea: false}, ticks: {precision: 0}, title: {display: true, text: "Promesas"}},
      },
      plugins: {tooltip: {callbacks: {label: c => c.dataset.yAxisID === "y" ? `${c.dataset.label}: $${c.parsed.y.toLocaleString("en-US", {minimumFractionDigits: 2})}` : `${c.dataset.label}: ${c.parsed.y}`}}},
    },
  });
})();
