/* Manager dashboards: draws each panel's chart as inline SVG from the JSON the server
   put next to it. No library, nothing fetched: the figures themselves are in the table
   under every chart, which stays the readable source (the SVG is a picture of it). */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var WIDTH = 640;
  var HEIGHT = 240;
  var PAD = { top: 18, right: 12, bottom: 54, left: 44 };

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function text(parent, x, y, value, cls, anchor) {
    var node = el("text", { x: x, y: y, "class": cls || "dash-chart-label", "text-anchor": anchor || "middle" }, parent);
    node.textContent = value;
    return node;
  }

  function number(value) {
    var n = parseFloat(value);
    return isNaN(n) ? 0 : n;
  }

  function niceMax(max) {
    if (max <= 0) { return 1; }
    var step = Math.pow(10, Math.floor(Math.log10(max)));
    // Multiples that split into four whole ticks: an axis of lead counts never reads 12.5.
    var nice = [1, 2, 4, 5, 8, 10].map(function (m) { return m * step; });
    for (var i = 0; i < nice.length; i++) { if (nice[i] >= max) { return nice[i]; } }
    return 10 * step;
  }

  function format(value, unit) {
    var n = number(value);
    var shown = Math.abs(n) >= 1000 ? n.toLocaleString() : String(Math.round(n * 10) / 10);
    return unit === "%" ? shown + "%" : shown;
  }

  function frame(chart) {
    var svg = el("svg", {
      viewBox: "0 0 " + WIDTH + " " + HEIGHT,
      role: "img",
      "class": "dash-svg",
      "aria-label": chart.title + ". The figures are in the table below."
    });
    return svg;
  }

  function axis(svg, max, unit) {
    var plotH = HEIGHT - PAD.top - PAD.bottom;
    for (var i = 0; i <= 4; i++) {
      var y = PAD.top + plotH - (plotH * i) / 4;
      el("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y, y2: y, "class": "dash-grid" }, svg);
      text(svg, PAD.left - 6, y + 4, format((max * i) / 4, unit), "dash-chart-label", "end");
    }
  }

  function lines2(label, width) {
    // A label on up to two lines of about `width` characters, cut at a space.
    var words = String(label).split(" ");
    var first = "";
    while (words.length && (first + " " + words[0]).trim().length <= width) {
      first = (first + " " + words.shift()).trim();
    }
    if (!first) { first = words.shift() || ""; }
    var second = words.join(" ");
    if (second.length > width) { second = second.slice(0, width - 1) + "…"; }
    return [first.length > width ? first.slice(0, width - 1) + "…" : first, second];
  }

  function xLabels(svg, labels, slot) {
    var every = Math.max(1, Math.ceil(labels.length / 12));
    var y = HEIGHT - PAD.bottom + 14;
    // Few labels: level, on two lines, each as wide as its slot. Many (weeks): slanted.
    var width = Math.max(6, Math.floor(slot / 6.5));
    labels.forEach(function (label, i) {
      if (i % every) { return; }
      var x = PAD.left + slot * i + slot / 2;
      if (labels.length <= 10) {
        var parts = lines2(label, width);
        var node = text(svg, x, y, parts[0]);
        if (parts[1]) {
          var more = el("tspan", { x: x, dy: 13 }, node);
          more.textContent = parts[1];
        }
        el("title", {}, node).textContent = String(label);
        return;
      }
      var short = String(label).length > 14 ? String(label).slice(0, 13) + "…" : String(label);
      var slanted = text(svg, x, y, short);
      slanted.setAttribute("transform", "rotate(-30 " + x + " " + y + ")");
      slanted.setAttribute("text-anchor", "end");
    });
  }

  function legend(figure, series) {
    if (series.length < 2) { return; }
    var list = document.createElement("ul");
    list.className = "dash-legend";
    series.forEach(function (s, i) {
      var item = document.createElement("li");
      item.innerHTML = '<span class="dash-swatch dash-s' + (i % 6) + '"></span>';
      item.appendChild(document.createTextNode(s.name));
      list.appendChild(item);
    });
    figure.appendChild(list);
  }

  function bars(chart, stacked) {
    var svg = frame(chart);
    var labels = chart.labels;
    var series = chart.series;
    var totals = labels.map(function (_, i) {
      return stacked
        ? series.reduce(function (sum, s) { return sum + number(s.values[i]); }, 0)
        : Math.max.apply(null, series.map(function (s) { return number(s.values[i]); }));
    });
    var max = niceMax(Math.max.apply(null, totals.concat([0])));
    axis(svg, max, chart.unit);
    var plotW = WIDTH - PAD.left - PAD.right;
    var plotH = HEIGHT - PAD.top - PAD.bottom;
    var slot = plotW / Math.max(labels.length, 1);
    var groupW = slot * 0.75;
    var barW = stacked ? groupW : groupW / series.length;
    labels.forEach(function (label, i) {
      var base = PAD.top + plotH;
      series.forEach(function (s, j) {
        var value = number(s.values[i]);
        var h = (plotH * value) / max;
        var x = PAD.left + slot * i + (slot - groupW) / 2 + (stacked ? 0 : barW * j);
        var y = stacked ? base - h : PAD.top + plotH - h;
        var rect = el("rect", { x: x, y: y, width: Math.max(barW - 2, 1), height: Math.max(h, 0), "class": "dash-s" + (j % 6) }, svg);
        el("title", {}, rect).textContent = label + ", " + s.name + ": " + format(value, chart.unit);
        if (stacked) { base -= h; }
      });
      if (!stacked && series.length === 1) {
        text(svg, PAD.left + slot * i + slot / 2, PAD.top + plotH - (plotH * totals[i]) / max - 4, format(totals[i], chart.unit), "dash-chart-value");
      }
    });
    xLabels(svg, labels, slot);
    return svg;
  }

  function lines(chart) {
    var svg = frame(chart);
    var labels = chart.labels;
    var all = [0];
    chart.series.forEach(function (s) { s.values.forEach(function (v) { all.push(number(v)); }); });
    var max = niceMax(Math.max.apply(null, all));
    axis(svg, max, chart.unit);
    var plotW = WIDTH - PAD.left - PAD.right;
    var plotH = HEIGHT - PAD.top - PAD.bottom;
    var slot = plotW / Math.max(labels.length, 1);
    chart.series.forEach(function (s, j) {
      var points = s.values.map(function (v, i) {
        return (PAD.left + slot * i + slot / 2) + "," + (PAD.top + plotH - (plotH * number(v)) / max);
      });
      el("polyline", { points: points.join(" "), "class": "dash-line dash-s" + (j % 6) }, svg);
      s.values.forEach(function (v, i) {
        var dot = el("circle", { cx: PAD.left + slot * i + slot / 2, cy: PAD.top + plotH - (plotH * number(v)) / max, r: 3, "class": "dash-s" + (j % 6) }, svg);
        el("title", {}, dot).textContent = labels[i] + ", " + s.name + ": " + format(v, chart.unit);
      });
    });
    xLabels(svg, labels, slot);
    return svg;
  }

  function draw(root) {
    (root || document).querySelectorAll("figure[data-chart]").forEach(function (figure) {
      if (figure.dataset.drawn) { return; }
      var source = figure.querySelector('script[type="application/json"]');
      var canvas = figure.querySelector(".dash-chart-canvas");
      if (!source || !canvas) { return; }
      var chart = JSON.parse(source.textContent);
      var svg = chart.kind === "lines" ? lines(chart) : bars(chart, chart.kind === "stacked");
      canvas.appendChild(svg);
      legend(figure, chart.series);
      figure.dataset.drawn = "1";
    });
  }

  // Typing a date makes the period a custom range: a preset in the query string wins over
  // the dates beside it. (A choice applies with the Apply button, never on its own: a
  // page that changes while someone picks from a list is hard to use by keyboard.)
  function filtersFold() {
    // On a phone the figures come first: the filters fold away behind their summary,
    // unless one of them needs correcting.
    var box = document.querySelector("details.dash-filter-box");
    if (box && window.matchMedia("(max-width: 640px)").matches && !box.querySelector(".form-error")) {
      box.open = false;
    }
  }

  function currentTabShow() {
    // On a phone the tabs scroll sideways: bring the page's own tab into view.
    var tab = document.querySelector(".dash-tabs [aria-current=page]");
    var strip = tab && tab.parentElement;
    if (strip && strip.scrollWidth > strip.clientWidth) {
      strip.scrollLeft = tab.offsetLeft - (strip.clientWidth - tab.offsetWidth) / 2;
    }
  }

  function periodWire() {
    var form = document.querySelector("form.dash-filters");
    if (!form || !form.elements.period) { return; }
    var period = form.elements.period;
    ["start", "end"].forEach(function (name) {
      var input = form.elements[name];
      if (input) { input.addEventListener("change", function () { period.value = "custom"; }); }
    });
  }

  // Panels arrive through htmx after the page loads; htmx:load fires on each of them.
  document.addEventListener("htmx:load", function (event) { draw(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(document); periodWire(); filtersFold(); currentTabShow(); });
  } else {
    draw(document);
    periodWire();
    filtersFold();
    currentTabShow();
  }
})();
