/* The briefing editor: the preview shows the summary being edited (the text area that last
 * had the focus), rendered and sanitised by the server, so it is exactly what the press will
 * read. Requests are debounced; an answer that arrives after a newer one is dropped. */
(function () {
  "use strict";

  var form = document.getElementById("briefing-editor");
  var preview = document.getElementById("summary-preview");
  if (!form || !preview) {
    return;
  }
  var url = form.getAttribute("data-preview-url");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timer = null;
  var sent = 0;

  function render(area) {
    var ticket = ++sent;
    var body = new URLSearchParams();
    body.set("text", area.value);
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token },
      body: body
    })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        if (ticket === sent) {
          // The server's sanitised HTML (common/markdown.py): no script survives it.
          preview.innerHTML = html;
          preview.setAttribute("lang", area.getAttribute("lang") || document.documentElement.lang);
        }
      })
      .catch(function () {});
  }

  form.querySelectorAll("textarea[data-preview]").forEach(function (area) {
    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        render(area);
      }, 250);
    });
    area.addEventListener("focus", function () {
      render(area);
    });
  });
  var first = form.querySelector("textarea[data-preview]");
  if (first && first.value) {
    render(first);
  }
})();
