// Waiting for a round to change (the vote to open; the result to appear or be approved): a
// small JSON poll (answered from the server's memory, 304 when nothing changed). Without
// JavaScript the page refreshes itself instead.
(function () {
  "use strict";
  var el = document.getElementById("wait-status");
  if (!el || !window.fetch) { return; }
  var url = el.getAttribute("data-status-url");
  var next = el.getAttribute("data-next");
  var current = el.getAttribute("data-status") || "draft";
  var every = (parseInt(el.getAttribute("data-poll-seconds"), 10) || 3) * 1000;
  function go() {
    var target = new URL(next, window.location.href);
    if (target.pathname === window.location.pathname && target.search === window.location.search) {
      window.location.reload();  // same page: a change of fragment alone would not reload it
    } else { window.location.assign(target.href); }
  }
  function poll() {
    fetch(url, { cache: "no-cache", credentials: "same-origin" })
      .then(function (r) { return r.status === 200 ? r.json() : null; })
      .then(function (data) {
        if (data && data.status !== current) { go(); } else { setTimeout(poll, every); }
      })
      .catch(function () { setTimeout(poll, every + 2000); });
  }
  setTimeout(poll, every);
})();
