{% autoescape off %}/*
 * Observatory's service worker for the observer pages (scope /observe/), version {{ version }}.
 *
 * - Static assets: stored at install, served from the store (a new version replaces them).
 * - Observer pages, the checklist API and the observer's messages: network first (4 s), the
 *   stored copy when the network is down or slow; every successful answer refreshes it.
 * Logging out (observe.js) forgets the stored pages and this phone's device token; visits
 * waiting in the queue stay, so nothing an observer reported is lost.
 */
"use strict";

var VERSION = "{{ version }}";
var STATIC_CACHE = "observe-static-" + VERSION;
var PAGE_CACHE = "observe-pages";
var ASSETS = {{ assets_json }};
var OFFLINE_TEXT = {{ offline_text_json }};
var NETWORK_TIMEOUT_MS = 4000;
var CHECKLIST_API = /^\/api\/v1\/missions\/\d+\/checklists\/$/;
var MESSAGES_API = /^\/api\/v1\/messages\/$/;
var NEVER_STORED = ["/observe/device/", "/observe/sw.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(STATIC_CACHE)
      .then(function (cache) {
        return cache.addAll(ASSETS);
      })
      .then(function () {
        return self.skipWaiting();
      })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (keys) {
        return Promise.all(
          keys
            .filter(function (key) {
              return key.indexOf("observe-static-") === 0 && key !== STATIC_CACHE;
            })
            .map(function (key) {
              return caches.delete(key);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

function storable(response) {
  return response && response.ok && response.type === "basic" && !response.redirected;
}

/* A page asks for the pages it links to, so they open offline even if never visited. */
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "warm" || !Array.isArray(data.urls)) return;
  event.waitUntil(
    caches.open(PAGE_CACHE).then(function (cache) {
      return Promise.all(
        data.urls.map(function (url) {
          return fetch(url, { credentials: "same-origin" })
            .then(function (response) {
              var target = new URL(url, self.location);
              if (storable(response)) return cache.put(target.pathname + target.search, response);
            })
            .catch(function () {});
        })
      );
    })
  );
});

function offlinePage() {
  var body =
    '<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">' +
    "<title>Observatory</title><p style=\"font:16px system-ui;padding:1rem\"></p>";
  return new Response(body.replace("</p>", OFFLINE_TEXT.replace(/</g, "&lt;") + "</p>"), {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8" },
  });
}

/* Network first; after NETWORK_TIMEOUT_MS (or at once when offline) the stored copy. */
function networkFirst(request, key, fallback) {
  return caches.open(PAGE_CACHE).then(function (cache) {
    var network = fetch(request).then(function (response) {
      if (storable(response)) cache.put(key, response.clone());
      return response;
    });
    var stored = function () {
      return cache.match(key).then(function (hit) {
        return hit || (fallback ? fallback() : Promise.reject(new Error("offline")));
      });
    };
    return new Promise(function (resolve, reject) {
      var settled = false;
      var timer = setTimeout(function () {
        cache.match(key).then(function (hit) {
          if (hit && !settled) {
            settled = true;
            resolve(hit);
          }
        });
      }, NETWORK_TIMEOUT_MS);
      network.then(
        function (response) {
          clearTimeout(timer);
          if (!settled) {
            settled = true;
            resolve(response);
          }
        },
        function () {
          clearTimeout(timer);
          if (!settled) {
            settled = true;
            stored().then(resolve, reject);
          }
        }
      );
    });
  });
}

function asset(request) {
  return caches.match(request, { ignoreSearch: true }).then(function (hit) {
    if (hit) return hit;
    return fetch(request).then(function (response) {
      if (storable(response)) {
        var copy = response.clone();
        caches.open(STATIC_CACHE).then(function (cache) {
          cache.put(request, copy);
        });
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") return;
  if (request.mode === "navigate" && url.pathname.indexOf("/observe/") === 0) {
    if (NEVER_STORED.indexOf(url.pathname) >= 0) return;
    event.respondWith(networkFirst(request, url.pathname, offlinePage));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(asset(request));
    return;
  }
  if (CHECKLIST_API.test(url.pathname)) {
    event.respondWith(networkFirst(request, url.pathname, null));
    return;
  }
  if (MESSAGES_API.test(url.pathname)) {
    // The observer's messages: the last answer is kept, so the list shows offline.
    event.respondWith(networkFirst(request, url.pathname + url.search, null));
  }
});
{% endautoescape %}
