/* On every page: forms that create something are sent once, and a page brought back by
   Back or Forward from the browser's memory is loaded again, fresh. */
(function () {
  "use strict";

  // A second tap on Save while the first is on its way is dropped (the server also
  // refuses a form token it has seen: apps.core.form_tokens). The buttons are disabled
  // a tick later, so the form still sends the name and value of the one pressed.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") return;
    if (form.dataset.submitting === "1") {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    form.dataset.submitting = "1";
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (button) {
        if (!button.disabled) { button.disabled = true; button.dataset.disabledOnSubmit = "1"; }
      });
    }, 0);
  }, true);

  function release(form) {
    if (!form || !form.dataset) return;
    delete form.dataset.submitting;
    form.querySelectorAll("[data-disabled-on-submit]").forEach(function (button) {
      button.disabled = false;
      delete button.dataset.disabledOnSubmit;
    });
  }

  // An htmx form answered in place (kept on the page, or a request that failed) can be
  // used again.
  document.addEventListener("htmx:afterRequest", function (event) {
    var element = event.detail && event.detail.elt;
    release(element && element.closest ? element.closest("form") : null);
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload();
      return;
    }
    document.querySelectorAll("form[data-submitting]").forEach(release);
  });

  // Times are shown in the viewer's zone: tell the server which one this browser is in
  // (apps.core.middleware.ViewerTimeZoneMiddleware reads the cookie).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var current = (document.cookie.match(/(?:^|; )leadcrm_tz=([^;]*)/) || [])[1];
    if (zone && decodeURIComponent(current || "") !== zone) {
      document.cookie = "leadcrm_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (error) { /* no Intl: the server's default zone, still named on every time */ }

  // "/" jumps to the search box in the top bar (the queue keeps "/" for its own box).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable) return;
    if (document.getElementById("id_q")) return;
    var box = document.getElementById("global-search");
    if (!box) return;
    event.preventDefault();
    box.focus();
  });
})();
