/* CTS Program Dashboard, Program Exits: completion rates over the years, the outcome mix of the
   chosen year (overall and by a demographic), completion rates by the demographic, exits by
   reason, and the status line. */
(function (CTS) {
  "use strict";

  var data = window.CTS_DATA;
  if (!data) {
    return;
  }
  var threshold = data.threshold;
  var el = CTS.dom.el;
  var cellFor = CTS.dom.cellFor;
  var cube = CTS.cube;
  var labels = CTS.labels;
  var format = CTS.format;
  var matrixDetails = CTS.tables.matrixDetails;
  var renderChart = CTS.chart.render;
  var RATES = [["Completion rate", "completion_rate"], ["Completions over all exits", "completions_over_all_exits"]];

  // What every chart of the section needs to know of the filters.
  function contextOf(filters) {
    var dimensionName = labels.dimensionName(filters.dimension);
    return {
      filters: filters,
      yearName: cube.periodLabel(filters.year),
      scope: data.agencies[filters.agency].name + ", " + data.categories[filters.category].name,
      dimensionName: dimensionName,
      rows: cube.breakdownsOf(filters.dimension).map(function (b) {
        return { label: labels.valueName(filters.dimension, data.breakdowns[b][1]), b: b };
      }),
      years: filters.periods.map(function (p) { return { label: cube.periodLabel(p), p: p }; }),
      // an outcome column of the chosen agency and category, in period p and breakdown b
      at: function (p, b, column) {
        return cube.outcomes.get(column, cube.cellOf(p, filters.agency, filters.category, b));
      }
    };
  }

  function ratesChart(context) {
    var filters = context.filters;
    renderChart({
      id: "exits-rates",
      title: "Completion rates per " + (filters.type === "FISCAL_YEAR" ? "fiscal" : "calendar") + " year \u2014 " +
        context.scope,
      note: "Counted in the year of exit. Completion rate leaves administrative exits out; completions over all exits keeps them in." +
        (filters.type === "FISCAL_YEAR" ? " * partial fiscal year." : ""),
      orientation: "v",
      kind: "rate",
      categoryHeader: "Year",
      categories: cube.periodCategories(filters.periods),
      hasWithheld: true,
      series: RATES.map(function (rate) {
        return { name: rate[0], values: filters.periods.map(function (p) {
          return context.at(p, cube.allBreakdown, rate[1]);
        }) };
      })
    });
  }

  function mixChart(context, total) {
    var filters = context.filters;
    var values = labels.outcomes.map(function (outcome) {
      return context.at(filters.year, cube.allBreakdown, outcome.column);
    });
    var columns = labels.outcomes.map(function (o) { return { label: o.name, column: o.column }; })
      .concat([{ label: "All exits", column: "total_exits" }]);
    renderChart({
      id: "exits-mix",
      title: "Outcome mix of exits, " + context.yearName,
      note: context.scope + ". All exits: " + format.countText(total) + ".",
      orientation: "h",
      kind: "count",
      categoryHeader: "Outcome",
      categories: labels.outcomes.map(function (outcome, i) { return { label: outcome.name, cls: "s" + i }; }),
      series: [{ name: "Exits", values: values }],
      extra: [
        shareDetails(values, total),
        matrixDetails("Exits by outcome and year", "Year", context.years, columns, "count",
          function (row, column) { return context.at(row.p, cube.allBreakdown, column.column); })
      ]
    });
  }

  // Each outcome's exits and share of all exits, as a table.
  function shareDetails(values, total) {
    var body = el("tbody");
    labels.outcomes.forEach(function (outcome, i) {
      body.appendChild(el("tr", null, [
        el("th", { scope: "row", text: outcome.name }),
        cellFor("count", values[i]),
        cellFor("rate", format.shareOf(values[i], total))
      ]));
    });
    body.appendChild(el("tr", null, [el("th", { scope: "row", text: "All exits" }), cellFor("count", total),
      el("td", { class: "num", text: total ? "100%" : "\u2013" })]));
    var head = el("tr", null, [el("th", { scope: "col", text: "Outcome" }),
      el("th", { scope: "col", class: "num", text: "Exits" }),
      el("th", { scope: "col", class: "num", text: "Share" })]);
    return CTS.tables.details("Table: shares of all exits", "Exits by outcome and share of all exits", head, body);
  }

  function mixBreakdownChart(context) {
    renderChart({
      id: "exits-mix-breakdown",
      title: "Exits by outcome and " + context.dimensionName.toLowerCase() + ", " + context.yearName,
      note: context.scope + ".",
      orientation: "h",
      kind: "count",
      categoryHeader: context.dimensionName,
      categories: context.rows,
      hasWithheld: true,
      series: labels.outcomes.map(function (outcome) {
        return { name: outcome.name, values: context.rows.map(function (row) {
          return context.at(context.filters.year, row.b, outcome.column);
        }) };
      })
    });
  }

  function rateBreakdownChart(context) {
    var dimension = context.dimensionName.toLowerCase();
    renderChart({
      id: "exits-rate-breakdown",
      title: "Completion rate by " + dimension + ", " + context.yearName,
      note: context.scope + ". Withheld where a part is suppressed or fewer than " + (threshold + 1) + " exits count.",
      orientation: "h",
      kind: "rate",
      categoryHeader: context.dimensionName,
      categories: context.rows,
      hasWithheld: true,
      series: RATES.map(function (rate) {
        return { name: rate[0], values: context.rows.map(function (row) {
          return context.at(context.filters.year, row.b, rate[1]);
        }) };
      }),
      extra: [matrixDetails("Completion rate by " + dimension + " and year", context.dimensionName, context.rows,
        context.years, "rate", function (row, column) { return context.at(column.p, row.b, "completion_rate"); })]
    });
  }

  // Exits of the chosen year by reason, colored by the reason's outcome group.
  function reasonsChart(context) {
    var filters = context.filters;
    var groupIndex = {};
    labels.outcomes.forEach(function (outcome, i) { groupIndex[outcome.code] = i; });
    var reasons = data.reasons.map(function (reason, r) {
      var group = groupIndex[reason.group];
      return {
        label: labels.reasonName(reason.code),
        cls: "s" + (group === undefined ? 4 : group),
        value: cube.exits.get("exits", cube.reasonCellOf(filters.year, filters.agency, filters.category, r))
      };
    });
    renderChart({
      id: "exits-reasons",
      title: "Exits by reason, " + context.yearName,
      note: context.scope + ". Colors follow the outcome group.",
      orientation: "h",
      kind: "count",
      categoryHeader: "Exit reason",
      categories: reasons,
      legend: labels.outcomes.map(function (outcome, i) { return { name: outcome.name, cls: "s" + i }; }),
      hasWithheld: true,
      series: [{ name: "Exits", values: reasons.map(function (reason) { return reason.value; }) }]
    });
  }

  function render(filters) {
    var context = contextOf(filters);
    var total = context.at(filters.year, cube.allBreakdown, "total_exits");
    ratesChart(context);
    mixChart(context, total);
    mixBreakdownChart(context);
    rateBreakdownChart(context);
    reasonsChart(context);
    var rate = context.at(filters.year, cube.allBreakdown, "completion_rate");
    document.getElementById("exits-status").textContent =
      "Showing " + CTS.filters.scopeText(filters) + ". " + context.yearName + ": " + format.countText(total) +
      " exits, completion rate " + format.rateText(rate) + ".";
  }

  CTS.exits = { render: render };
})(window.CTS = window.CTS || {});
