/* The service worker (served as /sw.js, scope the whole site). What it keeps, in one cache:
   - topic pages (/my/topics/...) the learner opened or saved, and attachments they saved:
     network first, the cached copy when there is no connection;
   - versioned static files (?v=<hash>): cache first (a new version has a new URL);
   - /offline (anonymous copy, in the static cache): the page shown when a page not saved is
     opened without a connection.
   Never: POSTs, quiz attempts, scenario runs or any other page with answer state (they go to
   the network untouched), nor redirects or error responses. Logout deletes the cache
   (offline.js). */
"use strict";

var CACHE = "lms-offline-v1";  // the learner's pages: deleted at logout
var STATIC = "lms-static-v1";  // CSS, JS and icons: nothing personal
var FALLBACK = "/offline";

function isTopic(url) { return url.pathname.indexOf("/my/topics/") === 0; }
function isAttachment(url) { return url.pathname.indexOf("/attachments/") === 0; }
function isVersionedStatic(url) { return url.pathname.split("/")[1] === "static" && url.searchParams.has("v"); }

self.addEventListener("install", function (event) {
  // the page as an anonymous visitor sees it (no name, no menu): it outlives a logout
  event.waitUntil(caches.open(STATIC).then(function (cache) {
    return fetch(FALLBACK, { credentials: "omit" }).then(function (response) { return cache.put(FALLBACK, response); });
  }).catch(function () {}));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function keep(request, response, name) {
  if (response && response.ok && !response.redirected && response.type === "basic") {
    var copy = response.clone();
    caches.open(name || CACHE).then(function (cache) { cache.put(request, copy); });
  }
  return response;
}

function cachedOrFallback(request) {
  return caches.match(request, { ignoreSearch: isTopic(new URL(request.url)) }).then(function (hit) {
    if (hit) { return hit; }
    if (request.mode === "navigate") { return caches.match(FALLBACK); }
    return Response.error();
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method === "POST" && url.pathname === "/logout" && url.origin === self.location.origin) {
    // from any page, offline.js loaded or not (the attempt page leaves it out): forget the learner's pages
    event.waitUntil(caches.delete(CACHE));
    return;
  }
  if (request.method !== "GET") { return; }
  if (url.origin !== self.location.origin) { return; }
  if (isVersionedStatic(url)) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) { return keep(request, response, STATIC); });
    }));
    return;
  }
  if (isTopic(url)) {
    // network first; the copy is refreshed whenever the page is read online
    event.respondWith(fetch(request).then(function (response) {
      return keep(new Request(url.origin + url.pathname), response);
    }).catch(function () { return cachedOrFallback(request); }));
    return;
  }
  if (isAttachment(url) || url.pathname === FALLBACK) {
    // saved explicitly (offline.js); never stored here: a file only the learner chose
    event.respondWith(fetch(request).catch(function () { return cachedOrFallback(request); }));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () { return cachedOrFallback(request); }));
  }
});
