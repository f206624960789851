// Forms marked data-submit-once: the submit buttons are disabled once the form is sent, so a double
// click sends it once. The server does not rely on this (employers/submissions.py checks a one-time
// token); this only spares the user a second request and says "Enviando…".
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-submit-once")) return;
  if (form.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
  form.setAttribute("aria-busy", "true");
  // After this tick, so the clicked button's own name/value still goes with the form.
  setTimeout(function () {
    form.querySelectorAll('button[type="submit"], input[type="submit"]').forEach(function (button) {
      button.disabled = true;
      if (button.tagName === "BUTTON" && !button.dataset.label) {
        button.dataset.label = button.innerHTML;
        button.insertAdjacentHTML("beforeend", ' <span class="spinner-border spinner-border-sm" aria-hidden="true"></span>');
      }
    });
  }, 0);
}, true);
// A page restored from the browser's cache (back button) gets its buttons back.
window.addEventListener("pageshow", function () {
  document.querySelectorAll('form[aria-busy="true"]').forEach(function (form) {
    form.removeAttribute("aria-busy");
    form.querySelectorAll("button[disabled][data-label]").forEach(function (button) {
      button.disabled = false;
      button.innerHTML = button.dataset.label;
      delete button.dataset.label;
    });
  });
});
