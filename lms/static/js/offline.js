/* Studying offline, on every signed-in page: registers the service worker (sw.js), makes the
   "save to read offline" buttons work, fills the list of what this device keeps (/offline)
   and empties that store at logout (a shared phone keeps nothing of the last learner). */
(function () {
  "use strict";
  var CACHE = "lms-offline-v1";
  if (!("serviceWorker" in navigator) || !window.caches) {
    var unsupported = document.getElementById("offline-unsupported");
    if (unsupported) { unsupported.hidden = false; }
    return;
  }
  navigator.serviceWorker.register("/sw.js").catch(function () { /* http without localhost */ });

  function pageAssets() {
    var urls = [];
    document.querySelectorAll("link[rel=stylesheet], link[rel=icon], script[src]").forEach(function (el) {
      urls.push(el.href || el.src);
    });
    return urls;
  }

  function save(urls) {
    return caches.open(CACHE).then(function (cache) {
      return Promise.all(urls.map(function (u) {
        var url = new URL(u, location.href);
        if (url.pathname.indexOf("/my/topics/") === 0) { url.search = ""; }
        url.hash = "";
        return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
          if (!response.ok || response.redirected) { throw new Error(url.href); }
          return cache.put(url.href, response);
        });
      }));
    });
  }

  document.querySelectorAll("[data-offline-save]").forEach(function (button) {
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    button.hidden = false;
    button.addEventListener("click", function () {
      var scope = document.querySelector(button.getAttribute("data-offline-save"));
      var urls = [location.href].filter(function () { return button.hasAttribute("data-self"); });
      if (scope) scope.querySelectorAll("a[href^='/my/topics/'], a[href^='/attachments/']").forEach(function (a) { urls.push(a.href); });
      button.disabled = true;
      status.textContent = button.getAttribute("data-saving");
      save(urls.concat(pageAssets())).then(function () {
        status.textContent = button.getAttribute("data-saved");
      }).catch(function () {
        status.textContent = button.getAttribute("data-failed");
      }).then(function () { button.disabled = false; });
    });
  });

  document.querySelectorAll("form[action='/logout']").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.cleared) { return; }
      event.preventDefault();
      form.dataset.cleared = "1";
      caches.delete(CACHE).catch(function () {}).then(function () { form.submit(); });
    });
  });

  var list = document.getElementById("offline-list");
  if (!list) { return; }
  if (!navigator.onLine || location.pathname !== "/offline") { document.getElementById("offline-now").hidden = false; }

  function titleOf(response) {
    return response.text().then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var h1 = doc.querySelector("h1");
      return (h1 && h1.textContent.trim()) || doc.title;
    });
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function number(value, places) {
    return new Intl.NumberFormat(document.documentElement.lang || "vi", {
      maximumFractionDigits: places
    }).format(value);
  }

  function sizeText(bytes) {  // "820 KB", "1,2 MB" (the page's language sets the decimal mark)
    if (bytes >= 1024 * 1024) { return number(bytes / 1024 / 1024, 1) + "\u00a0MB"; }
    return number(Math.max(1, Math.round(bytes / 1024)), 0) + "\u00a0KB";
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function whenText(header) {  // the Date of the saved response: when it was fetched, i.e. saved
    var date = header ? new Date(header) : null;
    if (!date || isNaN(date.getTime())) { return ""; }
    return two(date.getHours()) + ":" + two(date.getMinutes()) + " " + two(date.getDate()) + "/" +
      two(date.getMonth() + 1) + "/" + date.getFullYear();
  }

  function describe(r, response) {
    var isFile = new URL(r.url).pathname.indexOf("/attachments/") === 0;
    var saved = whenText(response.headers.get("Date"));
    return response.clone().blob().then(function (blob) {
      var item = { url: r.url, file: isFile, size: blob.size, saved: saved };
      if (isFile) {
        var disposition = response.headers.get("Content-Disposition") || "";
        var name = (/filename\*?=(?:UTF-8'')?"?([^";]+)/i.exec(disposition) || [])[1];
        item.title = decodeURIComponent(name || r.url.split("/").pop());
        return item;
      }
      return titleOf(response).then(function (title) { item.title = title; return item; });
    });
  }

  function row(item, cache) {
    var li = document.createElement("li");
    li.className = "saved-item";
    var text = document.createElement("div");
    text.className = "saved-text";
    var a = document.createElement("a");
    a.href = item.url;
    a.textContent = item.title;
    var meta = document.createElement("span");
    meta.className = "saved-meta muted";
    var parts = [item.file ? list.dataset.file : list.dataset.topic, sizeText(item.size)];
    if (item.saved) { parts.push(fill(list.dataset.savedAt, { when: item.saved })); }
    meta.textContent = parts.join(" · ");
    text.appendChild(a);
    text.appendChild(meta);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button saved-remove";
    remove.textContent = list.dataset.remove;
    remove.setAttribute("aria-label", list.dataset.remove + ": " + item.title);
    remove.addEventListener("click", function () { cache.delete(item.url).then(render); });
    li.appendChild(text);
    li.appendChild(remove);
    return li;
  }

  function render() {
    caches.open(CACHE).then(function (cache) {
      return cache.keys().then(function (requests) {
        var wanted = requests.filter(function (r) {
          var p = new URL(r.url).pathname;
          return p.indexOf("/my/topics/") === 0 || p.indexOf("/attachments/") === 0;
        });
        return Promise.all(wanted.map(function (r) {
          return cache.match(r).then(function (response) { return describe(r, response); });
        }));
      }).then(function (items) {
        items.sort(function (a, b) { return (a.file - b.file) || a.title.localeCompare(b.title, "vi"); });
        list.textContent = "";
        var summary = document.getElementById("offline-summary");
        document.getElementById("offline-empty").hidden = items.length > 0;
        summary.hidden = items.length === 0;
        var files = items.filter(function (i) { return i.file; }).length;
        var total = items.reduce(function (sum, i) { return sum + i.size; }, 0);
        summary.textContent = fill(files ? summary.dataset.template : summary.dataset.templateTopics, {
          topics: items.length - files, files: files, size: sizeText(total)
        });
        items.forEach(function (item) { list.appendChild(row(item, cache)); });
      });
    });
  }
  render();
})();
