/* CTS Program Dashboard, number and rate text. Suppressed counts are embedded as -1 and are
   always displayed as suppressed, never as zero, and never as "at most the threshold": the one
   public flag does not tell a small count from a complementary one. Rates are embedded in
   hundredths of a percent. */
(function (CTS) {
  "use strict";

  var data = window.CTS_DATA;
  if (!data) {
    return;
  }
  var threshold = data.threshold;
  var SUPPRESSED = -1;
  var NUMBER = new Intl.NumberFormat("en-US");

  function isSuppressed(value) {
    return value === SUPPRESSED;
  }
  function countText(value) {
    if (value === SUPPRESSED) {
      return "suppressed";
    }
    if (value === null || value === undefined) {
      return "\u2013";
    }
    return NUMBER.format(value);
  }
  function countTitle(value) {
    if (value === SUPPRESSED) {
      return "Suppressed: a count from 1 to " + threshold + ", or withheld so that such a count cannot be worked out from the others";
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
      return "Withheld: a part is suppressed, there were no exits, or the denominator is under " + (threshold + 1);
    }
    return null;
  }
  function shareOf(part, total) {
    if (part === null || total === null || isSuppressed(part) || isSuppressed(total) || !total) {
      return null;
    }
    return Math.round((part / total) * 10000);
  }

  // The short label drawn on a chart's bar ("supp." where the table says "suppressed").
  function valueLabel(kind, value) {
    if (kind === "rate") {
      return value === null || isSuppressed(value) ? "withheld" : (value / 100).toFixed(0) + "%";
    }
    if (value === SUPPRESSED) {
      return "supp.";
    }
    return value === null || value === undefined ? "\u2013" : NUMBER.format(value);
  }
  // A value drawn as a hatched stub: a suppressed count, or a rate that is withheld.
  function withheld(kind, value) {
    return kind === "rate" ? value === null || value === undefined || isSuppressed(value) : isSuppressed(value);
  }

  CTS.format = {
    threshold: threshold,
    number: NUMBER,
    isSuppressed: isSuppressed,
    countText: countText,
    countTitle: countTitle,
    rateText: rateText,
    rateTitle: rateTitle,
    shareOf: shareOf,
    valueLabel: valueLabel,
    withheld: withheld
  };
})(window.CTS = window.CTS || {});
