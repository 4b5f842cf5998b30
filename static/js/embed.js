/* An embedded chart: drawn at its print size (so nothing moves from what the server laid
 * out and measured) and scaled to the width of the frame it sits in. */
(function () {
  "use strict";

  var frame = document.getElementById("embed-frame");
  var element = frame.querySelector("[data-figure]");
  var figure = JSON.parse(document.getElementById("embed-figure").textContent);
  var width = Number(frame.getAttribute("data-width"));

  function fit() {
    frame.style.transform = "scale(" + Math.min(1, window.innerWidth / width) + ")";
  }

  // Static: plotly's hover boxes land in the wrong place under a CSS scale.
  window.Plotly.newPlot(element, figure.data, figure.layout, { staticPlot: true });
  fit();
  window.addEventListener("resize", fit);
})();
