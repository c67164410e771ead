/* CTS Program Dashboard, the filters shared by Program Enrollments and Program Exits: period type,
   agency, category, demographic dimension, year and (Enrollments) measure. */
(function (CTS) {
  "use strict";

  var data = window.CTS_DATA;
  if (!data) {
    return;
  }
  var fillSelect = CTS.dom.fillSelect;
  var cube = CTS.cube;
  var labels = CTS.labels;

  function indexOfAll(list) {
    return String(Math.max(0, list.findIndex(function (item) { return item.code === "ALL"; })));
  }

  // Period types, agencies (statewide first chosen), categories (all first chosen), dimensions.
  function fillChoices(selects) {
    fillSelect(selects.period, cube.periodTypes.map(function (type) {
      return { value: type, label: type === "FISCAL_YEAR" ? "Fiscal years (July\u2013June)" : "Calendar years" };
    }), cube.periodTypes[0]);
    fillSelect(selects.agency, data.agencies.map(function (agency, i) {
      return { value: String(i), label: agency.name };
    }), indexOfAll(data.agencies));
    fillSelect(selects.category, data.categories.map(function (category, i) {
      return { value: String(i), label: category.name };
    }), indexOfAll(data.categories));
    fillSelect(selects.dimension, cube.dimensions.map(function (dimension) {
      return { value: dimension, label: labels.dimensionName(dimension) };
    }), cube.dimensions[0]);
  }

  // The years of the chosen period type; keeps the year chosen before if there is one, else
  // chooses the last complete year (else the last).
  function fillYears(selects) {
    var previous = selects.year.value ? data.periods[Number(selects.year.value)] : null;
    var list = cube.periodsOf(selects.period.value);
    var chosen = null;
    list.forEach(function (p) {
      if (previous && data.periods[p].year === previous.year) { chosen = p; }
    });
    if (chosen === null) {
      list.forEach(function (p) { if (!data.periods[p].partial) { chosen = p; } });
    }
    if (chosen === null && list.length) { chosen = list[list.length - 1]; }
    fillSelect(selects.year, list.map(function (p) {
      return { value: String(p), label: cube.periodLabel(p) };
    }), chosen === null ? undefined : String(chosen));
  }

  // The filters as indexes into the data: {type, periods, agency, category, dimension, year, measure}.
  function read(form, selects) {
    var measure = form.querySelector("input[type=radio]:checked");
    return {
      type: selects.period.value,
      periods: cube.periodsOf(selects.period.value),
      agency: Number(selects.agency.value),
      category: Number(selects.category.value),
      dimension: selects.dimension.value,
      year: Number(selects.year.value),
      measure: measure ? measure.value : null
    };
  }

  // Fill the filters of the section `prefix` and call onChange(filters) now and on every change.
  function setup(prefix, onChange) {
    var form = document.getElementById(prefix + "-filters");
    var selects = {};
    ["period", "agency", "category", "dimension", "year"].forEach(function (name) {
      selects[name] = document.getElementById(prefix + "-" + name);
    });
    fillChoices(selects);
    fillYears(selects);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("change", function (event) {
      if (event.target === selects.period) { fillYears(selects); }
      onChange(read(form, selects));
    });
    onChange(read(form, selects));
  }

  // "calendar years, <agency>, <category>": what a section's status line says it shows.
  function scopeText(filters) {
    return (filters.type === "FISCAL_YEAR" ? "fiscal years" : "calendar years") + ", " +
      data.agencies[filters.agency].name + ", " + data.categories[filters.category].name;
  }

  CTS.filters = {
    setup: setup,
    scopeText: scopeText
  };
})(window.CTS = window.CTS || {});
