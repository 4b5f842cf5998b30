/* A press briefing: draws the charts the server embedded as JSON (the modebar's camera
 * button downloads a PNG), and builds the briefing pack on request, showing its progress by
 * polling a JSON status URL. No inline script, no eval: it runs under the site's CSP. */
(function () {
  "use strict";

  var POLL_MS = 1000;

  function drawCharts() {
    var source = document.getElementById("briefing-figures");
    if (!source || !window.Plotly) {
      return;
    }
    var figures = JSON.parse(source.textContent);
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var figure = figures[element.getAttribute("data-figure")];
      if (!figure) {
        return;
      }
      window.Plotly.newPlot(element, figure.data, figure.layout, {
        displaylogo: false,
        displayModeBar: true,
        responsive: true,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
        toImageButtonOptions: {
          format: "png",
          scale: 2,
          filename: element.getAttribute("data-filename") || "chart"
        }
      });
    });
  }

  function packBuilder() {
    var form = document.getElementById("pack-form");
    var link = document.getElementById("pack-link");
    var progress = document.getElementById("pack-progress");
    var message = document.getElementById("pack-message");
    if (!form || !link) {
      return;
    }
    var statusUrl = form.getAttribute("data-status-url");
    var fileUrl = form.getAttribute("data-file-url");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var busy = false;

    function text(name) {
      return form.getAttribute("data-msg-" + name) || "";
    }

    function show(state) {
      progress.hidden = false;
      progress.value = state.percent || 0;
      if (state.status === "READY") {
        progress.value = 100;
        message.textContent = text("ready");
      } else if (state.status === "FAILED") {
        message.textContent = state.error || text("failed");
      } else if (state.total) {
        message.textContent = text("pages")
          .replace("%(done)s", state.done)
          .replace("%(total)s", state.total);
      } else {
        message.textContent = text("queued");
      }
    }

    function fail(reason) {
      busy = false;
      progress.hidden = true;
      message.textContent = reason;
    }

    function poll() {
      fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          show(state);
          if (state.status === "READY") {
            busy = false;
            window.location.assign(fileUrl);
          } else if (state.status === "FAILED") {
            busy = false;
          } else {
            window.setTimeout(poll, POLL_MS);
          }
        })
        .catch(function () { fail(text("offline")); });
    }

    link.addEventListener("click", function (event) {
      event.preventDefault();
      if (busy) {
        return;
      }
      busy = true;
      show({ status: "QUEUED", percent: 0 });
      fetch(statusUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "X-CSRFToken": token ? token.value : ""
        }
      })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) {
              fail(body.detail || text("failed"));
              return;
            }
            show(body);
            if (body.status === "READY") {
              busy = false;
              window.location.assign(fileUrl);
            } else if (body.status === "FAILED") {
              busy = false;
            } else {
              window.setTimeout(poll, POLL_MS);
            }
          });
        })
        .catch(function () { fail(text("offline")); });
    });
  }

  drawCharts();
  packBuilder();
})();
