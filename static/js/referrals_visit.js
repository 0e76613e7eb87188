// Log a visit: filter the list of sources as the liaison types. Without JavaScript the
// whole list shows and the form still works.
(function () {
  "use strict";
  var filter = document.querySelector("[data-source-filter]");
  var list = document.querySelector("[data-source-list]");
  if (!filter || !list) return;
  var choices = Array.prototype.slice.call(list.querySelectorAll(".ref-choice"));
  if (choices.length < 6) return; // a short list needs no search box
  filter.hidden = false;
  filter.addEventListener("input", function () {
    var words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    choices.forEach(function (choice) {
      var checked = choice.querySelector("input").checked;
      var name = choice.getAttribute("data-name");
      var match = words.every(function (word) { return name.indexOf(word) !== -1; });
      choice.hidden = !(checked || match);
    });
  });
})();

// The gift limit warns while the visit is typed, before anything is saved: each
// source's total this year (on its checkbox) plus its share of this gift.
(function () {
  "use strict";
  var form = document.querySelector(".ref-visit-form");
  if (!form || !form.dataset.giftLimit) return;
  var limit = parseFloat(form.dataset.giftLimit);
  var warnFrom = parseFloat(form.dataset.giftWarningFrom);
  var value = form.querySelector("[name=gift_value]");
  var date = form.querySelector("[name=visited_on]");
  var warning = document.getElementById("gift-limit-warning");
  var okField = document.getElementById("gift-limit-ok-field");
  if (!value || !warning) return;

  function money(amount) { return "$" + amount.toFixed(2); }

  function check() {
    var chosen = Array.prototype.slice.call(form.querySelectorAll(".ref-choice")).filter(function (label) {
      return label.querySelector("input").checked;
    });
    var gift = parseFloat(value.value || "0") || 0;
    var sameYear = !date || !date.value || date.value.slice(0, 4) === form.dataset.giftYear;
    var over = [], near = [];
    if (gift > 0 && chosen.length && sameYear) {
      // The largest share (the first source takes the odd cent), to be on the safe side.
      var share = Math.ceil(gift * 100 / chosen.length) / 100;
      chosen.forEach(function (label) {
        var total = parseFloat(label.dataset.giftTotal || "0") + share;
        var name = label.querySelector("span").textContent.split(" · ")[0];
        if (total > limit) over.push(name + " (" + money(total) + ")");
        else if (total >= warnFrom) near.push(name + " (" + money(total) + ")");
      });
    }
    if (over.length) {
      warning.textContent = "Over the " + money(limit) + " yearly gift limit: " + over.join(", ") + ". Lower the value, or tick “Save anyway”.";
    } else if (near.length) {
      warning.textContent = "Near the " + money(limit) + " yearly gift limit: " + near.join(", ") + ".";
    }
    warning.hidden = !over.length && !near.length;
    if (okField && !okField.querySelector("input").checked) okField.hidden = !over.length;
  }

  form.addEventListener("input", check);
  form.addEventListener("change", check);
  check();
})();
