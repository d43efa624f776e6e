/* The conference Mini App. On a phone an agenda that starts at "now" (now, next, then the rest
   of the day by time slot); on a wide screen the day as a grid of rooms over time, to scale.
   Vanilla JS, no build step, no Telegram script: a small bridge reads initData and the theme
   from the URL fragment Telegram opens the page with (#tgWebAppData=...&tgWebAppThemeParams=...)
   and talks to the client through its documented postEvent bridge; in a plain browser it does
   nothing. All words come from the server in the attendee's language, every text is set as
   textContent, and every refresh updates the page in place (nodes keyed by data-key), so that
   keyboard and screen-reader focus stays where it was. */
(function () {
  'use strict';

  var REFRESH_MS = 30000;
  var RETRY_MS = 5000;
  var SLOT = 5; // minutes per grid row
  var PHONE = window.matchMedia('(max-width: 699px), (max-height: 499px)'); // too small for the grid: the agenda
  var TELEGRAM_WEB = ['https://web.telegram.org', 'https://webk.telegram.org', 'https://webz.telegram.org'];
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

  var state = {data: null, orga: null, view: 'program', day: null, staleAt: null, loading: false, retry: null,
               openId: null, busy: false, offers: null, mineOnly: false, mode: null, scrolledTo: null};

  // --- Telegram: launch parameters and the postEvent bridge ----------------------------------
  var fragment = new URLSearchParams(location.hash.slice(1));
  var injected = window.Telegram && window.Telegram.WebApp; // a client that injects Telegram's script itself
  var initData = (injected && injected.initData) || fragment.get('tgWebAppData') || remember('session', 'tma') || '';
  if (initData) { remember('session', 'tma', initData); }
  var user = (function () {
    try { return JSON.parse(new URLSearchParams(initData).get('user')) || {}; } catch (e) { return {}; }
  })();
  var bootLang = (user.language_code || 'de').toLowerCase().indexOf('de') === 0 ? 'de' : 'en';
  var cacheKey = 'konferenz-state-' + (user.id || 'anon');
  remember('session', 'tg-version', fragment.get('tgWebAppVersion') || remember('session', 'tg-version') || '');
  remember('session', 'tg-platform', fragment.get('tgWebAppPlatform') || remember('session', 'tg-platform') || '');

  var tg = {
    version: remember('session', 'tg-version') || fragment.get('tgWebAppVersion') || '6.0',
    platform: remember('session', 'tg-platform') || fragment.get('tgWebAppPlatform') || '',
    handlers: {},
    // Mobile clients inject TelegramWebviewProxy, desktop ones window.external.notify; Telegram
    // Web shows the page in an iframe. Anything else is a plain browser: every call is a no-op.
    inside: function () {
      return !!(window.TelegramWebviewProxy || (window.external && 'notify' in window.external) || window.parent !== window);
    },
    supports: function (wanted) {
      var have = tg.version.split('.').map(Number), need = wanted.split('.').map(Number);
      for (var i = 0; i < need.length; i++) {
        if ((have[i] || 0) !== need[i]) { return (have[i] || 0) > need[i]; }
      }
      return true;
    },
    post: function (type, data) {
      var payload = data || {};
      try {
        if (window.TelegramWebviewProxy) { window.TelegramWebviewProxy.postEvent(type, JSON.stringify(payload)); }
        else if (window.external && 'notify' in window.external) {
          window.external.notify(JSON.stringify({eventType: type, eventData: payload}));
        } else if (window.parent !== window) {
          var message = JSON.stringify({eventType: type, eventData: payload});
          TELEGRAM_WEB.forEach(function (origin) { window.parent.postMessage(message, origin); });
        }
      } catch (e) { /* not inside Telegram */ }
    },
    on: function (type, handler) { (tg.handlers[type] = tg.handlers[type] || []).push(handler); },
    receive: function (type, data) { (tg.handlers[type] || []).forEach(function (handler) { handler(data || {}); }); }
  };
  window.Telegram = window.Telegram || {};
  window.Telegram.WebView = window.Telegram.WebView || {};
  (function () {
    var previous = window.Telegram.WebView.receiveEvent;
    window.Telegram.WebView.receiveEvent = function (type, data) {
      tg.receive(type, data);
      if (previous) { previous(type, data); }
    };
    window.TelegramGameProxy = window.TelegramGameProxy || {receiveEvent: window.Telegram.WebView.receiveEvent};
  }());
  window.addEventListener('message', function (event) {
    if (event.source !== window.parent || TELEGRAM_WEB.indexOf(event.origin) < 0) { return; }
    try {
      var message = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
      if (message && message.eventType) { tg.receive(message.eventType, message.eventData); }
    } catch (e) { /* not one of Telegram's events */ }
  });

  // --- theme: Telegram's colours, made readable ----------------------------------------------
  var THEME = {bg_color: '--bg', text_color: '--text', hint_color: '--hint', link_color: '--link', button_color: '--button',
               button_text_color: '--button-text', secondary_bg_color: '--secondary-bg'};

  function rgb(hex) {
    var h = hex.replace('#', '');
    if (h.length === 3 || h.length === 4) { h = h.split('').map(function (c) { return c + c; }).join(''); }
    return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
  }
  function hex(c) { return '#' + c.map(function (v) { return (v < 16 ? '0' : '') + Math.round(v).toString(16); }).join(''); }
  function luminance(c) {
    var l = c.map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  }
  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  // The shade of `colour` nearest to it that reaches `minimum` against every background: moved
  // towards black on light backgrounds, towards white on dark ones (WCAG 1.4.3).
  function readable(colour, backgrounds, minimum) {
    var start = rgb(colour);
    var target = luminance(rgb(backgrounds[0])) > 0.18 ? [0, 0, 0] : [255, 255, 255];
    for (var step = 0; step <= 40; step++) {
      var mixed = start.map(function (v, i) { return Math.round(v + (target[i] - v) * step / 40); });
      if (backgrounds.every(function (bg) { return contrast(mixed, rgb(bg)) >= minimum; })) { return hex(mixed); }
    }
    return hex(target);
  }

  function applyTheme(params) {
    var root = document.documentElement;
    Object.keys(THEME).forEach(function (key) { root.style.removeProperty(THEME[key]); });
    var given = params || {};
    var css = getComputedStyle(root);
    var colours = {};
    Object.keys(THEME).forEach(function (key) {
      var value = given[key];
      colours[key] = /^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(value || '') ? value : css.getPropertyValue(THEME[key]).trim();
    });
    var backgrounds = [colours.bg_color, colours.secondary_bg_color];
    colours.text_color = readable(colours.text_color, backgrounds, 4.5);
    colours.hint_color = readable(colours.hint_color, backgrounds, 4.5);
    colours.link_color = readable(colours.link_color, backgrounds, 4.5);
    // a button's label keeps its colour; the button's own colour moves away from it
    colours.button_color = readable(colours.button_color, [colours.button_text_color], 4.5);
    Object.keys(THEME).forEach(function (key) { root.style.setProperty(THEME[key], colours[key]); });
    root.style.colorScheme = luminance(rgb(colours.bg_color)) > 0.18 ? 'light' : 'dark';
  }

  function themeFromLaunch() {
    var theme = (injected && injected.themeParams) || {};
    try { theme = Object.assign(JSON.parse(fragment.get('tgWebAppThemeParams') || '{}'), theme); } catch (e) { /* defaults */ }
    return Object.keys(theme).length ? theme : JSON.parse(remember('session', 'tg-theme') || 'null');
  }

  // --- texts and elements --------------------------------------------------------------------
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

  // In-place updates: a node changes only where its content changed.
  function setText(node, value) { if (node.textContent !== value) { node.textContent = value; } }
  function setAttr(node, name, value) {
    if (value === null || value === undefined || value === false) { if (node.hasAttribute(name)) { node.removeAttribute(name); } }
    else if (node.getAttribute(name) !== String(value)) { node.setAttribute(name, String(value)); }
  }
  function setClass(node, value) { if (node.className !== value) { node.className = value; } }

  // The children of `parent` become one node per item, in order: kept nodes (same key) are
  // updated, new ones made, missing ones removed. Only a change of order moves a node.
  function sync(parent, items, keyOf, make, fill) {
    var wanted = {};
    items.forEach(function (item) { wanted[keyOf(item)] = true; });
    Array.prototype.slice.call(parent.children).forEach(function (child) {
      if (!wanted[child.dataset.key]) { child.remove(); }
    });
    var existing = {};
    Array.prototype.forEach.call(parent.children, function (child) { existing[child.dataset.key] = child; });
    var at = parent.firstElementChild;
    items.forEach(function (item) {
      var key = keyOf(item);
      var node = existing[key];
      if (!node) { node = make(item); node.dataset.key = key; }
      fill(node, item);
      if (node === at) { at = at.nextElementSibling; } else { parent.insertBefore(node, at); }
    });
  }

  // Whatever an update does, focus stays on the element it was on, or on its successor with the
  // same key when the node had to be replaced (a mode change, an action's new buttons).
  function keepFocus(update) {
    var active = document.activeElement;
    var key = active && active !== document.body ? (active.id ? '#' + active.id : active.dataset.key) : null;
    var inDialog = !!active && $('dialog').contains(active);
    update();
    if (!active || active === document.body || document.activeElement === active) { return; }
    var target = active.isConnected ? active : !key ? null
      : key.charAt(0) === '#' ? $(key.slice(1)) : document.querySelector('[data-key="' + CSS.escape(key) + '"]');
    if (!target && inDialog && $('dialog').open) { target = $('d-actions').firstElementChild || $('d-title'); }
    if (target && !target.closest('[hidden]')) { target.focus({preventScroll: true}); }
  }

  function setStatus(message, kind) {
    setText($('status'), message || '');
    setClass($('status'), kind || '');
    document.body.classList.toggle('is-stale', kind === 'stale');
    document.body.classList.toggle('is-error', kind === 'error');
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
      render();
      // after the screen is drawn: the offline copy and the service worker (which fetches every
      // asset once) must not hold up the first screen
      setTimeout(function () {
        remember('local', cacheKey, JSON.stringify(data));
        if (!state.worker && 'serviceWorker' in navigator) {
          state.worker = navigator.serviceWorker.register('sw.js').catch(function () { /* works without */ });
        }
      }, 0);
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
    ['title', 'date', 'clock'].forEach(function (id) { setText($(id), ''); });
    $('program').replaceChildren();
    $('orga').replaceChildren();
    ['tabs', 'mine', 'jump', 'more'].forEach(function (id) { $(id).hidden = true; });
    setStatus(BOOT[bootLang].web_error_auth, 'error');
  }

  // --- rendering -----------------------------------------------------------------------------
  function today() { return state.data.now.date; }
  // a person's own day, as /meinplan has it: seats, waiting-list places, bookmarks, the sessions for everybody
  function chosen(session) { return !!(session.mine || session.bookmarked || session.everybody); }

  function render() {
    keepFocus(function () {
      var data = state.data;
      document.documentElement.lang = data.lang;
      document.title = data.conference;
      setText($('title'), data.conference);
      if (!state.day || !data.days.some(function (d) { return d.date === state.day; })) {
        state.day = data.days.some(function (d) { return d.date === today(); }) ? today() : data.days[0].date;
      }
      var day = data.days.filter(function (d) { return d.date === state.day; })[0];
      setText($('date'), day.date_label);
      setText($('clock'), state.staleAt ? '' : text('web_now', {time: data.now.label}));
      if (state.staleAt) { setStatus(text('web_offline', {time: state.staleAt}), 'stale'); } else { setStatus(''); }
      if (!data.is_admin) { state.view = 'program'; }
      renderBar();
      renderTabs($('views'), data.is_admin ? [['program', text('web_tab_program')], ['orga', text('web_tab_orga')]] : [],
                 state.view, text('web_views'), function (view) { state.view = view; render(); if (view === 'orga') { loadOrga(); } });
      renderTabs($('days'), state.view === 'program' && data.days.length > 1 ?
                 data.days.map(function (d) { return [d.date, d.label]; }) : [],
                 state.day, text('web_days'), function (value) { state.day = value; state.scrolledTo = null; render(); });
      $('tabs').hidden = $('views').hidden && $('days').hidden;
      $('program').hidden = state.view !== 'program';
      $('orga').hidden = state.view !== 'orga';
      setAttr($('program'), 'role', data.is_admin ? 'tabpanel' : null);
      setAttr($('program'), 'aria-labelledby', data.is_admin ? 'views-program' : null);
      if (state.view === 'program') {
        var started = performance.now();
        renderProgram(day);
        void $('program').offsetHeight; // lay it out now, so that the measure includes layout (it happens before paint anyway)
        // User Timing marks for bench/webapp.py: how long a render takes, when the page first works.
        performance.measure('render', {start: started, end: performance.now()});
        if (!state.staleAt && !performance.getEntriesByName('interactive').length) { performance.mark('interactive'); }
      }
      renderMore();
      if (state.openId && $('dialog').open) { fillDialog(state.openId); }
      fitBar();
    });
  }

  // Large text (200 %) makes the bar tall: over a fifth of the screen it scrolls away with the
  // page instead of covering a third of a phone, unless it says the page is offline or stale,
  // which must stay in sight wherever one has scrolled to. A session that gets the focus never
  // hides under the bar while it sticks.
  function fitBar() {
    var bar = $('bar');
    var tall = bar.offsetHeight > window.innerHeight / 5;
    if (document.body.classList.contains('tall-bar') !== tall) { document.body.classList.toggle('tall-bar', tall); }
    var sticks = getComputedStyle(bar).position === 'sticky';
    var clear = (sticks ? bar.offsetHeight + 8 : 8) + 'px';
    if (document.documentElement.style.scrollPaddingTop !== clear) { document.documentElement.style.scrollPaddingTop = clear; }
  }

  function renderBar() {
    var mine = $('mine');
    mine.hidden = state.view !== 'program';
    setText(mine, text('web_filter_mine'));
    setAttr(mine, 'aria-pressed', String(state.mineOnly));
    var jump = $('jump');
    jump.hidden = state.view !== 'program' || !state.data.days.some(function (d) { return d.date === today(); });
    setText(jump, text('web_jump_now'));
  }

  function renderTabs(container, tabs, selected, label, choose) {
    container.hidden = tabs.length < 2;
    setAttr(container, 'aria-label', label);
    sync(container, tabs, function (tab) { return 't:' + tab[0]; }, function (tab) {
      var button = el('button', {type: 'button', role: 'tab', id: container.id + '-' + tab[0]});
      button.addEventListener('click', function () { choose(tab[0]); button.focus(); });
      button.addEventListener('keydown', function (event) {
        var step = {ArrowRight: 1, ArrowLeft: -1, ArrowDown: 1, ArrowUp: -1}[event.key];
        var buttons = Array.prototype.slice.call(container.children);
        var index = buttons.indexOf(button);
        var next = event.key === 'Home' ? buttons[0] : event.key === 'End' ? buttons[buttons.length - 1]
          : step ? buttons[(index + step + buttons.length) % buttons.length] : null;
        if (!next) { return; }
        event.preventDefault();
        next.click();
      });
      return button;
    }, function (button, tab) {
      setText(button, tab[1]);
      setAttr(button, 'aria-selected', String(tab[0] === selected));
      setAttr(button, 'tabindex', tab[0] === selected ? '0' : '-1');
      setAttr(button, 'aria-controls', tab[0] === 'orga' ? 'orga' : 'program');
    });
  }

  function renderProgram(day) {
    var mode = PHONE.matches ? 'agenda' : 'grid';
    var panel = $('program');
    if (state.mode !== mode) {
      panel.replaceChildren();
      state.mode = mode;
      state.scrolledTo = null;
      document.body.classList.toggle('grid-mode', mode === 'grid');
    }
    var sessions = state.data.sessions.filter(function (s) {
      return s.day === day.date && (!state.mineOnly || chosen(s));
    });
    if (mode === 'agenda') { renderAgenda(panel, day, sessions); } else { renderGrid(panel, day, sessions); }
  }

  // A session as the page names it: its time and room, its title, its marks (in words).
  function fillSession(button, session, classes) {
    var parts = button.querySelector('.in').children;
    var list = classes.concat(['p-' + session.phase]);
    if (session.mine) { list.push(session.mine); }
    if (session.bookmarked) { list.push('bookmarked'); }
    if (session.cancelled) { list.push('cancelled'); }
    setClass(button, list.join(' '));
    // in the grid the column names the room; a screen reader still hears it, after the rest
    var inGrid = classes[0] === 'cell';
    setText(parts[0], session.time + (session.room && !inGrid ? ' · ' + session.room : ''));
    setText(parts[1], session.title);
    setText(parts[2], session.marks.join(' · '));
    parts[2].hidden = !session.marks.length;
    setText(parts[3], inGrid && session.room ? ', ' + session.room : '');
  }

  function sessionButton(session) {
    var button = el('button', {type: 'button', 'aria-haspopup': 'dialog', 'data-id': session.id, 'data-key': 'b:' + session.id}, [
      el('span', {'class': 'in'}, [el('span', {'class': 't'}), el('span', {'class': 'n'}), el('span', {'class': 'm'}),
                                   el('span', {'class': 'sr'})])
    ]);
    button.addEventListener('click', function () { openDialog(button.getAttribute('data-id')); });
    return button;
  }

  // --- the phone's agenda: now, next, then the day by time slot; what is over at the end -----
  function agendaGroups(day, sessions) {
    var groups = [];
    var byTime = function (list, prefix) {
      var slots = {};
      list.forEach(function (s) { (slots[s.time.slice(0, 5)] = slots[s.time.slice(0, 5)] || []).push(s); });
      return Object.keys(slots).sort().map(function (time) {
        return {key: prefix + time, heading: text('web_heading_slot', {time: time}), sessions: slots[time]};
      });
    };
    if (day.date !== today()) { return byTime(sessions, 'd:'); }
    var of = function (phase) { return sessions.filter(function (s) { return s.phase === phase; }); };
    var running = of('now'), next = of('next'), later = of('later'), past = of('past');
    var dayStarted = state.data.sessions.some(function (s) { return s.day === day.date && s.phase !== 'later' && s.phase !== 'next'; });
    if (running.length || (dayStarted && (next.length || later.length))) {
      groups.push({key: 'g:now', heading: text('web_heading_now'), sessions: running, empty: text('web_nothing_now'), anchor: true});
    }
    if (next.length) {
      groups.push({key: 'g:next', heading: text('web_heading_next', {time: state.data.now.next}), sessions: next,
                   anchor: !groups.length});
    }
    groups = groups.concat(byTime(later, 'g:'));
    if (!running.length && !next.length && !later.length && past.length) {
      groups.push({key: 'g:over', heading: text('web_day_over'), sessions: []});
    }
    if (past.length) {
      groups.push({key: 'g:past', heading: text('web_heading_past', {count: past.length}), sessions: past, past: true,
                   open: !running.length && !next.length && !later.length});
    }
    return groups;
  }

  function renderAgenda(panel, day, sessions) {
    var agenda = panel.firstElementChild;
    if (!agenda) { agenda = panel.appendChild(el('div', {'class': 'agenda'})); }
    var groups = agendaGroups(day, sessions);
    if (!sessions.length && state.mineOnly) {
      groups = [{key: 'g:mine-empty', heading: text('web_filter_mine'), sessions: [], empty: text('web_mine_empty')}];
    }
    sync(agenda, groups, function (g) { return g.key; }, function (group) {
      if (group.past) {
        var details = el('details', {'class': 'slot past'}, [el('summary'), el('ul', {'class': 'cards'})]);
        if (group.open) { details.open = true; }
        return details;
      }
      return el('section', {'class': 'slot'}, [el('h2', {tabindex: '-1'}), el('p', {'class': 'empty'}), el('ul', {'class': 'cards'})]);
    }, function (node, group) {
      var heading = node.firstElementChild;
      setText(heading, group.heading);
      setAttr(node, 'data-anchor', group.anchor ? 'now' : null);
      if (!group.past) {
        var empty = heading.nextElementSibling;
        setText(empty, group.sessions.length ? '' : group.empty || '');
        empty.hidden = !!group.sessions.length || !group.empty;
      }
      sync(node.querySelector('.cards'), group.sessions, function (s) { return 'li:' + s.id; }, function (session) {
        return el('li', {}, [sessionButton(session)]);
      }, function (li, session) { fillSession(li.firstElementChild, session, ['card']); });
    });
  }

  // --- the wide screen's grid: rooms in columns, time to scale -------------------------------
  function renderGrid(panel, day, sessions) {
    var scroller = panel.firstElementChild;
    if (!scroller) {
      scroller = panel.appendChild(el('div', {'class': 'scroller'}, [el('div', {'class': 'grid', role: 'region'})]));
    }
    var grid = scroller.firstElementChild;
    setAttr(grid, 'aria-label', day.title);
    var rows = Math.max(1, (day.end - day.start) / SLOT);
    var columns = Math.max(1, day.rooms.length);
    var template = '3.6rem repeat(' + columns + ', minmax(10rem, 1fr))';
    if (grid.style.gridTemplateColumns !== template) { grid.style.gridTemplateColumns = template; }
    grid.style.gridTemplateRows = 'auto repeat(' + rows + ', var(--slot, 1.5rem))';
    var items = [{key: 'corner', kind: 'corner'}];
    day.rooms.forEach(function (room, index) { items.push({key: 'r:' + index, kind: 'room', room: room, index: index}); });
    for (var minute = day.start; minute < day.end; minute += 30) { items.push({key: 'h:' + minute, kind: 'time', minute: minute}); }
    var showNow = day.date === today() && state.data.now.minutes >= day.start && state.data.now.minutes <= day.end && !state.staleAt;
    if (showNow) { items.push({key: 'nowline', kind: 'nowline'}, {key: 'nowlabel', kind: 'nowlabel'}); }
    // The grid places cells by time; their order in the page is the keyboard's and the screen
    // reader's: what is on now and later first, what is over last (as in the phone's agenda),
    // so that the first Tab into a grid scrolled to now does not jump back to the morning.
    var ahead = sessions.filter(function (s) { return s.phase !== 'past'; });
    var over = sessions.filter(function (s) { return s.phase === 'past'; });
    ahead.concat(over).forEach(function (s) { items.push({key: 'b:' + s.id, kind: 'cell', session: s}); });
    sync(grid, items, function (item) { return item.key; }, function (item) {
      if (item.kind === 'cell') { return sessionButton(item.session); }
      return el('div', {'class': item.kind, 'aria-hidden': 'true'});
    }, function (node, item) { fillGridItem(node, item, day); });
    fitSlots(grid);
    if (state.scrolledTo !== day.date) {
      state.scrolledTo = day.date;
      scrollGridToNow(scroller, grid, day);
    }
  }

  function fillGridItem(node, item, day) {
    var row = function (minute) { return 2 + Math.floor((minute - day.start) / SLOT); };
    var place = function (gridRow, gridColumn) {
      if (node.style.gridRow !== gridRow) { node.style.gridRow = gridRow; }
      if (node.style.gridColumn !== gridColumn) { node.style.gridColumn = gridColumn; }
    };
    if (item.kind === 'corner') { place('1', '1'); return; }
    if (item.kind === 'room') { setText(node, item.room); place('1', String(item.index + 2)); return; }
    if (item.kind === 'time') {
      setText(node, pad(Math.floor(item.minute / 60) % 24) + ':' + pad(item.minute % 60));
      place(row(item.minute) + ' / span ' + Math.min(6, (day.end - item.minute) / SLOT), '1');
      // the now label stands here: the axis label would peek out from under it
      var covered = day.date === today() && !state.staleAt && Math.abs(state.data.now.minutes - item.minute) < 15;
      if (node.classList.contains('covered') !== covered) { node.classList.toggle('covered', covered); }
      return;
    }
    var nowRow = String(row(Math.min(state.data.now.minutes, day.end - SLOT)));
    if (item.kind === 'nowline') { place(nowRow, '2 / -1'); return; }
    if (item.kind === 'nowlabel') { setText(node, state.data.now.label); place(nowRow, '1'); return; }
    var session = item.session;
    fillSession(node, session, ['cell'].concat(session.column ? [] : ['all']));
    var start = Math.max(session.start, day.start);
    var end = Math.min(Math.max(session.end, start + SLOT), day.end);
    place(row(start) + ' / ' + row(Math.ceil((end - day.start) / SLOT) * SLOT + day.start),
          session.column ? String(session.column + 1) : '2 / -1'); // 0: across all rooms
  }

  // The time axis is to scale: one height per five minutes for the whole day, the smallest at
  // which every session's text fits (so nothing is clipped, also at 200 % text size).
  function fitSlots(grid) {
    var rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
    var needed = 1.1 * rem;
    Array.prototype.forEach.call(grid.querySelectorAll('.cell'), function (cell) {
      var rows = cell.style.gridRow.split('/').map(function (part) { return parseInt(part, 10); });
      var span = Math.max(1, rows[1] - rows[0]);
      var style = getComputedStyle(cell);
      var frame = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom) + parseFloat(style.borderTopWidth) +
                  parseFloat(style.borderBottomWidth) + parseFloat(style.marginTop) + parseFloat(style.marginBottom);
      needed = Math.max(needed, (cell.firstElementChild.offsetHeight + frame + 1) / span);
    });
    var slot = Math.ceil(Math.min(needed, 4 * rem)) + 'px';
    if (grid.style.getPropertyValue('--slot') !== slot) { grid.style.setProperty('--slot', slot); }
  }

  function scrollGridToNow(scroller, grid, day) {
    if (day.date !== today()) { scroller.scrollTop = 0; return; }
    var first = grid.querySelector('.cell.p-now, .cell.p-next, .cell.p-later');
    if (!first) { return; }
    var header = grid.querySelector('.room, .corner');
    scroller.scrollTop = Math.max(0, first.offsetTop - (header ? header.offsetHeight : 0) - 8);
  }

  function jumpToNow() {
    if (state.day !== today()) { state.day = today(); state.scrolledTo = null; render(); }
    if (state.mode === 'grid') {
      var scroller = $('program').firstElementChild;
      var day = state.data.days.filter(function (d) { return d.date === state.day; })[0];
      scrollGridToNow(scroller, scroller.firstElementChild, day);
      var cell = scroller.querySelector('.cell.p-now, .cell.p-next, .cell.p-later');
      if (cell) { cell.focus({preventScroll: true}); }
      return;
    }
    var anchor = $('program').querySelector('[data-anchor="now"] h2') || $('program').querySelector('.slot h2');
    if (anchor) {
      anchor.scrollIntoView({block: 'start'});
      anchor.focus({preventScroll: true});
    }
  }

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  // --- "my day" in the calendar, add to home screen ------------------------------------------
  function renderMore() {
    var calendar = $('calendar-all');
    setText(calendar, text('web_calendar_mine'));
    calendar.hidden = !state.data.sessions.some(chosen);
    setAttr(calendar, 'aria-disabled', state.staleAt ? 'true' : null);
    setText($('home-screen'), text('web_home_screen'));
    $('more').hidden = state.view !== 'program' || (calendar.hidden && $('home-screen').hidden);
  }

  function download(sessionId, report) {
    return api('POST', 'calendar', {session_id: sessionId}).then(function (answer) {
      var url = new URL(answer.url, location.href).href;
      if (tg.inside() && tg.supports('8.0')) {
        tg.post('web_app_request_file_download', {url: url, file_name: answer.file_name});
      } else {
        var link = el('a', {href: url, download: answer.file_name, hidden: ''});
        document.body.appendChild(link);
        link.click();
        link.remove();
      }
      setText(report, text('web_calendar_started'));
    }, function (error) {
      if (refused(error)) { showRefusal(); return; }
      setText(report, text('web_error'));
    });
  }

  // --- the session dialog --------------------------------------------------------------------
  function sessionById(id) { return state.data.sessions.filter(function (s) { return s.id === id; })[0]; }

  function openDialog(id) {
    state.openId = id;
    state.offers = null;
    setText($('d-message'), '');
    fillDialog(id);
    $('dialog').showModal();
    $('d-title').focus();
    tg.post('web_app_setup_back_button', {is_visible: true});
  }

  function fillDialog(id) {
    var session = sessionById(id);
    if (!session) { $('dialog').close(); return; }
    setText($('d-title'), session.title);
    var lines = ((session.badges || []).length ? [session.badges.join(' · ')] : []).concat(session.details);
    sync($('d-body'), lines.map(function (line, index) { return {text: line, index: index}; }),
         function (line) { return 'l:' + line.index; }, function () { return el('p'); }, function (p, line) { setText(p, line.text); });
    setText($('d-close'), text('web_close'));
    var actions = state.offers || session.actions.map(function (a) { return Object.assign({session_id: id}, a); });
    showActions(actions);
    if (state.staleAt && !state.busy) { setText($('d-message'), text('web_offline_actions')); }
  }

  function actionKey(action, index) {
    if (state.offers) { return 'o:' + index; }
    return action.action === 'bookmark' || action.action === 'calendar' ? 'a:' + action.action : 'a:seat';
  }

  function showActions(actions) {
    sync($('d-actions'), actions.map(function (a, i) { return {action: a, key: actionKey(a, i)}; }),
         function (item) { return item.key; }, function () {
           var button = el('button', {type: 'button'});
           button.addEventListener('click', function () {
             if (button.getAttribute('aria-disabled') !== 'true') { act(button.action); }
           });
           return button;
         }, function (button, item) {
           button.action = item.action;
           setText(button, item.action.label);
           setClass(button, item.action.action === 'keep' || item.action.action === 'calendar' ||
                    item.action.action === 'bookmark' ? 'secondary' : '');
           // aria-disabled, not disabled: a disabled button would drop the focus it holds
           setAttr(button, 'aria-disabled', state.busy || state.staleAt ? 'true' : null);
         });
  }

  function haptic(status) {
    var kind = {confirmed: 'success', switched: 'success', waitlisted: 'warning'}[status];
    if (kind) { tg.post('web_app_trigger_haptic_feedback', {type: 'notification', notification_type: kind}); }
  }

  function act(action) {
    if (action.action === 'calendar') { download(action.session_id, $('d-message')); return; }
    state.busy = true;
    fillDialog(state.openId);
    var request = action.action === 'bookmark' ? api('POST', 'bookmark', {session_id: action.session_id})
      : api('POST', 'seat', {action: action.action, session_id: action.session_id, from_id: action.from_id});
    request.then(function (answer) {
      setText($('d-message'), answer.message);
      state.busy = false;
      state.offers = answer.offers && answer.offers.length ? answer.offers : null; // an offer stays until chosen
      haptic(answer.status);
      if (action.action === 'bookmark') { tg.post('web_app_trigger_haptic_feedback', {type: 'selection_change'}); }
      var hadFocus = $('d-actions').contains(document.activeElement);
      keepFocus(function () { fillDialog(state.openId); });
      if (state.offers && hadFocus) { $('d-actions').firstElementChild.focus(); }
      return load();
    }, function (error) {
      state.busy = false;
      if (refused(error)) { $('dialog').close(); showRefusal(); return; }
      setText($('d-message'), text('web_error'));
      keepFocus(function () { fillDialog(state.openId); });
    });
  }

  function closeDialog() {
    var id = state.openId;
    state.openId = null;
    state.busy = false;
    state.offers = null;
    tg.post('web_app_setup_back_button', {is_visible: false});
    var opener = id && $('program').querySelector('[data-id="' + CSS.escape(id) + '"]');
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
    var node = el('div', {'class': 'bar-chart', role: 'img', 'aria-label': label});
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
    panel.setAttribute('aria-labelledby', 'views-orga');
    panel.replaceChildren.apply(panel, [].concat(section(text('web_orga_seats'), seats),
      section(text('web_orga_broadcasts'), broadcasts), section(text('web_orga_feedback'), feedback)));
  }

  // --- inside Telegram -----------------------------------------------------------------------
  function insets() {
    var safe = JSON.parse(remember('session', 'tg-safe') || '{}');
    var content = JSON.parse(remember('session', 'tg-content-safe') || '{}');
    document.documentElement.style.setProperty('--inset-top', ((safe.top || 0) + (content.top || 0)) + 'px');
    document.documentElement.style.setProperty('--inset-bottom', ((safe.bottom || 0) + (content.bottom || 0)) + 'px');
  }

  function joinTelegram() {
    tg.on('theme_changed', function (data) {
      if (data.theme_params) { remember('session', 'tg-theme', JSON.stringify(data.theme_params)); applyTheme(data.theme_params); }
    });
    tg.on('back_button_pressed', function () { if ($('dialog').open) { $('dialog').close(); } });
    tg.on('safe_area_changed', function (data) { remember('session', 'tg-safe', JSON.stringify(data)); insets(); });
    tg.on('content_safe_area_changed', function (data) { remember('session', 'tg-content-safe', JSON.stringify(data)); insets(); });
    var homeScreen = function (offered) { $('home-screen').hidden = !offered; if (state.data) { renderMore(); } };
    tg.on('home_screen_checked', function (data) { homeScreen(data.status === 'missed'); });
    tg.on('home_screen_added', function () { homeScreen(false); });
    tg.post('web_app_ready');
    tg.post('web_app_expand');
    if (!tg.inside()) { return; }
    if (tg.supports('8.0')) {
      if (tg.platform === 'android' || tg.platform === 'ios') { tg.post('web_app_request_fullscreen'); }
      tg.post('web_app_request_safe_area');
      tg.post('web_app_request_content_safe_area');
      tg.post('web_app_check_home_screen');
    }
    insets();
  }

  // --- start ---------------------------------------------------------------------------------
  function start() {
    var theme = themeFromLaunch();
    if (theme) { remember('session', 'tg-theme', JSON.stringify(theme)); }
    applyTheme(theme);
    window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', function () {
      applyTheme(JSON.parse(remember('session', 'tg-theme') || 'null')); // the page's own colours follow the system
    });
    joinTelegram();
    document.documentElement.lang = bootLang;
    $('d-close').addEventListener('click', function () { $('dialog').close(); });
    $('dialog').addEventListener('close', closeDialog);
    $('mine').addEventListener('click', function () {
      state.mineOnly = !state.mineOnly;
      remember('local', 'konferenz-mine', state.mineOnly ? '1' : '');
      render();
    });
    $('jump').addEventListener('click', jumpToNow);
    $('calendar-all').addEventListener('click', function () {
      if ($('calendar-all').getAttribute('aria-disabled') !== 'true') { download('all', $('more-message')); }
    });
    $('home-screen').addEventListener('click', function () { tg.post('web_app_add_to_home_screen'); });
    if (!initData) { showRefusal(); return; }
    state.mineOnly = remember('local', 'konferenz-mine') === '1';
    var cached = readCache();
    if (cached) { state.data = cached; state.staleAt = null; render(); setText($('clock'), text('web_loading')); }
    else { setText($('clock'), BOOT[bootLang].web_loading); }
    load();
    setInterval(function () { if (!document.hidden) { load(); } }, REFRESH_MS);
    document.addEventListener('visibilitychange', function () { if (!document.hidden) { load(); } });
    window.addEventListener('focus', load);
    window.addEventListener('online', load);
    PHONE.addEventListener('change', function () { if (state.data) { render(); } });
    window.addEventListener('resize', function () {
      var grid = state.mode === 'grid' && $('program').querySelector('.grid');
      if (grid) { fitSlots(grid); }
      fitBar();
    });
  }

  start();
}());
