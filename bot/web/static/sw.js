/* The Mini App's service worker: the page's assets come from the network when it answers and
   from this cache when it does not. API answers are not cached here: the page keeps the last one
   itself (localStorage) and says how old it is. */
'use strict';
var CACHE = 'konferenz-app-v2';
var ASSETS = ['./', 'app.js', 'app.css', 'icon.svg', 'room.js', 'room.css'];

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }));
  self.skipWaiting();
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener('fetch', function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.indexOf('/api/') !== -1 ||
      url.pathname.indexOf('/calendar/') !== -1) {
    return;
  }
  event.respondWith(fetch(event.request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(event.request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(event.request, {ignoreSearch: true});
  }));
});
