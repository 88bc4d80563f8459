// The job page without JS refreshes itself (meta refresh); with JS it polls the small JSON
// status and reloads once the job has finished (the page then shows the link or the error).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.getAttribute("data-active") !== "true") return;
  var refresh = document.querySelector('meta[http-equiv="refresh"]');
  if (refresh) refresh.parentNode.removeChild(refresh);
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var percent = document.getElementById("job-percent");
  var step = document.getElementById("job-step");
  var delay = 1000;
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (s) {
        if (s.finished) { window.location.reload(); return; }
        bar.value = s.progress; percent.textContent = s.progress;
        if (s.step && s.status === "running") step.textContent = s.step;
        delay = 1000; setTimeout(poll, delay);
      })
      .catch(function () { delay = Math.min(delay * 2, 15000); setTimeout(poll, delay); });
  }
  setTimeout(poll, delay);
})();
