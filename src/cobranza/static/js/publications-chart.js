// The publication report's chart (publications/reports.html), from the JSON in #chart-data.
// A static file: the Content-Security-Policy allows no inline script.
(function () {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  new Chart(document.getElementById("chart"), {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        {label: "Notificados", data: data.notified, backgroundColor: "#6c757d"},
        {label: "Regularizados en el plazo", data: data.in_window, backgroundColor: "#198754"},
        {label: "Publicados", data: data.published, backgroundColor: "#0b3d91"},
        {label: "Regularizados después de publicar", data: data.regularized, backgroundColor: "#f0ad4e"},
      ],
    },
    options: {scales: {y: {beginAtZero: true, ticks: {precision: 0}, title: {display: true, text: "Patronos"}}}},
  });
})();
