// Unit tests of the offline visit queue (static/js/visit_queue.js): node --test tests/js/
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const VisitQueue = require("../../static/js/visit_queue.js");

function clock(start) {
  let t = start || 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

// A fake server: answers are taken in turn from `script`; each is a status, a response
// object, or "offline" (the request fails like fetch does without a network).
function fakeServer(script) {
  const requests = [];
  const send = async (request) => {
    requests.push(request);
    const next = script.length ? script.shift() : 201;
    if (next === "offline") throw new TypeError("Failed to fetch");
    if (typeof next === "number") return { status: next, body: { id: 7, findings: [] } };
    return next;
  };
  return { send, requests };
}

function visit(uuid, extra) {
  return {
    payload: Object.assign({ client_uuid: uuid, station: 1, checklist: 2, answers: {} }, extra),
    meta: { label: "PS 1" },
  };
}

function setup(script, options) {
  const time = clock();
  const server = fakeServer(script);
  const store = VisitQueue.memoryStore();
  const queue = VisitQueue.create(
    Object.assign(
      { store, send: server.send, now: time.now, random: () => 0.5, baseDelay: 1000 },
      options
    )
  );
  return { time, server, store, queue };
}

test("classify tells done, conflict, auth, retry and invalid apart", () => {
  assert.equal(VisitQueue.classify(201), "done");
  assert.equal(VisitQueue.classify(200), "done");
  assert.equal(VisitQueue.classify(409), "conflict");
  assert.equal(VisitQueue.classify(401), "auth");
  assert.equal(VisitQueue.classify(403), "auth");
  assert.equal(VisitQueue.classify(408), "retry");
  assert.equal(VisitQueue.classify(429), "retry");
  assert.equal(VisitQueue.classify(503), "retry");
  assert.equal(VisitQueue.classify(400), "invalid");
  assert.equal(VisitQueue.classify(404), "invalid");
  assert.equal(VisitQueue.classify(413), "invalid");
});

test("backoff doubles from the base and stops at the cap", () => {
  const delays = [1, 2, 3, 4, 10].map((n) =>
    VisitQueue.backoffDelay(n, { base: 1000, max: 5000, random: () => 0.5 })
  );
  assert.deepEqual(delays, [1000, 2000, 4000, 5000, 5000]);
  const jittered = VisitQueue.backoffDelay(1, { base: 1000, max: 5000, random: () => 0 });
  assert.equal(jittered, 800);
});

test("a 201 removes the visit from the queue and sends the payload as JSON", async () => {
  const { queue, server } = setup([201]);
  await queue.enqueue(visit("u-1"));
  assert.equal((await queue.counts()).waiting, 1);

  const result = await queue.flush();

  assert.equal(result.sent, 1);
  assert.equal((await queue.counts()).waiting, 0);
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0].url, "/api/v1/visits/");
  assert.equal(server.requests[0].json.client_uuid, "u-1");
});

test("a 200 replay also removes it: the server already had the visit", async () => {
  const { queue } = setup([200]);
  await queue.enqueue(visit("u-1"));

  await queue.flush();

  assert.deepEqual(await queue.items(), []);
});

test("offline: the visit waits, and goes when the network is back after the backoff", async () => {
  const { queue, server, time } = setup(["offline", "offline", 201]);
  await queue.enqueue(visit("u-1"));

  await queue.flush();
  let [item] = await queue.items();
  assert.equal(item.attempts, 1);
  assert.equal(item.next_attempt_at, time.now() + 1000);

  await queue.flush(); // not due yet: nothing is sent
  assert.equal(server.requests.length, 1);

  time.advance(1000);
  await queue.flush();
  [item] = await queue.items();
  assert.equal(item.attempts, 2);
  assert.equal(item.next_attempt_at, time.now() + 2000);

  time.advance(2000);
  const result = await queue.flush();
  assert.equal(result.sent, 1);
  assert.equal(server.requests.length, 3);
  assert.equal((await queue.counts()).waiting, 0);
});

test("a forced flush sends at once, whatever the backoff says", async () => {
  const { queue, server } = setup(["offline", 201]);
  await queue.enqueue(visit("u-1"));
  await queue.flush();

  await queue.flush({ force: true });

  assert.equal(server.requests.length, 2);
  assert.deepEqual(await queue.items(), []);
});

test("5xx, 408 and 429 are retried; Retry-After is honoured", async () => {
  const { queue, time } = setup([
    { status: 503, body: null },
    { status: 429, body: null, retryAfter: "30" },
    { status: 408, body: null },
    201,
  ]);
  await queue.enqueue(visit("u-1"));

  await queue.flush();
  time.advance(1000);
  await queue.flush();
  const [item] = await queue.items();
  assert.equal(item.last_status, 429);
  assert.equal(item.next_attempt_at, time.now() + 30_000);
  time.advance(30_000);
  await queue.flush();
  time.advance(4000);
  await queue.flush();

  assert.deepEqual(await queue.items(), []);
});

test("a 400 holds the visit as needing correction, with the server's messages", async () => {
  const errors = { answers: ["V02: required when V01 is yes."] };
  const { queue, server, time } = setup([{ status: 400, body: errors }]);
  await queue.enqueue(visit("u-1"));

  const result = await queue.flush();
  time.advance(10 * 60 * 1000);
  await queue.flush();

  assert.equal(result.held, 1);
  const [item] = await queue.items();
  assert.equal(item.state, "needs_correction");
  assert.deepEqual(item.errors, errors);
  assert.equal(server.requests.length, 1, "a held visit is not sent again by itself");
  assert.equal((await queue.counts()).problems, 1);
});

test("a corrected visit (same client_uuid) replaces the held one and is sent", async () => {
  const { queue, server } = setup([{ status: 400, body: { voters_so_far: ["negative"] } }, 201]);
  await queue.enqueue(visit("u-1", { voters_so_far: -1 }));
  await queue.flush();

  await queue.enqueue(visit("u-1", { voters_so_far: 10 }));
  assert.equal((await queue.items()).length, 1);
  await queue.flush();

  assert.equal(server.requests[1].json.voters_so_far, 10);
  assert.deepEqual(await queue.items(), []);
});

test("a 409 is shown as a conflict and not retried", async () => {
  const { queue, server } = setup([{ status: 409, body: { detail: "other body" } }]);
  await queue.enqueue(visit("u-1"));

  await queue.flush({ force: true });
  await queue.flush({ force: true });

  const [item] = await queue.items();
  assert.equal(item.state, "conflict");
  assert.equal(server.requests.length, 1);
  assert.equal((await queue.counts()).conflicts, 1);
});

test("401 marks the visit as waiting for a login and keeps retrying", async () => {
  const { queue, time } = setup([401, 201]);
  await queue.enqueue(visit("u-1"));

  await queue.flush();
  const [item] = await queue.items();
  assert.equal(item.state, "auth");
  time.advance(1000);
  await queue.flush();

  assert.deepEqual(await queue.items(), []);
});

test("visits go oldest first, and a network failure stops the round", async () => {
  const { queue, server, time } = setup([201, "offline"]);
  await queue.enqueue(visit("first"));
  time.advance(1);
  await queue.enqueue(visit("second"));
  time.advance(1);
  await queue.enqueue(visit("third"));

  const result = await queue.flush();

  assert.deepEqual(
    server.requests.map((r) => r.json.client_uuid),
    ["first", "second"]
  );
  assert.equal(result.sent, 1);
  assert.equal(result.remaining, 2);
});

test("photos are uploaded to their finding after the visit is stored", async () => {
  const stored = { status: 201, body: { id: 9, findings: [{ id: 31 }, { id: 32 }] } };
  const { queue, server } = setup([stored, 201, "offline", 201]);
  await queue.enqueue(
    Object.assign(visit("u-1"), {
      photos: [
        { finding: 1, blob: "jpeg-bytes", name: "a.jpg", type: "image/jpeg" },
        { finding: 0, blob: "png-bytes", name: "b.png", type: "image/png" },
      ],
    })
  );

  await queue.flush();
  let [item] = await queue.items();
  assert.equal(item.state, "photos", "the visit is stored, one photo still waits");
  assert.equal(item.photos[0].uploaded, true);
  assert.equal(item.photos[0].blob, null, "an uploaded photo is dropped from the phone");
  assert.equal((await queue.counts()).waiting, 1);

  await queue.flush({ force: true });

  assert.deepEqual(
    server.requests.map((r) => r.url),
    ["/api/v1/visits/", "/api/v1/findings/32/photos/", "/api/v1/findings/31/photos/",
     "/api/v1/findings/31/photos/"]
  );
  assert.equal(server.requests[1].form.image.blob, "jpeg-bytes");
  assert.deepEqual(await queue.items(), []);
});

test("a refused photo holds the item with the server's reason", async () => {
  const stored = { status: 201, body: { id: 9, findings: [{ id: 31 }] } };
  const refused = { status: 400, body: { image: ["Not a JPEG or PNG image."] } };
  const { queue } = setup([stored, refused]);
  await queue.enqueue(
    Object.assign(visit("u-1"), {
      photos: [{ finding: 0, blob: "gif", name: "x.gif", type: "image/gif" }],
    })
  );

  await queue.flush();

  const [item] = await queue.items();
  assert.equal(item.state, "needs_correction");
  assert.deepEqual(item.errors, { image: ["Not a JPEG or PNG image."] });
});

test("a visit already stored on the server cannot be replaced", async () => {
  const stored = { status: 201, body: { id: 9, findings: [{ id: 31 }] } };
  const { queue } = setup([stored, "offline"]);
  await queue.enqueue(
    Object.assign(visit("u-1"), { photos: [{ finding: 0, blob: "x", name: "x.jpg" }] })
  );
  await queue.flush();

  await assert.rejects(queue.enqueue(visit("u-1")), /already stored/);
});

test("two flushes at once send a visit once", async () => {
  const { queue, server } = setup([201]);
  await queue.enqueue(visit("u-1"));

  await Promise.all([queue.flush(), queue.flush()]);

  assert.equal(server.requests.length, 1);
});

test("listeners hear about every change; discarding removes the item", async () => {
  const { queue } = setup([]);
  let calls = 0;
  queue.onChange(() => (calls += 1));

  await queue.enqueue(visit("u-1"));
  await queue.remove("u-1");

  assert.equal(calls, 2);
  assert.equal((await queue.counts()).waiting, 0);
});

test("nextAttemptAt ignores held items", async () => {
  const { queue, time } = setup([{ status: 400, body: {} }, "offline"]);
  await queue.enqueue(visit("bad"));
  await queue.flush();
  await queue.enqueue(visit("later"));
  await queue.flush();

  assert.equal(await queue.nextAttemptAt(), time.now() + 1000);
});

test("the payload must carry its client_uuid", async () => {
  const { queue } = setup([]);
  await assert.rejects(queue.enqueue({ payload: { station: 1 } }), /client_uuid/);
});

test("newUuid makes RFC 4122 version 4 identifiers", () => {
  const uuid = VisitQueue.newUuid({ getRandomValues: (b) => b.fill(255) });
  assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
