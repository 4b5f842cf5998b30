/* The dashboard keeps itself current: when the live figures (static/js/live.js polls them)
 * say the aggregates moved on, it fetches its figures again, with the page's own filters, and
 * redraws in place the key figures, every chart and the feed (and the map, at most every
 * 30 s). Unfiltered, the key figures come straight from the live figures. No reload. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard-live");
  if (!root || !window.fetch) return;
  var url = root.getAttribute("data-url");
  var asOf = root.getAttribute("data-as-of") || "";
  var lang = document.documentElement.lang || "en";
  var busy = false;
  var mapLoaded = Date.now();
  var severityTexts = JSON.parse(document.getElementById("severity-texts").textContent);

  function number(value) {
    return Number(value || 0).toLocaleString(lang, { numberingSystem: "latn" }); // the server writes Western digits in every language
  }

  function setKey(name, text) {
    var node = document.querySelector('.kf[data-key="' + name + '"] .value');
    if (node) node.textContent = text;
  }

  function severities(counts) {
    Object.keys(counts).forEach(function (severity) {
      var badge = document.querySelector('.kf[data-key="findings"] [data-severity="' + severity + '"]');
      var texts = severityTexts[severity];
      if (badge && texts) badge.textContent = Plural.text(texts, counts[severity], number(counts[severity]));
    });
  }

  /* Unfiltered, the live figures are the page's own key figures: shown at once. */
  function quick(data) {
    if (root.getAttribute("data-unfiltered") !== "true") return;
    setKey("stations", number(data.stations_visited) + " / " + number(data.stations_total));
    setKey("visits", number(data.visits));
    var findings = data.findings || {};
    setKey("findings", number((findings.CRITICAL || 0) + (findings.SERIOUS || 0) + (findings.MINOR || 0)));
    severities(findings);
  }

  /* One chart per animation frame: the key figures and the first charts show while the
   * rest are still being drawn. */
  function drawCharts(figures, done) {
    var config = { displaylogo: false, responsive: true };
    var elements = Array.prototype.slice.call(document.querySelectorAll("[data-figure].js-plotly-plot"));
    (function next() {
      var element = elements.shift();
      if (!element) return done();
      var figure = figures[element.getAttribute("data-figure")];
      if (figure && window.Plotly) window.Plotly.react(element, figure.data, figure.layout, config);
      window.requestAnimationFrame(next);
    })();
  }

  function redraw(body) {
    var k = body.key_figures;
    setKey("stations", number(k.stations_visited) + " / " + number(k.stations_total));
    setKey("visits", number(k.visits));
    setKey("findings", number(k.findings_total));
    setKey("flagged", number(k.flagged));
    var counts = {};
    (k.findings_by_severity || []).forEach(function (row) {
      counts[row.severity] = row.count;
    });
    severities(counts);
    var freshness = document.getElementById("freshness");
    if (freshness && body.as_of) {
      freshness.setAttribute("data-as-of", body.as_of);
      freshness.textContent = freshness
        .getAttribute("data-label")
        .replace("%(time)s", Clock.time(body.as_of, freshness.getAttribute("data-timezone")));
    }
    var feed = document.getElementById("feed");
    // Rendered by Django with autoescaping, as the page's own feed: free text arrives escaped.
    if (feed && typeof body.feed === "string") feed.innerHTML = body.feed;
    drawCharts(body.figures, function () {
      // The map moves slowly and is the heaviest answer: at most once every 30 s.
      if (Date.now() - mapLoaded > 30000) {
        mapLoaded = Date.now();
        document.dispatchEvent(new CustomEvent("observatory:reload-map"));
      }
      document.dispatchEvent(new CustomEvent("observatory:redrawn", { detail: body }));
    });
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
    quick(data);
    if (!data.as_of || data.as_of === asOf || busy) return;
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (body) {
        // Another page may have asked first: then this is the previous answer, which names its
        // own time, and the next poll asks again. Never go back to older figures.
        if (body.as_of && asOf && body.as_of < asOf) return;
        asOf = body.as_of || data.as_of;
        redraw(body);
      })
      .catch(function () {})
      .then(function () {
        busy = false;
      });
  });
})();
