/* The lead page: keyboard shortcuts for the quick actions, and focus that lands where
   the coordinator needs it after an action updates the page in place. */
(function () {
  "use strict";

  var ACTIONS = { c: "action-call", e: "action-message", n: "action-note", f: "action-task", s: "action-stage" };

  function openAction(id) {
    var details = document.getElementById(id);
    if (!details) return false;
    document.querySelectorAll("details.action[open]").forEach(function (d) { if (d !== details) d.open = false; });
    details.open = true;
    var first = details.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
    details.scrollIntoView({ block: "nearest" });
    return true;
  }

  function isTyping(target) {
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") {
      var open = document.activeElement && document.activeElement.closest("details.action[open]");
      if (open) {
        open.open = false;
        open.querySelector("summary").focus();
      }
      return;
    }
    if (isTyping(event.target)) return;
    if (ACTIONS[event.key]) {
      if (openAction(ACTIONS[event.key])) event.preventDefault();
      return;
    }
    if (event.key === "a") {
      var claim = document.getElementById("claim-button");
      if (claim) { event.preventDefault(); claim.click(); return; }
      if (openAction("action-assign")) event.preventDefault();
      return;
    }
    if (event.key === "q") {
      window.location.href = document.querySelector(".back-link").href;
      return;
    }
    if (event.key === "?") {
      var help = document.getElementById("shortcuts-help");
      if (help) help.open = !help.open;
    }
  });

  document.body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target) return;
    // A form came back with errors: put the cursor on the first field to fix.
    var invalid = document.querySelector("#lead-body [aria-invalid=true]");
    if (invalid) { invalid.focus(); return; }
    var stageForm = document.getElementById("stage-form");
    if (target.id === "stage-form" && stageForm) {
      var detail = stageForm.querySelector(".stage-details input, .stage-details select");
      if (detail) detail.focus();
    }
  });

  // Logging an SMS for someone who never agreed to texts warns before anything is
  // saved; the "log it anyway" box shows only then (the server asks for it too).
  function smsConsentShow() {
    var action = document.getElementById("action-message");
    if (!action) return;
    var allowed = action.dataset.textsAllowed === "yes";
    var sms = action.querySelector("input[name=message-kind][value=sms]");
    var anyway = document.getElementById("id_message-sent_without_consent");
    var warning = document.getElementById("sms-consent-warning");
    var needed = !allowed && sms && sms.checked;
    if (warning) warning.hidden = !needed;
    var box = anyway && anyway.closest(".field");
    if (box) box.hidden = !needed && !box.classList.contains("has-error");
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "message-kind") smsConsentShow();
  });
  document.addEventListener("htmx:afterSettle", smsConsentShow);
  smsConsentShow();
})();
