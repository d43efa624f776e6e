/* The conference Mini App: the day as a grid of rooms over time, the attendee's seats and
   bookmarks, sign-up and the organizer view. Vanilla JS, no build step, no Telegram script:
   a small shim reads initData and the theme from the URL fragment Telegram opens the page with
   (#tgWebAppData=...&tgWebAppThemeParams=...) or from window.Telegram.WebApp if a client injects it.
   All words come from the server in the attendee's language; every text is set as textContent. */
(function () {
  'use strict';

  var REFRESH_MS = 30000;
  var RETRY_MS = 5000;
  var SLOT = 5; // minutes per grid row
  // Only what must be said before the server has answered once (language from initData).
  var BOOT = {
    de: {web_loading: 'Lädt …', web_error_auth: 'Diese Seite öffnet sich nur aus dem Chat mit dem Bot. Bitte dort erneut öffnen.',
         web_retrying: 'Keine Verbindung – ich versuche es gleich noch einmal.'},
    en: {web_loading: 'Loading …', web_error_auth: 'This page only opens from the chat with the bot. Please open it there again.',
         web_retrying: 'No connection – trying again shortly.'}
  };

  var $ = function (id) { return document.getElementById(id); };

  // Web storage may be refused (a third-party iframe, as in Telegram Web; private modes): the
  // page then works without its memory.
  function remember(kind, key, value) {
    try {
      var storage = kind === 'session' ? window.sessionStorage : window.localStorage;
      if (value === undefined) { return storage.getItem(key); }
      storage.setItem(key, value);
    } catch (e) { /* no storage */ }
    return null;
  }
  var state = {data: null, orga: null, view: 'program', day: null, staleAt: null, loading: false,
               retry: null, openId: null, opener: null, busy: false};

  // --- the Telegram shim ---------------------------------------------------------------------
  var fragment = new URLSearchParams(location.hash.slice(1));
  var webApp = window.Telegram && window.Telegram.WebApp;
  var initData = (webApp && webApp.initData) || fragment.get('tgWebAppData') || remember('session', 'tma') || '';
  if (initData) { remember('session', 'tma', initData); }
  var user = (function () {
    try { return JSON.parse(new URLSearchParams(initData).get('user')) || {}; } catch (e) { return {}; }
  })();
  var bootLang = (user.language_code || 'de').toLowerCase().indexOf('de') === 0 ? 'de' : 'en';
  var cacheKey = 'konferenz-state-' + (user.id || 'anon');

  function applyTheme() {
    var theme = (webApp && webApp.themeParams) || {};
    try { theme = Object.assign(JSON.parse(fragment.get('tgWebAppThemeParams') || '{}'), theme); } catch (e) { /* keep defaults */ }
    var map = {bg_color: '--bg', text_color: '--text', hint_color: '--hint', link_color: '--link', button_color: '--button',
               button_text_color: '--button-text', secondary_bg_color: '--secondary-bg'};
    Object.keys(map).forEach(function (key) {
      if (/^#[0-9a-f]{3,8}$/i.test(theme[key] || '')) { document.documentElement.style.setProperty(map[key], theme[key]); }
    });
    if (webApp && webApp.ready) { webApp.ready(); } else { postEvent('web_app_ready'); }
    if (webApp && webApp.expand) { webApp.expand(); } else { postEvent('web_app_expand'); }
  }

  // Tell the Telegram client the page is ready (it hides its placeholder) and may take the full
  // height: the documented postEvent bridge of each platform; nothing happens in a plain browser.
  function postEvent(type) {
    var data = JSON.stringify({eventType: type, eventData: {}});
    try {
      if (window.TelegramWebviewProxy) { window.TelegramWebviewProxy.postEvent(type, '{}'); }
      else if (window.external && 'notify' in window.external) { window.external.notify(data); }
      else if (window.parent !== window) { window.parent.postMessage(data, '*'); }
    } catch (e) { /* not inside Telegram */ }
  }

  // --- texts, elements -----------------------------------------------------------------------
  function text(key, values) {
    var source = (state.data && state.data.texts) || BOOT[bootLang];
    var template = source[key] || BOOT[bootLang][key] || '';
    return template.replace(/\{(\w+)\}/g, function (m, name) { return values && name in values ? values[name] : m; });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === 'text') { node.textContent = attrs[name]; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function setStatus(message, kind) {
    var status = $('status');
    status.textContent = message || '';
    status.className = kind || '';
  }

  // --- talking to the bot --------------------------------------------------------------------
  function api(method, path, body) {
    return fetch('api/' + path, {
      method: method, cache: 'no-store',
      headers: {'Authorization': 'tma ' + initData, 'Content-Type': 'application/json'},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) {
          var error = new Error(json.error || response.statusText);
          error.status = response.status;
          throw error;
        }
        return json;
      });
    });
  }

  function refused(error) { return error.status === 401; }

  function load() {
    if (state.loading) { return Promise.resolve(); }
    state.loading = true;
    clearTimeout(state.retry);
    return api('GET', 'state').then(function (data) {
      state.data = data;
      state.staleAt = null;
      remember('local', cacheKey, JSON.stringify(data));
      render();
      if (state.view === 'orga' && data.is_admin) { loadOrga(); }
    }, function (error) {
      if (refused(error)) { showRefusal(); return; }
      var cached = state.data || readCache();
      if (cached) {
        state.data = cached;
        state.staleAt = cached.now.label;
        render();
      } else {
        setStatus(text('web_retrying'), 'error');
      }
      state.retry = setTimeout(load, RETRY_MS);
    }).then(function () { state.loading = false; });
  }

  function readCache() {
    try { return JSON.parse(remember('local', cacheKey)); } catch (e) { return null; }
  }

  function showRefusal() {
    state.data = null;
    document.documentElement.lang = bootLang;
    $('title').textContent = '';
    $('program').replaceChildren();
    $('orga').replaceChildren();
    $('views').hidden = true;
    $('days').hidden = true;
    setStatus(BOOT[bootLang].web_error_auth, 'error');
  }

  // --- rendering -----------------------------------------------------------------------------
  function render() {
    var data = state.data;
    document.documentElement.lang = data.lang;
    document.title = data.conference;
    $('title').textContent = data.conference;
    if (state.staleAt) { setStatus(text('web_offline', {time: state.staleAt}), 'stale'); }
    else { setStatus(text('web_now', {time: data.now.label})); }
    if (!state.day || !data.days.some(function (d) { return d.date === state.day; })) {
      state.day = data.days.some(function (d) { return d.date === data.now.date; }) ? data.now.date : data.days[0].date;
    }
    if (!data.is_admin) { state.view = 'program'; }
    renderTabs($('views'), data.is_admin ? [['program', text('web_tab_program')], ['orga', text('web_tab_orga')]] : [],
               state.view, text('web_views'), function (view) { state.view = view; render(); if (view === 'orga') { loadOrga(); } },
               function (view) { return view; });
    renderTabs($('days'), state.view === 'program' && data.days.length > 1 ?
               data.days.map(function (d) { return [d.date, d.label]; }) : [],
               state.day, text('web_days'), function (day) { state.day = day; render(); }, function () { return 'program'; });
    $('program').hidden = state.view !== 'program';
    $('orga').hidden = state.view !== 'orga';
    if (state.view === 'program') {
      var started = performance.now();
      renderGrid();
      void $('program').offsetHeight; // lay the grid out now, so that the measure includes layout (it happens before paint anyway)
      // User Timing marks for bench/webapp.py: how long a grid takes, when the page first works.
      performance.measure('grid', {start: started, end: performance.now()});
      if (!state.staleAt && !performance.getEntriesByName('interactive').length) { performance.mark('interactive'); }
    }
    if (state.openId && $('dialog').open) { fillDialog(state.openId); }
  }

  function renderTabs(container, tabs, selected, label, choose, panelOf) {
    container.replaceChildren();
    container.hidden = tabs.length < 2;
    container.setAttribute('aria-label', label);
    tabs.forEach(function (tab, index) {
      var button = el('button', {type: 'button', role: 'tab', id: container.id + '-' + index, text: tab[1],
                                 'aria-selected': String(tab[0] === selected), tabindex: tab[0] === selected ? '0' : '-1',
                                 'aria-controls': panelOf(tab[0])});
      button.addEventListener('click', function () { choose(tab[0]); focusTab(container, tab[0], tabs); });
      button.addEventListener('keydown', function (event) {
        var step = {ArrowRight: 1, ArrowLeft: -1}[event.key];
        if (!step) { return; }
        var next = tabs[(index + step + tabs.length) % tabs.length][0];
        choose(next);
        focusTab(container, next, tabs);
      });
      container.appendChild(button);
    });
  }

  function focusTab(container, value, tabs) {
    var index = tabs.findIndex(function (tab) { return tab[0] === value; });
    var button = $(container.id + '-' + index);
    if (button) { button.focus(); }
  }

  function renderGrid() {
    var data = state.data;
    var day = data.days.filter(function (d) { return d.date === state.day; })[0];
    var panel = $('program');
    panel.setAttribute('aria-labelledby', $('days').hidden ? 'title' : 'days-' + data.days.indexOf(day));
    var rows = Math.max(1, (day.end - day.start) / SLOT);
    var columns = Math.max(1, day.rooms.length);
    var grid = el('div', {'class': 'grid', role: 'region', 'aria-label': day.title});
    grid.style.gridTemplateColumns = '3.2rem repeat(' + columns + ', minmax(10.5rem, 1fr))';
    grid.style.gridTemplateRows = 'auto repeat(' + rows + ', minmax(0.3rem, auto))';
    var fragment = document.createDocumentFragment();
    var corner = el('div', {'class': 'room', 'aria-hidden': 'true'});
    place(corner, '1', '1');
    fragment.appendChild(corner);
    day.rooms.forEach(function (room, index) {
      fragment.appendChild(place(el('div', {'class': 'room', 'aria-hidden': 'true', text: room}), '1', String(index + 2)));
    });
    for (var minute = day.start; minute < day.end; minute += 30) {
      var label = pad(Math.floor(minute / 60) % 24) + ':' + pad(minute % 60);
      fragment.appendChild(place(el('div', {'class': 'time', 'aria-hidden': 'true', text: label}),
                                 row(day, minute) + ' / span ' + Math.min(6, (day.end - minute) / SLOT), '1'));
    }
    data.sessions.forEach(function (session) {
      if (session.day !== day.date) { return; }
      fragment.appendChild(cell(day, session));
    });
    if (data.now.date === day.date && data.now.minutes >= day.start && data.now.minutes <= day.end) {
      var line = el('div', {'class': 'nowline', 'aria-hidden': 'true'}, [el('span', {text: data.now.label})]);
      fragment.appendChild(place(line, String(row(day, Math.min(data.now.minutes, day.end - SLOT))), '1 / -1'));
    }
    grid.appendChild(fragment);
    panel.replaceChildren(el('div', {'class': 'scroller'}, [grid]));
  }

  function cell(day, session) {
    var classes = ['cell'];
    if (session.mine) { classes.push(session.mine); }
    if (session.bookmarked) { classes.push('bookmarked'); }
    if (session.cancelled) { classes.push('cancelled'); }
    if (!session.column) { classes.push('all'); }
    var button = el('button', {type: 'button', 'class': classes.join(' '), 'data-id': session.id, 'aria-label': session.label}, [
      el('span', {'class': 't', text: session.time}),
      el('span', {'class': 'n', text: session.title}),
      session.room ? el('span', {'class': 'r', text: session.room}) : null,
      session.marks.length ? el('span', {'class': 'm', text: session.marks.join(' · ')}) : null
    ]);
    var start = Math.max(session.start, day.start);
    var end = Math.min(Math.max(session.end, start + SLOT), day.end);
    var column = session.column ? String(session.column + 1) : '2 / -1'; // 0: across all rooms
    place(button, row(day, start) + ' / ' + row(day, Math.ceil((end - day.start) / SLOT) * SLOT + day.start), column);
    button.addEventListener('click', function () { openDialog(session.id, button); });
    return button;
  }

  function row(day, minute) { return 2 + Math.floor((minute - day.start) / SLOT); }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function place(node, gridRow, gridColumn) { node.style.gridRow = gridRow; node.style.gridColumn = gridColumn; return node; }

  // --- the session dialog --------------------------------------------------------------------
  function sessionById(id) { return state.data.sessions.filter(function (s) { return s.id === id; })[0]; }

  function openDialog(id, opener) {
    state.openId = id;
    state.opener = opener;
    $('d-message').textContent = '';
    fillDialog(id);
    $('dialog').showModal();
    $('d-title').focus();
  }

  function fillDialog(id) {
    var session = sessionById(id);
    if (!session) { $('dialog').close(); return; }
    $('d-title').textContent = session.title;
    $('d-body').replaceChildren.apply($('d-body'), session.details.map(function (line) { return el('p', {text: line}); }));
    $('d-close').textContent = text('web_close');
    if (!state.busy) { showActions(session.actions.map(function (a) { return Object.assign({session_id: id}, a); })); }
  }

  function showActions(actions) {
    $('d-actions').replaceChildren.apply($('d-actions'), actions.map(function (action) {
      var button = el('button', {type: 'button', text: action.label, 'class': action.action === 'keep' ? 'secondary' : ''});
      button.disabled = !!state.staleAt; // offline: the page shows, it does not act
      button.addEventListener('click', function () { act(action); });
      return button;
    }));
  }

  function act(action) {
    state.busy = true;
    Array.prototype.forEach.call($('d-actions').querySelectorAll('button'), function (b) { b.disabled = true; });
    var request = action.action === 'bookmark' ? api('POST', 'bookmark', {session_id: action.session_id})
      : api('POST', 'seat', {action: action.action, session_id: action.session_id, from_id: action.from_id});
    request.then(function (answer) {
      $('d-message').textContent = answer.message;
      state.busy = false;
      if (answer.offers && answer.offers.length) {
        state.busy = true; // the offer stays until the attendee chooses
        showActions(answer.offers);
      }
      return load();
    }, function (error) {
      state.busy = false;
      if (refused(error)) { $('dialog').close(); showRefusal(); return; }
      $('d-message').textContent = text('web_error');
      fillDialog(state.openId);
    });
  }

  function closeDialog() {
    state.openId = null;
    state.busy = false;
    var opener = state.opener && document.querySelector('.cell[data-id="' + CSS.escape(state.opener.getAttribute('data-id')) + '"]');
    if (opener) { opener.focus(); }
  }

  // --- the organizer view --------------------------------------------------------------------
  function loadOrga() {
    return api('GET', 'orga').then(function (orga) { state.orga = orga; renderOrga(); }, function (error) {
      if (refused(error)) { showRefusal(); return; }
      if (state.orga) { renderOrga(); }
    });
  }

  function bar(parts, label) {
    var node = el('div', {'class': 'bar', role: 'img', 'aria-label': label});
    parts.forEach(function (part) {
      if (part[1] <= 0) { return; }
      var span = el('span', {'class': part[0]});
      span.style.width = Math.min(100, part[1]) + '%';
      node.appendChild(span);
    });
    return node;
  }

  function section(title, items) {
    var list = el('ul', {'class': 'bars'}, items);
    return [el('h2', {text: title}), items.length ? list : el('p', {text: text('web_orga_none')})];
  }

  function renderOrga() {
    var orga = state.orga;
    var seats = orga.seats.map(function (s) {
      var scale = Math.max(s.capacity, s.confirmed + s.waitlisted, 1);
      var taken = Math.min(s.confirmed, s.capacity);
      return el('li', {}, [el('div', {'class': 'label', text: s.title}),
        bar([['fill', 100 * taken / scale], ['over', 100 * (s.confirmed - taken) / scale], ['wait', 100 * s.waitlisted / scale]], s.line),
        el('div', {'class': 'line', text: s.line})]);
    });
    var broadcasts = orga.announcements.map(function (a) {
      var total = Math.max(1, a.sent + a.failed + a.pending);
      return el('li', {}, [el('div', {'class': 'label', text: a.when + ' · ' + a.audience}), el('div', {text: a.excerpt}),
        bar([['fill', 100 * a.sent / total], ['failed', 100 * a.failed / total], ['pending', 100 * a.pending / total]], a.line),
        el('div', {'class': 'line', text: a.line})]);
    });
    var feedback = orga.feedback.map(function (f) {
      return el('li', {}, [el('div', {'class': 'label', text: f.title}), bar([['fill', 100 * f.average / 5]], f.line),
        el('div', {'class': 'line', text: f.line})]);
    });
    var panel = $('orga');
    panel.setAttribute('aria-labelledby', 'views-1');
    panel.replaceChildren.apply(panel, [].concat(section(text('web_orga_seats'), seats),
      section(text('web_orga_broadcasts'), broadcasts), section(text('web_orga_feedback'), feedback)));
  }

  // --- start ---------------------------------------------------------------------------------
  function start() {
    applyTheme();
    document.documentElement.lang = bootLang;
    $('d-close').addEventListener('click', function () { $('dialog').close(); });
    $('dialog').addEventListener('close', closeDialog);
    if (!initData) { showRefusal(); return; }
    var cached = readCache();
    if (cached) { state.data = cached; state.staleAt = null; render(); setStatus(text('web_loading')); }
    else { setStatus(BOOT[bootLang].web_loading); }
    load();
    setInterval(function () { if (!document.hidden) { load(); } }, REFRESH_MS);
    document.addEventListener('visibilitychange', function () { if (!document.hidden) { load(); } });
    window.addEventListener('focus', load);
    window.addEventListener('online', load);
    if ('serviceWorker' in navigator) { navigator.serviceWorker.register('sw.js').catch(function () { /* works without */ }); }
  }

  start();
}());
