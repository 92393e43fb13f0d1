// The span tree and waterfall of a trace page, as a virtualised list.
//
// The page embeds every span once as a compact array (see ui/trace.py compact_spans), in
// depth-first order, so a subtree is a contiguous run of rows. Only the rows in view (plus a
// margin) are in the DOM, so a 10,000-span trace costs the same to scroll as a 20-span one.
// Large traces open folded below depth 2. A span's detail is fetched as an HTML fragment.
(function () {
  "use strict";
  var ID = 0, PARENT = 1, DEPTH = 2, NAME = 3, KIND = 4, START = 5, DUR = 6, ERR = 7,
    MODEL = 8, TOKENS = 9;
  var ROW_PX = 26, OVERSCAN = 12, INDENT_PX = 14, MAX_INDENT_LEVELS = 30;
  // Above this many spans the tree opens folded: a person reads the top levels first.
  var FOLD_ABOVE = 300, FOLD_DEPTH = 2;
  // Arrow keys move the selection at once and load the detail when they pause.
  var DETAIL_DELAY_MS = 120;

  var data = JSON.parse(document.getElementById("tree-data").textContent);
  // Offsets and durations arrive in whole microseconds.
  var spans = data.spans, n = spans.length, total = data.total_us;
  var tree = document.getElementById("tree");
  var rowsEl = document.getElementById("tree-rows");
  var spacer = document.getElementById("tree-spacer");
  var detail = document.getElementById("span-detail");
  var filterBox = document.getElementById("tree-filter");

  var size = new Int32Array(n), kids = new Int32Array(n), folded = new Uint8Array(n);
  var i, p;
  for (i = 0; i < n; i++) size[i] = 1;
  for (i = n - 1; i >= 0; i--) {
    p = spans[i][PARENT];
    if (p >= 0) { size[p] += size[i]; kids[p] += 1; }
  }
  if (n > FOLD_ABOVE) {
    for (i = 0; i < n; i++) if (kids[i] && spans[i][DEPTH] >= FOLD_DEPTH) folded[i] = 1;
  }
  var visible = [], selected = -1, filterText = "", loadTimer = null, loadSeq = 0;

  function rebuild() {
    visible = [];
    if (filterText) {
      var keep = new Uint8Array(n), j, q = filterText;
      for (j = 0; j < n; j++) {
        var s = spans[j];
        if (s[NAME].toLowerCase().indexOf(q) >= 0 || (s[MODEL] || "").toLowerCase().indexOf(q) >= 0) {
          for (var a = j; a >= 0 && !keep[a]; a = spans[a][PARENT]) keep[a] = 1;
        }
      }
      for (j = 0; j < n; j++) if (keep[j]) visible.push(j);
    } else {
      for (var k = 0; k < n;) { visible.push(k); k += folded[k] ? size[k] : 1; }
    }
    spacer.style.height = visible.length * ROW_PX + "px";
    // A shorter list than before: stay within it (the browser clamps later than we render).
    var maxTop = Math.max(0, visible.length * ROW_PX - tree.clientHeight);
    if (tree.scrollTop > maxTop) tree.scrollTop = maxTop;
    render();
  }

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function fmtUs(us) { return fmtMs(us / 1000); }
  function fmtMs(ms) {
    if (ms >= 60000) return (ms / 60000).toFixed(1) + " min";
    if (ms >= 1000) return (ms / 1000).toFixed(2) + " s";
    if (ms >= 1) return Math.round(ms) + " ms";
    return Math.round(ms * 1000) + " µs";
  }

  function render() {
    var top = tree.scrollTop, height = tree.clientHeight || 600;
    var first = Math.max(0, Math.floor(top / ROW_PX) - OVERSCAN);
    var last = Math.min(visible.length, Math.ceil((top + height) / ROW_PX) + OVERSCAN);
    var html = [];
    for (var v = first; v < last; v++) {
      var idx = visible[v], s = spans[idx], depth = s[DEPTH];
      var left = (s[START] / total) * 100, width = Math.max((s[DUR] / total) * 100, 0.2);
      if (left > 99.8) left = 99.8;
      var twisty = kids[idx] ? (folded[idx] && !filterText ? "▸" : "▾") : "";
      var pad = Math.min(depth, MAX_INDENT_LEVELS) * INDENT_PX;
      html.push(
        '<div class="srow' + (idx === selected ? " sel" : "") + (s[ERR] ? " err" : "") +
        '" role="treeitem" data-i="' + idx + '"' + (kids[idx] ? ' aria-expanded="' + !folded[idx] + '"' : "") +
        ' aria-level="' + (depth + 1) + '"><span class="label" style="padding-left:' + pad + 'px">' +
        '<span class="tw" data-toggle="1">' + twisty + "</span>" +
        (depth > MAX_INDENT_LEVELS ? '<span class="muted small">' + depth + "</span>" : "") +
        '<span class="kind ' + esc(s[KIND]) + '">' + esc(s[KIND]) + "</span>" +
        '<span class="nm" title="' + esc(s[NAME]) + '">' + esc(s[NAME]) + "</span>" +
        (s[MODEL] ? '<span class="chip">' + esc(s[MODEL]) + "</span>" : "") +
        (folded[idx] && !filterText ? '<span class="muted small">+' + (size[idx] - 1) + "</span>" : "") +
        '<span class="d">' + fmtUs(s[DUR]) + (s[TOKENS] ? " · " + s[TOKENS] + " tok" : "") + "</span>" +
        '</span><span class="wf"><i class="' + esc(s[KIND]) + (s[ERR] ? " e" : "") +
        '" style="left:' + left.toFixed(3) + "%;width:" + width.toFixed(3) + '%"></i></span></div>'
      );
    }
    rowsEl.style.transform = "translateY(" + first * ROW_PX + "px)";
    rowsEl.innerHTML = html.join("");
  }

  function toggle(idx) {
    if (!kids[idx]) return;
    folded[idx] = folded[idx] ? 0 : 1;
    rebuild();
  }

  function reveal(idx) {
    for (var a = spans[idx][PARENT]; a >= 0; a = spans[a][PARENT]) folded[a] = 0;
  }

  function scrollTo(idx) {
    var pos = visible.indexOf(idx);
    if (pos < 0) return;
    var y = pos * ROW_PX;
    if (y < tree.scrollTop) tree.scrollTop = y;
    else if (y + ROW_PX > tree.scrollTop + tree.clientHeight) tree.scrollTop = y + ROW_PX - tree.clientHeight;
  }

  function loadDetail(idx) {
    var seq = ++loadSeq;
    var id = spans[idx][ID];
    fetch(data.detail_url + id, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401) { window.location.reload(); return null; }
        return r.text();
      })
      .then(function (html) {
        if (html === null || seq !== loadSeq) return;
        detail.innerHTML = html;
        if (window.htmx) window.htmx.process(detail);
      })
      .catch(function () {
        if (seq === loadSeq) detail.innerHTML = '<p class="alert error">Could not load the span.</p>';
      });
    history.replaceState(null, "", "#span=" + id);
  }

  function select(idx, immediately) {
    selected = idx;
    render();
    scrollTo(idx);
    clearTimeout(loadTimer);
    if (immediately) loadDetail(idx);
    else loadTimer = setTimeout(function () { loadDetail(idx); }, DETAIL_DELAY_MS);
  }

  rowsEl.addEventListener("click", function (e) {
    var row = e.target.closest(".srow");
    if (!row) return;
    var idx = +row.dataset.i;
    if (e.target.closest("[data-toggle]") && kids[idx]) { toggle(idx); return; }
    select(idx, true);
  });
  rowsEl.addEventListener("dblclick", function (e) {
    var row = e.target.closest(".srow");
    if (row) toggle(+row.dataset.i);
  });
  var ticking = false;
  tree.addEventListener("scroll", function () {
    if (ticking) return;
    ticking = true;
    requestAnimationFrame(function () { ticking = false; render(); });
  });
  window.addEventListener("resize", render);

  tree.addEventListener("keydown", function (e) {
    var pos = visible.indexOf(selected), idx = selected;
    if (e.key === "ArrowDown" || e.key === "j") { if (pos < visible.length - 1) select(visible[pos + 1]); }
    else if (e.key === "ArrowUp" || e.key === "k") { if (pos > 0) select(visible[pos - 1]); }
    else if (e.key === "Home") { if (visible.length) select(visible[0]); }
    else if (e.key === "End") { if (visible.length) select(visible[visible.length - 1]); }
    else if (e.key === "ArrowRight" && idx >= 0) {
      if (kids[idx] && folded[idx]) toggle(idx);
      else if (kids[idx]) select(idx + 1);
    } else if (e.key === "ArrowLeft" && idx >= 0) {
      if (kids[idx] && !folded[idx]) toggle(idx);
      else if (spans[idx][PARENT] >= 0) select(spans[idx][PARENT]);
    } else if (e.key === "Enter" && idx >= 0) { select(idx, true); }
    else return;
    e.preventDefault();
  });

  // On call, the failed span is the one to read first: jump to the next one, unfolding it.
  function nextError() {
    for (var k = 1; k <= n; k++) {
      var j = (selected + k + n) % n;
      if (spans[j][ERR]) {
        if (filterText) { filterText = ""; filterBox.value = ""; }
        reveal(j);
        rebuild();
        select(j, true);
        return;
      }
    }
  }
  var errorButton = document.getElementById("next-error");
  if (errorButton) errorButton.addEventListener("click", nextError);
  tree.addEventListener("keydown", function (e) {
    if (e.key === "e") { nextError(); e.preventDefault(); }
  });

  document.getElementById("expand-all").addEventListener("click", function () {
    folded.fill(0); rebuild();
  });
  document.getElementById("collapse-all").addEventListener("click", function () {
    for (var j = 0; j < n; j++) folded[j] = kids[j] && spans[j][DEPTH] >= 1 ? 1 : 0;
    rebuild();
  });
  var filterTimer = null;
  filterBox.addEventListener("input", function () {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(function () {
      filterText = filterBox.value.trim().toLowerCase();
      rebuild();
    }, 150);
  });

  // Open at the span named in the URL (#span=<id>), else at the root.
  var wanted = /#span=([0-9a-f]{16})/.exec(window.location.hash);
  var start = 0;
  if (wanted) {
    for (i = 0; i < n; i++) if (spans[i][ID] === wanted[1]) { start = i; break; }
    reveal(start);
  }
  rebuild();
  if (n) select(start, true);
  window.spyglassTree = { ready: true, spans: n };
  // The same, in the DOM: tests and tools can wait for it without evaluating script in the
  // page, which the Content-Security-Policy forbids (no 'unsafe-eval').
  tree.dataset.ready = "1";
})();
