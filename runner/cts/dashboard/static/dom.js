/* CTS Program Dashboard, DOM helpers: build HTML and SVG elements, fill selects, table cells. */
(function (CTS) {
  "use strict";

  if (!window.CTS_DATA) {
    return;
  }
  var SVGNS = "http://www.w3.org/2000/svg";
  var format = CTS.format;

  // attrs: attribute values (null, undefined and false leave it out, true sets it empty), and
  // `text` for the text content. children: a node, a string or a list of them.
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
  // A table cell of a count or a rate; a withheld value is marked, with its reason as title.
  function cellFor(kind, value) {
    var text = kind === "rate" ? format.rateText(value) : format.countText(value);
    var title = kind === "rate" ? format.rateTitle(value) : format.countTitle(value);
    var withheld = kind === "rate" ? value === null || format.isSuppressed(value) : format.isSuppressed(value);
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

  CTS.dom = {
    el: el,
    svg: svg,
    append: append,
    clear: clear,
    cellFor: cellFor,
    fillSelect: fillSelect
  };
})(window.CTS = window.CTS || {});
