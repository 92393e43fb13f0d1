// Dashboard charts: fetch the series once, draw each chart with uPlot (vendored).
(function () {
  "use strict";
  var root = document.getElementById("charts");
  if (!root) return;
  var css = getComputedStyle(document.documentElement);
  function cssVar(name) { return css.getPropertyValue(name).trim(); }
  var PALETTE = ["#3b82f6", "#8b5cf6", "#10b981", "#f59e0b", "#ef4444", "#06b6d4", "#ec4899", "#84cc16"];
  var axisColor = cssVar("--muted"), gridColor = cssVar("--border");

  function fmtMs(v) {
    if (v == null) return "—";
    if (v >= 60000) return (v / 60000).toFixed(1) + " min";
    return v >= 1000 ? (v / 1000).toFixed(2) + " s" : Math.round(v) + " ms";
  }
  function fmtMsAxis(v) {
    if (v == null) return "";
    if (v >= 60000) return +(v / 60000).toFixed(1) + " min";
    return v >= 1000 ? +(v / 1000).toFixed(1) + " s" : Math.round(v) + " ms";
  }
  function fmtNum(v) {
    if (v == null) return "—";
    return Math.abs(v) < 10 && v % 1 ? v.toFixed(1) : Math.round(v).toLocaleString("en");
  }
  function fmtCompact(v) {
    if (v == null) return "—";
    if (v >= 1e6) return (v / 1e6).toFixed(2) + " M";
    if (v >= 1e4) return (v / 1e3).toFixed(1) + " k";
    if (v >= 1e3) return (v / 1e3).toFixed(1) + " k";
    return fmtNum(v);
  }
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  // x ticks in UTC, 24-hour clock; the date where it changes.
  function fmtTicks(u, splits) {
    var prevDay = null;
    return splits.map(function (s) {
      var d = new Date(s * 1000), day = d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
      var hm = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
      var label = day !== prevDay ? hm + "\n" + day.slice(5) : hm;
      prevDay = day;
      return label;
    });
  }
  function fmtUsd(v) { return v == null ? "—" : "$" + (v < 0.01 ? v.toPrecision(2) : v.toFixed(2)); }

  function fmtUsdAxis(v) { return v == null ? "" : "$" + +v.toPrecision(2); }
  var AXIS_FORMAT = {};
  function axes(fmt) {
    var axisFmt = AXIS_FORMAT[fmt.name] || fmt;
    return [
      { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor }, values: fmtTicks },
      { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor }, size: 78,
        values: function (u, splits) { return splits.map(axisFmt); } },
    ];
  }

  function draw(id, x, lines, fmt) {
    var el = document.getElementById("chart-" + id);
    if (!el) return;
    el.textContent = "";
    var series = [{ label: "time (UTC)", value: function (u, v) {
      return v == null ? "" : new Date(v * 1000).toISOString().slice(0, 16).replace("T", " ");
    } }];
    var data = [x];
    lines.forEach(function (line, k) {
      series.push({ label: line.label, stroke: line.color || PALETTE[k % PALETTE.length], width: 2,
        value: function (u, v) { return fmt(v); },
        fill: line.fill ? (line.color || PALETTE[k % PALETTE.length]) + "22" : undefined });
      data.push(line.values);
    });
    var any = lines.some(function (l) { return l.values.some(function (v) { return v != null; }); });
    if (!lines.length || x.length === 0 || !any) { el.innerHTML = '<p class="empty">No data in this window.</p>'; return; }
    var opts = {
      width: el.clientWidth || 400, height: (el.clientHeight || 270) - 60,
      series: series, axes: axes(fmt), legend: { live: true },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
    };
    var chart = new uPlot(opts, data, el);
    charts.push([chart, el]);
  }

  AXIS_FORMAT = { fmtMs: fmtMsAxis, fmtNum: fmtCompact, fmtUsd: fmtUsdAxis };
  var charts = [];
  function setTotal(name, text) {
    var el = document.querySelector('[data-total="' + name + '"]');
    if (el) el.textContent = text;
  }

  fetch(root.dataset.src, { credentials: "same-origin" })
    .then(function (r) {
      if (r.status === 401) { window.location.reload(); throw new Error("login"); }
      return r.json();
    })
    .then(function (d) {
      var t = d.totals;
      setTotal("requests", fmtNum(t.requests));
      setTotal("error_rate", t.error_rate == null ? "—" : (t.error_rate * 100).toFixed(1) + " %");
      setTotal("worst_p95_ms", fmtMs(t.worst_p95_ms));
      setTotal("tokens", fmtCompact(t.input_tokens) + " / " + fmtCompact(t.output_tokens));
      setTotal("cost", fmtUsd(t.cost));
      var x = d.x;
      draw("requests", x, [
        { label: "requests", values: d.requests, fill: true },
        { label: "errors", values: d.errors, color: "#ef4444" },
      ], fmtNum);
      draw("error_rate", x, [{ label: "error rate %", values: d.error_rate, color: "#ef4444" }],
        function (v) { return v == null ? "—" : v.toFixed(1) + " %"; });
      draw("latency", x, [
        { label: "p50", values: d.p50 }, { label: "p95", values: d.p95, color: "#f59e0b" },
        { label: "p99", values: d.p99, color: "#ef4444" },
      ], fmtMs);
      draw("ttft", x, [{ label: "TTFT", values: d.ttft, color: "#8b5cf6" }], fmtMs);
      draw("tokens", x, [
        { label: "input", values: d.input_tokens }, { label: "output", values: d.output_tokens, color: "#10b981" },
      ], fmtNum);
      draw("cost", x, [{ label: "cost", values: d.cost, color: "#10b981", fill: true }], fmtUsd);
      draw("group_requests", x, d.groups.map(function (g, k) {
        return { label: g, values: d.group_requests[k] };
      }), fmtNum);
      draw("group_cost", x, d.groups.map(function (g, k) {
        return { label: g, values: d.group_cost[k] };
      }), fmtUsd);
      root.dataset.ready = "1";
    })
    .catch(function (e) {
      if (e.message !== "login") root.insertAdjacentHTML("afterbegin", '<p class="alert error">Could not load the metrics.</p>');
    });

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      charts.forEach(function (c) { c[0].setSize({ width: c[1].clientWidth, height: c[1].clientHeight - 60 }); });
    }, 150);
  });
})();
