// Reloads staff dashboards (live turnout, presenter view) every few seconds, except
// while someone is typing in a field. Without JavaScript the page has a refresh link.
(function () {
  "use strict";
  var el = document.querySelector("[data-refresh-seconds]");
  if (!el) { return; }
  var seconds = parseInt(el.getAttribute("data-refresh-seconds"), 10) || 10;
  setInterval(function () {
    var active = document.activeElement;
    if (active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) { return; }
    window.location.reload();
  }, seconds * 1000);
})();
