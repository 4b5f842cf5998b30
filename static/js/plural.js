/* Plural forms a page script needs for a count it learns in the browser, in the reader's
 * language: the server sends {"forms": [...], "index": "0120..."} (common/plurals.py), the
 * forms still holding %(count)s and the index giving each count from 0 to 199 its form;
 * larger counts read as 100 + n % 100, as every plural rule of the site's languages does.
 *
 *   Plural.text(table, 21, "21")  ->  "21 визит требует вашего внимания"
 *
 * `shown` is the count as the page writes it (the caller's number format); String(n) if
 * left out. Tests: node --test tests/js/ */
(function (root) {
  "use strict";

  function text(table, n, shown) {
    var key = n < 200 ? n : 100 + (n % 100);
    var form = table.forms[Number(table.index.charAt(key))];
    if (form === undefined) form = table.forms[table.forms.length - 1];
    return form.replace("%(count)s", shown === undefined ? String(n) : shown);
  }

  var Plural = { text: text };
  if (typeof module === "object" && module.exports) module.exports = Plural;
  else root.Plural = Plural;
})(typeof self !== "undefined" ? self : this);
