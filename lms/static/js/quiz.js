/* Quiz attempt page: autosave every change, keep unsent answers in localStorage and re-send
   them after a dropped link, show "Đã lưu / Chưa lưu", count down the server's remaining time
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

  var key = "quiz:" + form.dataset.attempt;
  // the page's language: the template passes its translated messages as data-msg-* attributes
  var text = {
    saved: form.dataset.msgSaved || "Đã lưu",
    unsaved: form.dataset.msgUnsaved || "Chưa lưu",
    saving: form.dataset.msgSaving || "Đang lưu…",
    offline: form.dataset.msgOffline || "Chưa lưu — mất kết nối",
    retry: form.dataset.msgRetry || "Chưa lưu — mất kết nối, sẽ gửi lại",
    confirm: form.dataset.msgConfirm || "Nộp bài? Sau khi nộp bạn không sửa được câu trả lời.",
    left: form.dataset.msgLeft || "Còn lại:"
  };
  var saveUrl = form.dataset.saveUrl;
  // keep the session alive while the attempt is open (the idle timeout must never cost answers;
  // unsent answers also wait in localStorage)
  if (form.dataset.aliveUrl) {
    window.setInterval(function () {
      if (navigator.onLine) { fetch(form.dataset.aliveUrl, { credentials: "same-origin" }).catch(function () {}); }
    }, 5 * 60 * 1000);
  }
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var status = document.getElementById("save-status");
  // the saved/not-saved state and the autosave hint are only true when this script runs
  status.hidden = false;
  var jsHint = document.getElementById("quiz-hint-js");
  if (jsHint) { jsHint.hidden = false; }
  var seqInput = document.getElementById("quiz-seq");
  var lastSeq = Math.max(Number(form.dataset.seq) || 0, Date.now());
  var pending = load();
  var inflight = false;
  var textTimer = null;
  var submitting = false;

  function nextSeq() {
    lastSeq = Math.max(lastSeq + 1, Date.now());
    return lastSeq;
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { return {}; }
  }

  function persist() {
    try { localStorage.setItem(key, JSON.stringify(pending)); } catch (e) { /* storage full or off */ }
  }

  function setStatus(saved, message) {
    status.textContent = message || (saved ? text.saved : text.unsaved);
    status.classList.toggle("unsaved", !saved);
  }

  function fieldsOf(fieldset) {
    var out = {};
    fieldset.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name || el.name === "positions") { return; }
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
      } else if (el.name !== "positions") {
        el.value = values[0] || "";
      }
    });
  }

  function remember(fieldset) {
    pending[fieldset.dataset.position] = { fields: fieldsOf(fieldset), seq: nextSeq() };
    persist();
    setStatus(false);
  }

  function flush() {
    var positions = Object.keys(pending);
    if (!positions.length) { setStatus(true); return; }
    if (inflight || !navigator.onLine) { setStatus(false); return; }
    inflight = true;
    var sent = {};
    positions.forEach(function (p) { sent[p] = pending[p]; });
    setStatus(false, text.saving);
    fetch(saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify({ answers: sent })
    }).then(function (response) {
      if (response.status === 409) {
        return response.json().then(function (data) {
          pending = {};
          persist();
          window.location.href = data.review_url;
        });
      }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json().then(function () {
        // drop only what was sent and not changed since
        Object.keys(sent).forEach(function (p) {
          if (pending[p] && pending[p].seq === sent[p].seq) { delete pending[p]; }
        });
        persist();
        setStatus(Object.keys(pending).length === 0);
      });
    }).catch(function () {
      setStatus(false, text.retry);
    }).then(function () {
      inflight = false;
      if (Object.keys(pending).length && navigator.onLine) { window.setTimeout(flush, 3000); }
    });
  }

  form.querySelectorAll("fieldset.question").forEach(function (fieldset) {
    var saved = pending[fieldset.dataset.position];
    if (saved) { restore(fieldset, saved.fields); }  // typed before a reload, not yet on the server
    fieldset.addEventListener("change", function () { remember(fieldset); flush(); });
    fieldset.addEventListener("input", function (event) {
      if (event.target.tagName !== "TEXTAREA" && event.target.type !== "text") { return; }
      remember(fieldset);
      window.clearTimeout(textTimer);
      textTimer = window.setTimeout(flush, 800);
    });
  });

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.value === "submit" && !submitting &&
        !window.confirm(text.confirm)) {
      event.preventDefault();
      return;
    }
    submitting = true;
    seqInput.value = String(nextSeq());  // the form's values are the newest
  });

  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { setStatus(false, text.offline); });
  window.setInterval(flush, 15000);
  flush();

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
        seqInput.value = String(nextSeq());
        if (form.requestSubmit) { form.requestSubmit(button); } else { button.click(); }
        return;
      }
      window.setTimeout(tick, 1000);
    };
    tick();
  }
})();
