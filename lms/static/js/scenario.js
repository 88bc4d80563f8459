/* Scenario answer box: the draft is journalled (journal.js) in localStorage as it is typed and
   saved on the server; it is restored after a reload or a new login; a word and character
   counter; "Gửi câu trả lời" first makes sure the server still has a session (the draft save),
   so an ended session or a dropped link keeps the text in the box and says what happened.
   Without this file the page is a plain form (the server keeps a refused answer in the box). */
(function () {
  "use strict";

  var form = document.getElementById("answer-form");
  if (!form || !window.LmsJournal) { return; }
  var d = form.dataset;
  var box = document.getElementById("answer");
  var status = document.getElementById("draft-status");
  var alertBox = document.getElementById("draft-alert");
  var counter = document.getElementById("answer-count");
  var node = d.node;
  var max = Number(d.max) || 10000;
  var low = Number(d.wordsLow) || 0;
  var high = Number(d.wordsHigh) || 0;
  var typing = null;
  var sending = false;
  var messages = {
    saved: d.msgSaved, unsaved: d.msgUnsaved, saving: d.msgSaving, offline: d.msgOffline,
    retry: d.msgRetry, expired: d.msgUnsaved, refused: d.msgUnsaved
  };

  status.hidden = false;
  counter.hidden = false;
  var hint = document.getElementById("draft-hint-js");
  if (hint) { hint.hidden = false; }

  var problem = false;  // the alert says why the text is not on the server yet

  function say(message, withLogin, isProblem) {
    problem = Boolean(isProblem);
    alertBox.textContent = "";
    if (!message) { alertBox.hidden = true; return; }
    var p = document.createElement("p");
    p.textContent = message;
    alertBox.appendChild(p);
    if (withLogin) {
      var a = document.createElement("a");
      a.href = d.loginUrl;
      a.className = "button primary";
      a.textContent = d.msgLogin;
      alertBox.appendChild(a);
    }
    alertBox.hidden = false;
  }

  var journal = new window.LmsJournal({
    key: "scenario:" + d.run,
    url: d.draftUrl,
    csrf: form.querySelector("input[name=csrf_token]").value,
    body: function (sent) {
      var entry = sent[node] || { text: box.value, seq: journal.nextSeq() };
      return { node: node, text: entry.text, seq: entry.seq };
    },
    onState: function (state, message) {
      status.textContent = messages[state] + (state === "refused" && message ? " — " + message : "");
      status.classList.toggle("unsaved", state !== "saved");
      if (state === "expired") { say(d.msgExpired, true, true); } else if (state === "saved" && problem) { say(""); }
    },
    onClosed: function (data) { window.location.href = data.review_url; }
  });

  function count() {
    var text = box.value;
    var words = (text.match(/\S+/g) || []).length;
    var parts = [d.msgWords.replace("{n}", words.toLocaleString("vi-VN"))];
    if (high) { parts[0] += " (" + (low === high ? "~" + low : low + "–" + high) + ")"; }
    parts.push(d.msgChars.replace("{n}", text.length.toLocaleString("vi-VN")));
    counter.textContent = parts.join(" · ");
    var over = text.length > max;
    counter.classList.toggle("over", over || (high > 0 && words > high * 1.5));
    return over;
  }

  journal.ready.then(function () {
    // entries of other steps were sent or are stale: this page only writes its own node
    Object.keys(journal.pending).forEach(function (id) { if (id !== node) { journal.drop(id); } });
    var mine = journal.get(node);
    if (mine && mine.seq > Number(d.draftSeq || 0) && mine.text !== box.value) {
      box.value = mine.text;  // typed here, never reached the server (session ended, link dropped)
      say(d.msgRestored);
      count();
    }
  });
  count();

  box.addEventListener("input", function () {
    count();
    journal.remember(node, { text: box.value });
    window.clearTimeout(typing);
    typing = window.setTimeout(function () { journal.flush(); }, 1000);
  });

  form.addEventListener("submit", function (event) {
    if (sending) { return; }
    event.preventDefault();
    if (count()) { say(d.msgTooLong); box.focus(); return; }
    // save the newest text as the draft first: only a live session may send the answer
    journal.remember(node, { text: box.value });
    journal.flush().then(function (state) {
      if (state === "saved") {
        sending = true;
        form.submit();
      } else if (state === "expired") {
        say(d.msgExpired, true, true);
      } else if (state !== "closed") {
        say(d.msgNotSent + " " + status.textContent, false, true);
      }
    });
  });

  journal.start(15000);
})();
