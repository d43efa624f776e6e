/* A room's screen beside the door or on the projector: now and next in this room with the delay,
   the top questions, a QR code to the session in the bot. Read-only; the signed link in the
   address is the only key. It refreshes itself and, when the Wi-Fi drops, keeps showing the last
   state it had, marked with its time. Every text is set as textContent. */
(function () {
  'use strict';

  var REFRESH_MS = 15000;
  var query = new URLSearchParams(location.search);
  var lang = query.get('lang') === 'en' ? 'en' : 'de';
  var BOOT = {
    de: {loading: 'Lädt …', invalid: 'Dieser Link zur Raumanzeige ist ungültig oder abgelaufen. Bitte einen neuen über /orga holen.',
         retrying: 'Keine Verbindung – ich versuche es gleich noch einmal.'},
    en: {loading: 'Loading …', invalid: 'This room screen link is invalid or has expired. Please get a new one via /orga.',
         retrying: 'No connection – trying again shortly.'}
  }[lang];
  var cacheKey = 'konferenz-room-' + (query.get('k') || '').slice(-24) + '-' + lang;
  var $ = function (id) { return document.getElementById(id); };
  var last = null;
  var timer = null;

  function remember(value) {
    try {
      if (value === undefined) { return JSON.parse(window.localStorage.getItem(cacheKey)); }
      window.localStorage.setItem(cacheKey, JSON.stringify(value));
    } catch (e) { /* no storage: the page still works */ }
    return null;
  }

  function setText(node, value) { if (node.textContent !== (value || '')) { node.textContent = value || ''; } }
  function words(data, key, values) {
    return (data.texts[key] || '').replace(/\{(\w+)\}/g, function (m, name) { return values && name in values ? values[name] : m; });
  }

  function fillSession(section, entry, heading, empty) {
    setText(section.querySelector('h2'), heading);
    ['time', 'title', 'speakers', 'marks'].forEach(function (part) {
      var node = section.querySelector('.' + part);
      var value = !entry ? '' : part === 'marks' ? entry.marks.join(' · ') : entry[part];
      setText(node, value);
      node.hidden = !value;
    });
    var note = section.querySelector('.empty');
    setText(note, entry ? '' : empty);
    note.hidden = !!entry;
    section.classList.toggle('late', !!(entry && entry.delay > 0));
  }

  function render(data, staleAt) {
    document.documentElement.lang = data.lang;
    document.title = data.room + ' · ' + words(data, 'web_room_screen');
    setText($('conference'), data.conference);
    setText($('room'), data.room);
    setText($('clock'), words(data, 'web_room_updated', {time: data.now.label}) + ' · ' + data.now.date_label);
    setText($('status'), staleAt ? '⚠ ' + words(data, 'web_offline', {time: staleAt}) : '');
    document.body.classList.toggle('stale', !!staleAt);
    fillSession($('now'), data.current, words(data, 'web_room_now'), words(data, 'web_room_nothing_now'));
    fillSession($('next'), data.next, words(data, 'web_room_next'), words(data, 'web_room_day_over'));
    var questions = $('questions');
    questions.hidden = !data.questions_for;
    setText(questions.querySelector('h2'), words(data, 'web_room_questions'));
    setText(questions.querySelector('.for'), data.questions_for);
    var list = questions.querySelector('ol');
    var wanted = data.questions.map(function (q) { return q.text + '\u2002' + q.votes + (q.answered ? ' ✅' : ''); });
    if (Array.prototype.map.call(list.children, function (li) { return li.textContent; }).join('\n') !== wanted.join('\n')) {
      list.replaceChildren.apply(list, data.questions.map(function (q) {
        var item = document.createElement('li');
        var question = document.createElement('span');
        question.textContent = q.text;
        var votes = document.createElement('span');
        votes.className = 'votes';
        votes.textContent = '\u2002' + q.votes + (q.answered ? ' ✅' : '');
        item.append(question, votes);
        return item;
      }));
    }
    setText(questions.querySelector('.empty'), data.questions.length ? '' : words(data, 'web_room_no_questions'));
    var qr = $('qr');
    qr.hidden = !data.qr;
    if (data.qr) {
      var image = qr.querySelector('img');
      if (image.getAttribute('src') !== data.qr.image) { image.setAttribute('src', data.qr.image); }
      image.setAttribute('alt', data.qr.link);
      setText(qr.querySelector('.scan'), words(data, 'web_room_scan'));
      setText(qr.querySelector('.for'), data.qr.title);
    }
  }

  function refresh() {
    fetch('api/room?' + new URLSearchParams({k: query.get('k') || '', lang: lang}), {cache: 'no-store'})
      .then(function (response) {
        if (response.status === 401) { throw Object.assign(new Error('refused'), {refused: true}); }
        if (!response.ok) { throw new Error(response.statusText); }
        return response.json();
      })
      .then(function (data) { last = data; remember(data); render(data, null); }, function (error) {
        if (error.refused) {
          last = null;
          clearInterval(timer);
          document.body.replaceChildren(Object.assign(document.createElement('p'), {className: 'invalid', textContent: BOOT.invalid}));
          return;
        }
        var shown = last || remember();
        if (shown) { render(shown, shown.now.label); } else { setText($('status'), BOOT.retrying); }
      });
  }

  setText($('clock'), BOOT.loading);
  refresh();
  timer = setInterval(refresh, REFRESH_MS);
  window.addEventListener('online', refresh);
  if ('serviceWorker' in navigator) { navigator.serviceWorker.register('sw.js').catch(function () { /* works without */ }); }
}());
