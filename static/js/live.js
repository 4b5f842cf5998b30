/* Every coordinator page of a mission: polls the mission's live figures (a cheap, cached
 * endpoint) every few seconds. A new critical finding shows a banner (and plays a short beep
 * for those who turned the sound on); the figures are handed to the page's own scripts as an
 * "observatory:live" event (the dashboard redraws itself from it). No inline script. */
(function () {
  "use strict";
  var node = document.getElementById("live-alert");
  if (!node || !window.fetch) return;
  var liveUrl = node.getAttribute("data-live");
  var incidentsApi = node.getAttribute("data-incidents-api");
  var seconds = parseFloat(node.getAttribute("data-poll")) || 3;
  var key = "observatory:critical-seen:" + liveUrl;
  var soundKey = "observatory:sound";
  var text = node.querySelector(".live-alert-text");
  var detail = node.querySelector(".live-alert-detail");
  var soundButton = document.getElementById("live-sound");
  var texts = JSON.parse(document.getElementById("live-alert-texts").textContent);
  var busy = false;

  function seen() {
    var value = window.sessionStorage.getItem(key);
    return value === null ? null : Number(value);
  }

  function remember(count) {
    window.sessionStorage.setItem(key, String(count));
  }

  function soundOn() {
    return window.localStorage.getItem(soundKey) === "on";
  }

  function showSound() {
    if (!soundButton) return;
    var on = soundOn();
    soundButton.setAttribute("aria-pressed", on ? "true" : "false");
    soundButton.textContent = on ? soundButton.getAttribute("data-on") : soundButton.getAttribute("data-off");
  }

  /* A short two-tone beep, made with the Web Audio API (no sound file). */
  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      var context = new Context();
      [0, 0.28].forEach(function (start, i) {
        var oscillator = context.createOscillator();
        var gain = context.createGain();
        oscillator.type = "sine";
        oscillator.frequency.value = i ? 660 : 880;
        gain.gain.setValueAtTime(0.0001, context.currentTime + start);
        gain.gain.exponentialRampToValueAtTime(0.3, context.currentTime + start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, context.currentTime + start + 0.22);
        oscillator.connect(gain).connect(context.destination);
        oscillator.start(context.currentTime + start);
        oscillator.stop(context.currentTime + start + 0.25);
      });
      window.setTimeout(function () {
        context.close();
      }, 1000);
      document.documentElement.setAttribute("data-beeped", String(Date.now()));
    } catch (error) {
      /* no audio output: the banner is enough */
    }
  }

  function describe() {
    if (!incidentsApi) return;
    fetch(incidentsApi, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        var newest = body && body.results && body.results[0];
        if (!newest || !detail) return;
        // Text only: descriptions are free text.
        detail.textContent =
          newest.station_code + " · " + newest.area_name + " · " + newest.category_label +
          (newest.description ? " – " + newest.description.slice(0, 160) : "");
      })
      .catch(function () {});
  }

  function show(count, added) {
    text.textContent = Plural.text(texts.new_critical, added);
    node.hidden = false;
    node.setAttribute("data-critical", String(count));
    describe();
    if (soundOn()) beep();
  }

  function tick() {
    if (busy) return;
    busy = true;
    fetch(liveUrl, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        var critical = (data.findings && data.findings.CRITICAL) || 0;
        var before = seen();
        if (before === null) {
          remember(critical);
        } else if (critical > before && !node.hidden && Number(node.getAttribute("data-critical")) >= critical) {
          /* already shown */
        } else if (critical > before) {
          show(critical, critical - before);
        } else if (critical < before) {
          remember(critical); /* a rejected visit took one away */
        }
        document.querySelectorAll("[data-incidents-new]").forEach(function (badge) {
          badge.textContent = data.incidents_new;
          badge.hidden = !data.incidents_new;
        });
        document.dispatchEvent(new CustomEvent("observatory:live", { detail: data }));
      })
      .catch(function () {})
      .then(function () {
        busy = false;
      });
  }

  node.querySelector(".live-alert-dismiss").addEventListener("click", function () {
    remember(Number(node.getAttribute("data-critical")) || 0);
    node.hidden = true;
  });
  node.querySelector(".live-alert-open").addEventListener("click", function () {
    remember(Number(node.getAttribute("data-critical")) || 0);
  });
  if (soundButton) {
    soundButton.hidden = false;
    soundButton.addEventListener("click", function () {
      window.localStorage.setItem(soundKey, soundOn() ? "off" : "on");
      showSound();
      if (soundOn()) beep(); /* a click allows audio, and lets one hear what it sounds like */
    });
    showSound();
  }
  tick();
  window.setInterval(tick, seconds * 1000);
})();
