// Waiting for the vote to open: a small JSON poll (answered from the server's memory,
// 304 when nothing changed). Without JavaScript the page refreshes itself instead.
(function () {
  "use strict";
  var el = document.getElementById("wait-status");
  if (!el || !window.fetch) { return; }
  var url = el.getAttribute("data-status-url");
  var next = el.getAttribute("data-next");
  function poll() {
    fetch(url, { cache: "no-cache", credentials: "same-origin" })
      .then(function (r) { return r.status === 200 ? r.json() : null; })
      .then(function (data) {
        if (data && data.status !== "draft") { window.location.assign(next); } else { setTimeout(poll, 3000); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 3000);
})();
