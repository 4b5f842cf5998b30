/*
 * The device login page. The QR code opens /observe/device/#token=...: the token is taken
 * from the fragment (which never reaches the server's logs), kept on the phone so the visit
 * queue can send reports with it even after the session ends, and posted once to start a
 * session.
 */
(function () {
  "use strict";
  var form = document.getElementById("device-form");
  var input = document.getElementById("device-token");
  if (!form || !input) return;
  var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  var fromQr = params.get("token");
  if (fromQr) {
    input.value = fromQr;
    // Drop the token from the address bar and the history.
    history.replaceState(null, "", window.location.pathname);
  }

  function remember(token) {
    try {
      return VisitQueue.idbStore().setSetting("device_token", token).catch(function () {});
    } catch (e) {
      return Promise.resolve();
    }
  }

  var submitting = false;
  form.addEventListener("submit", function (event) {
    if (submitting) return;
    event.preventDefault();
    submitting = true;
    remember(input.value.trim()).then(function () {
      form.submit();
    });
  });

  // A code from a QR code logs in at once; a typed one waits for the button. A refused code
  // is not kept on the phone.
  var hasError = document.querySelector(".error");
  if (hasError) {
    try {
      VisitQueue.idbStore().deleteSetting("device_token").catch(function () {});
    } catch (e) {
      /* no IndexedDB: nothing was kept */
    }
  }
  if (fromQr && !hasError) {
    remember(fromQr.trim()).then(function () {
      submitting = true;
      form.submit();
    });
  }
})();
