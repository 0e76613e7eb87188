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
