/* CTS Program Dashboard, Program Enrollments: the trend over the years, the breakdown of the
   chosen year by a demographic, and the status line. */
(function (CTS) {
  "use strict";

  var data = window.CTS_DATA;
  if (!data) {
    return;
  }
  var cube = CTS.cube;
  var labels = CTS.labels;
  var format = CTS.format;
  var renderChart = CTS.chart.render;

  function count(filters, measure, period, breakdown) {
    return cube.enrollments.get(measure, cube.cellOf(period, filters.agency, filters.category, breakdown));
  }

  function trendChart(filters, measure) {
    var measureName = labels.measures[measure];
    var partialNote = filters.type === "FISCAL_YEAR" ? " * partial fiscal year (FY2017, FY2026)." : "";
    renderChart({
      id: "enrollments-trend",
      title: measureName + " per " + (filters.type === "FISCAL_YEAR" ? "fiscal" : "calendar") + " year \u2014 " +
        data.agencies[filters.agency].name + ", " + data.categories[filters.category].name,
      note: "Counted in the year of program start." + partialNote,
      orientation: "v",
      kind: "count",
      categoryHeader: "Year",
      categories: cube.periodCategories(filters.periods),
      series: [{ name: measureName, values: filters.periods.map(function (p) {
        return count(filters, measure, p, cube.allBreakdown);
      }) }]
    });
  }

  // The chosen year by the chosen dimension, with a table of every year.
  function breakdownChart(filters, measure) {
    var measureName = labels.measures[measure];
    var dimensionName = labels.dimensionName(filters.dimension);
    var rows = cube.breakdownsOf(filters.dimension).map(function (b) {
      return { label: labels.valueName(filters.dimension, data.breakdowns[b][1]), b: b };
    });
    var years = filters.periods.map(function (p) { return { label: cube.periodLabel(p), p: p }; });
    renderChart({
      id: "enrollments-breakdown",
      title: measureName + " by " + dimensionName.toLowerCase() + ", " + cube.periodLabel(filters.year),
      note: data.agencies[filters.agency].name + ", " + data.categories[filters.category].name + ".",
      orientation: "h",
      kind: "count",
      categoryHeader: dimensionName,
      categories: rows,
      series: [{ name: measureName, values: rows.map(function (row) {
        return count(filters, measure, filters.year, row.b);
      }) }],
      extra: [CTS.tables.matrixDetails(
        measureName + " by " + dimensionName.toLowerCase() + " and year", dimensionName, rows, years, "count",
        function (row, column) { return count(filters, measure, column.p, row.b); })]
    });
  }

  function showStatus(filters, measure) {
    var latest = count(filters, measure, filters.year, cube.allBreakdown);
    var persons = count(filters, "distinct_persons", filters.year, cube.allBreakdown);
    var events = count(filters, "enrollment_events", filters.year, cube.allBreakdown);
    document.getElementById("enrollments-status").textContent =
      "Showing " + CTS.filters.scopeText(filters) + ". " + cube.periodLabel(filters.year) + ": " +
      format.countText(events) + " enrollment events, " + format.countText(persons) + " distinct persons" +
      (format.isSuppressed(latest) ? " (suppressed values are not zero)." : ".");
  }

  function render(filters) {
    var measure = filters.measure || "enrollment_events";
    trendChart(filters, measure);
    breakdownChart(filters, measure);
    showStatus(filters, measure);
  }

  CTS.enrollments = { render: render };
})(window.CTS = window.CTS || {});
