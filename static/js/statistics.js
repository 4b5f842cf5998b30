// Draws every figure of a statistics page: <div class="figure" data-figure="ID"> takes the
// Plotly figure JSON of <script type="application/json" id="ID"> (Django's json_script).
(function () {
  "use strict";
  function draw() {
    if (typeof Plotly === "undefined") {
      return;
    }
    document.querySelectorAll("div.figure[data-figure]").forEach(function (target) {
      var source = document.getElementById(target.getAttribute("data-figure"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      if (!figure || !figure.data) {
        return;
      }
      Plotly.newPlot(target, figure.data, figure.layout || {}, {
        responsive: true,
        displaylogo: false,
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
