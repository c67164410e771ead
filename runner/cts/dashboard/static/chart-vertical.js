/* CTS Program Dashboard, the vertical bar chart (categories along the bottom, e.g. years): one
   group of bars per category, one bar per series. A withheld value is a short hatched stub with
   its label: its height carries no value. */
(function (CTS) {
  "use strict";

  if (!window.CTS_DATA) {
    return;
  }
  var format = CTS.format;
  var svg = CTS.dom.svg;
  var chart = CTS.chart;

  function layout(spec, width) {
    var k = spec.series.length;
    var left = 52;
    var right = 8;
    var top = 18;
    var group = (width - left - right) / Math.max(spec.categories.length, 1);
    var rotate = group < 46; // narrow groups: category labels slanted
    var bottom = rotate ? 58 : 30;
    var height = 250 + bottom;
    var plotH = height - top - bottom;
    return {
      width: width, height: height, left: left, right: right, top: top, plotH: plotH,
      k: k, max: chart.scaleMax(spec), group: group, rotate: rotate,
      barW: Math.max(2, (group * 0.78) / k), stub: Math.max(8, plotH * 0.05)
    };
  }

  function grid(spec, box) {
    var lines = svg("g", { class: "grid" });
    for (var t = 0; t <= 4; t++) {
      var v = (box.max * t) / 4;
      var y = box.top + box.plotH - (box.plotH * t) / 4;
      lines.appendChild(svg("line", { x1: box.left, x2: box.width - box.right, y1: y, y2: y }));
      lines.appendChild(
        svg("text", { x: box.left - 6, y: y + 4, "text-anchor": "end", text: chart.tickLabel(spec, v) })
      );
    }
    return lines;
  }

  function bar(root, spec, box, i, s) {
    var category = spec.categories[i];
    var series = spec.series[s];
    var value = series.values[i];
    var bottom = box.top + box.plotH;
    var x = box.left + box.group * i + box.group * 0.11 + box.barW * s;
    var cls = (series.cls || "s" + s) + (category.partial ? " partial" : "");
    var tip = chart.barTip(spec, category, series, value);
    var label = format.valueLabel(spec.kind, value);
    if (format.withheld(spec.kind, value)) {
      root.appendChild(
        svg("rect", { class: "supp", x: x, y: bottom - box.stub, width: box.barW, height: box.stub },
          svg("title", { text: tip }))
      );
      if (box.barW >= 24 || box.k === 1) {
        root.appendChild(svg("text", {
          class: "supp-label", x: x + box.barW / 2, y: bottom - box.stub - 4, "text-anchor": "middle", text: label
        }));
      }
      return;
    }
    if (typeof value !== "number") {
      return;
    }
    var h = (box.plotH * value) / box.max;
    root.appendChild(
      svg("rect", { class: cls, x: x, y: bottom - h, width: box.barW, height: Math.max(h, 0) },
        svg("title", { text: tip }))
    );
    if (box.barW >= 26 || (box.k === 1 && box.group >= 40)) {
      root.appendChild(svg("text", {
        class: "value", x: x + box.barW / 2, y: bottom - h - 4, "text-anchor": "middle", text: label
      }));
    }
  }

  function categoryLabel(category, box, i) {
    var cx = box.left + box.group * i + box.group / 2;
    var ly = box.top + box.plotH + 16;
    var label = category.short || category.label;
    return svg("text", box.rotate
      ? { x: cx, y: ly, "text-anchor": "end", transform: "rotate(-45 " + cx + " " + ly + ")", text: label }
      : { x: cx, y: ly, "text-anchor": "middle", text: label });
  }

  CTS.chart.vertical = function (spec, width) {
    var box = layout(spec, width);
    var root = chart.plotRoot(spec, width, box.height);
    root.appendChild(grid(spec, box));
    spec.categories.forEach(function (category, i) {
      spec.series.forEach(function (series, s) {
        bar(root, spec, box, i, s);
      });
      root.appendChild(categoryLabel(category, box, i));
    });
    var bottom = box.top + box.plotH;
    root.appendChild(svg("line", {
      class: "axis", x1: box.left, x2: width - box.right, y1: bottom, y2: bottom, stroke: "#555"
    }));
    return root;
  };
})(window.CTS = window.CTS || {});
