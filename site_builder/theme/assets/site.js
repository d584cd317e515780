// Progressive enhancements only: every page reads fine without this script.
(function () {
  "use strict";
  var root = document.documentElement;

  // Dark mode toggle: auto (follow the system) → the opposite of what is shown → back. Remembered.
  var toggle = document.querySelector(".theme-toggle");
  function shownDark() {
    var t = root.dataset.theme;
    if (t === "dark") return true;
    if (t === "light") return false;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }
  if (toggle) {
    toggle.setAttribute("aria-pressed", String(shownDark()));
    toggle.addEventListener("click", function () {
      var next = shownDark() ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("theme", next); } catch (e) { /* private mode */ }
      toggle.setAttribute("aria-pressed", String(next === "dark"));
    });
  }

  // Images zoom on click.
  document.addEventListener("click", function (event) {
    var img = event.target.closest && event.target.closest("img.zoomable, .note img, .guide img");
    if (!img) return;
    var overlay = document.createElement("div");
    overlay.className = "zoom-overlay";
    overlay.setAttribute("role", "dialog");
    var big = img.cloneNode();
    big.removeAttribute("class");
    overlay.appendChild(big);
    overlay.addEventListener("click", function () { overlay.remove(); });
    document.body.appendChild(overlay);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") document.querySelectorAll(".zoom-overlay").forEach(function (o) { o.remove(); });
  });
})();
