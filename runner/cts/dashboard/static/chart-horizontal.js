/* CTS Program Dashboard, the horizontal bar chart (one row per category, e.g. the values of a
   demographic): category labels on the left, one bar per series, each with its value label. A
   withheld value is a short hatched stub with its label: its length carries no value. */
(function (CTS) {
  "use strict";

  if (!window.CTS_DATA) {
    return;
  }
  var format = CTS.format;
  var svg = CTS.dom.svg;
  var chart = CTS.chart;
  var CHAR_WIDTH = 7.2; // the approximate width of a label character, in pixels

  function layout(spec, width) {
    var k = spec.series.length;
    var barH = k > 1 ? 12 : 18;
    var maxChars = 0;
    spec.categories.forEach(function (category) {
      maxChars = Math.max(maxChars, category.label.length);
    });
    var labelW = Math.min(Math.max(70, maxChars * CHAR_WIDTH + 8), Math.floor(width * 0.42));
    var valueW = 62;
    var plotW = Math.max(60, width - labelW - valueW);
    var rowH = barH * k + 10;
    return {
      k: k, barH: barH, rowH: rowH, labelW: labelW, left: labelW, plotW: plotW,
      max: chart.scaleMax(spec), height: rowH * spec.categories.length + 24,
      stub: Math.max(6, plotW * 0.03), maxLabel: Math.max(6, Math.floor((labelW - 8) / CHAR_WIDTH))
    };
  }

  function grid(spec, box) {
    var lines = svg("g", { class: "grid" });
    var ticks = box.plotW < 220 ? 2 : 4;
    for (var t = 0; t <= ticks; t++) {
      var x = box.left + (box.plotW * t) / ticks;
      lines.appendChild(svg("line", { x1: x, x2: x, y1: 0, y2: box.height - 20 }));
      lines.appendChild(svg("text", {
        x: x, y: box.height - 6, "text-anchor": t === 0 ? "start" : "middle",
        text: chart.tickLabel(spec, (box.max * t) / ticks)
      }));
    }
    return lines;
  }

  // The category's name, cut with an ellipsis to fit; the whole name is its tooltip.
  function categoryLabel(category, box, y0) {
    var label = category.label.length > box.maxLabel
      ? category.label.slice(0, box.maxLabel - 1) + "\u2026"
      : category.label;
    return svg("text", { x: box.labelW - 6, y: y0 + (box.barH * box.k) / 2 + 4, "text-anchor": "end" }, [
      svg("title", { text: category.label }),
      document.createTextNode(label)
    ]);
  }

  function bar(root, spec, box, i, s) {
    var category = spec.categories[i];
    var series = spec.series[s];
    var value = series.values[i];
    var y = i * box.rowH + 5 + box.barH * s;
    var cls = category.cls || series.cls || "s" + s;
    var tip = chart.barTip(spec, category, series, value);
    var withheld = format.withheld(spec.kind, value);
    var w;
    if (withheld) {
      w = box.stub;
      root.appendChild(svg("rect", { class: "supp", x: box.left, y: y, width: w, height: box.barH - 2 },
        svg("title", { text: tip })));
    } else if (typeof value === "number") {
      w = (box.plotW * value) / box.max;
      root.appendChild(svg("rect", { class: cls, x: box.left, y: y, width: Math.max(w, 0), height: box.barH - 2 },
        svg("title", { text: tip })));
    } else {
      w = 0;
    }
    root.appendChild(svg("text", {
      class: withheld ? "supp-label" : "value",
      x: box.left + w + 4, y: y + box.barH / 2 + 2, text: format.valueLabel(spec.kind, value)
    }));
  }

  CTS.chart.horizontal = function (spec, width) {
    var box = layout(spec, width);
    var root = chart.plotRoot(spec, width, box.height);
    root.appendChild(grid(spec, box));
    spec.categories.forEach(function (category, i) {
      root.appendChild(categoryLabel(category, box, i * box.rowH + 5));
      spec.series.forEach(function (series, s) {
        bar(root, spec, box, i, s);
      });
    });
    return root;
  };
})(window.CTS = window.CTS || {});
