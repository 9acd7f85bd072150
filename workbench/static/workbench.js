// Tally workbench: small behaviours every page shares. No inline scripts (the CSP forbids them).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) {
      // Refusals (4xx) carry a message to show in #alerts: swap them too, not only 2xx.
      htmx.config.responseHandling = [
        {code: "204", swap: false},
        {code: "[23]..", swap: true},
        {code: "[4]..", swap: true, error: false},
        {code: "...", swap: false, error: true},
      ];
    }
  });
  // "take all": a checkbox with data-check-all="name" ticks every box of that name.
  document.addEventListener("change", function (event) {
    var box = event.target;
    var name = box && box.getAttribute && box.getAttribute("data-check-all");
    if (!name) return;
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (b) {
      if (!b.disabled) b.checked = box.checked;
    });
  });
  // "copy": a button with data-copy="#id" copies that field's text.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) return;
    field.select();
    if (navigator.clipboard) navigator.clipboard.writeText(field.value);
    button.textContent = "已复制";
  });
  // "expand all / collapse all": data-toggle-details="open|close" on the <details> in a scope.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-toggle-details]");
    if (!button) return;
    var scope = document.querySelector(button.getAttribute("data-scope") || "main");
    var open = button.getAttribute("data-toggle-details") === "open";
    scope.querySelectorAll("details").forEach(function (d) { d.open = open; });
  });
})();
