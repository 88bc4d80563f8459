// A refused form: move focus (and the phone's viewport) to the error summary at the top of main,
// or else to the first error message flashed by the server. Without JS the summary is still first.
(function () {
  "use strict";
  var target = document.getElementById("error-summary") ||
    document.querySelector("main .flash-error, main .flash-danger");
  if (target) {
    target.focus();
    target.scrollIntoView({ block: "start" });
  }
})();
