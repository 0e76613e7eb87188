/* The nurture track builder: steps are cards in the order they run. Move up/down
   buttons reorder them (and renumber the hidden positions the server saves by); a
   card shows only its channel's fields; a text message counts its characters. */
(function () {
  "use strict";
  var builder = document.querySelector("[data-track-builder]");
  if (!builder) return;
  var list = builder.querySelector("#nurture-steps");
  var announce = builder.querySelector("[data-step-announce]");
  var SMS_MAX = 380;
  var CHANNEL_WORDS = { email: "Email", sms: "Text message", call_task: "Call task" };
  var BODY_LABELS = {
    email: "Email text",
    sms: "SMS text",
    call_task: "What the call is about (for the coordinator)"
  };

  function cards() {
    return Array.prototype.slice.call(list.querySelectorAll("[data-step-card]"));
  }

  function checkedChannel(card) {
    var checked = card.querySelector("[data-step-action]:checked");
    return checked ? checked.value : "email";
  }

  function waitWords(card) {
    var amount = card.querySelector("input[name$='-wait_amount']");
    var unit = card.querySelector("select[name$='-wait_unit']");
    var n = amount ? parseInt(amount.value, 10) : 0;
    if (!n) return "at once";
    var unitText = unit ? unit.options[unit.selectedIndex].text : "";
    if (n === 1) unitText = unitText.replace(/s$/, "");
    return "after " + n + " " + unitText;
  }

  function showChannel(card) {
    var channel = checkedChannel(card);
    card.dataset.channel = channel;
    card.querySelectorAll("[data-channel-only]").forEach(function (element) {
      element.hidden = element.dataset.channelOnly.split(" ").indexOf(channel) === -1;
    });
    var label = card.querySelector("[data-body-label]");
    if (label) label.textContent = BODY_LABELS[channel];
    var removed = card.querySelector("input[name$='-DELETE']");
    card.classList.toggle("is-removed", !!(removed && removed.checked));
    summarize(card);
    count(card);
  }

  function summarize(card) {
    var summary = card.querySelector("[data-step-summary]");
    if (summary) summary.textContent = "· " + CHANNEL_WORDS[checkedChannel(card)] + ", " + waitWords(card);
  }

  function count(card) {
    var body = card.querySelector("[data-step-body]");
    var counter = card.querySelector("[data-sms-count]");
    if (!body || !counter) return;
    counter.textContent = body.value.length;
    counter.parentElement.classList.toggle("form-error", body.value.length > SMS_MAX);
  }

  function renumber() {
    var all = cards();
    all.forEach(function (card, index) {
      var number = index + 1;
      var position = card.querySelector("[data-step-position]");
      if (position) position.value = number;
      card.querySelector("[data-step-number]").textContent = number;
      card.querySelectorAll("[data-step-move-label]").forEach(function (span) {
        span.textContent = " (step " + number + ")";
      });
      card.querySelector("[data-step-move='up']").disabled = index === 0;
      card.querySelector("[data-step-move='down']").disabled = index === all.length - 1;
      summarize(card);
    });
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-step-move]");
    if (!button) return;
    var card = button.closest("[data-step-card]");
    var up = button.dataset.stepMove === "up";
    var other = up ? card.previousElementSibling : card.nextElementSibling;
    while (other && !other.matches("[data-step-card]")) other = up ? other.previousElementSibling : other.nextElementSibling;
    if (!other) return;
    if (up) list.insertBefore(card, other); else list.insertBefore(other, card);
    renumber();
    // Keep the keyboard where it was: on the same button of the moved card, or the
    // other one when this one just became disabled at the top or bottom.
    var again = card.querySelector("[data-step-move='" + button.dataset.stepMove + "']");
    (again.disabled ? card.querySelector("[data-step-move='" + (up ? "down" : "up") + "']") : again).focus();
    var position = cards().indexOf(card) + 1;
    announce.textContent = "Step moved to position " + position + " of " + cards().length + ".";
  });

  list.addEventListener("change", function (event) {
    var card = event.target.closest("[data-step-card]");
    if (card) showChannel(card);
  });
  list.addEventListener("input", function (event) {
    var card = event.target.closest("[data-step-card]");
    if (!card) return;
    if (event.target.matches("[data-step-body]")) count(card);
    if (event.target.matches("input[name$='-wait_amount']")) summarize(card);
  });

  // A card added by "Add a step" (htmx) takes its number and shows its channel.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail && event.detail.target === list) {
      cards().forEach(showChannel);
      renumber();
      var last = cards().pop();
      if (last) last.querySelector("[data-step-action]").focus();
    }
  });

  cards().forEach(showChannel);
  renumber();
})();
