/*
 * The offline queue of visit reports. No DOM here: the observer pages, the service worker
 * and the unit tests (node --test tests/js/) all drive the same code.
 *
 * A queued item is one visit with its client_uuid, its JSON payload and the photos of its
 * findings. flush() sends what is due, oldest first:
 *   201 created or 200 replay  -> the visit is stored; its photos are uploaded, then the item
 *                                 leaves the queue.
 *   409                        -> state "conflict" (the same client_uuid with another body).
 *   401 / 403                  -> state "auth": log in again; retried with backoff.
 *   408, 429, 5xx, no network  -> stays "waiting", retried with exponential backoff.
 *   any other 4xx              -> state "needs_correction" with the server's messages.
 * Sending the same visit twice is harmless: the server answers 200 with the stored visit.
 */
(function (root, factory) {
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.VisitQueue = api;
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var STATES = {
    WAITING: "waiting",
    PHOTOS: "photos",
    AUTH: "auth",
    NEEDS_CORRECTION: "needs_correction",
    CONFLICT: "conflict",
  };
  var HELD = [STATES.NEEDS_CORRECTION, STATES.CONFLICT];

  /* What an HTTP status means for a queued request. */
  function classify(status) {
    if (status === 200 || status === 201) return "done";
    if (status === 409) return "conflict";
    if (status === 401 || status === 403) return "auth";
    if (status === 408 || status === 429 || status >= 500 || !status) return "retry";
    if (status >= 400) return "invalid";
    return "retry";
  }

  /* Delay before attempt number `attempts` + 1: base * 2^(attempts-1), capped, +-20% jitter. */
  function backoffDelay(attempts, options) {
    var base = options.base;
    var max = options.max;
    var random = options.random || Math.random;
    var exponential = Math.min(max, base * Math.pow(2, Math.max(0, attempts - 1)));
    return Math.min(max, Math.round(exponential * (0.8 + 0.4 * random())));
  }

  function retryAfterMs(value) {
    if (value === null || value === undefined || value === "") return null;
    var seconds = Number(value);
    return isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
  }

  function newUuid(cryptoImpl) {
    var c = cryptoImpl || (typeof crypto !== "undefined" ? crypto : null);
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    var bytes = new Uint8Array(16);
    if (c && c.getRandomValues) {
      c.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return (
      hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20)
    );
  }

  /* A store kept in memory: for tests, and as a fallback where IndexedDB is missing. */
  function memoryStore() {
    var items = new Map();
    var settings = new Map();
    // Deep copies, as IndexedDB makes: a caller that forgets to put() an item back loses
    // its changes here too.
    var copy = function (value) {
      if (value === undefined) return undefined;
      return typeof structuredClone === "function"
        ? structuredClone(value)
        : JSON.parse(JSON.stringify(value));
    };
    return {
      all: function () {
        return Promise.resolve(Array.from(items.values()).map(copy));
      },
      get: function (uuid) {
        return Promise.resolve(copy(items.get(uuid)));
      },
      put: function (item) {
        items.set(item.client_uuid, copy(item));
        return Promise.resolve();
      },
      delete: function (uuid) {
        items.delete(uuid);
        return Promise.resolve();
      },
      getSetting: function (key) {
        return Promise.resolve(settings.get(key));
      },
      setSetting: function (key, value) {
        settings.set(key, value);
        return Promise.resolve();
      },
      deleteSetting: function (key) {
        settings.delete(key);
        return Promise.resolve();
      },
    };
  }

  /* The same interface on IndexedDB (database "observatory": stores "queue" and "settings"). */
  function idbStore(options) {
    options = options || {};
    var idb = options.indexedDB || (typeof indexedDB !== "undefined" ? indexedDB : null);
    var name = options.name || "observatory";
    var opening = null;

    function open() {
      if (!opening) {
        opening = new Promise(function (resolve, reject) {
          var request = idb.open(name, 1);
          request.onupgradeneeded = function () {
            var db = request.result;
            if (!db.objectStoreNames.contains("queue")) {
              db.createObjectStore("queue", { keyPath: "client_uuid" });
            }
            if (!db.objectStoreNames.contains("settings")) db.createObjectStore("settings");
          };
          request.onsuccess = function () {
            resolve(request.result);
          };
          request.onerror = function () {
            opening = null;
            reject(request.error);
          };
        });
      }
      return opening;
    }

    function run(storeName, mode, work) {
      return open().then(function (db) {
        return new Promise(function (resolve, reject) {
          var tx = db.transaction(storeName, mode);
          var result;
          var request = work(tx.objectStore(storeName));
          if (request) {
            request.onsuccess = function () {
              result = request.result;
            };
          }
          tx.oncomplete = function () {
            resolve(result);
          };
          tx.onerror = function () {
            reject(tx.error);
          };
          tx.onabort = function () {
            reject(tx.error);
          };
        });
      });
    }

    return {
      all: function () {
        return run("queue", "readonly", function (s) {
          return s.getAll();
        });
      },
      get: function (uuid) {
        return run("queue", "readonly", function (s) {
          return s.get(uuid);
        });
      },
      put: function (item) {
        return run("queue", "readwrite", function (s) {
          return s.put(item);
        });
      },
      delete: function (uuid) {
        return run("queue", "readwrite", function (s) {
          return s.delete(uuid);
        });
      },
      getSetting: function (key) {
        return run("settings", "readonly", function (s) {
          return s.get(key);
        });
      },
      setSetting: function (key, value) {
        return run("settings", "readwrite", function (s) {
          return s.put(value, key);
        });
      },
      deleteSetting: function (key) {
        return run("settings", "readwrite", function (s) {
          return s.delete(key);
        });
      },
    };
  }

  /*
   * options: store (memoryStore/idbStore), send(request) -> Promise<{status, body, retryAfter}>
   * (rejects when the network is down), now() in ms, random(), baseDelay, maxDelay (ms),
   * visitsUrl, photoUrl(findingId), lock(fn) to keep two tabs from flushing at once.
   */
  function create(options) {
    var store = options.store;
    var send = options.send;
    var now = options.now || Date.now;
    var random = options.random || Math.random;
    var baseDelay = options.baseDelay || 2000;
    var maxDelay = options.maxDelay || 5 * 60 * 1000;
    var visitsUrl = options.visitsUrl || "/api/v1/visits/";
    var photoUrl =
      options.photoUrl ||
      function (id) {
        return "/api/v1/findings/" + id + "/photos/";
      };
    var lock =
      options.lock ||
      function (fn) {
        return fn();
      };
    var listeners = [];
    var running = null;

    function changed() {
      listeners.forEach(function (listener) {
        try {
          listener();
        } catch (e) {
          /* a listener's failure must not stop the queue */
        }
      });
    }

    function items() {
      return store.all().then(function (all) {
        return (all || []).sort(function (a, b) {
          return a.created_at - b.created_at || (a.client_uuid < b.client_uuid ? -1 : 1);
        });
      });
    }

    function enqueue(entry) {
      var uuid = entry.payload && entry.payload.client_uuid;
      if (!uuid) return Promise.reject(new Error("The payload has no client_uuid."));
      return store.get(uuid).then(function (existing) {
        if (existing && (existing.state === STATES.PHOTOS || existing.visit)) {
          throw new Error("This visit is already stored on the server.");
        }
        var item = {
          client_uuid: uuid,
          payload: entry.payload,
          photos: (entry.photos || []).map(function (p) {
            return { finding: p.finding, blob: p.blob, name: p.name, type: p.type, uploaded: false };
          }),
          meta: entry.meta || {},
          state: STATES.WAITING,
          attempts: 0,
          next_attempt_at: now(),
          created_at: existing ? existing.created_at : now(),
          last_status: null,
          errors: null,
          visit: null,
        };
        return store.put(item).then(function () {
          changed();
          return item;
        });
      });
    }

    function remove(uuid) {
      return store.delete(uuid).then(changed);
    }

    function counts() {
      return items().then(function (all) {
        var result = { waiting: all.length, problems: 0, auth: 0, conflicts: 0 };
        all.forEach(function (item) {
          if (item.state === STATES.NEEDS_CORRECTION) result.problems += 1;
          if (item.state === STATES.CONFLICT) result.conflicts += 1;
          if (item.state === STATES.AUTH) result.auth += 1;
        });
        return result;
      });
    }

    /* When the next retry is due (ms since the epoch), or null if nothing waits for one. */
    function nextAttemptAt() {
      return items().then(function (all) {
        var due = null;
        all.forEach(function (item) {
          if (HELD.indexOf(item.state) >= 0) return;
          if (due === null || item.next_attempt_at < due) due = item.next_attempt_at;
        });
        return due;
      });
    }

    function defer(item, response) {
      item.attempts += 1;
      item.last_status = response ? response.status : 0;
      var wait = backoffDelay(item.attempts, { base: baseDelay, max: maxDelay, random: random });
      var asked = response ? retryAfterMs(response.retryAfter) : null;
      if (asked !== null) wait = Math.min(Math.max(wait, asked), maxDelay * 2);
      item.next_attempt_at = now() + wait;
      return store.put(item);
    }

    function hold(item, state, response) {
      item.state = state;
      item.last_status = response.status;
      item.errors = response.body === undefined ? null : response.body;
      return store.put(item);
    }

    /* Send one item as far as it goes. Resolves to "sent", "held", "deferred" or "stop". */
    function process(item) {
      var step = item.visit ? Promise.resolve("stored") : postVisit(item);
      return step.then(function (outcome) {
        if (outcome !== "stored") return outcome;
        return uploadPhotos(item);
      });
    }

    function postVisit(item) {
      item.state = STATES.WAITING;
      return send({ method: "POST", url: visitsUrl, json: item.payload }).then(
        function (response) {
          var kind = classify(response.status);
          if (kind === "done") {
            var body = response.body || {};
            item.visit = {
              id: body.id === undefined ? null : body.id,
              status: body.status || null,
              findings: (body.findings || []).map(function (f) {
                return f && f.id !== undefined ? f.id : null;
              }),
            };
            item.last_status = response.status;
            item.errors = null;
            item.attempts = 0;
            return "stored";
          }
          if (kind === "conflict") return hold(item, STATES.CONFLICT, response).then(held);
          if (kind === "invalid") return hold(item, STATES.NEEDS_CORRECTION, response).then(held);
          if (kind === "auth") {
            item.state = STATES.AUTH;
            return defer(item, response).then(stop);
          }
          // 408, 429, 5xx: the server or the line is struggling; try everything later.
          return defer(item, response).then(stop);
        },
        function () {
          return defer(item, null).then(stop);
        }
      );
    }

    function uploadPhotos(item) {
      var pending = item.photos.filter(function (p) {
        return !p.uploaded;
      });
      if (!pending.length) {
        return store.delete(item.client_uuid).then(function () {
          return "sent";
        });
      }
      item.state = STATES.PHOTOS;
      var photo = pending[0];
      var findingId = item.visit.findings[photo.finding];
      if (findingId === null || findingId === undefined) {
        return hold(item, STATES.NEEDS_CORRECTION, {
          status: 0,
          body: { photos: ["The server did not say which finding this photo belongs to."] },
        }).then(held);
      }
      return send({
        method: "POST",
        url: photoUrl(findingId),
        form: { image: { blob: photo.blob, name: photo.name, type: photo.type } },
      }).then(
        function (response) {
          var kind = classify(response.status);
          if (kind === "done") {
            photo.uploaded = true;
            photo.blob = null;
            item.attempts = 0;
            return store.put(item).then(function () {
              return uploadPhotos(item);
            });
          }
          if (kind === "invalid" || kind === "conflict") {
            return hold(item, STATES.NEEDS_CORRECTION, response).then(held);
          }
          return defer(item, response).then(stop);
        },
        function () {
          return defer(item, null).then(stop);
        }
      );
    }

    function held() {
      return "held";
    }
    function stop() {
      return "stop";
    }

    /* Send every item that is due (all of them with {force: true}). */
    function flush(flushOptions) {
      var force = !!(flushOptions && flushOptions.force);
      if (running) return running;
      running = lock(function () {
        var result = { sent: 0, held: 0, deferred: 0, remaining: 0 };
        return items()
          .then(function (all) {
            var chain = Promise.resolve(false);
            all.forEach(function (item) {
              chain = chain.then(function (stopped) {
                if (stopped || HELD.indexOf(item.state) >= 0) return stopped;
                if (!force && item.next_attempt_at > now()) return stopped;
                return process(item).then(function (outcome) {
                  changed();
                  if (outcome === "sent") result.sent += 1;
                  else if (outcome === "held") result.held += 1;
                  else result.deferred += 1;
                  return outcome === "stop";
                });
              });
            });
            return chain;
          })
          .then(items)
          .then(function (left) {
            result.remaining = left.length;
            return result;
          });
      });
      var finish = function () {
        running = null;
      };
      running.then(finish, finish);
      return running;
    }

    return {
      enqueue: enqueue,
      remove: remove,
      items: items,
      get: function (uuid) {
        return store.get(uuid);
      },
      counts: counts,
      nextAttemptAt: nextAttemptAt,
      flush: flush,
      onChange: function (listener) {
        listeners.push(listener);
      },
    };
  }

  return {
    STATES: STATES,
    classify: classify,
    backoffDelay: backoffDelay,
    newUuid: newUuid,
    memoryStore: memoryStore,
    idbStore: idbStore,
    create: create,
  };
});
