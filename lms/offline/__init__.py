"""Studying offline: the service worker, the web app manifest and the page listing what this
device keeps (static/js/offline.js and static/js/sw.js do the work in the browser)."""
