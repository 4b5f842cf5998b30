/* The reporting status keeps itself current: when the live figures (static/js/live.js) count
 * new visits, the page fetches itself again and swaps in the counts and the table. Also
 * every minute, since a team turns MISSING when its due time passes without a report. */
(function () {
  "use strict";
  var table = document.querySelector("table.reporting");
  if (!table || !window.fetch || !window.DOMParser) return;
  var visits = null;
  var busy = false;

  function swap() {
    if (busy) return;
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        // Rendered by Django with autoescaping: free text arrives escaped.
        var fresh = new DOMParser().parseFromString(html, "text/html");
        [".status-counts", "table.reporting tbody", ".reporting-as-of"].forEach(function (selector) {
          var now = document.querySelector(selector);
          var next = fresh.querySelector(selector);
          if (now && next && !now.contains(document.activeElement)) now.replaceWith(next);
        });
      })
      .catch(function () {})
      .then(function () {
        busy = false;
      });
  }

  document.addEventListener("observatory:live", function (event) {
    var count = event.detail && event.detail.visits;
    if (visits !== null && count !== visits) swap();
    visits = count;
  });
  window.setInterval(swap, 60000);
})();
