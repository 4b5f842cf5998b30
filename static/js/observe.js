/*
 * Shared by every observer page: registers the service worker, keeps the "waiting to be
 * sent" count up to date, and sends queued visits whenever the network allows (on load, when
 * the phone comes back online, and when a retry is due). On "My visits" it also lists what
 * waits on the phone, with the server's reasons when a report needs correcting.
 */
(function () {
  "use strict";
  var configNode = document.getElementById("observe-config");
  if (!configNode || typeof VisitQueue === "undefined") return;
  var config = JSON.parse(configNode.textContent);
  var S = config.strings;

  var store;
  try {
    store = window.indexedDB ? VisitQueue.idbStore() : VisitQueue.memoryStore();
  } catch (e) {
    store = VisitQueue.memoryStore();
  }

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  /* The device token, if this phone logged in with one and it belongs to this user. */
  function deviceToken() {
    return store.getSetting("device_token").then(
      function (saved) {
        if (!saved) return null;
        if (typeof saved === "string") saved = { key: saved, user: null };
        if (saved.user === null || saved.user === undefined) {
          saved.user = config.user;
          return store.setSetting("device_token", saved).then(function () {
            return saved.key;
          });
        }
        if (saved.user !== config.user) return null;
        return saved.key;
      },
      function () {
        return null;
      }
    );
  }

  function request(req, token) {
    var headers = { Accept: "application/json" };
    var body;
    if (token) headers.Authorization = "Token " + token;
    else headers["X-CSRFToken"] = cookie("csrftoken");
    if (req.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(req.json);
    } else if (req.form) {
      body = new FormData();
      Object.keys(req.form).forEach(function (key) {
        var value = req.form[key];
        if (value && value.blob) body.append(key, value.blob, value.name || key);
        else body.append(key, value);
      });
    }
    var controller = typeof AbortController !== "undefined" ? new AbortController() : null;
    var timer = controller
      ? setTimeout(function () {
          controller.abort();
        }, req.form ? 120000 : 30000)
      : null;
    return fetch(req.url, {
      method: req.method,
      headers: headers,
      body: body,
      credentials: "same-origin",
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
    }).then(function (response) {
      clearTimeout(timer);
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (data) {
          return {
            status: response.status,
            body: data,
            retryAfter: response.headers.get("Retry-After"),
          };
        });
    });
  }

  /* Token first (it outlives the session); a refused token is forgotten and the session tried. */
  function send(req) {
    return deviceToken().then(function (token) {
      return request(req, token).then(function (response) {
        if (token && response.status === 401) {
          return store.deleteSetting("device_token").then(function () {
            return request(req, null);
          });
        }
        return response;
      });
    });
  }

  var queue = VisitQueue.create({
    store: store,
    send: send,
    visitsUrl: config.urls.apiVisits,
    photoUrl: function (id) {
      return config.urls.apiPhotos.replace("{id}", id);
    },
    lock:
      navigator.locks && navigator.locks.request
        ? function (fn) {
            return navigator.locks.request("observatory-visit-queue", fn);
          }
        : undefined,
  });

  var channel = typeof BroadcastChannel !== "undefined" ? new BroadcastChannel("visit-queue") : null;
  var countNode = document.getElementById("queue-count");
  var problemsNode = document.getElementById("queue-problems");
  var netNode = document.getElementById("net-state");

  function showNetwork() {
    if (!netNode) return;
    var online = navigator.onLine;
    netNode.textContent = online ? S.online : S.offline;
    netNode.setAttribute("data-state", online ? "online" : "offline");
  }

  function refresh() {
    return queue.items().then(function (items) {
      var problems = items.filter(function (item) {
        return item.state === "needs_correction" || item.state === "conflict";
      }).length;
      if (countNode) countNode.textContent = String(items.length);
      if (problemsNode) {
        problemsNode.hidden = problems === 0;
        problemsNode.textContent = problems ? " (" + Plural.text(S.problems, problems) + ")" : "";
      }
      document.dispatchEvent(new CustomEvent("observe:queue", { detail: { items: items } }));
      renderQueue(items);
      markStations(items);
      return items;
    });
  }

  queue.onChange(function () {
    refresh();
    if (channel) channel.postMessage("changed");
  });
  if (channel) channel.onmessage = refresh;

  var timer = null;
  function schedule() {
    clearTimeout(timer);
    return queue.nextAttemptAt().then(function (due) {
      if (due === null) return;
      var wait = Math.max(1000, due - Date.now());
      timer = setTimeout(function () {
        flush(false);
      }, Math.min(wait, 2147483647));
    });
  }

  function flush(force) {
    return queue
      .flush({ force: !!force })
      .catch(function () {
        return null;
      })
      .then(function (result) {
        return refresh().then(schedule).then(function () {
          return result;
        });
      });
  }

  /* "My visits": what waits on this phone, and why. */
  function renderQueue(items) {
    var list = document.getElementById("queue-list");
    if (!list) return;
    var empty = document.getElementById("queue-empty");
    if (empty) empty.hidden = items.length > 0;
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "card queued-visit " + item.state;
      li.setAttribute("data-client-uuid", item.client_uuid);
      var title = document.createElement("div");
      title.textContent = (item.meta && item.meta.label) || item.client_uuid;
      li.appendChild(title);
      var state = document.createElement("div");
      state.className = "badge " + item.state;
      state.textContent = S["state_" + item.state] || item.state;
      li.appendChild(state);
      if (item.state === "waiting" && item.attempts > 0) {
        var next = document.createElement("span");
        next.className = "muted small";
        next.textContent =
          " " + S.next_try.replace("%(time)s", Clock.time(item.next_attempt_at, config.timezone));
        li.appendChild(next);
      }
      var messages = flatten(item.errors);
      if (messages.length) {
        var ul = document.createElement("ul");
        ul.className = "flags";
        messages.forEach(function (message) {
          var m = document.createElement("li");
          m.textContent = message;
          ul.appendChild(m);
        });
        li.appendChild(ul);
      }
      var actions = document.createElement("p");
      if (item.state === "needs_correction" && !item.visit) {
        var fix = document.createElement("a");
        fix.className = "button";
        fix.href = config.urls.visit + "?edit=" + encodeURIComponent(item.client_uuid);
        fix.textContent = S.correct;
        actions.appendChild(fix);
        actions.appendChild(document.createTextNode(" "));
      }
      if (item.state === "needs_correction" || item.state === "conflict") {
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "secondary";
        drop.textContent = S.discard;
        drop.addEventListener("click", function () {
          if (window.confirm(S.confirm_discard)) queue.remove(item.client_uuid);
        });
        actions.appendChild(drop);
      }
      if (actions.childNodes.length) li.appendChild(actions);
      list.appendChild(li);
    });
  }

  /* "My stations": a note on each station with a report still on the phone. */
  function markStations(items) {
    var cards = document.querySelectorAll("[data-station]");
    Array.prototype.forEach.call(cards, function (card) {
      var note = card.querySelector(".queued");
      if (!note) return;
      var id = Number(card.getAttribute("data-station"));
      var n = items.filter(function (item) {
        return item.payload && Number(item.payload.station) === id;
      }).length;
      note.hidden = n === 0;
      note.textContent = n ? S.state_waiting + ": " + n : "";
    });
  }

  function flatten(errors, prefix) {
    if (errors === null || errors === undefined) return [];
    if (typeof errors === "string") return [prefix ? prefix + ": " + errors : errors];
    if (Array.isArray(errors)) {
      return errors.reduce(function (all, e) {
        return all.concat(flatten(e, prefix));
      }, []);
    }
    if (typeof errors === "object") {
      return Object.keys(errors).reduce(function (all, key) {
        var label = key === "non_field_errors" || key === "detail" ? prefix : key;
        return all.concat(flatten(errors[key], label));
      }, []);
    }
    return [String(errors)];
  }

  /* The service worker, and the pages it should keep for offline use. */
  function registerServiceWorker() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker
      .register(config.serviceWorker, { scope: "/observe/" })
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        var target = registration.active;
        if (!target) return;
        target.postMessage({
          type: "warm",
          urls: [
            config.urls.stations,
            config.urls.visit,
            config.urls.visits,
            config.urls.checklists,
          ],
        });
      })
      .catch(function () {
        /* no service worker (private mode, old browser): the pages still work online */
      });
  }

  /* Logging out forgets this phone's stored pages and device token (not its queued visits). */
  var logout = document.querySelector('form[action="/accounts/logout/"]');
  if (logout) {
    var leaving = false;
    logout.addEventListener("submit", function (event) {
      if (leaving) return;
      event.preventDefault();
      leaving = true;
      var forgetPages = window.caches ? caches.delete("observe-pages") : Promise.resolve();
      Promise.all([forgetPages, store.deleteSetting("device_token")])
        .catch(function () {})
        .then(function () {
          logout.submit();
        });
    });
  }

  var sendButton = document.getElementById("queue-send");
  if (sendButton) {
    sendButton.addEventListener("click", function () {
      sendButton.disabled = true;
      flush(true).then(function () {
        sendButton.disabled = false;
      });
    });
  }
  window.addEventListener("online", function () {
    showNetwork();
    flush(true);
  });
  window.addEventListener("offline", showNetwork);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") flush(false);
  });

  window.Observe = {
    config: config,
    queue: queue,
    store: store,
    refresh: refresh,
    flush: flush,
    flatten: flatten,
  };

  var flashNode = document.getElementById("observe-flash");
  try {
    var flash = sessionStorage.getItem("observe-flash");
    if (flash && flashNode) {
      flashNode.textContent = flash;
      flashNode.hidden = false;
    }
    sessionStorage.removeItem("observe-flash");
  } catch (e) {
    /* no sessionStorage: no flash message */
  }

  showNetwork();
  registerServiceWorker();
  refresh().then(function () {
    return flush(true);
  });
})();
