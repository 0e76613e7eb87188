/* The queue page: keyboard shortcuts, a selection that survives the 10-second refresh,
   and a quiet highlight (and screen-reader note) when new work arrives. */
(function () {
  "use strict";

  var selectedId = null;
  var knownRows = null;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue-list tr.queue-row"));
  }

  function select(row) {
    rows().forEach(function (r) { r.classList.remove("is-selected"); });
    if (!row) { selectedId = null; return; }
    row.classList.add("is-selected");
    selectedId = row.id;
    var link = row.querySelector("a.row-link");
    if (link) link.focus({ preventScroll: false });
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.findIndex(function (r) { return r.id === selectedId; });
    index = index === -1 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
    select(all[index]);
  }

  function setScope(value) {
    var scope = document.getElementById("id_scope");
    if (!scope || !scope.querySelector('option[value="' + value + '"]')) return;
    scope.value = value;
    scope.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function isTyping(target) {
    var tag = target.tagName;
    return (tag === "INPUT" && target.type !== "checkbox") || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var help = document.getElementById("shortcuts-help");
    switch (event.key) {
      case "/":
        event.preventDefault();
        document.getElementById("id_q").focus();
        break;
      case "j": move(1); break;
      case "k": move(-1); break;
      case "o":
      case "Enter": {
        var row = selectedId && document.getElementById(selectedId);
        var link = row && row.querySelector("a.row-link");
        if (link) { event.preventDefault(); window.location.href = link.href; }
        break;
      }
      case "m": setScope("mine"); break;
      case "u": setScope("unassigned"); break;
      case "a": setScope("all"); break;
      case "r":
        if (window.htmx) window.htmx.trigger(document.body, "queue-refresh");
        break;
      case "?":
        if (help) help.open = !help.open;
        break;
      case "x": {
        var current = selectedId && document.getElementById(selectedId);
        var box = current && current.querySelector(".queue-pick-box");
        if (box) { box.checked = !box.checked; tickChanged(box); }
        break;
      }
      default:
        return;
    }
  });

  // A click on a row (not only on its name) opens the lead.
  document.addEventListener("click", function (event) {
    var row = event.target.closest("#queue-list tr.queue-row");
    if (!row || event.target.closest("a, button, input, select, label, .queue-pick")) return;
    var link = row.querySelector("a.row-link");
    if (link) window.location.href = link.href;
  });

  function rowIds() {
    return rows().map(function (r) { return r.id; });
  }

  // A hidden tab does not poll. This check lives here, not in an hx-trigger filter:
  // htmx runs such filters through eval, which the Content-Security-Policy forbids.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt.id === "queue-list" && document.visibilityState !== "visible") {
      event.preventDefault();
    }
  });

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "queue-list") knownRows = rowIds();
  });

  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (!document.getElementById("queue-list")) return;
    if (knownRows) {
      var fresh = rows().filter(function (r) { return knownRows.indexOf(r.id) === -1; });
      fresh.forEach(function (r) { r.classList.add("is-new"); });
      var announcer = document.getElementById("queue-announcer");
      if (announcer && fresh.length) {
        announcer.textContent = fresh.length === 1 ? "1 new item in the queue." : fresh.length + " new items in the queue.";
      }
    }
    knownRows = null;
    ticksRestore();
    arrivalsShow();
    if (selectedId) {
      var again = document.getElementById(selectedId);
      if (again) again.classList.add("is-selected");
    }
  });

  // New leads in my teams announce themselves: a notice with their count, and a sound
  // and a browser notification if the coordinator switched them on (kept per browser).
  // The notification names no patient: it lands on a shared screen's lock screen.
  var lastArrived = 0;
  var audio = null;
  var sound = document.getElementById("queue-alert-sound");
  var notify = document.getElementById("queue-alert-notify");

  function stored(box, key) {
    if (!box) return;
    box.checked = window.localStorage.getItem(key) === "on";
    box.addEventListener("change", function () {
      window.localStorage.setItem(key, box.checked ? "on" : "off");
    });
  }
  stored(sound, "leadcrm.queue.sound");
  stored(notify, "leadcrm.queue.notify");

  if (sound) sound.addEventListener("change", function () {
    // Browsers allow audio only after a gesture: this click is it.
    if (sound.checked && !audio && window.AudioContext) audio = new window.AudioContext();
  });
  if (notify) notify.addEventListener("change", function () {
    if (!notify.checked || !("Notification" in window)) return;
    window.Notification.requestPermission().then(function (answer) {
      var help = document.getElementById("queue-alert-notify-help");
      if (answer !== "granted") {
        notify.checked = false;
        window.localStorage.setItem("leadcrm.queue.notify", "off");
        if (help) help.hidden = false;
      } else if (help) {
        help.hidden = true;
      }
    });
  });

  function beep() {
    if (!audio) return;
    var tone = audio.createOscillator();
    var gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.value = 0.1;
    tone.connect(gain);
    gain.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.2);
  }

  function arrivalsShow() {
    var list = document.getElementById("queue-list");
    var notice = document.getElementById("queue-arrivals-notice");
    if (!list || !notice) return;
    var arrived = parseInt(list.dataset.arrived || "0", 10);
    var text = arrived === 1 ? "1 new lead in your teams" : arrived + " new leads in your teams";
    notice.hidden = arrived === 0;
    document.getElementById("queue-arrivals-text").textContent = text;
    document.title = (arrived ? "(" + arrived + ") " : "") + document.title.replace(/^\(\d+\) /, "");
    if (arrived > lastArrived) {
      if (sound && sound.checked) beep();
      if (notify && notify.checked && "Notification" in window && window.Notification.permission === "granted") {
        new window.Notification("LeadCRM", { body: text, tag: "leadcrm-queue" });
      }
    }
    lastArrived = arrived;
  }

  // Bulk actions: ticked leads are remembered by id, so the 10-second refresh (which
  // redraws the rows) keeps them ticked.
  var ticked = {};
  var bulkForm = document.getElementById("queue-bulk");

  function tickCount() {
    return Object.keys(ticked).length;
  }

  function tickShow() {
    var count = tickCount();
    var label = document.getElementById("queue-bulk-count");
    if (label) label.textContent = count === 0 ? "No leads ticked" : count === 1 ? "1 lead ticked" : count + " leads ticked";
    var all = document.getElementById("queue-pick-all");
    var boxes = document.querySelectorAll("#queue-list .queue-pick-box");
    if (all) {
      var checked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
      all.checked = boxes.length > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
    if (bulkForm) bulkForm.classList.toggle("has-ticks", count > 0);
    // Far down a long list the bulk form is out of sight: a button at the bottom of the
    // screen leads back to it.
    var float = document.getElementById("queue-bulk-float");
    if (float) {
      float.hidden = count === 0;
      document.getElementById("queue-bulk-float-link").textContent =
        (count === 1 ? "1 lead ticked" : count + " leads ticked") + ": choose an action";
    }
  }

  function tickChanged(box) {
    document.querySelectorAll('#queue-list .queue-pick-box[value="' + box.value + '"]').forEach(function (other) {
      other.checked = box.checked;
    });
    if (box.checked) ticked[box.value] = true; else delete ticked[box.value];
    tickShow();
  }

  function ticksRestore() {
    document.querySelectorAll("#queue-list .queue-pick-box").forEach(function (box) {
      box.checked = !!ticked[box.value];
    });
    tickShow();
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.classList && target.classList.contains("queue-pick-box")) tickChanged(target);
    if (target.id === "queue-pick-all") {
      document.querySelectorAll("#queue-list .queue-pick-box").forEach(function (box) {
        box.checked = target.checked;
        if (box.checked) ticked[box.value] = true; else delete ticked[box.value];
      });
      tickShow();
    }
  });

  function bulkParts() {
    if (!bulkForm) return;
    var action = bulkForm.querySelector('[name="action"]').value;
    bulkForm.querySelectorAll(".queue-bulk-part").forEach(function (part) {
      part.hidden = (part.dataset.for || "").split(" ").indexOf(action) === -1;
    });
  }
  if (bulkForm) {
    bulkForm.querySelector('[name="action"]').addEventListener("change", bulkParts);
    bulkParts();
    // Ticked leads no longer on screen (another page) still go with the form.
    bulkForm.addEventListener("submit", function () {
      bulkForm.querySelectorAll("input.queue-bulk-off-page").forEach(function (i) { i.remove(); });
      var onPage = {};
      document.querySelectorAll("#queue-list .queue-pick-box").forEach(function (box) { onPage[box.value] = true; });
      Object.keys(ticked).forEach(function (id) {
        if (onPage[id]) return;
        var input = document.createElement("input");
        input.type = "hidden"; input.name = "lead"; input.value = id; input.className = "queue-bulk-off-page";
        bulkForm.appendChild(input);
      });
    });
  }
  ticksRestore();

  // Saved views: picking one opens it; saving one takes the filters as they are now
  // (htmx may have changed them since the page was drawn).
  var pick = document.getElementById("id_view");
  if (pick) pick.addEventListener("change", function () {
    if (pick.value) pick.form.submit();
  });
  // Deleting a view (perhaps one a whole team uses) is asked once more. On the window,
  // in the capture phase: before app.js marks the form as sent and disables its button.
  window.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("queue-view-delete")) return;
    if (!window.confirm("Delete the view “" + form.dataset.name + "”?")) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // The team is asked for only when the view is shared with a team.
  var sharing = document.getElementById("view-sharing");
  var teamField = document.getElementById("view-team");
  function teamShow() {
    if (sharing && teamField) teamField.closest(".field").hidden = sharing.value !== "team";
  }
  if (sharing) sharing.addEventListener("change", teamShow);
  teamShow();
  var saveForm = document.getElementById("queue-view-save");
  var filterForm = document.getElementById("queue-filters");
  if (saveForm && filterForm) saveForm.addEventListener("submit", function () {
    var state = saveForm.querySelector(".queue-view-save-state");
    state.textContent = "";
    new FormData(filterForm).forEach(function (value, name) {
      if (["q", "after", "seen", "csrfmiddlewaretoken"].indexOf(name) !== -1 || value === "") return;
      var input = document.createElement("input");
      input.type = "hidden"; input.name = name; input.value = value;
      state.appendChild(input);
    });
  }, true);

  var seenButton = document.getElementById("queue-arrivals-seen");
  if (seenButton) seenButton.addEventListener("click", function () {
    var list = document.getElementById("queue-list");
    document.getElementById("id_seen").value = list.dataset.newest;
    list.dataset.arrived = "0";
    arrivalsShow();
    window.scrollTo(0, 0);
  });
})();
