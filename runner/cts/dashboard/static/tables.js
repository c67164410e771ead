/* CTS Program Dashboard, tables of the numbers: every chart has its table in a <details>, and a
   view may add a matrix (rows by columns, e.g. a demographic by year). */
(function (CTS) {
  "use strict";

  if (!window.CTS_DATA) {
    return;
  }
  var el = CTS.dom.el;
  var cellFor = CTS.dom.cellFor;

  function details(summary, caption, head, body) {
    return el("details", { class: "table-alt" }, [
      el("summary", { text: summary }),
      el("div", { class: "table-scroll" },
        el("table", { class: "data" }, [el("caption", { text: caption }), el("thead", null, head), body]))
    ]);
  }

  // The chart's own table: one row per category, one column per series.
  function chartTable(spec) {
    var head = el("tr", null, el("th", { scope: "col", text: spec.categoryHeader || "" }));
    spec.series.forEach(function (series) {
      head.appendChild(el("th", { scope: "col", class: "num", text: series.name }));
    });
    var body = el("tbody");
    spec.categories.forEach(function (category, i) {
      var row = el("tr", null, el("th", { scope: "row", text: category.label }));
      spec.series.forEach(function (series) {
        row.appendChild(cellFor(spec.kind, series.values[i]));
      });
      body.appendChild(row);
    });
    return details("Table of the numbers: " + spec.title, spec.title, head, body);
  }

  // rows and columns: [{label, …}]; value(row, column) gives each cell, a count or a rate (kind).
  function matrixDetails(title, rowHeader, rows, columns, kind, value) {
    var head = el("tr", null, el("th", { scope: "col", text: rowHeader }));
    columns.forEach(function (column) {
      head.appendChild(el("th", { scope: "col", class: "num", text: column.label }));
    });
    var body = el("tbody");
    rows.forEach(function (row) {
      var tr = el("tr", null, el("th", { scope: "row", text: row.label }));
      columns.forEach(function (column) {
        tr.appendChild(cellFor(kind, value(row, column)));
      });
      body.appendChild(tr);
    });
    return details("Table: " + title, title, head, body);
  }

  CTS.tables = {
    details: details,
    chartTable: chartTable,
    matrixDetails: matrixDetails
  };
})(window.CTS = window.CTS || {});
