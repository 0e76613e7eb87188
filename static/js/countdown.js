/* Ticking response clocks and task due times (queue and lead page).
   The server renders each <time class="countdown"> with its first text; this keeps it
   live and recolours it as it crosses the warning point and the due time. */
(function () {
  "use strict";

  var offset = 0; // server clock minus this computer's clock, so a wrong PC clock is harmless

  function syncWithServer() {
    var holder = document.querySelector("[data-server-now]");
    if (!holder) return;
    var serverNow = Date.parse(holder.getAttribute("data-server-now"));
    if (!isNaN(serverNow)) offset = serverNow - Date.now();
  }

  // The same format as apps/queue/templatetags/queue_tags.py: 42:07, 3 h 05 min, 2 d 4 h.
  function span(seconds) {
    if (seconds < 3600) {
      var s = seconds % 60;
      return Math.floor(seconds / 60) + ":" + (s < 10 ? "0" : "") + s;
    }
    if (seconds < 86400) {
      var m = Math.floor((seconds % 3600) / 60);
      return Math.floor(seconds / 3600) + " h " + (m < 10 ? "0" : "") + m + " min";
    }
    return Math.floor(seconds / 86400) + " d " + Math.floor((seconds % 86400) / 3600) + " h";
  }

  function stateOf(el, now, due) {
    var warn = el.getAttribute("data-warn");
    if (warn === null) return due <= now ? "overdue" : "due";
    if (due <= now) return "breached";
    return now >= Date.parse(warn) ? "due_soon" : "on_time";
  }

  function setState(el, prefix, state) {
    var stale = Array.prototype.filter.call(el.classList, function (name) {
      return name.indexOf(prefix) === 0 && name !== prefix + state;
    });
    stale.forEach(function (name) { el.classList.remove(name); });
    el.classList.add(prefix + state);
  }

  function tick() {
    var now = Date.now() + offset;
    var clocks = document.querySelectorAll("time.countdown[data-due]");
    for (var i = 0; i < clocks.length; i++) {
      var el = clocks[i];
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) continue;
      var seconds = Math.round((due - now) / 1000);
      var pattern = el.getAttribute(seconds > 0 ? "data-future" : "data-past") || "{}";
      var text = pattern.replace("{}", span(Math.abs(seconds)));
      if (el.textContent !== text) el.textContent = text;
      var state = stateOf(el, now, due);
      setState(el, "state-", state);
      var row = el.closest("tr.queue-row");
      if (row && !row.classList.contains("row-answered")) setState(row, "row-", state);
    }
  }

  syncWithServer();
  tick();
  window.setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSettle", function () {
    syncWithServer();
    tick();
  });
})();
