/* CTS Program Dashboard, a chart in its <figure>: caption, note, legend, the drawing (vertical or
   horizontal, redrawn when the page is resized) and its table. */
(function (CTS) {
  "use strict";

  if (!window.CTS_DATA) {
    return;
  }
  var el = CTS.dom.el;
  var clear = CTS.dom.clear;
  var chart = CTS.chart;
  var charts = {}; // the spec last drawn, per figure id

  function legendOf(spec) {
    var legend = el("ul", { class: "legend", "aria-hidden": "true" });
    (spec.legend || spec.series).forEach(function (item, i) {
      legend.appendChild(
        el("li", null, [el("span", { class: "swatch " + (item.cls || "s" + i) }), item.name])
      );
    });
    if (spec.hasWithheld) {
      legend.appendChild(
        el("li", null, [el("span", { class: "swatch hatched" }), "suppressed or withheld"])
      );
    }
    return legend;
  }

  function drawInto(holder, spec) {
    clear(holder);
    var width = Math.max(260, Math.floor(holder.clientWidth || holder.parentNode.clientWidth || 600));
    spec.drawnWidth = width;
    holder.appendChild(spec.orientation === "h" ? chart.horizontal(spec, width) : chart.vertical(spec, width));
  }

  // Draw the chart of spec (see chart-scale.js) into the <figure> of id spec.id.
  function render(spec) {
    charts[spec.id] = spec;
    var figure = document.getElementById(spec.id);
    clear(figure);
    figure.appendChild(el("figcaption", { id: spec.id + "-caption", text: spec.title }));
    if (spec.note) {
      figure.appendChild(el("p", { class: "note", text: spec.note }));
    }
    if (spec.series.length > 1 || spec.legend) {
      figure.appendChild(legendOf(spec));
    }
    var holder = el("div", { class: "plot" });
    figure.appendChild(holder);
    drawInto(holder, spec);
    figure.appendChild(CTS.tables.chartTable(spec));
    (spec.extra || []).forEach(function (node) {
      figure.appendChild(node);
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      Object.keys(charts).forEach(function (id) {
        var spec = charts[id];
        var holder = document.querySelector("#" + id + " .plot");
        if (holder && Math.abs((holder.clientWidth || 0) - spec.drawnWidth) > 8) {
          drawInto(holder, spec);
        }
      });
    }, 150);
  });

  CTS.chart.render = render;
})(window.CTS = window.CTS || {});
