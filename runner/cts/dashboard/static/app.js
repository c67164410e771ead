/* CTS Program Dashboard: vanilla JS, inline SVG, data from data.js (window.CTS_DATA).
   Works from file:// with no network. Suppressed counts are embedded as -1 (PRIMARY) or -2
   (COMPLEMENTARY) and are always displayed as suppressed, never as zero. */
(function () {
  "use strict";

  var D = window.CTS_DATA;
  if (!D) {
    return;
  }
  var SVGNS = "http://www.w3.org/2000/svg";
  var T = D.threshold;
  var PRIMARY = -1;
  var COMPLEMENTARY = -2;

  // --- labels: from the publication's declaration (code lists in the data dictionary) ----
  var DIMENSION_NAMES = D.labels.dimensions;
  var VALUE_NAMES = D.labels.values;
  var REASON_NAMES = D.labels.reasons;
  var OUTCOMES = D.labels.outcomes;
  var MEASURE_NAMES = {
    enrollment_events: "Enrollment events",
    distinct_persons: "Distinct persons"
  };

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

  // --- the data ----------------------------------------------------------------------------
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

  var NP = D.periods.length;
  var NA = D.agencies.length;
  var NC = D.categories.length;
  var NB = D.breakdowns.length;
  var NR = D.reasons.length;
  var enrollments = new Cube(D.enrollments, null);
  var outcomes = new Cube(D.outcomes, null);
  // Exits by reason (statewide or per agency and category, every demographic): rows only
  // where there was an exit, so an absent cell is a true zero.
  var exits = new Cube(D.exits, 0);

  function cellOf(p, a, c, b) {
    return ((p * NA + a) * NC + c) * NB + b;
  }
  function breakdownIndex(dimension, value) {
    for (var i = 0; i < NB; i++) {
      if (D.breakdowns[i][0] === dimension && D.breakdowns[i][1] === value) {
        return i;
      }
    }
    return -1;
  }
  var B_ALL = breakdownIndex("ALL", "ALL");
  function breakdownsOf(dimension) {
    var list = [];
    for (var i = 0; i < NB; i++) {
      if (D.breakdowns[i][0] === dimension) {
        list.push(i);
      }
    }
    return list;
  }
  var DIMENSIONS = [];
  D.breakdowns.forEach(function (pair) {
    if (pair[0] !== "ALL" && DIMENSIONS.indexOf(pair[0]) < 0) {
      DIMENSIONS.push(pair[0]);
    }
  });
  function periodsOf(type) {
    var list = [];
    for (var i = 0; i < NP; i++) {
      if (D.periods[i].type === type) {
        list.push(i);
      }
    }
    return list;
  }
  var PERIOD_TYPES = [];
  D.periods.forEach(function (period) {
    if (PERIOD_TYPES.indexOf(period.type) < 0) {
      PERIOD_TYPES.push(period.type);
    }
  });
  function periodLabel(p) {
    var period = D.periods[p];
    return period.label + (period.partial ? " (partial)" : "");
  }

  // --- formatting: suppressed is never zero ---------------------------------------------------
  var NUMBER = new Intl.NumberFormat("en-US");
  function isSuppressed(value) {
    return value === PRIMARY || value === COMPLEMENTARY;
  }
  function countText(value) {
    if (value === PRIMARY) {
      return "\u2264" + T;
    }
    if (value === COMPLEMENTARY) {
      return "suppressed";
    }
    if (value === null || value === undefined) {
      return "\u2013";
    }
    return NUMBER.format(value);
  }
  function countTitle(value) {
    if (value === PRIMARY) {
      return "Suppressed: a count from 1 to " + T;
    }
    if (value === COMPLEMENTARY) {
      return "Suppressed so that a small count cannot be worked out from the others";
    }
    if (value === null || value === undefined) {
      return "Not available";
    }
    return null;
  }
  function rateText(value) {
    if (value === null || value === undefined) {
      return "withheld";
    }
    if (isSuppressed(value)) {
      return "withheld";
    }
    return (value / 100).toFixed(1) + "%";
  }
  function rateTitle(value) {
    if (value === null || value === undefined || isSuppressed(value)) {
      return "Withheld: a part is suppressed, there were no exits, or the denominator is under " + (T + 1);
    }
    return null;
  }
  function shareOf(part, total) {
    if (part === null || total === null || isSuppressed(part) || isSuppressed(total) || !total) {
      return null;
    }
    return Math.round((part / total) * 10000);
  }

  // --- DOM helpers ---------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVGNS, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function setAttrs(node, attrs) {
    if (!attrs) {
      return;
    }
    Object.keys(attrs).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) {
        return;
      }
      if (key === "text") {
        node.textContent = value;
      } else {
        node.setAttribute(key, value === true ? "" : String(value));
      }
    });
  }
  function append(node, children) {
    if (children === null || children === undefined) {
      return;
    }
    if (!Array.isArray(children)) {
      children = [children];
    }
    children.forEach(function (child) {
      if (child === null || child === undefined || child === false) {
        return;
      }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
  }
  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }
  function cellFor(kind, value) {
    var text = kind === "rate" ? rateText(value) : countText(value);
    var title = kind === "rate" ? rateTitle(value) : countTitle(value);
    var withheld = kind === "rate" ? value === null || isSuppressed(value) : isSuppressed(value);
    if (withheld) {
      return el("td", { class: "num" }, el("span", { class: "supp", title: title, text: text }));
    }
    return el("td", { class: "num", title: title, text: text });
  }
  function fillSelect(select, options, selected) {
    clear(select);
    options.forEach(function (option) {
      select.appendChild(
        el("option", { value: option.value, selected: option.value === selected, text: option.label })
      );
    });
    if (selected !== undefined) {
      select.value = selected;
    }
  }

  // --- charts ----------------------------------------------------------------------------------
  // spec: {id, title, note, orientation "v"|"h", kind "count"|"rate", categories: [{label,
  // partial, cls}], series: [{name, values, cls}], table: optional extra <details> nodes}
  var charts = {};

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
  function valueLabel(kind, value) {
    if (kind === "rate") {
      return value === null || isSuppressed(value) ? "withheld" : (value / 100).toFixed(0) + "%";
    }
    if (value === PRIMARY) {
      return "\u2264" + T;
    }
    if (value === COMPLEMENTARY) {
      return "supp.";
    }
    return value === null || value === undefined ? "\u2013" : NUMBER.format(value);
  }
  function withheld(kind, value) {
    return kind === "rate" ? value === null || value === undefined || isSuppressed(value) : isSuppressed(value);
  }

  function renderChart(spec) {
    charts[spec.id] = spec;
    var figure = document.getElementById(spec.id);
    clear(figure);
    figure.appendChild(el("figcaption", { id: spec.id + "-caption", text: spec.title }));
    if (spec.note) {
      figure.appendChild(el("p", { class: "note", text: spec.note }));
    }
    if (spec.series.length > 1 || spec.legend) {
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
      figure.appendChild(legend);
    }
    var holder = el("div", { class: "plot" });
    figure.appendChild(holder);
    drawInto(holder, spec);
    figure.appendChild(tableFor(spec));
    (spec.extra || []).forEach(function (node) {
      figure.appendChild(node);
    });
  }

  function drawInto(holder, spec) {
    clear(holder);
    var width = Math.max(260, Math.floor(holder.clientWidth || holder.parentNode.clientWidth || 600));
    spec.drawnWidth = width;
    holder.appendChild(spec.orientation === "h" ? horizontal(spec, width) : vertical(spec, width));
  }

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
    return niceMax(Math.max(max, T));
  }
  function ariaSummary(spec) {
    var parts = [];
    spec.categories.forEach(function (category, i) {
      var values = spec.series.map(function (series) {
        return (spec.series.length > 1 ? series.name + " " : "") + valueLabel(spec.kind, series.values[i]);
      });
      parts.push(category.label + ": " + values.join(", "));
    });
    return spec.title + ". " + parts.join("; ") + ".";
  }
  function tickLabel(spec, value) {
    return spec.kind === "rate" ? Math.round(value / 100) + "%" : NUMBER.format(value);
  }

  function vertical(spec, width) {
    var n = spec.categories.length;
    var k = spec.series.length;
    var max = scaleMax(spec);
    var left = 52;
    var right = 8;
    var top = 18;
    var plotW = width - left - right;
    var group = plotW / Math.max(n, 1);
    var rotate = group < 46;
    var bottom = rotate ? 58 : 30;
    var height = 250 + bottom;
    var plotH = height - top - bottom;
    var barW = Math.max(2, (group * 0.78) / k);
    var root = svg("svg", {
      viewBox: "0 0 " + width + " " + height,
      width: width,
      height: height,
      role: "img",
      "aria-label": ariaSummary(spec)
    });
    var grid = svg("g", { class: "grid" });
    for (var t = 0; t <= 4; t++) {
      var v = (max * t) / 4;
      var y = top + plotH - (plotH * t) / 4;
      grid.appendChild(svg("line", { x1: left, x2: width - right, y1: y, y2: y }));
      grid.appendChild(
        svg("text", { x: left - 6, y: y + 4, "text-anchor": "end", text: tickLabel(spec, v) })
      );
    }
    root.appendChild(grid);
    var stub = Math.max(8, plotH * 0.05);
    spec.categories.forEach(function (category, i) {
      var x0 = left + group * i + group * 0.11;
      spec.series.forEach(function (series, s) {
        var value = series.values[i];
        var x = x0 + barW * s;
        var cls = (series.cls || "s" + s) + (category.partial ? " partial" : "");
        var tip = category.label + (k > 1 ? ", " + series.name : "") + ": " + valueLabel(spec.kind, value);
        if (withheld(spec.kind, value)) {
          root.appendChild(
            svg("rect", { class: "supp", x: x, y: top + plotH - stub, width: barW, height: stub },
              svg("title", { text: tip }))
          );
          if (barW >= 24 || k === 1) {
            root.appendChild(svg("text", {
              class: "supp-label", x: x + barW / 2, y: top + plotH - stub - 4,
              "text-anchor": "middle", text: valueLabel(spec.kind, value)
            }));
          }
          return;
        }
        if (typeof value !== "number") {
          return;
        }
        var h = (plotH * value) / max;
        root.appendChild(
          svg("rect", { class: cls, x: x, y: top + plotH - h, width: barW, height: Math.max(h, 0) },
            svg("title", { text: tip }))
        );
        if (barW >= 26 || (k === 1 && group >= 40)) {
          root.appendChild(svg("text", {
            class: "value", x: x + barW / 2, y: top + plotH - h - 4, "text-anchor": "middle",
            text: valueLabel(spec.kind, value)
          }));
        }
      });
      var cx = left + group * i + group / 2;
      var ly = top + plotH + 16;
      var label = category.short || category.label;
      root.appendChild(svg("text", rotate
        ? { x: cx, y: ly, "text-anchor": "end", transform: "rotate(-45 " + cx + " " + ly + ")", text: label }
        : { x: cx, y: ly, "text-anchor": "middle", text: label }));
    });
    root.appendChild(svg("line", {
      class: "axis", x1: left, x2: width - right, y1: top + plotH, y2: top + plotH, stroke: "#555"
    }));
    return root;
  }

  function horizontal(spec, width) {
    var k = spec.series.length;
    var barH = k > 1 ? 12 : 18;
    var rowH = barH * k + 10;
    var maxChars = 0;
    spec.categories.forEach(function (category) {
      maxChars = Math.max(maxChars, category.label.length);
    });
    var labelW = Math.min(Math.max(70, maxChars * 7.2 + 8), Math.floor(width * 0.42));
    var valueW = 62;
    var left = labelW;
    var plotW = Math.max(60, width - left - valueW);
    var max = scaleMax(spec);
    var height = rowH * spec.categories.length + 24;
    var root = svg("svg", {
      viewBox: "0 0 " + width + " " + height,
      width: width,
      height: height,
      role: "img",
      "aria-label": ariaSummary(spec)
    });
    var grid = svg("g", { class: "grid" });
    var ticks = plotW < 220 ? 2 : 4;
    for (var t = 0; t <= ticks; t++) {
      var x = left + (plotW * t) / ticks;
      grid.appendChild(svg("line", { x1: x, x2: x, y1: 0, y2: height - 20 }));
      grid.appendChild(svg("text", {
        x: x, y: height - 6, "text-anchor": t === 0 ? "start" : "middle", text: tickLabel(spec, (max * t) / ticks)
      }));
    }
    root.appendChild(grid);
    var stub = Math.max(6, plotW * 0.03);
    var maxLabel = Math.max(6, Math.floor((labelW - 8) / 7.2));
    spec.categories.forEach(function (category, i) {
      var y0 = i * rowH + 5;
      var label = category.label.length > maxLabel ? category.label.slice(0, maxLabel - 1) + "\u2026" : category.label;
      root.appendChild(svg("text", { x: labelW - 6, y: y0 + (barH * k) / 2 + 4, "text-anchor": "end" }, [
        svg("title", { text: category.label }),
        document.createTextNode(label)
      ]));
      spec.series.forEach(function (series, s) {
        var value = series.values[i];
        var y = y0 + barH * s;
        var cls = category.cls || series.cls || "s" + s;
        var tip = category.label + (k > 1 ? ", " + series.name : "") + ": " + valueLabel(spec.kind, value);
        var w;
        if (withheld(spec.kind, value)) {
          w = stub;
          root.appendChild(svg("rect", { class: "supp", x: left, y: y, width: w, height: barH - 2 },
            svg("title", { text: tip })));
        } else if (typeof value === "number") {
          w = (plotW * value) / max;
          root.appendChild(svg("rect", { class: cls, x: left, y: y, width: Math.max(w, 0), height: barH - 2 },
            svg("title", { text: tip })));
        } else {
          w = 0;
        }
        root.appendChild(svg("text", {
          class: withheld(spec.kind, value) ? "supp-label" : "value",
          x: left + w + 4, y: y + barH / 2 + 2, text: valueLabel(spec.kind, value)
        }));
      });
    });
    return root;
  }

  function tableFor(spec) {
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
    return el("details", { class: "table-alt" }, [
      el("summary", { text: "Table of the numbers: " + spec.title }),
      el("div", { class: "table-scroll" },
        el("table", { class: "data" }, [el("caption", { text: spec.title }), el("thead", null, head), body]))
    ]);
  }

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
    return el("details", { class: "table-alt" }, [
      el("summary", { text: "Table: " + title }),
      el("div", { class: "table-scroll" },
        el("table", { class: "data" }, [el("caption", { text: title }), el("thead", null, head), body]))
    ]);
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

  // --- Program Summary -----------------------------------------------------------------------
  var PC = {};
  D.programColumns.forEach(function (name, i) {
    PC[name] = i;
  });
  var agencyNames = {};
  D.agencies.forEach(function (agency) {
    agencyNames[agency.code] = agency.name;
  });
  var categoryInfo = {};
  D.categories.forEach(function (category) {
    categoryInfo[category.code] = category;
  });
  var searchText = D.programs.map(function (program) {
    return [
      program[PC.agency_code], agencyNames[program[PC.agency_code]], program[PC.agency_program_code],
      program[PC.agency_program_name], program[PC.agency_program_type], program[PC.canonical_program_code],
      program[PC.canonical_program_name], (categoryInfo[program[PC.category_code]] || {}).name
    ].join(" ").toLowerCase();
  });

  function setupSummary() {
    var agencySelect = document.getElementById("summary-agency");
    var categorySelect = document.getElementById("summary-category");
    var search = document.getElementById("summary-search");
    var programAgencies = {};
    var programCategories = {};
    D.programs.forEach(function (program) {
      programAgencies[program[PC.agency_code]] = true;
      programCategories[program[PC.category_code]] = true;
    });
    fillSelect(agencySelect, [{ value: "", label: "All agencies" }].concat(
      D.agencies.filter(function (agency) { return programAgencies[agency.code]; })
        .map(function (agency) { return { value: agency.code, label: agency.name }; })), "");
    fillSelect(categorySelect, [{ value: "", label: "All categories" }].concat(
      D.categories.filter(function (category) { return programCategories[category.code]; })
        .map(function (category) { return { value: category.code, label: category.name }; })), "");
    var form = document.getElementById("summary-filters");
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("input", resetSummary);
    form.addEventListener("change", resetSummary);
    form.addEventListener("reset", function () { setTimeout(resetSummary, 0); });
    search.addEventListener("search", resetSummary);
    document.getElementById("summary-more").addEventListener("click", function () {
      summaryLimit += PAGE * 4;
      renderSummary();
    });
    document.getElementById("summary-all").addEventListener("click", function () {
      summaryLimit = D.programs.length;
      renderSummary();
    });
    renderSummary();
  }

  var PAGE = 25;
  var summaryLimit = PAGE;
  function resetSummary() {
    summaryLimit = PAGE;
    renderSummary();
  }
  function renderSummary() {
    var query = document.getElementById("summary-search").value.trim().toLowerCase();
    var words = query ? query.split(/\s+/) : [];
    var agency = document.getElementById("summary-agency").value;
    var category = document.getElementById("summary-category").value;
    var body = document.querySelector("#summary-table tbody");
    var shown = 0;
    var fragment = document.createDocumentFragment();
    D.programs.forEach(function (program, i) {
      if (agency && program[PC.agency_code] !== agency) { return; }
      if (category && program[PC.category_code] !== category) { return; }
      for (var w = 0; w < words.length; w++) {
        if (searchText[i].indexOf(words[w]) < 0) { return; }
      }
      shown++;
      if (shown > summaryLimit) { return; }
      var info = categoryInfo[program[PC.category_code]] || { name: program[PC.category_code] };
      var first = program[PC.first_year_offered];
      var last = program[PC.last_year_offered];
      var years = first === null ? "\u2013" : first === last ? String(first) : first + "\u2013" + last;
      var row = el("tr", { "data-agency": program[PC.agency_code], "data-program": program[PC.agency_program_code] }, [
        el("td", { "data-label": "Agency" }, [agencyNames[program[PC.agency_code]] || program[PC.agency_code],
          el("small", { text: program[PC.agency_code] })]),
        el("td", { "data-label": "Program" }, [program[PC.agency_program_name] || program[PC.agency_program_code],
          el("small", { text: program[PC.agency_program_code] + (program[PC.agency_program_type] ? " \u00b7 " + program[PC.agency_program_type] : "") }),
          el("small", { text: "\u2192 " + program[PC.canonical_program_name] })]),
        el("td", { "data-label": "Category" }, [info.name, info.super ? el("small", { text: info.super }) : null]),
        el("td", { "data-label": "Years offered", text: years })
      ]);
      [["enrollment_events", "Enrollments"], ["distinct_persons", "Persons"],
        ["successful_exits", "Successful exits"], ["unsuccessful_exits", "Unsuccessful exits"]].forEach(function (pair) {
        var td = cellFor("count", program[PC[pair[0]]]);
        td.setAttribute("data-label", pair[1]);
        row.appendChild(td);
      });
      fragment.appendChild(row);
    });
    clear(body);
    body.appendChild(fragment);
    if (!shown) {
      body.appendChild(el("tr", null, el("td", { colspan: 8, text: "No program matches these filters." })));
    }
    var agencyCount = {};
    D.programs.forEach(function (program) { agencyCount[program[PC.agency_code]] = true; });
    var listed = Math.min(shown, summaryLimit);
    var more = document.getElementById("summary-more");
    more.hidden = listed >= shown;
    more.textContent = "Show " + NUMBER.format(Math.min(PAGE * 4, shown - listed)) + " more programs";
    document.getElementById("summary-all").hidden = listed >= shown;
    document.getElementById("summary-status").textContent =
      NUMBER.format(shown) + " of " + NUMBER.format(D.programs.length) + " programs (" +
      Object.keys(agencyCount).length + " agencies) match" + (shown === 1 ? "es" : "") +
      (listed < shown ? "; the first " + NUMBER.format(listed) + " are listed." : ".");
  }

  // --- shared filters of Enrollments and Exits ---------------------------------------------------
  function setupFilters(prefix, onChange) {
    var form = document.getElementById(prefix + "-filters");
    var periodSelect = document.getElementById(prefix + "-period");
    var agencySelect = document.getElementById(prefix + "-agency");
    var categorySelect = document.getElementById(prefix + "-category");
    var dimensionSelect = document.getElementById(prefix + "-dimension");
    var yearSelect = document.getElementById(prefix + "-year");
    fillSelect(periodSelect, PERIOD_TYPES.map(function (type) {
      return { value: type, label: type === "FISCAL_YEAR" ? "Fiscal years (July\u2013June)" : "Calendar years" };
    }), PERIOD_TYPES[0]);
    fillSelect(agencySelect, D.agencies.map(function (agency, i) {
      return { value: String(i), label: agency.name };
    }), String(Math.max(0, D.agencies.findIndex(function (a) { return a.code === "ALL"; }))));
    fillSelect(categorySelect, D.categories.map(function (category, i) {
      return { value: String(i), label: category.name };
    }), String(Math.max(0, D.categories.findIndex(function (c) { return c.code === "ALL"; }))));
    fillSelect(dimensionSelect, DIMENSIONS.map(function (dimension) {
      return { value: dimension, label: DIMENSION_NAMES[dimension] || titleCase(dimension) };
    }), DIMENSIONS[0]);
    function fillYears() {
      var previous = yearSelect.value ? D.periods[Number(yearSelect.value)] : null;
      var list = periodsOf(periodSelect.value);
      var chosen = null;
      list.forEach(function (p) {
        if (previous && D.periods[p].year === previous.year) { chosen = p; }
      });
      if (chosen === null) {
        list.forEach(function (p) { if (!D.periods[p].partial) { chosen = p; } });
      }
      if (chosen === null && list.length) { chosen = list[list.length - 1]; }
      fillSelect(yearSelect, list.map(function (p) {
        return { value: String(p), label: periodLabel(p) };
      }), chosen === null ? undefined : String(chosen));
    }
    fillYears();
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("change", function (event) {
      if (event.target === periodSelect) { fillYears(); }
      onChange(read());
    });
    function read() {
      var measure = form.querySelector("input[type=radio]:checked");
      return {
        type: periodSelect.value,
        periods: periodsOf(periodSelect.value),
        agency: Number(agencySelect.value),
        category: Number(categorySelect.value),
        dimension: dimensionSelect.value,
        year: Number(yearSelect.value),
        measure: measure ? measure.value : null
      };
    }
    onChange(read());
  }

  function scopeText(f) {
    return (f.type === "FISCAL_YEAR" ? "fiscal years" : "calendar years") + ", " +
      D.agencies[f.agency].name + ", " + D.categories[f.category].name;
  }
  function periodCategories(list) {
    return list.map(function (p) {
      var period = D.periods[p];
      return { label: periodLabel(p), short: period.label + (period.partial ? "*" : ""), partial: period.partial };
    });
  }

  // --- Program Enrollments ---------------------------------------------------------------------------
  function renderEnrollments(f) {
    var measure = f.measure || "enrollment_events";
    var measureName = MEASURE_NAMES[measure];
    var trend = f.periods.map(function (p) {
      return enrollments.get(measure, cellOf(p, f.agency, f.category, B_ALL));
    });
    var partialNote = f.type === "FISCAL_YEAR" ? " * partial fiscal year (FY2017, FY2026)." : "";
    renderChart({
      id: "enrollments-trend",
      title: measureName + " per " + (f.type === "FISCAL_YEAR" ? "fiscal" : "calendar") + " year \u2014 " +
        D.agencies[f.agency].name + ", " + D.categories[f.category].name,
      note: "Counted in the year of program start." + partialNote,
      orientation: "v",
      kind: "count",
      categoryHeader: "Year",
      categories: periodCategories(f.periods),
      series: [{ name: measureName, values: trend }]
    });
    var values = breakdownsOf(f.dimension);
    var dimensionName = DIMENSION_NAMES[f.dimension] || titleCase(f.dimension);
    var rows = values.map(function (b) {
      return { label: valueName(f.dimension, D.breakdowns[b][1]), b: b };
    });
    renderChart({
      id: "enrollments-breakdown",
      title: measureName + " by " + dimensionName.toLowerCase() + ", " + periodLabel(f.year),
      note: D.agencies[f.agency].name + ", " + D.categories[f.category].name + ".",
      orientation: "h",
      kind: "count",
      categoryHeader: dimensionName,
      categories: rows,
      series: [{ name: measureName, values: rows.map(function (row) {
        return enrollments.get(measure, cellOf(f.year, f.agency, f.category, row.b));
      }) }],
      extra: [matrixDetails(measureName + " by " + dimensionName.toLowerCase() + " and year", dimensionName, rows,
        f.periods.map(function (p) { return { label: periodLabel(p), p: p }; }), "count",
        function (row, column) { return enrollments.get(measure, cellOf(column.p, f.agency, f.category, row.b)); })]
    });
    var latest = enrollments.get(measure, cellOf(f.year, f.agency, f.category, B_ALL));
    var persons = enrollments.get("distinct_persons", cellOf(f.year, f.agency, f.category, B_ALL));
    var events = enrollments.get("enrollment_events", cellOf(f.year, f.agency, f.category, B_ALL));
    document.getElementById("enrollments-status").textContent =
      "Showing " + scopeText(f) + ". " + periodLabel(f.year) + ": " + countText(events) +
      " enrollment events, " + countText(persons) + " distinct persons" +
      (isSuppressed(latest) ? " (suppressed values are not zero)." : ".");
  }

  // --- Program Exits -------------------------------------------------------------------------------------
  function renderExits(f) {
    var yearName = periodLabel(f.year);
    var scope = D.agencies[f.agency].name + ", " + D.categories[f.category].name;
    var periods = periodCategories(f.periods);
    function at(p, b, column) {
      return outcomes.get(column, cellOf(p, f.agency, f.category, b));
    }
    renderChart({
      id: "exits-rates",
      title: "Completion rates per " + (f.type === "FISCAL_YEAR" ? "fiscal" : "calendar") + " year \u2014 " + scope,
      note: "Counted in the year of exit. Completion rate leaves administrative exits out; completions over all exits keeps them in." +
        (f.type === "FISCAL_YEAR" ? " * partial fiscal year." : ""),
      orientation: "v",
      kind: "rate",
      categoryHeader: "Year",
      categories: periods,
      hasWithheld: true,
      series: [
        { name: "Completion rate", values: f.periods.map(function (p) { return at(p, B_ALL, "completion_rate"); }) },
        { name: "Completions over all exits", values: f.periods.map(function (p) { return at(p, B_ALL, "completions_over_all_exits"); }) }
      ]
    });
    var mixValues = OUTCOMES.map(function (outcome) { return at(f.year, B_ALL, outcome.column); });
    var total = at(f.year, B_ALL, "total_exits");
    renderChart({
      id: "exits-mix",
      title: "Outcome mix of exits, " + yearName,
      note: scope + ". All exits: " + countText(total) + ".",
      orientation: "h",
      kind: "count",
      categoryHeader: "Outcome",
      categories: OUTCOMES.map(function (outcome, i) { return { label: outcome.name, cls: "s" + i }; }),
      series: [{ name: "Exits", values: mixValues }],
      extra: [
        shareDetails(mixValues, total),
        matrixDetails("Exits by outcome and year", "Year",
          f.periods.map(function (p) { return { label: periodLabel(p), p: p }; }),
          OUTCOMES.map(function (o) { return { label: o.name, column: o.column }; })
            .concat([{ label: "All exits", column: "total_exits" }]),
          "count", function (row, column) { return at(row.p, B_ALL, column.column); })
      ]
    });
    var values = breakdownsOf(f.dimension);
    var dimensionName = DIMENSION_NAMES[f.dimension] || titleCase(f.dimension);
    var rows = values.map(function (b) {
      return { label: valueName(f.dimension, D.breakdowns[b][1]), b: b };
    });
    renderChart({
      id: "exits-mix-breakdown",
      title: "Exits by outcome and " + dimensionName.toLowerCase() + ", " + yearName,
      note: scope + ".",
      orientation: "h",
      kind: "count",
      categoryHeader: dimensionName,
      categories: rows,
      hasWithheld: true,
      series: OUTCOMES.map(function (outcome) {
        return { name: outcome.name, values: rows.map(function (row) { return at(f.year, row.b, outcome.column); }) };
      })
    });
    renderChart({
      id: "exits-rate-breakdown",
      title: "Completion rate by " + dimensionName.toLowerCase() + ", " + yearName,
      note: scope + ". Withheld where a part is suppressed or fewer than " + (T + 1) + " exits count.",
      orientation: "h",
      kind: "rate",
      categoryHeader: dimensionName,
      categories: rows,
      hasWithheld: true,
      series: [
        { name: "Completion rate", values: rows.map(function (row) { return at(f.year, row.b, "completion_rate"); }) },
        { name: "Completions over all exits", values: rows.map(function (row) { return at(f.year, row.b, "completions_over_all_exits"); }) }
      ],
      extra: [matrixDetails("Completion rate by " + dimensionName.toLowerCase() + " and year", dimensionName, rows,
        f.periods.map(function (p) { return { label: periodLabel(p), p: p }; }), "rate",
        function (row, column) { return at(column.p, row.b, "completion_rate"); })]
    });
    var groupIndex = {};
    OUTCOMES.forEach(function (outcome, i) { groupIndex[outcome.code] = i; });
    var reasons = D.reasons.map(function (reason, r) {
      var group = groupIndex[reason.group];
      return {
        label: reasonName(reason.code),
        cls: "s" + (group === undefined ? 4 : group),
        value: exits.get("exits", ((f.year * NA + f.agency) * NC + f.category) * NR + r)
      };
    });
    renderChart({
      id: "exits-reasons",
      title: "Exits by reason, " + yearName,
      note: scope + ". Colors follow the outcome group.",
      orientation: "h",
      kind: "count",
      categoryHeader: "Exit reason",
      categories: reasons,
      legend: OUTCOMES.map(function (outcome, i) { return { name: outcome.name, cls: "s" + i }; }),
      hasWithheld: true,
      series: [{ name: "Exits", values: reasons.map(function (reason) { return reason.value; }) }]
    });
    var rate = at(f.year, B_ALL, "completion_rate");
    document.getElementById("exits-status").textContent =
      "Showing " + scopeText(f) + ". " + yearName + ": " + countText(total) + " exits, completion rate " +
      rateText(rate) + ".";
  }

  function shareDetails(values, total) {
    var body = el("tbody");
    OUTCOMES.forEach(function (outcome, i) {
      body.appendChild(el("tr", null, [
        el("th", { scope: "row", text: outcome.name }),
        cellFor("count", values[i]),
        cellFor("rate", shareOf(values[i], total))
      ]));
    });
    body.appendChild(el("tr", null, [el("th", { scope: "row", text: "All exits" }), cellFor("count", total),
      el("td", { class: "num", text: total ? "100%" : "\u2013" })]));
    return el("details", { class: "table-alt" }, [
      el("summary", { text: "Table: shares of all exits" }),
      el("div", { class: "table-scroll" }, el("table", { class: "data" }, [
        el("caption", { text: "Exits by outcome and share of all exits" }),
        el("thead", null, el("tr", null, [el("th", { scope: "col", text: "Outcome" }),
          el("th", { scope: "col", class: "num", text: "Exits" }),
          el("th", { scope: "col", class: "num", text: "Share" })])),
        body
      ]))
    ]);
  }

  setupSummary();
  setupFilters("enrollments", renderEnrollments);
  setupFilters("exits", renderExits);
  document.documentElement.setAttribute("data-ready", "true");
})();
