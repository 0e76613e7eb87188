/* On every page: forms that create something are sent once, and a page brought back by
   Back or Forward from the browser's memory is loaded again, fresh. */
(function () {
  "use strict";

  // Phones get a Menu button instead of two rows of links (CSS keys off this class, so
  // without JavaScript the links simply show).
  document.documentElement.classList.add("js");
  var toggle = document.querySelector(".nav-toggle");
  if (toggle) toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.closest(".topbar").classList.toggle("nav-open", open);
  });

  // Menus in the top bar (Setup): the button opens its list; Escape or a click outside
  // closes it, and focus goes back to the button on Escape.
  var menuButtons = document.querySelectorAll(".nav-menu-button");
  function menuSet(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    var list = document.getElementById(button.getAttribute("aria-controls"));
    if (list) list.classList.toggle("open", open);
  }
  menuButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      menuButtons.forEach(function (other) { if (other !== button) menuSet(other, false); });
      menuSet(button, open);
      if (open) {
        var first = document.querySelector("#" + button.getAttribute("aria-controls") + " a");
        if (first && button.dataset.keyboard === "1") first.focus();
      }
      delete button.dataset.keyboard;
    });
    button.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " " || event.key === "ArrowDown") {
        button.dataset.keyboard = "1";
        if (event.key === "ArrowDown") { event.preventDefault(); button.click(); }
      }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menuButtons.forEach(function (button) {
      if (button.getAttribute("aria-expanded") === "true") { menuSet(button, false); button.focus(); }
    });
  });
  document.addEventListener("click", function (event) {
    menuButtons.forEach(function (button) {
      if (!button.parentElement.contains(event.target)) menuSet(button, false);
    });
  });
  document.addEventListener("focusin", function (event) {
    menuButtons.forEach(function (button) {
      if (button.getAttribute("aria-expanded") === "true" && !button.parentElement.contains(event.target)) menuSet(button, false);
    });
  });

  // "Copy" buttons (a key shown once, its curl example): copy the text of the element
  // named by data-copy, and say so on the button.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copy);
      if (!source) return;
      var label = button.textContent;
      function done(text) { button.textContent = text; window.setTimeout(function () { button.textContent = label; }, 2000); }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.textContent).then(function () { done("Copied"); }, function () { done("Select and copy"); });
      } else {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        done("Selected: press Ctrl+C");
      }
    });
  });

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
