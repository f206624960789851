// What the templates used to do with inline handlers and style attributes, which the
// Content-Security-Policy (script-src 'self'; style-src 'self') refuses:
// - <input type="checkbox" data-select-all="employer">: checks or unchecks every input[name=employer];
// - <select data-autosubmit>: sends its form when changed;
// - <div class="progress-bar" data-progress="42">: width 42 % (set through the CSSOM, which CSP allows).
// - <div data-error-summary tabindex="-1">: the error summary of a form sent with errors receives the
//   focus, on page load and when htmx swaps it in (issue 16), so the keyboard and the screen reader
//   start from the list of what to fix.
// - .table-responsive boxes that scroll sideways become focusable regions (keyboard scrolling).
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
  function focusErrorSummary(root) {
    var scope = root || document;
    var summary = scope.matches && scope.matches("[data-error-summary]") ? scope : scope.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }
  // A table wider than the screen scrolls inside its .table-responsive box: the box joins the Tab
  // order (and is named) so the keyboard can scroll it too (WCAG 2.1.1, axe scrollable-region-focusable).
  function scrollableTables(root) {
    (root || document).querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", "Tabla desplazable");
      }
    });
  }
  function onLoad(root) { applyProgress(root); focusErrorSummary(root); scrollableTables(root); }
  if (window.htmx) { window.htmx.onLoad(onLoad); }
  document.addEventListener("DOMContentLoaded", function () { onLoad(document); });
})();
