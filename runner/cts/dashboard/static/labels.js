/* CTS Program Dashboard, labels: the names of dimensions, values, exit reasons and outcomes, from
   the publication's declaration (code lists in the data dictionary, embedded in data.js).
   The page's scripts are classic scripts loaded in order (see index.html); each adds its part to
   the one namespace object window.CTS, so the page works from file:// with no build step. */
(function (CTS) {
  "use strict";

  var data = window.CTS_DATA;
  if (!data) {
    return;
  }
  var DIMENSION_NAMES = data.labels.dimensions;
  var VALUE_NAMES = data.labels.values;
  var REASON_NAMES = data.labels.reasons;

  function titleCase(code) {
    return String(code).toLowerCase().replace(/_/g, " ").replace(/^./, function (c) {
      return c.toUpperCase();
    });
  }
  function valueName(dimension, value) {
    var names = VALUE_NAMES[dimension] || {};
    return names[value] || titleCase(value).replace(/^(\d)/, "$1");
  }
  function reasonName(code) {
    return REASON_NAMES[code] || titleCase(code);
  }
  function dimensionName(dimension) {
    return DIMENSION_NAMES[dimension] || titleCase(dimension);
  }

  CTS.labels = {
    // [{code, name, column}] in the order of the publication's outcome groups
    outcomes: data.labels.outcomes,
    measures: {
      enrollment_events: "Enrollment events",
      distinct_persons: "Distinct persons"
    },
    titleCase: titleCase,
    valueName: valueName,
    reasonName: reasonName,
    dimensionName: dimensionName
  };
})(window.CTS = window.CTS || {});
