// A refused form: move focus (and the phone's viewport) to the error summary at the top of main,
// or else to the first error message the server flashed or wrote as an alert. Without JS the
// summary is still the first thing in main.
(function () {
  "use strict";
  var target = document.getElementById("error-summary") ||
    document.querySelector("main .flash-error, main .flash-danger, main p.error[role=alert]");
  if (target) {
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
    target.scrollIntoView({ block: "start" });
  }
})();
