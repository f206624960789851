// What the templates used to do with inline handlers and style attributes, which the
// Content-Security-Policy (script-src 'self'; style-src 'self') refuses:
// - <input type="checkbox" data-select-all="employer">: checks or unchecks every input[name=employer];
// - <select data-autosubmit>: sends its form when changed;
// - <div class="progress-bar" data-progress="42">: width 42 % (set through the CSSOM, which CSP allows).
// Content swapped in by htmx gets the same treatment (htmx.onLoad).
(function () {
  document.addEventListener("click", function (event) {
    var box = event.target.closest && event.target.closest("input[data-select-all]");
    if (!box) return;
    var name = box.getAttribute("data-select-all");
    document.querySelectorAll('input[name="' + name + '"]').forEach(function (c) { c.checked = box.checked; });
  });
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.hasAttribute && select.hasAttribute("data-autosubmit") && select.form) select.form.submit();
  });
  function applyProgress(root) {
    (root || document).querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = Math.max(0, Math.min(100, Number(bar.getAttribute("data-progress")) || 0));
      bar.style.width = value + "%";
    });
  }
  if (window.htmx) { window.htmx.onLoad(applyProgress); }
  document.addEventListener("DOMContentLoaded", function () { applyProgress(document); });
})();
