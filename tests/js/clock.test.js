// Unit tests of the mission's clock in the browser (static/js/clock.js): node --test tests/js/
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const Clock = require("../../static/js/clock.js");

test("a moment is read on the mission's clock, with its zone named, as the server writes it", () => {
  // 21:59 UTC is 03:59 the next morning in Almaty (UTC+6 in 2022).
  const moment = Date.UTC(2022, 10, 20, 21, 59, 34);

  assert.equal(Clock.time(moment, "Asia/Almaty"), "03:59 (Asia/Almaty)");
  assert.equal(Clock.dateTime(moment, "Asia/Almaty", "en-GB"), "21 November 2022 03:59 (Asia/Almaty)");
  assert.equal(Clock.dateTime(moment, "Asia/Almaty", "ru"), "21 ноября 2022 г. 03:59 (Asia/Almaty)");
  assert.equal(Clock.time(moment, "UTC"), "21:59 (UTC)");
});

test("ISO text with any offset and midnight both come out on the 24-hour clock", () => {
  assert.deepEqual(Clock.parts("2022-11-20T12:00:00-06:00", "Asia/Almaty"), {
    date: "2022-11-21",
    time: "00:00",
  });
  assert.equal(Clock.time("2022-11-20T22:05:00+06:00", "Asia/Almaty"), "22:05 (Asia/Almaty)");
});
