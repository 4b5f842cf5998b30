/* The dashboard keeps itself current: when the live figures (static/js/live.js polls them)
 * say the aggregates moved on, it fetches its figures again, with the page's own filters, and
 * redraws every chart in place, the key figures, the map and the feed. No reload. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard-live");
  if (!root || !window.fetch) return;
  var url = root.getAttribute("data-url");
  var asOf = root.getAttribute("data-as-of") || "";
  var lang = document.documentElement.lang || "en";
  var busy = false;

  function number(value) {
    return Number(value || 0).toLocaleString(lang);
  }

  function setKey(name, text) {
    var node = document.querySelector('.kf[data-key="' + name + '"] .value');
    if (node) node.textContent = text;
  }

  function redraw(body) {
    var config = { displaylogo: false, responsive: true };
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var figure = body.figures[element.getAttribute("data-figure")];
      if (figure && window.Plotly && element.classList.contains("js-plotly-plot")) {
        window.Plotly.react(element, figure.data, figure.layout, config);
      }
    });
    var k = body.key_figures;
    setKey("stations", number(k.stations_visited) + " / " + number(k.stations_total));
    setKey("visits", number(k.visits));
    setKey("findings", number(k.findings_total));
    setKey("flagged", number(k.flagged));
    (k.findings_by_severity || []).forEach(function (row) {
      var badge = document.querySelector('.kf[data-key="findings"] [data-severity="' + row.severity + '"]');
      if (badge) badge.textContent = number(row.count) + " " + row.label.toLowerCase();
    });
    var freshness = document.getElementById("freshness");
    if (freshness && body.as_of) {
      freshness.setAttribute("data-as-of", body.as_of);
      freshness.textContent =
        (freshness.getAttribute("data-label") || "Figures as of") + " " +
        new Date(body.as_of).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    }
    document.dispatchEvent(new CustomEvent("observatory:reload-map"));
    document.dispatchEvent(new CustomEvent("observatory:reload-feed"));
    document.dispatchEvent(new CustomEvent("observatory:redrawn", { detail: body }));
  }

  // The map's measure: coverage or turnout.
  document.querySelectorAll("[data-map-measure]").forEach(function (button) {
    button.addEventListener("click", function () {
      var map = document.querySelector("[data-figure-url]");
      var target = new URL(map.getAttribute("data-figure-url"), window.location.href);
      target.searchParams.set("measure", button.getAttribute("data-map-measure"));
      map.setAttribute("data-figure-url", target.pathname + target.search);
      document.querySelectorAll("[data-map-measure]").forEach(function (other) {
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      });
      document.dispatchEvent(new CustomEvent("observatory:reload-map"));
    });
  });

  document.addEventListener("observatory:live", function (event) {
    var data = event.detail || {};
    setKey("incidents", number(data.incidents_new));
    if (!data.as_of || data.as_of === asOf || busy) return;
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (body) {
        asOf = data.as_of;
        redraw(body);
      })
      .catch(function () {})
      .then(function () {
        busy = false;
      });
  });
})();
