/* The wall display: rotates its panels, polls the live figures every few seconds and, when
 * they move (or every 30 s, for the reporting deadlines), fetches the panels again. Text
 * from the data is set with textContent only. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("wall-config").textContent);
  var panels = Array.prototype.slice.call(document.querySelectorAll(".wall-panel"));
  var dots = document.querySelector(".wall-dots");
  var lang = document.documentElement.lang || "en";
  var current = 0;
  var asOf = null;
  var lastData = 0;
  var plotConfig = { displaylogo: false, responsive: true, staticPlot: true };

  function number(value) {
    return Number(value || 0).toLocaleString(lang, { numberingSystem: "latn" }); // the server writes Western digits in every language
  }

  function show(index) {
    current = index % panels.length;
    panels.forEach(function (panel, i) {
      panel.hidden = i !== current;
    });
    if (dots) {
      dots.textContent = "";
      panels.forEach(function (_, i) {
        var dot = document.createElement("span");
        dot.className = i === current ? "dot on" : "dot";
        dots.appendChild(dot);
      });
    }
    var chart = panels[current].querySelector(".wall-chart.js-plotly-plot");
    if (chart && window.Plotly) window.Plotly.Plots.resize(chart);
    document.body.setAttribute("data-panel", panels[current].getAttribute("data-panel"));
  }

  function draw(body) {
    body.panels.forEach(function (panel) {
      var section = document.querySelector('.wall-panel[data-panel="' + panel.name + '"]');
      if (!section) return;
      if (panel.figure) {
        var chart = section.querySelector(".wall-chart");
        if (window.Plotly) window.Plotly.react(chart, panel.figure.data, panel.figure.layout, plotConfig);
      } else if (panel.incidents) {
        var list = section.querySelector(".wall-incidents");
        list.textContent = "";
        if (!panel.incidents.length) {
          var empty = document.createElement("li");
          empty.textContent = list.getAttribute("data-empty");
          list.appendChild(empty);
        }
        panel.incidents.forEach(function (item) {
          var li = document.createElement("li");
          li.setAttribute("data-incident", item.id);
          var head = document.createElement("strong");
          head.textContent = item.at + " · " + item.station + " · " + item.region;
          var what = document.createElement("span");
          what.className = "what";
          what.textContent = item.category + (item.description ? " – " + item.description : "");
          li.appendChild(head);
          li.appendChild(what);
          list.appendChild(li);
        });
      } else if (panel.stages) {
        var body_ = section.querySelector("tbody");
        body_.textContent = "";
        panel.stages.forEach(function (stage) {
          var row = document.createElement("tr");
          [stage.label, stage.due_at, stage.counts.MISSING, stage.counts.PENDING, stage.counts.OK].forEach(function (value, i) {
            var cell = document.createElement("td");
            cell.textContent = i > 1 ? number(value) : value;
            if (i > 1) cell.className = "num" + (i === 2 && value ? " missing" : "");
            row.appendChild(cell);
          });
          body_.appendChild(row);
        });
      }
    });
    show(current);
  }

  function load() {
    lastData = Date.now();
    return fetch(config.data, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(draw)
      .catch(function () {});
  }

  function poll() {
    fetch(config.live, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        document.getElementById("wall-visits").textContent = number(data.visits);
        document.getElementById("wall-stations").textContent =
          number(data.stations_visited) + " / " + number(data.stations_total);
        document.getElementById("wall-critical").textContent = number(data.findings.CRITICAL);
        document.getElementById("wall-new").textContent = number(data.incidents_new);
        var label = document.getElementById("wall-asof");
        if (data.as_of) {
          label.textContent = label
            .getAttribute("data-label")
            .replace("%(time)s", Clock.time(data.as_of, config.timezone));
        }
        document.body.setAttribute("data-as-of", data.as_of || "");
        if (data.as_of !== asOf || Date.now() - lastData > 30000) {
          asOf = data.as_of;
          load();
        }
      })
      .catch(function () {});
  }

  document.getElementById("wall-fullscreen").addEventListener("click", function () {
    var root = document.documentElement;
    if (root.requestFullscreen) root.requestFullscreen().catch(function () {});
  });
  show(0);
  poll();
  window.setInterval(poll, (config.poll || 3) * 1000);
  window.setInterval(function () {
    show(current + 1);
  }, (config.rotate || 12) * 1000);
})();
