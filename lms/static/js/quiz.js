/* Quiz attempt page: autosave every change, keep unsent answers in localStorage (the shared
   journal, journal.js) and re-send them after a dropped link, show "Đã lưu / Chưa lưu", count down the server's remaining time
   and submit when it runs out. Without this file the page works as a plain form. */
(function () {
  "use strict";

  var done = document.getElementById("quiz-done");
  if (done) {  // review page: the attempt is closed, nothing left to re-send
    try { localStorage.removeItem("quiz:" + done.dataset.attempt); } catch (e) { /* private mode */ }
    return;
  }
  var form = document.getElementById("quiz-form");
  if (!form) { return; }

  // the page's language: the template passes its translated messages as data-msg-* attributes
  var text = {
    saved: form.dataset.msgSaved || "Đã lưu",
    unsaved: form.dataset.msgUnsaved || "Chưa lưu",
    saving: form.dataset.msgSaving || "Đang lưu…",
    offline: form.dataset.msgOffline || "Mất kết nối — câu trả lời được giữ trên máy và sẽ gửi khi có mạng",
    retry: form.dataset.msgRetry || "Chưa lưu — mất kết nối, sẽ gửi lại",
    confirm: form.dataset.msgConfirm || "Nộp bài? Sau khi nộp đồng chí không sửa được câu trả lời.",
    left: form.dataset.msgLeft || "Còn lại:",
    answered: form.dataset.msgAnswered || "đã trả lời",
    unanswered: form.dataset.msgUnanswered || "chưa trả lời",
    flagged: form.dataset.msgFlagged || "đã đánh dấu",
    count: form.dataset.msgCount || "Đã trả lời {a}/{n} câu",
    blanks: form.dataset.msgBlanks || "Còn {n} câu chưa trả lời.",
    expired: form.dataset.msgExpired || "Chưa lưu — phiên đăng nhập đã hết; câu trả lời được giữ trên máy này"
  };
  // keep the session alive while the attempt is open (the idle timeout must never cost answers;
  // unsent answers also wait in the journal)
  if (form.dataset.aliveUrl) {
    window.setInterval(function () {
      if (navigator.onLine) { fetch(form.dataset.aliveUrl, { credentials: "same-origin" }).catch(function () {}); }
    }, 5 * 60 * 1000);
  }
  var status = document.getElementById("save-status");
  // the saved/not-saved state and the autosave hint are only true when this script runs
  status.hidden = false;
  var jsHint = document.getElementById("quiz-hint-js");
  if (jsHint) { jsHint.hidden = false; }
  var seqInput = document.getElementById("quiz-seq");
  var textTimer = null;
  var submitting = false;
  var messages = {
    saved: text.saved, unsaved: text.unsaved, saving: text.saving, offline: text.offline,
    retry: text.retry, expired: text.expired, refused: text.unsaved
  };

  // unsent answers live in the shared journal (journal.js), keyed by question position
  var journal = new window.LmsJournal({
    key: "quiz:" + form.dataset.attempt,
    url: form.dataset.saveUrl,
    csrf: form.querySelector("input[name=csrf_token]").value,
    body: function (sent) { return { answers: sent }; },
    onState: function (state, message) {
      status.textContent = messages[state] + (message ? " — " + message : "");
      status.classList.toggle("unsaved", state !== "saved");
    },
    onClosed: function (data) { window.location.href = data.review_url; }
  });
  journal.lastSeq = Math.max(Number(form.dataset.seq) || 0, journal.lastSeq);

  function fieldsOf(fieldset) {
    var out = {};
    fieldset.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name || el.name === "positions" || el.name === "flag") { return; }
      if (!out[el.name]) { out[el.name] = []; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      out[el.name].push(el.value);
    });
    return out;
  }

  function restore(fieldset, fields) {
    fieldset.querySelectorAll("input, select, textarea").forEach(function (el) {
      var values = fields[el.name];
      if (!values) { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.name !== "positions" && el.name !== "flag") {
        el.value = values[0] || "";
      }
    });
  }

  // the question panel: answered / not answered / flagged, updated as the learner answers
  var counter = document.getElementById("quiz-answered");
  var csrf = form.querySelector("input[name=csrf_token]").value;

  function isAnswered(fields) {
    return Object.keys(fields).some(function (name) {
      return fields[name].some(function (v) { return String(v).trim() !== ""; });
    });
  }

  function mark(position, answered, flagged) {
    var item = document.getElementById("nav-" + position);
    if (!item) { return; }
    if (answered !== null) {
      item.classList.toggle("answered", answered);
      item.querySelector(".qnav-state").textContent = answered ? text.answered : text.unanswered;
    }
    if (flagged !== null) {
      item.classList.toggle("flagged", flagged);
      item.querySelector(".qnav-flag").textContent = flagged ? ", " + text.flagged : "";
    }
    var done = document.querySelectorAll(".qnav-item.answered").length;
    var total = Number(counter.dataset.total) || 0;
    counter.textContent = text.count.replace("{a}", done).replace("{n}", total);
  }

  function blanks() {
    return (Number(counter.dataset.total) || 0) - document.querySelectorAll(".qnav-item.answered").length;
  }

  function remember(fieldset) {
    var fields = fieldsOf(fieldset);
    journal.remember(fieldset.dataset.position, { fields: fields });
    mark(fieldset.dataset.position, isAnswered(fields), null);
  }

  form.querySelectorAll("input[name=flag]").forEach(function (box) {
    box.addEventListener("change", function (event) {
      event.stopPropagation();  // a flag is not an answer
      mark(box.value, null, box.checked);
      fetch(form.dataset.flagUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
        body: JSON.stringify({ position: Number(box.value), flagged: box.checked })
      }).catch(function () { /* the next plain save of the page sends it again */ });
    });
  });

  form.querySelectorAll("fieldset.question").forEach(function (fieldset) {
    journal.ready.then(function () {
      var saved = journal.get(fieldset.dataset.position);
      if (saved) {  // typed before a reload, not yet on the server
        restore(fieldset, saved.fields);
        mark(fieldset.dataset.position, isAnswered(saved.fields), null);
      }
    });
    fieldset.addEventListener("change", function () { remember(fieldset); journal.flush(); });
    fieldset.addEventListener("input", function (event) {
      if (event.target.tagName !== "TEXTAREA" && event.target.type !== "text") { return; }
      remember(fieldset);
      window.clearTimeout(textTimer);
      textTimer = window.setTimeout(function () { journal.flush(); }, 800);
    });
  });

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.value === "submit" && !submitting &&
        !window.confirm((blanks() > 0 ? text.blanks.replace("{n}", blanks()) + " " : "") + text.confirm)) {
      event.preventDefault();
      return;
    }
    submitting = true;
    seqInput.value = String(journal.nextSeq());  // the form's values are the newest
  });

  journal.start(15000);

  var timer = document.getElementById("quiz-timer");
  if (timer) {
    var endsAt = Date.now() + Number(timer.dataset.remaining) * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      timer.textContent = text.left + " " + minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      timer.classList.toggle("urgent", left <= 60);
      if (left === 0 && !submitting) {
        submitting = true;
        var button = document.getElementById("quiz-submit");
        seqInput.value = String(journal.nextSeq());
        if (form.requestSubmit) { form.requestSubmit(button); } else { button.click(); }
        return;
      }
      window.setTimeout(tick, 1000);
    };
    tick();
  }
})();
