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

// Identifier highlighting: click (or Enter on) a name in the code, or in inline code in a note, to mark
// every occurrence on the page; again to clear. Arrow keys move between names inside a code block.
(function () {
  "use strict";
  var NAME = '[class^="n"], .bp, .fm, .vm, .py';
  var SCOPE = ".code " + NAME.split(", ").join(", .code ") + ", code.highlight " + NAME.split(", ").join(", code.highlight ");
  var current = null;

  function names() { return document.querySelectorAll(SCOPE); }
  function mark(text) {
    var count = 0;
    names().forEach(function (el) {
      var on = text !== null && el.textContent === text;
      el.classList.toggle("marked", on);
      if (on) count++;
    });
    current = text;
    var status = document.getElementById("ident-status");
    if (status) status.textContent = text === null ? "" : count + " × " + text;
  }
  function toggle(el) { mark(current === el.textContent ? null : el.textContent); }

  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest(SCOPE);
    if (el && !event.target.closest("a")) toggle(el);
  });

  // Each code block is one tab stop; inside it, arrows walk the names and Enter/Space marks one.
  document.querySelectorAll(".code pre").forEach(function (pre) {
    pre.tabIndex = 0;
    pre.setAttribute("aria-label", "Code; arrow keys move between names, Enter highlights a name");
  });
  document.addEventListener("keydown", function (event) {
    var pre = event.target.closest && event.target.closest(".code pre");
    if (event.key === "Escape") { mark(null); return; }
    if (!pre) return;
    var list = Array.prototype.slice.call(pre.querySelectorAll(NAME));
    if (!list.length) return;
    var at = list.indexOf(event.target);
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      var next = at < 0 ? 0 : (at + (event.key === "ArrowRight" ? 1 : -1) + list.length) % list.length;
      list[next].tabIndex = -1;
      list[next].focus();
      event.preventDefault();
    } else if ((event.key === "Enter" || event.key === " ") && at >= 0) {
      toggle(list[at]);
      event.preventDefault();
    }
  });
  var status = document.createElement("div");
  status.id = "ident-status";
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  document.body.appendChild(status);
})();

// Search with pagefind (its index is built after mkdocs): results link to the row holding the match.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  var bundle = box.dataset.bundle;
  var input = document.createElement("input");
  input.type = "search";
  input.placeholder = box.dataset.placeholder || "Search";
  input.setAttribute("aria-label", input.placeholder);
  input.setAttribute("autocomplete", "off");
  var list = document.createElement("ol");
  list.className = "search-results";
  list.setAttribute("aria-live", "polite");
  list.hidden = true;
  box.appendChild(input);
  box.appendChild(list);
  var engine = null;
  var pending = 0;

  function load() {
    // Resolve against the page: a relative import() would resolve against this script's URL.
    if (!engine) {
      var url = new URL(bundle + "pagefind.js", document.baseURI);
      engine = import(url.href).then(function (pf) {
        // Result URLs are relative to the site's root, which may be a sub-folder of the host.
        return Promise.resolve(pf.options({ baseUrl: new URL("..", url).pathname }))
          .then(function () { return pf.init(); }).then(function () { return pf; });
      });
    }
    return engine;
  }
  // The row (an element with an id) that holds the first matching word.
  function rowAnchor(data) {
    var at = data.locations && data.locations.length ? data.locations[0] : 0;
    var best = null;
    (data.anchors || []).forEach(function (a) {
      if (a.element === "section" && a.location <= at && (!best || a.location >= best.location)) best = a;
    });
    return best ? "#" + best.id : "";
  }
  function show(items) {
    list.innerHTML = "";
    items.forEach(function (data) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = data.url.split("#")[0] + rowAnchor(data);
      var title = document.createElement("strong");
      title.textContent = (data.meta && data.meta.title) || data.url;
      var excerpt = document.createElement("span");
      excerpt.innerHTML = data.excerpt;  // pagefind escapes the text and adds <mark>
      a.appendChild(title);
      a.appendChild(excerpt);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = items.length === 0 && !input.value;
    if (!items.length && input.value) {
      var none = document.createElement("li");
      none.textContent = "—";
      list.appendChild(none);
      list.hidden = false;
    }
  }
  input.addEventListener("input", function () {
    var query = input.value.trim();
    var ticket = ++pending;
    if (!query) { show([]); return; }
    load().then(function (pf) { return pf.debouncedSearch ? pf.debouncedSearch(query, {}, 150) : pf.search(query); })
      .then(function (search) {
        if (!search || ticket !== pending) return null;
        return Promise.all(search.results.slice(0, 8).map(function (r) { return r.data(); }));
      })
      .then(function (items) { if (items && ticket === pending) show(items); })
      .catch(function () { show([]); });
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { input.value = ""; show([]); }
    if (event.key === "ArrowDown") { var first = list.querySelector("a"); if (first) { first.focus(); event.preventDefault(); } }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement === document.body) { input.focus(); event.preventDefault(); }
  });
})();
