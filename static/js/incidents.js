/* The incidents queue and an incident's page: how long ago each came in (kept current), NEW
 * ones older than the limit highlighted, and "tick all" for the bulk acknowledgement. */
(function () {
  "use strict";
  var table = document.querySelector("table.incidents");
  var staleMinutes = table ? parseFloat(table.getAttribute("data-stale-minutes")) || 15 : 15;
  var lang = document.documentElement.lang || "en";
  var format = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "always", style: "short" }) : null;

  function since(date) {
    var minutes = Math.max(0, Math.floor((Date.now() - date.getTime()) / 60000));
    if (!format) return minutes + " min";
    if (minutes < 60) return format.format(-minutes, "minute");
    if (minutes < 48 * 60) return format.format(-Math.floor(minutes / 60), "hour");
    return format.format(-Math.floor(minutes / 1440), "day");
  }

  function refresh() {
    document.querySelectorAll("[data-since]").forEach(function (node) {
      node.textContent = since(new Date(node.getAttribute("data-since")));
    });
    document.querySelectorAll("[data-incident][data-at]").forEach(function (row) {
      var age = (Date.now() - new Date(row.getAttribute("data-at")).getTime()) / 60000;
      row.classList.toggle("stale", row.getAttribute("data-triage") === "NEW" && age > staleMinutes);
    });
  }

  var all = document.getElementById("tick-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=findings]:not(:disabled)").forEach(function (box) {
        box.checked = all.checked;
      });
    });
  }
  refresh();
  window.setInterval(refresh, 30000);
})();
