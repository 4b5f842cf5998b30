/* The briefing room's presentation: one 1600 x 900 slide at a time, scaled to the screen.
 * Right arrow, Page Down, space or a click: next; left arrow, Page Up: back; Home, End;
 * F: full screen. Charts are drawn once, static (no hover), from the JSON the server laid out
 * at slide size, so they look as in the slide PDF. No inline script: it runs under the CSP. */
(function () {
  "use strict";

  var deck = document.getElementById("deck");
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  var number = document.getElementById("slide-number");
  var width = Number(deck.getAttribute("data-width"));
  var height = Number(deck.getAttribute("data-height"));
  var figures = JSON.parse(document.getElementById("present-figures").textContent);
  var current = 0;

  function fit() {
    // Out of full screen the control bar keeps its strip at the bottom; in full screen it
    // hides and the slide takes the whole screen.
    var bar = document.fullscreenElement ? 0 : document.querySelector(".present-bar").offsetHeight;
    var room = window.innerHeight - bar;
    var scale = Math.min(window.innerWidth / width, room / height);
    slides.forEach(function (slide) {
      slide.style.left = "50%";
      slide.style.top = room / 2 + "px";
      slide.style.transform = "translate(-50%, -50%) scale(" + scale + ")";
    });
  }

  function draw(slide) {
    var element = slide.querySelector("[data-figure]");
    if (!element || element.getAttribute("data-drawn") || !window.Plotly) {
      return;
    }
    var figure = figures[element.getAttribute("data-figure")];
    // Plotly measures text: the slide must be laid out (not display: none) while it draws.
    slide.classList.add("drawing");
    window.Plotly.newPlot(element, figure.data, figure.layout, {
      staticPlot: true,
      displayModeBar: false
    });
    slide.classList.remove("drawing");
    element.setAttribute("data-drawn", "1");
  }

  function show(index) {
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach(function (slide, i) {
      slide.classList.toggle("current", i === current);
    });
    draw(slides[current]);
    number.textContent = current + 1 + " / " + slides.length;
    if (window.history.replaceState) {
      window.history.replaceState(null, "", "#" + (current + 1));
    }
  }

  function fullscreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var rtl = document.documentElement.dir === "rtl";
    var key = event.key;
    if (key === "ArrowRight" || key === "ArrowLeft") {
      show(current + ((key === "ArrowRight") !== rtl ? 1 : -1));
    } else if (key === "PageDown" || key === " " || key === "ArrowDown") {
      show(current + 1);
    } else if (key === "PageUp" || key === "ArrowUp") {
      show(current - 1);
    } else if (key === "Home") {
      show(0);
    } else if (key === "End") {
      show(slides.length - 1);
    } else if (key === "f" || key === "F") {
      fullscreen();
    } else {
      return;
    }
    event.preventDefault();
  });
  deck.addEventListener("click", function () {
    show(current + 1);
  });
  document.querySelectorAll("[data-go]").forEach(function (button) {
    button.addEventListener("click", function () {
      show(current + Number(button.getAttribute("data-go")));
    });
  });
  document.getElementById("fullscreen").addEventListener("click", fullscreen);
  window.addEventListener("resize", fit);
  document.addEventListener("fullscreenchange", fit);

  fit();
  slides.forEach(draw); // every slide drawn up front: moving on is instant, printing complete
  var start = parseInt((window.location.hash || "#1").slice(1), 10) || 1;
  show(start - 1);
  deck.setAttribute("data-ready", "1");
})();
