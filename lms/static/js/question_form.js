// The question form: a "Thêm phương án" button that copies the last empty choice row with the
// next index. Without JS the page has a fixed number of rows (empty rows are ignored).
(function () {
  "use strict";
  var box = document.getElementById("choice-rows");
  if (!box) { return; }
  var max = parseInt(box.getAttribute("data-max"), 10) || 30;

  function rows() { return box.querySelectorAll(".choice-row"); }

  var button = document.createElement("button");
  button.type = "button";
  button.className = "button";
  button.textContent = box.getAttribute("data-add");
  box.appendChild(button);

  button.addEventListener("click", function () {
    var all = rows();
    var last = all[all.length - 1];
    var from = last.getAttribute("data-index");
    var to = String(parseInt(from, 10) + 1);
    var copy = last.cloneNode(true);
    copy.setAttribute("data-index", to);
    copy.querySelector("legend").textContent = box.getAttribute("data-label").replace("{n}", all.length + 1);
    Array.prototype.forEach.call(copy.querySelectorAll("[name],[id],[for],[aria-describedby]"), function (el) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.split("choices-" + from + "-").join("choices-" + to + "-")); }
      });
      if (el.type === "radio") { el.value = to; el.checked = false; }
      else if (el.type === "checkbox") { el.checked = false; }
      else if ("value" in el) { el.value = ""; }
    });
    Array.prototype.forEach.call(copy.querySelectorAll(".error"), function (el) { el.remove(); });
    Array.prototype.forEach.call(copy.querySelectorAll(".has-error"), function (el) { el.classList.remove("has-error"); });
    Array.prototype.forEach.call(copy.querySelectorAll("[aria-invalid]"), function (el) { el.setAttribute("aria-invalid", "false"); });
    Array.prototype.forEach.call(copy.querySelectorAll("details"), function (el) { el.open = false; });
    box.insertBefore(copy, button);
    copy.querySelector("textarea, input[type=text]").focus();
    if (rows().length >= max) { button.hidden = true; }
  });
  if (rows().length >= max) { button.hidden = true; }
}());
