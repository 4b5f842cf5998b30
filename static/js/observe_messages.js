/* Messages from the centre on the observer's phone: the unread count in the menu of every
 * observer page, and on the messages page the list, each marked read once it is shown.
 * The list comes from /api/v1/messages/ (the service worker keeps the last answer, so it shows
 * offline too); a reading made offline is remembered on the phone and sent when the network
 * returns. New messages are fetched every 30 s and as soon as the phone is back online. */
(function () {
  "use strict";
  var configNode = document.getElementById("observe-config");
  var badge = document.getElementById("messages-badge");
  if (!configNode || !badge || !window.fetch) return;
  var config = JSON.parse(configNode.textContent);
  var api = badge.getAttribute("data-api");
  var readUrl = badge.getAttribute("data-read-url");
  var list = document.getElementById("message-list");
  var state = document.getElementById("messages-state");
  var readKey = "observatory:messages-read:" + config.user;
  var pendingKey = "observatory:messages-read-pending:" + config.user;

  function load(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "[]");
    } catch (error) {
      return [];
    }
  }

  function save(key, ids) {
    window.localStorage.setItem(key, JSON.stringify(ids.slice(-500)));
  }

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  /* "20 November 2022 06:26 (Asia/Almaty)": the mission's clock, as the page writes it. */
  function localTime(iso) {
    return Clock.dateTime(iso, config.timezone, document.documentElement.lang || "en");
  }

  function isRead(message) {
    return !!message.read_at || load(readKey).indexOf(message.id) >= 0;
  }

  function showBadge(messages) {
    var unread = messages.filter(function (m) {
      return !isRead(m);
    }).length;
    badge.textContent = String(unread);
    badge.hidden = unread === 0;
    document.documentElement.setAttribute("data-unread-messages", String(unread));
  }

  function render(messages, offline) {
    if (!list) return;
    list.textContent = "";
    if (state) state.textContent = offline ? state.getAttribute("data-offline") : "";
    if (!messages.length) {
      var empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = state ? state.getAttribute("data-empty") : "";
      list.appendChild(empty);
      return;
    }
    messages.forEach(function (message) {
      var item = document.createElement("li");
      item.className = "card observer-message" + (isRead(message) ? "" : " unread");
      item.setAttribute("data-message", message.id);
      var meta = document.createElement("div");
      meta.className = "muted small";
      var when = document.createElement("time");
      when.setAttribute("datetime", message.sent_at);
      when.textContent = localTime(message.sent_at);
      meta.appendChild(when);
      if (!isRead(message)) {
        var label = document.createElement("span");
        label.className = "badge new";
        label.textContent = list.getAttribute("data-new-label");
        meta.appendChild(document.createTextNode(" "));
        meta.appendChild(label);
        item.setAttribute("data-unread", "true");
      }
      var text = document.createElement("p");
      text.className = "description";
      text.textContent = message.text;
      item.appendChild(meta);
      item.appendChild(text);
      list.appendChild(item);
    });
  }

  /* Shown on the messages page: read. Remembered at once, sent when possible. */
  function markShown(messages) {
    if (!list) return;
    var read = load(readKey);
    var pending = load(pendingKey);
    messages.forEach(function (message) {
      if (message.read_at || read.indexOf(message.id) >= 0) return;
      read.push(message.id);
      pending.push(message.id);
    });
    save(readKey, read);
    save(pendingKey, pending);
    flush();
  }

  function flush() {
    var pending = load(pendingKey);
    if (!pending.length || !navigator.onLine) return Promise.resolve();
    return Promise.all(
      pending.map(function (id) {
        return fetch(readUrl.replace("{id}", id), {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": cookie("csrftoken") },
        })
          .then(function (response) {
            // 200: read; 404: not this user's (any more): either way, nothing left to send.
            return response.ok || response.status === 404 ? id : null;
          })
          .catch(function () {
            return null;
          });
      })
    ).then(function (done) {
      save(
        pendingKey,
        load(pendingKey).filter(function (id) {
          return done.indexOf(id) < 0;
        })
      );
    });
  }

  function refresh() {
    return fetch(api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        var offline = response.headers.get("X-Observatory-Offline") === "1";
        return response.json().then(function (body) {
          var messages = body.results || [];
          showBadge(messages);
          render(messages, offline || !navigator.onLine);
          markShown(messages);
          if (list) showBadge(messages);
        });
      })
      .catch(function () {
        /* offline and nothing stored yet: the server-rendered list (if any) stays */
      });
  }

  /* Keep the messages page and its answer on the phone for offline use. */
  if (navigator.serviceWorker && navigator.serviceWorker.ready) {
    navigator.serviceWorker.ready
      .then(function (registration) {
        if (registration.active) {
          registration.active.postMessage({ type: "warm", urls: [badge.getAttribute("data-page"), api] });
        }
      })
      .catch(function () {});
  }
  window.addEventListener("online", function () {
    flush().then(refresh);
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) refresh();
  });
  refresh();
  window.setInterval(function () {
    if (navigator.onLine) refresh();
  }, 30000);
})();
