// Time on topic: every 60 s while the page is visible, tell the server how long the reader
// stayed and which lesson heading they are at. The server caps each beacon at 120 s.
// Without JS nothing is counted and the page works the same.
(function () {
  "use strict";
  var root = document.getElementById("learn");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-beacon");
  var token = root.getAttribute("data-csrf");
  var anchors = Array.prototype.map.call(
    document.querySelectorAll(".lessons [data-anchor]"),
    function (link) { return link.getAttribute("data-anchor"); }
  );
  var since = Date.now();

  function currentAnchor() {
    var found = null;
    anchors.forEach(function (id) {
      var heading = document.getElementById(id);
      if (heading && heading.getBoundingClientRect().top < window.innerHeight / 2) { found = id; }
    });
    return found;
  }

  function send(keepalive) {
    var seconds = Math.round((Date.now() - since) / 1000);
    since = Date.now();
    if (seconds <= 0) { return; }
    var body = { seconds: Math.min(seconds, 120) };
    var anchor = currentAnchor();
    if (anchor) { body.anchor = anchor; }
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, "Accept": "application/json" },
      body: JSON.stringify(body)
    }).catch(function () { /* offline: this minute is simply not counted */ });
  }

  setInterval(function () {
    if (document.visibilityState === "visible") { send(false); } else { since = Date.now(); }
  }, 60000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { send(true); } else { since = Date.now(); }
  });
})();
