/* CTS Program Dashboard, the data: the embedded cubes and their axes (periods, agencies,
   categories, breakdowns, exit reasons). A cell is addressed by its index along each axis. */
(function (CTS) {
  "use strict";

  var data = window.CTS_DATA;
  if (!data) {
    return;
  }

  // A cube's values per measure, one per cell; with `gaps`, only the cells listed (each gap is
  // the distance from the previous listed cell) and every other cell is `missing`.
  function Cube(cube, missing) {
    this.values = cube.values;
    this.missing = missing;
    this.index = null;
    if (cube.gaps) {
      var index = new Map();
      var cell = -1;
      for (var i = 0; i < cube.gaps.length; i++) {
        cell += cube.gaps[i];
        index.set(cell, i);
      }
      this.index = index;
    }
  }
  Cube.prototype.get = function (measure, cell) {
    var row = this.index ? this.index.get(cell) : cell;
    if (row === undefined || row >= this.values[measure].length) {
      return this.missing;
    }
    return this.values[measure][row];
  };

  var periodCount = data.periods.length;
  var agencyCount = data.agencies.length;
  var categoryCount = data.categories.length;
  var breakdownCount = data.breakdowns.length;
  var reasonCount = data.reasons.length;

  // Enrollments and outcomes by period, agency, category and breakdown.
  function cellOf(period, agency, category, breakdown) {
    return ((period * agencyCount + agency) * categoryCount + category) * breakdownCount + breakdown;
  }
  // Exits by period, agency, category and exit reason.
  function reasonCellOf(period, agency, category, reason) {
    return ((period * agencyCount + agency) * categoryCount + category) * reasonCount + reason;
  }

  function breakdownIndex(dimension, value) {
    for (var i = 0; i < breakdownCount; i++) {
      if (data.breakdowns[i][0] === dimension && data.breakdowns[i][1] === value) {
        return i;
      }
    }
    return -1;
  }
  function breakdownsOf(dimension) {
    var list = [];
    for (var i = 0; i < breakdownCount; i++) {
      if (data.breakdowns[i][0] === dimension) {
        list.push(i);
      }
    }
    return list;
  }
  var dimensions = [];
  data.breakdowns.forEach(function (pair) {
    if (pair[0] !== "ALL" && dimensions.indexOf(pair[0]) < 0) {
      dimensions.push(pair[0]);
    }
  });

  function periodsOf(type) {
    var list = [];
    for (var i = 0; i < periodCount; i++) {
      if (data.periods[i].type === type) {
        list.push(i);
      }
    }
    return list;
  }
  var periodTypes = [];
  data.periods.forEach(function (period) {
    if (periodTypes.indexOf(period.type) < 0) {
      periodTypes.push(period.type);
    }
  });
  function periodLabel(p) {
    var period = data.periods[p];
    return period.label + (period.partial ? " (partial)" : "");
  }
  // Periods as a chart's categories: a partial period is starred on the axis.
  function periodCategories(list) {
    return list.map(function (p) {
      var period = data.periods[p];
      return { label: periodLabel(p), short: period.label + (period.partial ? "*" : ""), partial: period.partial };
    });
  }

  CTS.cube = {
    enrollments: new Cube(data.enrollments, null),
    outcomes: new Cube(data.outcomes, null),
    // Exits by reason (statewide or per agency and category, every demographic): rows only
    // where there was an exit, so an absent cell is a true zero.
    exits: new Cube(data.exits, 0),
    cellOf: cellOf,
    reasonCellOf: reasonCellOf,
    allBreakdown: breakdownIndex("ALL", "ALL"),
    breakdownsOf: breakdownsOf,
    dimensions: dimensions,
    periodsOf: periodsOf,
    periodTypes: periodTypes,
    periodLabel: periodLabel,
    periodCategories: periodCategories
  };
})(window.CTS = window.CTS || {});
