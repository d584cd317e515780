// Progressive enhancements only: every page reads fine without this script.
(function () {
  "use strict";
  var root = document.documentElement;

  var ui = document.body.dataset;  // the page's UI words, in its language (see ui_text.py)

  // The sticky header's height, kept exact in --header-h: links to a row scroll it just below the header.
  var header = document.querySelector(".site-header");
  function headerHeight() {
    var sticky = header && getComputedStyle(header).position === "sticky";
    root.style.setProperty("--header-h", (sticky ? header.offsetHeight : 0) + "px");
  }
  if (header) {
    headerHeight();
    if (window.ResizeObserver) new ResizeObserver(headerHeight).observe(header);
    window.addEventListener("resize", headerHeight);
  }

  // Theme: follow the system → the opposite of what the system shows → the system's own, chosen → follow again.
  var toggle = document.querySelector(".theme-toggle");
  var ICONS = {auto: "\u25D0", dark: "\u263E", light: "\u2600"};
  function systemDark() { return !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches); }
  function setting() { var t = root.dataset.theme; return t === "dark" || t === "light" ? t : "auto"; }
  function shownDark() { var t = setting(); return t === "auto" ? systemDark() : t === "dark"; }
  function showSetting() {
    var t = setting();
    var label = (toggle.dataset[t] || t);
    toggle.textContent = ICONS[t];
    toggle.setAttribute("aria-label", label);
    toggle.title = label;
    toggle.setAttribute("aria-pressed", String(shownDark()));
  }
  if (toggle) {
    showSetting();
    toggle.addEventListener("click", function () {
      var t = setting(), system = systemDark() ? "dark" : "light";
      var next = t === "auto" ? (system === "dark" ? "light" : "dark") : t !== system ? system : "auto";
      root.dataset.theme = next;
      try {
        if (next === "auto") localStorage.removeItem("theme"); else localStorage.setItem("theme", next);
      } catch (e) { /* private mode */ }
      showSetting();
    });
    if (window.matchMedia) {
      var query = window.matchMedia("(prefers-color-scheme: dark)");
      if (query.addEventListener) query.addEventListener("change", showSetting);
    }
  }

  // Images open at their real size (fit to the screen when larger) in a modal dialog with a close button;
  // the page behind neither scrolls nor takes focus, and focus returns to the image on close.
  var ZOOM = "img.zoomable, .note img, .guide img";
  document.querySelectorAll(ZOOM).forEach(function (img) {
    if (img.closest("a")) return;
    img.tabIndex = 0;
    img.setAttribute("role", "button");
    img.setAttribute("aria-haspopup", "dialog");
  });
  function zoom(img) {
    var dialog = document.createElement("dialog");
    dialog.className = "zoom-overlay";
    dialog.setAttribute("aria-label", img.alt || ui.zoomLabel || "Image");
    var close = document.createElement("button");
    close.type = "button";
    close.className = "zoom-close";
    close.textContent = "\u00D7";
    close.setAttribute("aria-label", ui.close || "Close");
    close.title = ui.close || "Close";
    var big = document.createElement("img");
    big.src = img.currentSrc || img.src;
    big.alt = img.alt;
    var natural = img.naturalWidth || 0;
    if (natural) big.style.width = natural + "px";
    dialog.appendChild(close);
    dialog.appendChild(big);
    document.body.appendChild(dialog);
    root.classList.add("zoomed");
    dialog.addEventListener("close", function () {
      dialog.remove();
      root.classList.remove("zoomed");
      img.focus({preventScroll: true});
    });
    close.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });
    dialog.showModal();
    close.focus();
  }
  document.addEventListener("click", function (event) {
    var img = event.target.closest && event.target.closest(ZOOM);
    if (img && !img.closest("a, dialog")) zoom(img);
  });
  document.addEventListener("keydown", function (event) {
    var img = event.target.matches && event.target.matches(ZOOM) && !event.target.closest("a, dialog") ? event.target : null;
    if (img && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); zoom(img); }
  });

  // A box that scrolls sideways (a wide formula, table or code block) can be scrolled from the keyboard:
  // it takes focus (a tab stop) while it overflows.
  var SCROLLERS = ".katex-display, .note table, .guide table, .note pre, .guide pre, .table-scroll";
  function focusableScrollers() {
    document.querySelectorAll(SCROLLERS).forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1;
      if (scrolls && !el.hasAttribute("tabindex")) { el.tabIndex = 0; el.dataset.scrollFocus = ""; }
      else if (!scrolls && el.hasAttribute("data-scroll-focus")) {
        el.removeAttribute("tabindex"); el.removeAttribute("data-scroll-focus");
      }
    });
  }
  focusableScrollers();
  window.addEventListener("load", focusableScrollers);
  var resizing = 0;
  window.addEventListener("resize", function () { clearTimeout(resizing); resizing = setTimeout(focusableScrollers, 200); });

  // Switching language keeps the reader's place: the same row on the other language's page.
  function place() {
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var top = header && getComputedStyle(header).position === "sticky" ? header.getBoundingClientRect().bottom : 0;
    if (target) {
      var r = target.getBoundingClientRect();
      if (r.bottom > top && r.top < window.innerHeight) return location.hash;
    }
    if (window.scrollY < 10) return "";
    var rows = document.querySelectorAll("main section[id], main h2[id], main h3[id]");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getBoundingClientRect().bottom > top + 8) return "#" + encodeURIComponent(rows[i].id);
    }
    return "";
  }
  document.querySelectorAll(".languages a.lang").forEach(function (a) {
    function keepPlace() { a.href = a.href.split("#")[0] + place(); }
    a.addEventListener("click", keepPlace);
    a.addEventListener("auxclick", keepPlace);
    a.addEventListener("contextmenu", keepPlace);
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
    pre.setAttribute("aria-label", document.body.dataset.codeLabel || "Code");
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

// Search with pagefind (its index is built after mkdocs): results link to the row holding the match, and a
// definition (class, function, method) found by name opens the row that defines it.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  var ui = document.body.dataset;
  var bundle = box.dataset.bundle;
  var input = document.createElement("input");
  input.type = "search";
  input.placeholder = box.dataset.placeholder || "Search";
  input.setAttribute("aria-label", input.placeholder);
  input.setAttribute("autocomplete", "off");
  input.setAttribute("aria-controls", "search-results");
  var list = document.createElement("ol");
  list.id = "search-results";
  list.className = "search-results";
  list.setAttribute("aria-label", ui.searchResults || "Search results");
  list.hidden = true;
  var status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  box.appendChild(input);
  box.appendChild(list);
  box.appendChild(status);
  var engine = null;
  var pending = 0;

  function load() {
    // Resolve against the page: a relative import() would resolve against this script's URL.
    if (!engine) {
      var url = new URL(bundle + "pagefind.js", document.baseURI);
      engine = import(url.href).then(function (pf) {
        // Result URLs are relative to the site's root, which may be a sub-folder of the host.
        return Promise.resolve(pf.options({ baseUrl: new URL("..", url).pathname, excerptLength: 24 }))
          .then(function () { return pf.init(); }).then(function () { return pf; });
      });
    }
    return engine;
  }
  // The row (an element with an id) that holds the first matching word; a definition's record names its row.
  function rowAnchor(data) {
    if (data.url.indexOf("#") >= 0) return "#" + data.url.split("#")[1];
    var at = data.locations && data.locations.length ? data.locations[0] : 0;
    var best = null;
    (data.anchors || []).forEach(function (a) {
      if (a.element === "section" && a.location <= at && (!best || a.location >= best.location)) best = a;
    });
    return best ? "#" + best.id : "";
  }
  function open(yes) {
    list.hidden = !yes;
  }
  function show(items, query) {
    list.innerHTML = "";
    items.forEach(function (data) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = data.url.split("#")[0] + rowAnchor(data);
      var title = document.createElement("strong");
      title.textContent = (data.meta && data.meta.title) || data.url;
      var excerpt = document.createElement("span");
      excerpt.innerHTML = data.excerpt;  // pagefind escapes the text and adds <mark>
      if (data.meta && data.meta.kind === "definition") {
        a.className = "definition";
        var where = document.createElement("small");
        where.textContent = data.meta.page || "";
        a.appendChild(title);
        a.appendChild(where);
      } else {
        a.appendChild(title);
        a.appendChild(excerpt);
      }
      li.appendChild(a);
      list.appendChild(li);
    });
    var noResults = ui.noResults || "No results";
    if (!items.length && query) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = noResults;
      list.appendChild(none);
    }
    status.textContent = query ? (items.length ? items.length + " \u00B7 " + query : noResults) : "";
    open(!!query);
  }
  // Every query word must occur in a result (pagefind also ranks partial matches; a name that occurs
  // nowhere should find nothing).
  function words(query) { return query.toLowerCase().split(/[\s.]+/).filter(Boolean); }
  function matchesAll(data, query) {
    var text = ((data.meta && data.meta.title) || "") + " " + (data.content || "");
    text = text.toLowerCase();
    // A word counts when its stem is there ("normalizing" finds "normalization", as pagefind's stemming does).
    return words(query).every(function (w) { return text.indexOf(w.slice(0, Math.max(4, w.length - 3))) >= 0; });
  }
  input.addEventListener("input", function () {
    var query = input.value.trim();
    var ticket = ++pending;
    if (!query) { show([], ""); return; }
    load().then(function (pf) { return pf.debouncedSearch ? pf.debouncedSearch(query, {}, 150) : pf.search(query); })
      .then(function (search) {
        if (!search || ticket !== pending) return null;
        return Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }));
      })
      .then(function (items) {
        if (!items || ticket !== pending) return;
        items = items.filter(function (d) { return matchesAll(d, query); });
        // Definitions whose name is the query come first, then everything else in pagefind's order.
        var q = query.toLowerCase();
        function exact(d) {
          if (!(d.meta && d.meta.kind === "definition")) return 2;
          var name = (d.meta.title || "").toLowerCase();
          return name === q || name.split(".").pop() === q ? 0 : 1;
        }
        items = items.map(function (d, i) { return [exact(d), i, d]; })
          .sort(function (x, y) { return x[0] - y[0] || x[1] - y[1]; }).map(function (x) { return x[2]; });
        show(items.slice(0, 10), query);
      })
      .catch(function () { show([], query); });
  });
  function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }
  box.addEventListener("keydown", function (event) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (event.key === "Escape") {
      if (!list.hidden) { open(false); quiet = true; input.focus(); quiet = false; event.preventDefault(); }
      else if (input.value) { input.value = ""; show([], ""); }
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) return;
      if (list.hidden) open(true);
      var down = event.key === "ArrowDown";
      if (at < 0) { if (down) all[0].focus(); }
      else if (down) all[Math.min(at + 1, all.length - 1)].focus();
      else if (at === 0) input.focus();
      else all[at - 1].focus();
      event.preventDefault();
    } else if ((event.key === "Home" || event.key === "End") && at >= 0) {
      all[event.key === "Home" ? 0 : all.length - 1].focus();
      event.preventDefault();
    }
  });
  // The results close when focus leaves the search box (Tab, a click elsewhere) and reopen on the field.
  box.addEventListener("focusout", function (event) {
    if (!event.relatedTarget || !box.contains(event.relatedTarget)) open(false);
  });
  document.addEventListener("pointerdown", function (event) {
    if (!box.contains(event.target)) open(false);
  });
  var quiet = false;  // focus handed back by Esc keeps the results closed
  function reopen() { if (!quiet && input.value.trim() && list.children.length) open(true); }
  input.addEventListener("focus", reopen);
  input.addEventListener("click", reopen);
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement === document.body) { input.focus(); event.preventDefault(); }
  });
})();
