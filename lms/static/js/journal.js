/* The journal of unsent answers, shared by the quiz attempt page (quiz.js) and the scenario
   answer box (scenario.js): every change is kept on the device first (IndexedDB, database
   "lms-journal", one record per attempt or run keyed by options.key; localStorage when
   IndexedDB cannot be opened; entries an older page left in localStorage are moved over), then
   sent to the
   server; an entry leaves the journal only when the server has stored that very version. So a
   dropped link, a closed tab or an ended session loses nothing: the next page load (after a new
   login if need be) restores the entries and sends them again.

   new LmsJournal({key, url, csrf, body: function (sent) -> JSON body, onState: function (state,
   message), onClosed: function (data)}); journal.ready resolves once the entries kept on the
   device are loaded (restore typed answers then). States: "saved", "unsaved", "saving", "offline",
   "retry" (network error, will retry), "expired" (the session ended: log in again; nothing is
   lost), "refused" (the server said why, in message). */
(function () {
  "use strict";

  function Journal(options) {
    this.options = options;
    this.inflight = null;
    this.lastSeq = Date.now();
    this.timer = null;
    this.state = null;
    this.pending = {};
    this.useLocal = false;
    var self = this;
    this.ready = load(options.key).then(function (found) {
      self.useLocal = found.local;
      Object.keys(found.entries).forEach(function (id) {  // typed since the page opened wins
        if (!self.pending[id]) { self.pending[id] = found.entries[id]; }
      });
      if (found.migrate) { self.persist(); try { localStorage.removeItem(options.key); } catch (e) { /* off */ } }
      return self;
    });
    window.addEventListener("online", function () { self.flush(); });
    window.addEventListener("offline", function () { self.setState("offline"); });
  }

  var DB = "lms-journal";
  var STORE = "entries";

  function readLocal(key) {
    try { return JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { return {}; }
  }

  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = window.indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(request && request.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  /* The entries kept for key: IndexedDB's, plus (newer seq wins) any left in localStorage. */
  function load(key) {
    var legacy = readLocal(key);
    var hasLegacy = Object.keys(legacy).length > 0;
    return withStore("readonly", function (store) { return store.get(key); }).then(function (stored) {
      var entries = stored || {};
      Object.keys(legacy).forEach(function (id) {
        if (!entries[id] || entries[id].seq < legacy[id].seq) { entries[id] = legacy[id]; }
      });
      return { entries: entries, local: false, migrate: hasLegacy };
    }).catch(function () {
      return { entries: legacy, local: true, migrate: false };  // private mode, old browser
    });
  }

  Journal.prototype.nextSeq = function () {
    this.lastSeq = Math.max(this.lastSeq + 1, Date.now());
    return this.lastSeq;
  };

  Journal.prototype.persistLocal = function () {
    try { localStorage.setItem(this.options.key, JSON.stringify(this.pending)); } catch (e) { /* storage full or off */ }
  };

  Journal.prototype.persist = function () {
    var self = this;
    if (self.useLocal) { self.persistLocal(); return; }
    var key = self.options.key;
    var copy = JSON.parse(JSON.stringify(self.pending));
    withStore("readwrite", function (store) {
      return Object.keys(copy).length ? store.put(copy, key) : store.delete(key);
    }).catch(function () { self.useLocal = true; self.persistLocal(); });
  };

  Journal.prototype.setState = function (state, message) {
    this.state = state;
    this.options.onState(state, message || "");
  };

  Journal.prototype.has = function () { return Object.keys(this.pending).length > 0; };

  Journal.prototype.get = function (id) { return this.pending[id]; };

  /* Keep entry (an object; its seq is set here) for id, newest first, then mark unsaved. */
  Journal.prototype.remember = function (id, entry) {
    entry.seq = this.nextSeq();
    this.pending[id] = entry;
    this.persist();
    if (this.state !== "expired") { this.setState(navigator.onLine ? "unsaved" : "offline"); }
  };

  Journal.prototype.drop = function (id) {
    delete this.pending[id];
    this.persist();
  };

  Journal.prototype.clear = function () {
    this.pending = {};
    try { localStorage.removeItem(this.options.key); } catch (e) { /* private mode */ }
    var key = this.options.key;
    withStore("readwrite", function (store) { return store.delete(key); }).catch(function () { /* none */ });
  };

  /* Send what is pending; resolves with the state reached ("saved", "offline", "retry",
     "expired", "refused", "closed"). */
  Journal.prototype.flush = function () {
    var self = this;
    if (self.inflight) { return self.inflight.then(function () { return self.flush(); }); }
    var ids = Object.keys(self.pending);
    if (!ids.length) { self.setState("saved"); return Promise.resolve("saved"); }
    if (!navigator.onLine) { self.setState("offline"); return Promise.resolve("offline"); }
    var sent = {};
    ids.forEach(function (id) { sent[id] = self.pending[id]; });
    self.setState("saving");
    self.inflight = fetch(self.options.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": self.options.csrf, "Accept": "application/json" },
      body: JSON.stringify(self.options.body(sent))
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") !== -1;
      // a redirect to the login page, an HTML error page or a refused token: the session ended
      if (response.redirected || !json || response.status === 401 || response.status === 403) { return "expired"; }
      return response.json().then(function (data) {
        if (response.status === 409) {
          self.clear();
          self.options.onClosed(data);
          return "closed";
        }
        if (data && data.reason === "session") { return "expired"; }
        if (!response.ok) {
          self.refusal = (data && data.error) || "";
          return "refused";
        }
        // drop only what was sent and not changed since
        Object.keys(sent).forEach(function (id) {
          if (self.pending[id] && self.pending[id].seq === sent[id].seq) { delete self.pending[id]; }
        });
        self.persist();
        return self.has() ? "unsaved" : "saved";
      });
    }).catch(function () {
      return navigator.onLine ? "retry" : "offline";
    }).then(function (state) {
      self.inflight = null;
      if (state !== "closed") { self.setState(state, state === "refused" ? self.refusal : ""); }
      window.clearTimeout(self.timer);
      if (self.has() && navigator.onLine && (state === "retry" || state === "unsaved")) {
        self.timer = window.setTimeout(function () { self.flush(); }, 3000);
      }
      return state;
    });
    return self.inflight;
  };

  /* Flush every `ms` and now. */
  Journal.prototype.start = function (ms) {
    var self = this;
    window.setInterval(function () { if (self.state !== "expired") { self.flush(); } }, ms || 15000);
    return self.ready.then(function () { return self.flush(); });
  };

  window.LmsJournal = Journal;
})();
