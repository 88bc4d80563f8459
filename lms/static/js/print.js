// Printing a page opens its folded sections (details.print-open), so nothing a board
// prints is left collapsed; browsers without ::details-content styling need this.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details.print-open").forEach(function (d) { d.open = true; });
});
