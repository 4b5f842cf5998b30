/* The coordinator dashboard: draws the figures the server embedded as JSON, loads the
 * coverage map, follows clicks on areas to their drill-down page, and refreshes the feed of
 * critical and serious findings every 15 seconds without reloading the page.
 * No inline script, no eval: it runs under the site's Content-Security-Policy. */
(function () {
  "use strict";

  var config = {
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
    toImageButtonOptions: { format: "png", scale: 2 }
  };

  function linkOf(point) {
    // Bars carry the drill-down URL as the last item of their customdata, heat-map cells as
    // their customdata. Only same-site paths are followed.
    var data = point && point.customdata;
    var link = Array.isArray(data) ? data[data.length - 1] : data;
    if (typeof link === "string" && link.charAt(0) === "/" && link.charAt(1) !== "/") {
      return link;
    }
    return null;
  }

  function draw(element, figure) {
    if (!window.Plotly || !figure) {
      return;
    }
    element.textContent = "";
    window.Plotly.newPlot(element, figure.data, figure.layout, config).then(function (plot) {
      plot.on("plotly_click", function (event) {
        var link = linkOf(event && event.points && event.points[0]);
        if (link) {
          window.location.assign(link);
        }
      });
    });
  }

  function drawEmbedded() {
    var source = document.getElementById("dashboard-figures");
    if (!source) {
      return;
    }
    var figures = JSON.parse(source.textContent);
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      draw(element, figures[element.getAttribute("data-figure")]);
    });
  }

  function loadMap() {
    document.querySelectorAll("[data-figure-url]").forEach(function (element) {
      fetch(element.getAttribute("data-figure-url"), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (body) {
          draw(element, body.figure);
        })
        .catch(function () {
          element.textContent = element.getAttribute("data-error") || "The map could not be loaded.";
        });
    });
  }

  function pollFeed() {
    var feed = document.getElementById("feed");
    if (!feed) {
      return;
    }
    var url = feed.getAttribute("data-poll-url");
    var seconds = parseFloat(feed.getAttribute("data-poll-seconds")) || 15;
    var busy = false;
    function refresh() {
      if (busy || document.hidden) {
        return;
      }
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.text();
        })
        .then(function (html) {
          // The fragment is rendered by Django with autoescaping: free text arrives escaped.
          feed.innerHTML = html;
          feed.removeAttribute("data-stale");
        })
        .catch(function () {
          feed.setAttribute("data-stale", "true");
        })
        .then(function () {
          busy = false;
        });
    }
    window.setInterval(refresh, seconds * 1000);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) {
        refresh();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawEmbedded();
    loadMap();
    pollFeed();
  });
  // dashboard_live.js: the map's measure was switched, or the aggregates moved on.
  document.addEventListener("observatory:reload-map", loadMap);

})();
