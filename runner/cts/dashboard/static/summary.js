/* CTS Program Dashboard, the Program Summary: every program with its totals, filtered by agency,
   category and words, listed a page at a time. */
(function (CTS) {
  "use strict";

  var data = window.CTS_DATA;
  if (!data) {
    return;
  }
  var el = CTS.dom.el;
  var clear = CTS.dom.clear;
  var cellFor = CTS.dom.cellFor;
  var fillSelect = CTS.dom.fillSelect;
  var number = CTS.format.number;
  var PAGE = 25;
  var COUNTS = [["enrollment_events", "Enrollments"], ["distinct_persons", "Persons"],
    ["successful_exits", "Successful exits"], ["unsuccessful_exits", "Unsuccessful exits"]];

  var column = {}; // a program column's index in each row of data.programs
  data.programColumns.forEach(function (name, i) {
    column[name] = i;
  });
  var agencyNames = {};
  data.agencies.forEach(function (agency) {
    agencyNames[agency.code] = agency.name;
  });
  var categoryInfo = {};
  data.categories.forEach(function (category) {
    categoryInfo[category.code] = category;
  });
  // What the search box matches, per program: its codes and names, lower case.
  var searchText = data.programs.map(function (program) {
    return [
      program[column.agency_code], agencyNames[program[column.agency_code]], program[column.agency_program_code],
      program[column.agency_program_name], program[column.agency_program_type], program[column.canonical_program_code],
      program[column.canonical_program_name], (categoryInfo[program[column.category_code]] || {}).name
    ].join(" ").toLowerCase();
  });
  var summaryLimit = PAGE; // how many matching programs are listed

  function setup() {
    fillFilters();
    var form = document.getElementById("summary-filters");
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("input", reset);
    form.addEventListener("change", reset);
    form.addEventListener("reset", function () { setTimeout(reset, 0); });
    document.getElementById("summary-search").addEventListener("search", reset);
    document.getElementById("summary-more").addEventListener("click", function () {
      summaryLimit += PAGE * 4;
      render();
    });
    document.getElementById("summary-all").addEventListener("click", function () {
      summaryLimit = data.programs.length;
      render();
    });
    render();
  }

  // The agencies and categories that have programs, after "All".
  function fillFilters() {
    var programAgencies = {};
    var programCategories = {};
    data.programs.forEach(function (program) {
      programAgencies[program[column.agency_code]] = true;
      programCategories[program[column.category_code]] = true;
    });
    fillSelect(document.getElementById("summary-agency"), [{ value: "", label: "All agencies" }].concat(
      data.agencies.filter(function (agency) { return programAgencies[agency.code]; })
        .map(function (agency) { return { value: agency.code, label: agency.name }; })), "");
    fillSelect(document.getElementById("summary-category"), [{ value: "", label: "All categories" }].concat(
      data.categories.filter(function (category) { return programCategories[category.code]; })
        .map(function (category) { return { value: category.code, label: category.name }; })), "");
  }

  function reset() {
    summaryLimit = PAGE;
    render();
  }

  function readFilters() {
    var query = document.getElementById("summary-search").value.trim().toLowerCase();
    return {
      words: query ? query.split(/\s+/) : [],
      agency: document.getElementById("summary-agency").value,
      category: document.getElementById("summary-category").value
    };
  }
  function matches(filters, program, i) {
    if (filters.agency && program[column.agency_code] !== filters.agency) { return false; }
    if (filters.category && program[column.category_code] !== filters.category) { return false; }
    for (var w = 0; w < filters.words.length; w++) {
      if (searchText[i].indexOf(filters.words[w]) < 0) { return false; }
    }
    return true;
  }

  function programRow(program) {
    var info = categoryInfo[program[column.category_code]] || { name: program[column.category_code] };
    var first = program[column.first_year_offered];
    var last = program[column.last_year_offered];
    var years = first === null ? "\u2013" : first === last ? String(first) : first + "\u2013" + last;
    var type = program[column.agency_program_type];
    var row = el("tr", { "data-agency": program[column.agency_code], "data-program": program[column.agency_program_code] }, [
      el("td", { "data-label": "Agency" }, [agencyNames[program[column.agency_code]] || program[column.agency_code],
        el("small", { text: program[column.agency_code] })]),
      el("td", { "data-label": "Program" }, [program[column.agency_program_name] || program[column.agency_program_code],
        el("small", { text: program[column.agency_program_code] + (type ? " \u00b7 " + type : "") }),
        el("small", { text: "\u2192 " + program[column.canonical_program_name] })]),
      el("td", { "data-label": "Category" }, [info.name, info.super ? el("small", { text: info.super }) : null]),
      el("td", { "data-label": "Years offered", text: years })
    ]);
    COUNTS.forEach(function (pair) {
      var td = cellFor("count", program[column[pair[0]]]);
      td.setAttribute("data-label", pair[1]);
      row.appendChild(td);
    });
    return row;
  }

  function render() {
    var filters = readFilters();
    var body = document.querySelector("#summary-table tbody");
    var shown = 0;
    var fragment = document.createDocumentFragment();
    data.programs.forEach(function (program, i) {
      if (!matches(filters, program, i)) { return; }
      shown++;
      if (shown > summaryLimit) { return; }
      fragment.appendChild(programRow(program));
    });
    clear(body);
    body.appendChild(fragment);
    if (!shown) {
      body.appendChild(el("tr", null, el("td", { colspan: 8, text: "No program matches these filters." })));
    }
    showStatus(shown, Math.min(shown, summaryLimit));
  }

  // shown: programs that match; listed: those of them in the table. The agency count is of the
  // agencies with any program, whatever the filters (as the page has always shown it).
  function showStatus(shown, listed) {
    var agencies = {};
    data.programs.forEach(function (program) { agencies[program[column.agency_code]] = true; });
    var more = document.getElementById("summary-more");
    more.hidden = listed >= shown;
    more.textContent = "Show " + number.format(Math.min(PAGE * 4, shown - listed)) + " more programs";
    document.getElementById("summary-all").hidden = listed >= shown;
    document.getElementById("summary-status").textContent =
      number.format(shown) + " of " + number.format(data.programs.length) + " programs (" +
      Object.keys(agencies).length + " agencies) match" + (shown === 1 ? "es" : "") +
      (listed < shown ? "; the first " + number.format(listed) + " are listed." : ".");
  }

  CTS.summary = { setup: setup };
})(window.CTS = window.CTS || {});
