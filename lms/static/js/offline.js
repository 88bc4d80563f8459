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

  function render() {
    caches.open(CACHE).then(function (cache) {
      return cache.keys().then(function (requests) {
        var wanted = requests.filter(function (r) {
          var p = new URL(r.url).pathname;
          return p.indexOf("/my/topics/") === 0 || p.indexOf("/attachments/") === 0;
        });
        return Promise.all(wanted.map(function (r) {
          var isFile = new URL(r.url).pathname.indexOf("/attachments/") === 0;
          return cache.match(r).then(function (response) {
            if (isFile) {
              var disposition = response.headers.get("Content-Disposition") || "";
              var name = (/filename\*?=(?:UTF-8'')?"?([^";]+)/i.exec(disposition) || [])[1];
              return { url: r.url, title: list.dataset.file + ": " + decodeURIComponent(name || r.url.split("/").pop()), file: true };
            }
            return titleOf(response).then(function (title) { return { url: r.url, title: title }; });
          });
        }));
      }).then(function (items) {
        list.textContent = "";
        document.getElementById("offline-empty").hidden = items.length > 0;
        items.forEach(function (item) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = item.url;
          a.textContent = item.title;
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "link";
          remove.textContent = list.dataset.remove;
          remove.setAttribute("aria-label", list.dataset.remove + ": " + item.title);
          remove.addEventListener("click", function () { cache.delete(item.url).then(render); });
          li.appendChild(a);
          li.appendChild(document.createTextNode(" "));
          li.appendChild(remove);
          list.appendChild(li);
        });
      });
    });
  }
  render();
})();
