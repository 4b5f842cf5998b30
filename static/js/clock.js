/*
 * Times as people read them, on the mission's clock and naming its zone, written as the
 * server writes them (common/clock.py): "03:00 (Asia/Almaty)", and with the date in the
 * page's language "20 November 2022 03:00 (Asia/Almaty)" (the browser's words for the date:
 * close to, not always the letter of, Django's DATE_FORMAT). The phone's own time zone never
 * shows: an observer's phone set to another zone still reads the mission's time. No DOM here:
 * the pages and the unit tests (node --test tests/js/) drive the same code.
 */
(function (root, factory) {
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.Clock = api;
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var formats = {};

  /* {date: "2022-11-20", time: "03:00"} of a moment (a Date, milliseconds or ISO text). */
  function parts(value, zone) {
    var date = value instanceof Date ? value : new Date(value);
    var format = formats[zone];
    if (!format) {
      format = formats[zone] = new Intl.DateTimeFormat("en-GB", {
        timeZone: zone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      });
    }
    var out = {};
    format.formatToParts(date).forEach(function (part) {
      out[part.type] = part.value;
    });
    var hour = out.hour === "24" ? "00" : out.hour;
    return { date: out.year + "-" + out.month + "-" + out.day, time: hour + ":" + out.minute };
  }

  /* "03:00 (Asia/Almaty)" */
  function time(value, zone) {
    return parts(value, zone).time + " (" + zone + ")";
  }

  /* "20 November 2022 03:00 (Asia/Almaty)": the date spelled out in ``lang``. */
  function dateTime(value, zone, lang) {
    var date = value instanceof Date ? value : new Date(value);
    var day = new Intl.DateTimeFormat(lang || "en", {
      timeZone: zone,
      year: "numeric",
      month: "long",
      day: "numeric",
      numberingSystem: "latn", // Western digits in Arabic too, as the server writes them
    }).format(date);
    return day + " " + parts(date, zone).time + " (" + zone + ")";
  }

  return { parts: parts, time: time, dateTime: dateTime };
});
