// Glue for every page: the project switcher, the CSRF header on htmx requests, auto-refresh.
// No inline scripts anywhere (the Content-Security-Policy forbids them).
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("select[data-navigate]")) window.location.href = el.value;
    if (el.matches && el.matches("select[data-submit]")) el.form.submit();
  });
  document.addEventListener("htmx:configRequest", function (e) {
    var token = document.body.dataset.csrf;
    if (token) e.detail.headers["X-CSRF-Token"] = token;
  });

  // A feedback form that htmx posted: clear it for the next score.
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (e.detail.successful && form.matches && form.matches("form.feedback")) {
      var name = form.querySelector("input[name=name]").value;
      form.reset();
      form.querySelector("input[name=name]").value = name;
    }
  });

  // A refused feedback post (a missing value, an expired login): say why under the form.
  // htmx does not swap 4xx answers, and the score list must stay where it is.
  document.addEventListener("htmx:responseError", function (e) {
    var form = e.detail.elt;
    if (!form.matches || !form.matches("form.feedback")) return;
    var old = form.querySelector(".alert");
    if (old) old.remove();
    var note = document.createElement("p");
    note.className = "alert error";
    note.textContent = e.detail.xhr.status === 400
      ? "Give a score: thumbs up or down, a number or a label."
      : "The score was not saved (" + e.detail.xhr.status + "). Reload the page and try again.";
    form.appendChild(note);
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (e.detail.successful && form.matches && form.matches("form.feedback")) {
      var old = form.querySelector(".alert");
      if (old) old.remove();
    }
  });

  // Traces list: poll the first page while the box is ticked; the choice lives in the URL.
  var REFRESH_MS = 5000;
  var timer = null;
  function poll() {
    var rows = document.getElementById("trace-rows");
    if (!rows || !window.htmx) return;
    window.htmx.ajax("GET", rows.dataset.src, { target: "#trace-rows", swap: "outerHTML" });
  }
  function setRefresh(on) {
    if (timer) { clearInterval(timer); timer = null; }
    if (on) timer = setInterval(poll, REFRESH_MS);
    var url = new URL(window.location.href);
    if (on) url.searchParams.set("refresh", "1"); else url.searchParams.delete("refresh");
    history.replaceState(null, "", url);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("autorefresh");
    if (!box) return;
    box.addEventListener("change", function () { setRefresh(box.checked); });
    if (box.checked) setRefresh(true);
  });
})();
