/* CTS Program Dashboard, what both chart orientations share: the value scale, tick labels, and
   the <svg> root with its text summary for screen readers.
   A chart spec: {id, title, note, orientation "v"|"h", kind "count"|"rate", categoryHeader,
   categories: [{label, short, partial, cls}], series: [{name, values, cls}], legend, hasWithheld,
   extra: further nodes (tables in <details>) after the chart's own table}. */
(function (CTS) {
  "use strict";

  var data = window.CTS_DATA;
  if (!data) {
    return;
  }
  var threshold = data.threshold;
  var format = CTS.format;
  var svg = CTS.dom.svg;

  // The top of the scale: the smallest "nice" number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power
  // of ten) at or above max.
  function niceMax(max) {
    if (max <= 0) {
      return 1;
    }
    var exponent = Math.pow(10, Math.floor(Math.log10(max)));
    var steps = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * exponent >= max) {
        return steps[i] * exponent;
      }
    }
    return 10 * exponent;
  }
  // Rates always run to 100%; counts to the largest shown, and at least to the threshold.
  function scaleMax(spec) {
    if (spec.kind === "rate") {
      return 10000;
    }
    var max = 0;
    spec.series.forEach(function (series) {
      series.values.forEach(function (value) {
        if (typeof value === "number" && value > max) {
          max = value;
        }
      });
    });
    return niceMax(Math.max(max, threshold));
  }
  function ariaSummary(spec) {
    var parts = [];
    spec.categories.forEach(function (category, i) {
      var values = spec.series.map(function (series) {
        return (spec.series.length > 1 ? series.name + " " : "") + format.valueLabel(spec.kind, series.values[i]);
      });
      parts.push(category.label + ": " + values.join(", "));
    });
    return spec.title + ". " + parts.join("; ") + ".";
  }
  function tickLabel(spec, value) {
    return spec.kind === "rate" ? Math.round(value / 100) + "%" : format.number.format(value);
  }
  function plotRoot(spec, width, height) {
    return svg("svg", {
      viewBox: "0 0 " + width + " " + height,
      width: width,
      height: height,
      role: "img",
      "aria-label": ariaSummary(spec)
    });
  }
  // The tooltip of one bar: its category, its series when there are several, its value.
  function barTip(spec, category, series, value) {
    return category.label + (spec.series.length > 1 ? ", " + series.name : "") + ": " +
      format.valueLabel(spec.kind, value);
  }

  CTS.chart = {
    scaleMax: scaleMax,
    tickLabel: tickLabel,
    plotRoot: plotRoot,
    barTip: barTip
  };
})(window.CTS = window.CTS || {});
