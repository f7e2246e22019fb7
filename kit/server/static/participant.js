/* The participant page's core: joining (or a shared tablet's next voter), withdrawing, the one namespace
   the activity types' scripts share (window.Kit), and keeping the page current (/poll every 2.5 s, or the
   event stream of events.js). Each activity type is a script of its own that registers what it draws:
   ideas.js, vote.js, map.js, tasks.js, form.js, tray.js, words.js, questions.js, and agenda.js, which puts
   the room's current activity first. A new type is one script: Kit.part("<its key in /poll>", draw) and a
   reset in Kit.resets. Talks only to the kit's own API on this server. Everything participants typed is put
   into the page with textContent, never as HTML. */
(function () {
  "use strict";
  var main = document.getElementById("main");
  var code = main.dataset.code, base = main.dataset.base, lang = main.dataset.lang;
  var S = JSON.parse(document.getElementById("kit-strings").textContent);
  var api = base + "kit/api/workshops/" + encodeURIComponent(code);
  var KEY = "kit-token:" + code;
  // kiosk: one shared tablet, one voter after another; a voter's token lives only in this page
  var kiosk = main.dataset.kiosk === "1";
  // the shared tablet's key, from the link the facilitator opened on it (#tablet=...); kept for reloads
  var tablet = (/[#&]tablet=([A-Za-z0-9_-]+)/.exec(window.location.hash) || [])[1] || "";
  if (kiosk) {
    try {
      if (tablet) window.sessionStorage.setItem("kit-tablet-" + code, tablet);
      else tablet = window.sessionStorage.getItem("kit-tablet-" + code) || "";
    } catch (e) { /* private mode: the link's key is used as it is */ }
  }
  var plain = main.dataset.plain === "1";  // plain language: the server words its messages plainly too
  var token = null;
  if (!kiosk) { try { token = window.localStorage.getItem(KEY); } catch (e) { token = null; } }

  var $ = function (id) { return document.getElementById(id); };

  // a counted string has CLDR plural forms ({one, other}), chosen by its {n} as kit/i18n.py does
  var PLURAL = window.Intl && Intl.PluralRules ? new Intl.PluralRules({ fi: "fi-FI", sv: "sv-FI", en: "en-IE" }[lang] || "fi-FI") : null;
  function tr(key, params) {
    var s = S[key] || key;
    if (typeof s === "object") {
      var n = Number((params || {})[s._by || "n"]);
      s = (PLURAL && !isNaN(n) && s[PLURAL.select(n)]) || s.other;
    }
    Object.keys(params || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(params[k])); });
    return s;
  }
  function say(msg) { $("status").textContent = ""; window.setTimeout(function () { $("status").textContent = msg; }, 30); }
  function alertMsg(msg) { var a = $("alert"); a.textContent = msg || ""; a.hidden = !msg; }

  // amounts as the server's kit/numbers.py writes them: 1 234,50 € (fi, sv), €1,234.50 (en), whole without cents
  var MONEY_LOCALE = { fi: "fi-FI", sv: "sv-FI", en: "en-IE" }[lang] || "fi-FI";
  function money(x) {
    var n = Number(x);
    return new Intl.NumberFormat(MONEY_LOCALE, { style: "currency", currency: "EUR",
      minimumFractionDigits: n % 1 === 0 ? 0 : 2, maximumFractionDigits: 2 }).format(n);
  }

  function call(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (token) headers["Authorization"] = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    var url = api + path + (path.indexOf("?") >= 0 ? "&" : "?") + "lang=" + encodeURIComponent(lang) + (plain ? "&plain=1" : "");
    return fetch(url, { method: method, headers: headers, cache: "no-store",
                        body: body === undefined ? undefined : JSON.stringify(body) })
      .catch(function () { throw { offline: true, message: tr("js.offline") }; })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) {
          // a proxy with no kit process behind it (502, 504), or the store out of reach (503): nothing was
          // saved, and it is worth trying again, as when the Wi-Fi drops
          if (res.status === 502 || res.status === 503 || res.status === 504) {
            throw { offline: true, status: res.status, message: data.message || tr("js.offline") };
          }
          if (!res.ok) throw { status: res.status, code: data.error, message: data.message || tr("error.server_error") };
          // one's own write changes one's own part: fetch it (a ballot is known here already)
          if (method !== "GET" && path.indexOf("/ballot") < 0 && path !== "/participants" && Kit.wrote) Kit.wrote();
          return data;
        });
      });
  }

  // A select's options, rebuilt only when they change; the choice made stays while it is offered.
  // noneKey: the catalog key of a first, empty option ("choose", "all"), or null for none.
  function fillSelect(sel, options, noneKey) {
    var sig = JSON.stringify(options);
    if (sel.dataset.sig === sig) return;
    sel.dataset.sig = sig;
    var before = sel.value;
    sel.textContent = "";
    if (noneKey) {
      var none = document.createElement("option");
      none.value = ""; none.textContent = tr(noneKey);
      sel.appendChild(none);
    }
    options.forEach(function (o) {
      var opt = document.createElement("option");
      opt.value = o.id; opt.textContent = o.label || o.name;
      sel.appendChild(opt);
    });
    sel.value = before;
    if (sel.selectedIndex < 0) sel.selectedIndex = 0;
  }

  // A form's submit button off while its request is under way; the server's message said, or its refusal shown.
  function send(ev, method, path, body, done) {
    ev.preventDefault();
    var btn = ev.submitter || (ev.target.tagName === "BUTTON" ? ev.target : ev.target.querySelector("button"));
    btn.disabled = true;
    return call(method, path, body)
      .then(function (data) { alertMsg(""); say(data.message); if (done) return done(data); })
      .catch(function (err) { alertMsg(err.message); })
      .then(function () { btn.disabled = false; });
  }

  var draws = [];  // [key of /poll, draw(part, whole answer, tray query asked)], in the order the scripts came
  var Kit = window.Kit = {
    $: $, tr: tr, say: say, alertMsg: alertMsg, call: call, send: send, lang: lang, money: money, fillSelect: fillSelect,
    token: function () { return token; }, kiosk: kiosk,
    // an activity type draws its part of each /poll answer (or of what events.js puts together); it may
    // return a promise, and calls Kit.stale() when it could not draw what the answer says
    part: function (key, draw) { draws.push([key, draw]); },
    resets: [],      // each type empties what it drew of the person before (withdrawn, or the tablet's next voter)
    unsaved: [],     // each type's "something of this device is not saved yet" (a ballot on its way or waiting)
    flushes: [],     // ... and how it sends what waits
    stale: function () { pollOk = false; },
    forget: function () { forget(); },
    trayQuery: function () { return ""; },  // tray.js: the tray's own filters, asked with /poll
    roundId: function () { return null; }, ballot: function () { return null; },  // vote.js
    reset: function (withdrawn) { Kit.resets.forEach(function (fn) { fn(withdrawn); }); },
    refresh: function () { seenVersion = null; return tick(true); }  // after one's own write: fetch again now
  };
  function unsaved() { return Kit.unsaved.some(function (fn) { return fn(); }); }

  function showJoined(joined) {
    $("join-section").hidden = joined || kiosk;
    $("menu").hidden = !joined;
    if (kiosk) { $("kiosk-section").hidden = joined; $("kiosk-done").hidden = !joined; }
    $("idea-section").hidden = !joined;
    $("privacy-section").hidden = !joined;
    if (!joined) { $("withdraw-confirm").hidden = true; $("withdraw-button").hidden = false; }
  }

  // nothing of this person stays in the page (a shared tablet goes to the next voter)
  function forget(withdrawn) {
    token = null;
    seenVersion = null;
    if (!kiosk) { try { window.localStorage.removeItem(KEY); } catch (e) { /* private mode */ } }
    Kit.reset(withdrawn);
    showJoined(false);
  }

  // ---- joining: own device, or the shared tablet's next voter --------------------------------
  // a token, then the same page for both: the first /poll draws every activity
  function joining(ev, path, body, after) {
    send(ev, "POST", path, body, function (data) {
      token = data.token;
      showJoined(true);
      after();
      return Kit.refresh().then(function () { if (Kit.listen) Kit.listen(); });
    });
  }
  if (kiosk) {
    $("kiosk-form").addEventListener("submit", function (ev) {
      joining(ev, "/kiosk/voters", { pin: $("kiosk-pin").value, tablet: tablet, group: $("kiosk-group").value || null, language: lang },
        function () { $("kiosk-pin").value = ""; $("kiosk-group").value = ""; say(tr("js.kiosk_your_turn")); });
    });
    $("kiosk-done-button").addEventListener("click", function () {
      if (unsaved()) { alertMsg(tr("js.kiosk_wait_saving")); return; }
      forget();
      say(tr("js.kiosk_thanks"));
      $("kiosk-pin").focus();
    });
  }
  $("join-form").addEventListener("submit", function (ev) {
    // a hybrid meeting: where this person takes part (the remote link says it; else their choice, if any)
    var whereNote = $("where-note"), picked = document.querySelector("input[name=where]:checked");
    var where = whereNote ? whereNote.dataset.where : picked ? picked.value : null;
    joining(ev, "/participants", { nickname: $("nickname").value, group: $("group").value || null, language: lang,
                                   where: where },
      function () {
        try { window.localStorage.setItem(KEY, token); } catch (e) { /* kept for this page only */ }
        say(tr("js.joined"));
        $("idea-text").focus();
      });
  });

  // A text field never cuts what was typed or pasted (no maxlength): past its limit it says by how
  // much, right under the field, and the form is not sent until it is shorter; the text stays.
  function lengthNote(el) {
    var id = el.id + "-length";
    var note = $(id);
    if (!note) {
      note = document.createElement("p");
      note.id = id; note.className = "help too-long"; note.hidden = true;
      note.setAttribute("aria-live", "polite");
      el.insertAdjacentElement("afterend", note);
      el.setAttribute("aria-describedby", ((el.getAttribute("aria-describedby") || "") + " " + id).trim());
    }
    return note;
  }
  function checkLength(el) {
    var max = Number(el.dataset.max), over = el.value.length - max;
    var note = lengthNote(el);
    note.hidden = over <= 0;
    note.textContent = over > 0 ? tr("js.too_long", { over: over, max: max }) : "";
    if (over > 0) el.setAttribute("aria-invalid", "true"); else el.removeAttribute("aria-invalid");
    return over <= 0;
  }
  Kit.watchLength = function (el) { el.addEventListener("input", function () { checkLength(el); }); };
  Array.prototype.forEach.call(document.querySelectorAll("[data-max]"), Kit.watchLength);
  // before any form is sent: a field past its limit stops it, says so, and keeps its text
  document.addEventListener("submit", function (ev) {
    var long = Array.prototype.filter.call(ev.target.querySelectorAll("[data-max]"), function (el) { return !checkLength(el); });
    if (long.length) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
      alertMsg(tr("js.too_long", { over: long[0].value.length - Number(long[0].dataset.max), max: Number(long[0].dataset.max) }));
      long[0].focus();
    }
  }, true);

  // ---- privacy: take back what I sent ------------------------------------------------------
  $("withdraw-button").addEventListener("click", function () {
    $("withdraw-button").hidden = true;
    $("withdraw-confirm").hidden = false;
    $("withdraw-no").focus();
  });
  $("withdraw-no").addEventListener("click", function () {
    $("withdraw-confirm").hidden = true;
    $("withdraw-button").hidden = false;
    $("withdraw-button").focus();
  });
  $("withdraw-yes").addEventListener("click", function () {
    var btn = $("withdraw-yes");
    btn.disabled = true;
    call("DELETE", "/me")
      .then(function (data) {
        alertMsg("");
        forget(true);
        say(data.message);
        (kiosk ? $("kiosk-pin") : $("nickname")).focus();
      })
      .catch(function (err) { alertMsg(err.message); })
      .then(function () { btn.disabled = false; });
  });

  // ---- keeping the page current ------------------------------------------------------------
  // Every 2.5 s one question, /poll: has anything in the workshop changed since the version this page
  // shows? If not, the answer is one small line; if so, it carries every part at once. An idle room of
  // 150 devices costs the server one cheap request per device and tick (benchmarks/polling.py).
  var seenVersion = null, pollOk = true, lastPoll = 0;
  // draw a whole answer of /poll (or one events.js put together from the stream and this device's own part):
  // every type its part, then the agenda, which puts the room's current activity first
  function render(d, asked) {
    pollOk = true;
    var drawing = draws.filter(function (x) { return x[0] !== "agenda" && d[x[0]] !== undefined; })
      .map(function (x) { return x[1](d[x[0]], d, asked === undefined ? Kit.trayQuery() : asked); });
    return Promise.all(drawing).then(function () {
      draws.forEach(function (x) { if (x[0] === "agenda" && d.agenda !== undefined) x[1](d.agenda, d); });
      if (pollOk) seenVersion = d.version;
    });
  }
  Kit.render = render;
  function tick(force) {
    if (!token) return Promise.resolve();
    if (unsaved()) { Kit.flushes.forEach(function (fn) { fn(); }); return Promise.resolve(); }  // an unsent ballot goes first
    // with the event stream open, /poll is asked only for this device's own part (events.js says when),
    // and once every 30 s as a safety net
    if (!force && Kit.streaming && Kit.streaming() && Date.now() - lastPoll < 30000) return Promise.resolve();
    lastPoll = Date.now();
    var asked = Kit.trayQuery();
    return call("GET", "/poll?since=" + (seenVersion === null ? "" : seenVersion) + asked.replace("?", "&")).then(function (d) {
      if (d.unchanged) return;
      if (Kit.polled) Kit.polled(d);
      return render(d, asked);
    }).catch(function (err) {
      if (err.status === 401) forget(); else if (err.offline) alertMsg(err.message);
    });
  }
  Kit.poll = function () { seenVersion = null; tick(true); };

  // ---- start, once every type's script has registered (they are deferred, in order) ---------
  document.addEventListener("DOMContentLoaded", function () {
    if (token && !kiosk) {
      call("GET", "/me").then(function (data) {
        showJoined(true);
        return render({ ideas: data.ideas, named: data.participant.minutes_name || "" })
          .then(function () { return Kit.refresh(); })
          .then(function () { if (Kit.listen) Kit.listen(); });
      }).catch(function (err) {
        if (err.status === 401) forget(); else alertMsg(err.message);
      });
    } else {
      showJoined(false);
    }
    window.setInterval(tick, 2500);
  });
})();
