/* CTS Program Dashboard, the start: vanilla JS, inline SVG, data from data.js (window.CTS_DATA).
   Works from file:// with no network. Loaded last (see index.html): the other scripts have put
   their parts on window.CTS. */
(function (CTS) {
  "use strict";

  if (!window.CTS_DATA) {
    return;
  }
  CTS.summary.setup();
  CTS.filters.setup("enrollments", CTS.enrollments.render);
  CTS.filters.setup("exits", CTS.exits.render);
  document.documentElement.setAttribute("data-ready", "true");
})(window.CTS = window.CTS || {});
