// Unit tests of static/js/plural.js: node --test tests/js/
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const Plural = require("../../static/js/plural.js");

// Russian as common/plurals.py sends it: one (1, 21, 101), few (2-4, 22-24), many (the rest).
function russian(n) {
  const k = n % 10;
  const h = n % 100;
  if (k === 1 && h !== 11) return 0;
  if (k >= 2 && k <= 4 && (h < 12 || h > 14)) return 1;
  return 2;
}
const table = {
  forms: ["%(count)s визит", "%(count)s визита", "%(count)s визитов"],
  index: Array.from({ length: 200 }, (_, n) => String(russian(n))).join(""),
};

test("each count takes its own form, below 200 and above", () => {
  for (const n of [0, 1, 2, 5, 11, 12, 21, 22, 25, 111, 121, 199, 200, 201, 1001, 1012, 12345]) {
    assert.equal(Plural.text(table, n), table.forms[russian(n)].replace("%(count)s", String(n)), String(n));
  }
});

test("the count is written as the caller shows it", () => {
  assert.equal(Plural.text(table, 1234, "1 234"), "1 234 визита");
});

test("a text without the count stays whole", () => {
  assert.equal(Plural.text({ forms: ["Один", "%(count)s"], index: "10" + "1".repeat(198) }, 1), "Один");
});
