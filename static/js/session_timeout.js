/* Idle logoff warning. The server decides when a session ends (SessionTimeoutMiddleware);
   this script asks it how long is left shortly before the end (activity in another tab
   counts), shows a warning with one button to stay, and reloads the page once the
   session has ended, so the login page says why. The status check is not activity. */
(function () {
  "use strict";

  var dialog = document.getElementById("session-timeout");
  if (!dialog) return;
  var warningSeconds = Number(dialog.dataset.warningSeconds);
  var countdown = dialog.querySelector("[data-idle-countdown]");
  var timer = null;
  var deadline = 0;

  function later(fn, seconds) {
    clearTimeout(timer);
    timer = setTimeout(fn, Math.max(0, seconds) * 1000);
  }

  function schedule(secondsLeft) {
    deadline = Date.now() + secondsLeft * 1000;
    if (secondsLeft > warningSeconds) {
      if (dialog.open) dialog.close();
      later(check, secondsLeft - warningSeconds);
    } else if (secondsLeft > 0) {
      if (!dialog.open) dialog.showModal();
      tick();
    } else {
      later(check, 1);
    }
  }

  function tick() {
    var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    countdown.textContent = String(left);
    if (left <= 0) { later(check, 0.5); return; }
    later(tick, 1);
  }

  function signedOut() {
    // A GET of this page: the server answers with the login page and the reason.
    window.location.assign(window.location.href);
  }

  function answer(response) {
    if (response.redirected) { signedOut(); return null; }
    return response.json().then(function (body) {
      if (body.signed_in === false) { signedOut(); return null; }
      return body;
    });
  }

  function check() {
    fetch(dialog.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(answer)
      .then(function (body) { if (body) schedule(body.seconds_left); })
      .catch(function () { later(check, 5); });
  }

  dialog.querySelector("[data-stay]").addEventListener("click", function () {
    fetch(dialog.dataset.stayUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": dialog.dataset.csrfToken },
    })
      .then(answer)
      .then(function (body) { if (body) schedule(body.seconds_left); })
      .catch(function () { later(check, 1); });
  });
  // Escape closes a modal dialog; it must not leave the countdown running unseen.
  dialog.addEventListener("cancel", function (event) { event.preventDefault(); });

  schedule(Number(dialog.dataset.idleSeconds));
})();
