/* The participant page's script: join (or a shared tablet's next voter), send ideas, vote by every
   method, suggest actors and links, volunteer for tasks, answer the feedback form, browse and mark the
   service tray, and withdraw. One /poll every 2.5 s keeps it current; an unsent ballot survives a
   reload. Talks only to the kit's own API on this server. Everything participants typed is put into
   the page with textContent, never as HTML. */
(function () {
  "use strict";
  var main = document.getElementById("main");
  var code = main.dataset.code, base = main.dataset.base, lang = main.dataset.lang;
  var ideaMax = parseInt(main.dataset.ideaMax, 10) || 500;
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
  // One namespace shared with the activity types' own scripts (agenda.js, words.js, questions.js): each
  // registers Kit.parts[name] = function (its part of /poll, the whole answer) and Kit.resets.
  var state = { round: null, dots: {}, choices: [], ranking: [], signature: "", saving: false, dirty: false,
                pending: false, ideasOpen: true };

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
          if (!res.ok) throw { status: res.status, code: data.error, message: data.message || tr("error.server_error") };
          // one's own write changes one's own part: fetch it (a ballot is known here already)
          if (method !== "GET" && path.indexOf("/ballot") < 0 && path !== "/participants" && Kit.wrote) Kit.wrote();
          return data;
        });
      });
  }

  var Kit = window.Kit = {
    $: $, tr: tr, say: say, alertMsg: alertMsg, call: call, lang: lang,
    token: function () { return token; }, kiosk: kiosk,
    roundId: function () { return state.round ? state.round.id : null; },
    ballot: function () { return { dots: state.dots, choices: state.choices, ranking: state.ranking }; },
    parts: {}, resets: [],
    apply: function (d) {  // each part its slice of the answer; the agenda last, once the sections are drawn
      Object.keys(Kit.parts).forEach(function (name) {
        if (name !== "agenda" && d[name] !== undefined) Kit.parts[name](d[name], d);
      });
      if (Kit.parts.agenda && d.agenda !== undefined) Kit.parts.agenda(d.agenda, d);
    },
    reset: function () { Kit.resets.forEach(function (fn) { fn(); }); },
    refresh: function () { seenVersion = null; tick(true); }  // after one's own write: fetch again now
  };

  function showJoined(joined) {
    $("join-section").hidden = joined || kiosk;
    $("menu").hidden = !joined;
    if (kiosk) { $("kiosk-section").hidden = joined; $("kiosk-done").hidden = !joined; }
    $("idea-section").hidden = !joined;
    $("privacy-section").hidden = !joined;
    if (!joined) { $("withdraw-confirm").hidden = true; $("withdraw-button").hidden = false; }
    if (!joined) { $("vote-section").hidden = true; $("waiting-section").hidden = true; $("map-section").hidden = true; mapSig = ""; $("tasks-section").hidden = true; tasksSig = ""; $("form-section").hidden = true; formSig = ""; $("tray-section").hidden = true; traySig = ""; }
  }

  var myIdeasSig = "";
  // the device's own ideas with what became of them; redrawn only when that changes (each /poll brings them)
  function renderMyIdeas(ideas) {
    var sig = JSON.stringify(ideas);
    if (sig === myIdeasSig) return;
    myIdeasSig = sig;
    var ul = $("my-ideas");
    ul.textContent = "";
    ideas.forEach(function (idea) { addMyIdea(idea); });
  }
  function addMyIdea(idea) {
    var li = document.createElement("li");
    li.textContent = idea.text;
    var note = null;
    if (idea.status === "hidden") note = tr("js.idea_hidden");
    else if (idea.status === "pending") note = tr("js.idea_pending");
    else if (idea.status === "rejected") note = tr("js.idea_rejected", { reason: idea.reason || "" });
    else if (idea.status === "merged") note = tr("js.idea_merged", { text: idea.merged_into || "" });
    if (note) {
      var tag = document.createElement("span");
      tag.className = "hidden-tag";
      tag.textContent = " (" + note + ")";
      li.appendChild(tag);
    }
    $("my-ideas").appendChild(li);
  }

  // ---- voting ------------------------------------------------------------------------------
  function used() { return Object.keys(state.dots).reduce(function (s, k) { return s + state.dots[k]; }, 0); }

  function itemLabel(item) {
    var r = state.round;
    return r.method === "pb" && item.cost != null ? tr("js.project_cost", { text: item.text, cost: money(item.cost) }) : item.text;
  }
  // amounts as the server's kit/numbers.py writes them: 1 234,50 € (fi, sv), €1,234.50 (en), whole without cents
  var MONEY_LOCALE = { fi: "fi-FI", sv: "sv-FI", en: "en-IE" }[lang] || "fi-FI";
  function money(x) {
    var n = Number(x);
    return new Intl.NumberFormat(MONEY_LOCALE, { style: "currency", currency: "EUR",
      minimumFractionDigits: n % 1 === 0 ? 0 : 2, maximumFractionDigits: 2 }).format(n);
  }

  function renderRound() {
    var r = state.round;
    var joined = !!token;
    $("vote-section").hidden = !(joined && r);
    $("waiting-section").hidden = !(joined && !r);
    if (!r) return;
    $("vote-heading").textContent = r.title;
    $("vote-rules").textContent = rulesText(r);
    var ul = $("vote-items");
    ul.textContent = "";
    ul.className = "vote-items method-" + r.method;
    var closed = r.status !== "open";
    if (r.method === "dots") renderDots(ul, r, closed);
    else if (r.method === "ranking") renderRanking(ul, r, closed);
    else renderChoices(ul, r, closed);
    $("vote-closed").hidden = !closed;
    var res = $("results"), list = $("results-list");
    list.textContent = "";
    if (r.results) {
      var byId = {};
      r.items.forEach(function (i) { byId[i.id] = i; });
      var funded = r.funded ? r.funded.mes : null;
      r.results.forEach(function (row) {
        var li = document.createElement("li");
        var key = r.method === "dots" ? "js.result_row" : r.method === "ranking" ? "js.result_points" : "js.result_votes";
        li.textContent = tr(key, { text: byId[row.id] ? byId[row.id].text : "", score: row.score });
        if (funded && funded.indexOf(row.id) >= 0) {
          var tag = document.createElement("strong");
          tag.textContent = " \u2013 " + tr("js.funded");
          li.appendChild(tag);
        }
        list.appendChild(li);
      });
    }
    res.hidden = !r.results;
    updateCounts();
  }

  function rulesText(r) {
    if (r.method === "dots") {
      return r.per_item_cap ? tr("js.rules_cap", { dots: r.dots_per_person, cap: r.per_item_cap })
                            : tr("js.rules", { dots: r.dots_per_person });
    }
    if (r.method === "ranking") return tr("js.rules_ranking", { k: r.max_ranked });
    if (r.method === "choose_one") return tr("js.rules_choose_one");
    if (r.method === "pb") {
      return r.max_choices ? tr("js.rules_pb_max", { budget: money(r.budget), max: r.max_choices })
                           : tr("js.rules_pb", { budget: money(r.budget) });
    }
    if (r.max_choices && r.min_choices) return tr("js.rules_approval_min_max", { min: r.min_choices, max: r.max_choices });
    return tr("js.rules_approval_max", { max: r.max_choices });
  }

  function renderDots(ul, r, closed) {
    r.items.forEach(function (item) {
      var li = document.createElement("li");
      var p = document.createElement("p");
      p.className = "idea"; p.id = "idea-" + item.id; p.textContent = item.text;
      var controls = document.createElement("div");
      controls.className = "controls";
      var minus = document.createElement("button");
      minus.type = "button"; minus.className = "secondary minus"; minus.textContent = "\u2212";
      minus.setAttribute("aria-label", tr("js.remove_dot")); minus.setAttribute("aria-describedby", p.id);
      var count = document.createElement("span");
      count.className = "count"; count.id = "count-" + item.id;
      var plus = document.createElement("button");
      plus.type = "button"; plus.className = "plus"; plus.textContent = "+";
      plus.setAttribute("aria-label", tr("js.add_dot")); plus.setAttribute("aria-describedby", p.id);
      minus.disabled = plus.disabled = closed;
      minus.addEventListener("click", function () { change(item.id, -1); });
      plus.addEventListener("click", function () { change(item.id, +1); });
      controls.appendChild(minus); controls.appendChild(count); controls.appendChild(plus);
      li.appendChild(p); li.appendChild(controls);
      ul.appendChild(li);
    });
  }

  function renderChoices(ul, r, closed) {
    var radio = r.method === "choose_one";
    r.items.forEach(function (item) {
      var li = document.createElement("li");
      var input = document.createElement("input");
      input.type = radio ? "radio" : "checkbox";
      input.name = "choice"; input.id = "choice-" + item.id; input.value = item.id;
      input.className = "choice";
      input.checked = state.choices.indexOf(item.id) >= 0;
      input.disabled = closed;
      input.addEventListener("change", function () { toggle(item.id, input.checked, radio); });
      var label = document.createElement("label");
      label.htmlFor = input.id; label.className = "idea choice-label";
      label.textContent = itemLabel(item);
      li.appendChild(input); li.appendChild(label);
      ul.appendChild(li);
    });
    if (radio && !closed) {
      var li = document.createElement("li");
      var clear = document.createElement("button");
      clear.type = "button"; clear.className = "secondary"; clear.id = "clear-choice";
      clear.textContent = tr("js.clear_choice");
      clear.addEventListener("click", function () { state.choices = []; renderRound(); save(); });
      li.appendChild(clear);
      ul.appendChild(li);
    }
  }

  function renderRanking(ul, r, closed) {
    var byId = {};
    r.items.forEach(function (i) { byId[i.id] = i; });
    var h = document.createElement("li");
    h.className = "rank-heading";
    h.textContent = state.ranking.length ? tr("js.your_ranking") : tr("js.ranking_empty");
    ul.appendChild(h);
    state.ranking.forEach(function (id, pos) {
      var li = document.createElement("li");
      var p = document.createElement("p");
      p.className = "idea"; p.id = "idea-" + id;
      p.textContent = (pos + 1) + ". " + (byId[id] ? byId[id].text : "");
      var controls = document.createElement("div");
      controls.className = "controls";
      [["\u2191", "js.move_up", -1], ["\u2193", "js.move_down", +1], ["\u00d7", "js.unrank", 0]].forEach(function (b) {
        var btn = document.createElement("button");
        btn.type = "button"; btn.className = "secondary"; btn.textContent = b[0];
        btn.setAttribute("aria-label", tr(b[1])); btn.setAttribute("aria-describedby", p.id);
        btn.disabled = closed || (b[2] === -1 && pos === 0) || (b[2] === 1 && pos === state.ranking.length - 1);
        btn.addEventListener("click", function () { rerank(id, b[2]); });
        controls.appendChild(btn);
      });
      li.appendChild(p); li.appendChild(controls);
      ul.appendChild(li);
    });
    var rest = r.items.filter(function (i) { return state.ranking.indexOf(i.id) < 0; });
    if (rest.length) {
      var h2 = document.createElement("li");
      h2.className = "rank-heading";
      h2.textContent = tr("js.not_ranked");
      ul.appendChild(h2);
    }
    rest.forEach(function (item) {
      var li = document.createElement("li");
      var p = document.createElement("p");
      p.className = "idea"; p.id = "idea-" + item.id; p.textContent = item.text;
      var add = document.createElement("button");
      add.type = "button"; add.className = "rank-add"; add.textContent = tr("js.rank_add");
      add.setAttribute("aria-describedby", p.id);
      add.disabled = closed || state.ranking.length >= r.max_ranked;
      add.addEventListener("click", function () { rerank(item.id, "add"); });
      li.appendChild(p); li.appendChild(add);
      ul.appendChild(li);
    });
  }

  function toggle(id, on, radio) {
    var r = state.round;
    if (!r || r.status !== "open") return;
    if (radio) state.choices = on ? [id] : [];
    else if (on) {
      if (r.max_choices && state.choices.length >= r.max_choices) {
        alertMsg(tr("js.max_reached", { max: r.max_choices }));
        $("choice-" + id).checked = false;
        return;
      }
      state.choices.push(id);
    } else state.choices = state.choices.filter(function (x) { return x !== id; });
    alertMsg("");
    updateCounts();
    save();
  }

  function rerank(id, how) {
    var r = state.round;
    if (!r || r.status !== "open") return;
    var list = state.ranking.slice(), i = list.indexOf(id);
    if (how === "add") { if (i < 0 && list.length < r.max_ranked) list.push(id); }
    else if (how === 0) list.splice(i, 1);
    else { var j = i + how; if (j < 0 || j >= list.length) return; list[i] = list[j]; list[j] = id; }
    state.ranking = list;
    alertMsg("");
    renderRound();
    var focus = $("idea-" + id);
    if (focus) { focus.setAttribute("tabindex", "-1"); focus.focus(); }
    save();
  }

  function updateCounts() {
    var r = state.round;
    if (!r) return;
    var left = $("dots-left");
    if (r.method === "dots") {
      r.items.forEach(function (item) {
        var n = state.dots[item.id] || 0;
        var el = $("count-" + item.id);
        if (el) el.textContent = tr("js.dots_on", { n: n });
      });
      left.textContent = tr("js.dots_left", { left: r.dots_per_person - used(), total: r.dots_per_person });
    } else if (r.method === "ranking") {
      left.textContent = tr("js.ranked_count", { n: state.ranking.length, max: r.max_ranked });
    } else if (r.method === "pb") {
      var sum = 0;
      r.items.forEach(function (i) { if (state.choices.indexOf(i.id) >= 0) sum += Number(i.cost || 0); });
      left.textContent = tr("js.pb_chosen", { n: state.choices.length, sum: money(sum), budget: money(r.budget) });
    } else if (r.method === "choose_one") {
      left.textContent = state.choices.length ? tr("js.chosen_one") : tr("js.none_chosen");
    } else {
      left.textContent = r.max_choices ? tr("js.chosen_max", { n: state.choices.length, max: r.max_choices })
                                       : tr("js.chosen", { n: state.choices.length });
    }
  }

  function change(ideaId, delta) {
    var r = state.round;
    if (!r || r.status !== "open") return;
    var n = (state.dots[ideaId] || 0) + delta;
    if (n < 0) return;
    if (delta > 0 && used() >= r.dots_per_person) { alertMsg(tr("js.no_dots_left")); return; }
    if (delta > 0 && r.per_item_cap && n > r.per_item_cap) { alertMsg(tr("js.cap_reached", { cap: r.per_item_cap })); return; }
    alertMsg("");
    if (n === 0) delete state.dots[ideaId]; else state.dots[ideaId] = n;
    updateCounts();
    save();
  }

  // an unsent ballot also survives a reload of the page (kept on this device, never on a shared tablet)
  var PENDING = "kit-pending:" + code;
  function keepPending(roundId, body) {
    if (kiosk) return;
    try { window.localStorage.setItem(PENDING, JSON.stringify({ round: roundId, body: body })); } catch (e) { /* full */ }
  }
  function dropPending() {
    try { window.localStorage.removeItem(PENDING); } catch (e) { /* private mode */ }
  }
  function readPending() {
    if (kiosk) return null;
    try { return JSON.parse(window.localStorage.getItem(PENDING) || "null"); } catch (e) { return null; }
  }

  function save() {
    if (state.saving) { state.dirty = true; return; }
    state.saving = true; state.dirty = false;
    say(tr("js.saving"));
    var r = state.round;
    var body = r.method === "dots" ? { dots: state.dots }
      : r.method === "ranking" ? { ranking: state.ranking } : { choices: state.choices };
    call("PUT", "/rounds/" + r.id + "/ballot", body)
      .then(function (data) {
        state.saving = false;
        dropPending();
        if (state.pending) { state.pending = false; alertMsg(""); }
        if (state.dirty) { save(); return; }
        say(data.message);
      })
      .catch(function (err) {
        state.saving = false;
        if (err.offline) {
          // the server is out of reach: keep the dots on this device and send them again (see the timer)
          state.pending = true;
          keepPending(r.id, body);
          alertMsg(tr("js.not_saved_retrying"));
          say("");
          return;
        }
        state.pending = false;
        dropPending();
        alertMsg(err.message);
        say("");
        refreshRound(true);
      });
  }

  function roundSignature(r) {
    if (!r) return "none";
    return [r.id, r.status, r.items.map(function (i) { return i.id; }).join(","),
            r.results ? JSON.stringify(r.results) + JSON.stringify(r.funded || null) : ""].join("|");
  }

  // each refresh asks its own path, or takes `given`: that part of one /poll answer
  function refreshRound(force, given) {
    if (!token) return Promise.resolve();
    if (state.saving && !force) { pollOk = false; return Promise.resolve(); }
    if (state.pending && !force) { save(); pollOk = false; return Promise.resolve(); }  // unsent dots first
    return (given ? Promise.resolve(given) : call("GET", "/rounds/current")).then(function (data) {
      state.ideasOpen = data.ideas_open;
      $("idea-form").hidden = !data.ideas_open;
      $("ideas-closed").hidden = data.ideas_open;
      var r = data.round;
      var sig = roundSignature(r);
      var prev = state.round;
      if (force || sig !== state.signature) {
        if (prev && r && prev.id === r.id && prev.status === "open" && r.status !== "open") say(tr("js.voting_closed"));
        if (r && (!prev || prev.id !== r.id) && r.status === "open") say(tr("js.voting_open"));
        state.round = r;
        state.signature = sig;
        state.dots = {}; state.choices = []; state.ranking = [];
        if (r && r.ballot) {
          if (r.ballot.dots) Object.keys(r.ballot.dots).forEach(function (k) { state.dots[k] = r.ballot.dots[k]; });
          if (r.ballot.choices) state.choices = r.ballot.choices.slice();
          if (r.ballot.ranking) state.ranking = r.ballot.ranking.slice();
        }
        var kept = readPending();
        if (kept && r && kept.round === r.id && r.status === "open") {
          // what this device could not send before the page was reloaded: show it and send it now
          if (kept.body.dots) state.dots = kept.body.dots;
          if (kept.body.choices) state.choices = kept.body.choices;
          if (kept.body.ranking) state.ranking = kept.body.ranking;
          renderRound();
          save();
          return;
        } else if (kept && (!r || kept.round !== r.id || r.status !== "open")) {
          dropPending();
        }
        renderRound();
      }
    }).catch(function (err) {
      pollOk = false;
      if (err.status === 401) forget(); else if (err.offline) alertMsg(err.message);
    });
  }

  function forget() {
    token = null;
    seenVersion = null;
    if (!kiosk) { try { window.localStorage.removeItem(KEY); } catch (e) { /* private mode */ } }
    myIdeasSig = "";
    state.round = null; state.signature = ""; state.dots = {}; state.choices = []; state.ranking = [];
    // nothing of this person stays in the page (a shared tablet goes to the next voter)
    ["my-ideas", "my-suggestions", "my-offers", "tray-mine", "form-questions", "vote-items"].forEach(function (id) {
      $(id).textContent = "";
    });
    $("idea-text").value = "";
    Kit.reset();
    showJoined(false);
  }

  // ---- shared tablet (kiosk) ---------------------------------------------------------------
  if (kiosk) {
    $("kiosk-form").addEventListener("submit", function (ev) {
      submitting(ev, "/kiosk/voters", { pin: $("kiosk-pin").value, tablet: tablet, group: $("kiosk-group").value || null, language: lang },
        function () { $("kiosk-pin").value = ""; $("kiosk-group").value = ""; say(tr("js.kiosk_your_turn")); });
    });
    $("kiosk-done-button").addEventListener("click", function () {
      if (state.pending || state.saving) { alertMsg(tr("js.kiosk_wait_saving")); return; }
      forget();
      say(tr("js.kiosk_thanks"));
      $("kiosk-pin").focus();
    });
  }

  // ---- joining and ideas -------------------------------------------------------------------
  // join (own device) or next voter (shared tablet): a token, then the same page for both
  function submitting(ev, path, body, after) {
    ev.preventDefault();
    var btn = ev.submitter || ev.target.querySelector("button");
    btn.disabled = true;
    call("POST", path, body)
      .then(function (data) {
        token = data.token;
        alertMsg("");
        showJoined(true);
        renderMyIdeas([]);
        after();
        mapSig = ""; tasksSig = ""; traySig = "";
        refreshMap(); refreshTasks(); formSig = ""; refreshForm(); refreshTray();
        return refreshRound(true).then(function () { seenVersion = null; tick(true); if (Kit.listen) Kit.listen(); });
      })
      .catch(function (err) { alertMsg(err.message); })
      .then(function () { btn.disabled = false; });
  }

  $("join-form").addEventListener("submit", function (ev) {
    submitting(ev, "/participants", { nickname: $("nickname").value, group: $("group").value || null, language: lang },
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
  function watchLength(el) { el.addEventListener("input", function () { checkLength(el); }); }
  Array.prototype.forEach.call(document.querySelectorAll("[data-max]"), watchLength);
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

  $("idea-text").addEventListener("input", function () {
    $("idea-count").textContent = tr("idea.count", { n: $("idea-text").value.length, max: ideaMax });
  });

  $("idea-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = $("idea-text").value;
    if (!text.trim()) { alertMsg(tr("error.idea_required")); return; }
    var btn = ev.submitter || $("idea-form").querySelector("button");
    btn.disabled = true;
    call("POST", "/ideas", { text: text })
      .then(function (data) {
        addMyIdea(data.idea);
        myIdeasSig = "";
        $("idea-text").value = "";
        $("idea-count").textContent = tr("idea.count", { n: 0, max: ideaMax });
        alertMsg("");
        say(data.message);
      })
      .catch(function (err) { alertMsg(err.message); })
      .then(function () { btn.disabled = false; });
  });

  // ---- who else should be here? (stage 1 suggestions) -------------------------------------
  var mapSig = "";
  var SUGGESTION = { suggested: "js.suggestion_suggested", active: "js.suggestion_active", rejected: "js.suggestion_rejected" };
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
  function refreshMap(given) {
    if (!token) return Promise.resolve();
    return (given ? Promise.resolve(given) : call("GET", "/map")).then(function (m) {
      var sig = JSON.stringify(m);
      if (sig === mapSig) return;
      mapSig = sig;
      $("map-section").hidden = !m.open;
      fillSelect($("actor-sector"), m.sectors, "map.choose");
      fillSelect($("link-source"), m.actors, "map.choose");
      fillSelect($("link-target"), m.actors, "map.choose");
      fillSelect($("link-type"), m.link_types, "map.choose");
      $("link-form").hidden = m.actors.length < 2;
      var ul = $("my-suggestions");
      ul.textContent = "";
      m.mine.actors.forEach(function (a) {
        var li = document.createElement("li");
        li.textContent = a.name + " (" + tr(SUGGESTION[a.status]) + ")";
        ul.appendChild(li);
      });
      m.mine.links.forEach(function (x) {
        var li = document.createElement("li");
        li.textContent = tr("js.link_row", { source: x.source, target: x.target, type: x.type }) +
          " (" + tr(SUGGESTION[x.status]) + ")";
        ul.appendChild(li);
      });
    }).catch(function () { pollOk = false; /* the round poll reports connection problems */ });
  }
  function suggest(ev, path, body, clear) {
    ev.preventDefault();
    var btn = ev.submitter || ev.target.querySelector("button");
    btn.disabled = true;
    call("POST", path, body)
      .then(function (data) { alertMsg(""); say(data.message); clear(); mapSig = ""; return refreshMap(); })
      .catch(function (err) { alertMsg(err.message); })
      .then(function () { btn.disabled = false; });
  }
  $("actor-form").addEventListener("submit", function (ev) {
    suggest(ev, "/actors", { name: $("actor-name").value, sector: $("actor-sector").value },
      function () { $("actor-name").value = ""; });
  });
  $("link-form").addEventListener("submit", function (ev) {
    suggest(ev, "/links", { source: parseInt($("link-source").value, 10) || null,
                            target: parseInt($("link-target").value, 10) || null, type: $("link-type").value },
      function () { $("link-source").value = ""; $("link-target").value = ""; $("link-type").value = ""; });
  });

  // ---- tasks to volunteer for (stage 3) ------------------------------------------------------
  var tasksSig = "";
  var OFFER_KIND = { can_do: "offer.can_do", can_help: "offer.can_help" };
  var OFFER_STATUS = { pending: "js.suggestion_suggested", accepted: "js.offer_accepted", declined: "js.suggestion_rejected" };
  function myCompetences() {
    var out = {};
    document.querySelectorAll("#competence-list select").forEach(function (sel) {
      if (sel.value !== "0") out[sel.dataset.competence] = parseInt(sel.value, 10);
    });
    return out;
  }
  function offer(taskId, kind, btn) {
    btn.disabled = true;
    call("POST", "/offers", { task_id: taskId, kind: kind, competences: myCompetences() })
      .then(function (data) { alertMsg(""); say(data.message); tasksSig = ""; return refreshTasks(); })
      .catch(function (err) { alertMsg(err.message); })
      .then(function () { btn.disabled = false; });
  }
  function refreshTasks(given) {
    if (!token) return Promise.resolve();
    return (given ? Promise.resolve(given) : call("GET", "/tasks")).then(function (m) {
      var sig = JSON.stringify(m);
      if (sig === tasksSig) return;
      tasksSig = sig;
      $("tasks-section").hidden = !m.open || !m.tasks.length;
      var box = $("competence-list");
      var compSig = m.competences.map(function (c) { return c.id + "=" + c.label; }).join("|");
      if (box.dataset.sig !== compSig) {  // rebuilt only when the list changes: choices made stay
        box.dataset.sig = compSig;
        box.textContent = "";
        m.competences.forEach(function (c) {
          var id = "comp-" + c.id;
          var lab = document.createElement("label");
          lab.htmlFor = id; lab.textContent = c.label;
          var sel = document.createElement("select");
          sel.id = id; sel.dataset.competence = c.id;
          [["0", "tasks.level0"], ["1", "tasks.level1"], ["2", "tasks.level2"]].forEach(function (o) {
            var opt = document.createElement("option");
            opt.value = o[0]; opt.textContent = tr(o[1]);
            sel.appendChild(opt);
          });
          box.appendChild(lab); box.appendChild(sel);
        });
      }
      var ul = $("task-list");
      ul.textContent = "";
      m.tasks.forEach(function (task) {
        var li = document.createElement("li");
        var p = document.createElement("p");
        p.className = "idea"; p.id = "task-" + task.id; p.textContent = task.title;
        li.appendChild(p);
        ["can_do", "can_help"].forEach(function (kind) {
          var b = document.createElement("button");
          b.type = "button"; b.className = kind === "can_do" ? "offer-do" : "secondary offer-help";
          b.textContent = tr(kind === "can_do" ? "tasks.can_do" : "tasks.can_help");
          b.setAttribute("aria-describedby", p.id);
          b.addEventListener("click", function () { offer(task.id, kind, b); });
          li.appendChild(b);
        });
        ul.appendChild(li);
      });
      var mine = $("my-offers");
      mine.textContent = "";
      m.mine.forEach(function (o) {
        var li = document.createElement("li");
        li.textContent = o.task + ": " + tr(OFFER_KIND[o.kind]) + " (" + tr(OFFER_STATUS[o.status]) + ")";
        mine.appendChild(li);
      });
    }).catch(function () { pollOk = false; /* the round poll reports connection problems */ });
  }

  // ---- feedback form (stage 4) -----------------------------------------------------------
  var formSig = "", formId = null;
  function radios(q, options, current) {
    var fs = document.createElement("fieldset");
    var lg = document.createElement("legend");
    lg.textContent = q.text;
    fs.appendChild(lg);
    if (q.kind === "scale") {
      var help = document.createElement("p");
      help.className = "help";
      help.textContent = tr("form.scale_low") + ", " + tr("form.scale_high");
      fs.appendChild(help);
    }
    options.forEach(function (o, i) {
      var id = "f-" + q.id + "-" + i;
      var input = document.createElement("input");
      input.type = "radio"; input.name = "f-" + q.id; input.id = id; input.value = String(o);
      input.className = "choice";
      if (current !== undefined && String(current) === String(o)) input.checked = true;
      var lab = document.createElement("label");
      lab.htmlFor = id; lab.className = "choice-label"; lab.textContent = String(o);
      var row = document.createElement("div");
      row.className = "radio-row";
      row.appendChild(input); row.appendChild(lab);
      fs.appendChild(row);
    });
    return fs;
  }
  function refreshForm(given) {
    if (!token) return Promise.resolve();
    return (given ? Promise.resolve(given) : call("GET", "/form")).then(function (data) {
      var sig = JSON.stringify(data.form);
      if (sig === formSig) return;
      formSig = sig;
      var f = data.form;
      $("form-section").hidden = !f;
      if (!f) return;
      formId = f.id;
      $("form-heading").textContent = f.title;
      var box = $("form-questions");
      box.textContent = "";
      var mine = data.mine || {};
      f.questions.forEach(function (q) {
        if (q.kind === "instrument") {
          var fs = document.createElement("fieldset");
          var lg = document.createElement("legend"); lg.textContent = q.text; fs.appendChild(lg);
          var cid = "f-" + q.id + "-consent";
          var row = document.createElement("div"); row.className = "radio-row";
          var cb = document.createElement("input"); cb.type = "checkbox"; cb.id = cid; cb.className = "choice";
          cb.checked = !!(mine[q.id] && mine[q.id].consent);
          var cl = document.createElement("label"); cl.htmlFor = cid; cl.className = "choice-label"; cl.textContent = q.consent;
          row.appendChild(cb); row.appendChild(cl); fs.appendChild(row);
          var given = (mine[q.id] && mine[q.id].items) || {};
          q.items.forEach(function (item) {
            var sub = { id: q.id + "-" + item.id, text: item.text, kind: "choice" };
            var group = radios(sub, q.responses.map(function (r) { return r.value; }), given[item.id]);
            group.querySelectorAll("label.choice-label").forEach(function (lab, i) {
              lab.textContent = q.responses[i].value + " " + (q.responses[i].label || "");
            });
            fs.appendChild(group);
          });
          var cr = document.createElement("p"); cr.className = "help"; cr.textContent = q.copyright; fs.appendChild(cr);
          box.appendChild(fs);
          return;
        }
        if (q.kind === "scale") box.appendChild(radios(q, [1, 2, 3, 4, 5], mine[q.id]));
        else if (q.kind === "choice") box.appendChild(radios(q, q.choices, mine[q.id]));
        else {
          var lab = document.createElement("label");
          lab.htmlFor = "f-" + q.id; lab.textContent = q.text;
          var ta = document.createElement("textarea");
          ta.id = "f-" + q.id; ta.rows = 3; ta.dataset.max = "1000"; ta.value = mine[q.id] || "";
          watchLength(ta);
          box.appendChild(lab); box.appendChild(ta);
        }
      });
      box.dataset.questions = JSON.stringify(f.questions.map(function (q) {
        return [q.id, q.kind, q.kind === "instrument" ? q.items.map(function (i) { return i.id; }) : null];
      }));
    }).catch(function () { pollOk = false; /* the round poll reports connection problems */ });
  }
  $("feedback-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var answers = {};
    JSON.parse($("form-questions").dataset.questions || "[]").forEach(function (qk) {
      if (qk[1] === "text") { var v = $("f-" + qk[0]).value; if (v.trim()) answers[qk[0]] = v; return; }
      if (qk[1] === "instrument") {
        var items = {};
        qk[2].forEach(function (iid) {
          var c = document.querySelector("input[name='f-" + qk[0] + "-" + iid + "']:checked");
          if (c) items[iid] = parseInt(c.value, 10);
        });
        if ($("f-" + qk[0] + "-consent").checked) answers[qk[0]] = { consent: true, items: items };
        return;
      }
      var checked = document.querySelector("input[name='f-" + qk[0] + "']:checked");
      if (checked) answers[qk[0]] = qk[1] === "scale" ? parseInt(checked.value, 10) : checked.value;
    });
    var btn = ev.submitter || $("feedback-form").querySelector("button");
    btn.disabled = true;
    call("PUT", "/forms/" + formId + "/response", { answers: answers })
      .then(function (data) { alertMsg(""); say(data.message); })
      .catch(function (err) { alertMsg(err.message); })
      .then(function () { btn.disabled = false; });
  });

  // ---- the service tray: find one's next step (seed 002) -----------------------------------
  var traySig = "";
  var TRAY_STATUS = { suggested: "tray.status_suggested", active: "tray.status_active",
                      declined: "tray.status_declined", removed: "tray.status_removed" };
  function trayQuery() {
    var q = [];
    [["level", "tray-level"], ["day", "tray-day"], ["place", "tray-place"], ["language", "tray-language"]].forEach(function (f) {
      var v = $(f[1]).value;
      if (v) q.push(f[0] + "=" + encodeURIComponent(v));
    });
    if ($("tray-free").checked) q.push("free=1");
    return q.length ? "?" + q.join("&") : "";
  }
  function detail(dl, key, value) {
    if (!value) return;
    var dt = document.createElement("dt"); dt.textContent = tr(key);
    var dd = document.createElement("dd"); dd.textContent = value;
    dl.appendChild(dt); dl.appendChild(dd);
  }
  function mark(a, kind, btn) {
    var on = btn.getAttribute("aria-pressed") !== "true";
    btn.disabled = true;
    call("PUT", "/tray/activities/" + a.id + "/interest", { kind: kind, on: on })
      .then(function (data) { alertMsg(""); btn.setAttribute("aria-pressed", on ? "true" : "false"); say(data.message); traySig = ""; return refreshTray(); })
      .catch(function (err) { alertMsg(err.message); })
      .then(function () { btn.disabled = false; });
  }
  function refreshTray(given, asked) {
    if (!token) return Promise.resolve();
    var q = given ? asked : trayQuery();
    return (given ? Promise.resolve(given) : call("GET", "/tray" + q)).then(function (m) {
      // an answer for filters changed since it was asked is stale: the answer for the new ones follows
      if (q !== trayQuery()) { pollOk = false; return; }
      var sig = JSON.stringify(m) + trayQuery();
      if (sig === traySig) return;
      traySig = sig;
      $("tray-section").hidden = !m.open;
      if (!m.open) return;
      fillSelect($("tray-level"), m.levels, "tray.all");
      fillSelect($("tray-day"), m.days, "tray.all");
      fillSelect($("tray-place"), m.places.map(function (p) { return { id: p, label: p }; }), "tray.all");
      fillSelect($("tray-language"), m.languages, "tray.all");
      fillSelect($("tray-s-level"), m.levels, null);
      $("tray-filters").hidden = !m.total;
      $("tray-count").textContent = !m.total ? tr("tray.empty") : !m.activities.length ? tr("tray.none_match")
        : tr("tray.count", { n: m.activities.length, total: m.total });
      var ul = $("tray-list");
      ul.textContent = "";
      var level = null;
      m.activities.forEach(function (a) {
        if (a.level !== level) {  // the step model's order: a heading per level
          level = a.level;
          var h = document.createElement("li");
          h.className = "tray-level";
          var h3 = document.createElement("h3"); h3.textContent = tr("tray.step", { n: a.step_level, level: a.level });
          h.appendChild(h3);
          ul.appendChild(h);
        }
        var li = document.createElement("li");
        li.className = "tray-item";
        var h4 = document.createElement("h4"); h4.id = "act-" + a.id; h4.textContent = a.name;
        li.appendChild(h4);
        var dl = document.createElement("dl");
        detail(dl, "tray.field_organiser", a.organiser);
        detail(dl, "tray.field_place", a.place);
        detail(dl, "tray.field_schedule", [a.days.join(", "), a.schedule].filter(Boolean).join(" – "));
        detail(dl, "tray.field_cost", a.free ? tr("tray.free") : a.cost ? money(a.cost) : "");
        detail(dl, "tray.field_languages", a.languages.join(", "));
        detail(dl, "tray.field_target_groups", a.target_groups.length ? a.target_groups.join(", ") : tr("tray.everyone"));
        detail(dl, "tray.field_accessibility", a.accessibility);
        detail(dl, "tray.field_contact", a.contact);
        detail(dl, "tray.field_description", a.description);
        li.appendChild(dl);
        [["interested", "tray.interested", a.interested], ["organise", "tray.organise", a.organise]].forEach(function (b) {
          var btn = document.createElement("button");
          btn.type = "button"; btn.className = "toggle tray-" + b[0];
          btn.setAttribute("aria-pressed", b[2] ? "true" : "false");
          btn.setAttribute("aria-describedby", h4.id);
          btn.textContent = tr(b[1]);
          btn.addEventListener("click", function () { mark(a, b[0], btn); });
          li.appendChild(btn);
        });
        ul.appendChild(li);
      });
      var mine = $("tray-mine");
      mine.textContent = "";
      m.mine.forEach(function (x) {
        var li = document.createElement("li");
        li.textContent = x.name + " (" + tr(TRAY_STATUS[x.status]) + ")";
        mine.appendChild(li);
      });
      $("tray-mine-heading").hidden = !m.mine.length;
    }).catch(function () { pollOk = false; /* the round poll reports connection problems */ });
  }
  ["tray-level", "tray-day", "tray-place", "tray-language", "tray-free"].forEach(function (id) {
    $(id).addEventListener("change", function () { traySig = ""; refreshTray(); });
  });
  $("tray-filters").addEventListener("submit", function (ev) { ev.preventDefault(); });
  $("tray-suggest-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var btn = ev.submitter || ev.target.querySelector("button");
    btn.disabled = true;
    call("POST", "/tray/activities", { name: $("tray-s-name").value, step_level: parseInt($("tray-s-level").value, 10),
                                        place: $("tray-s-place").value, schedule: $("tray-s-schedule").value,
                                        description: $("tray-s-description").value })
      .then(function (data) {
        alertMsg(""); say(data.message);
        ["tray-s-name", "tray-s-place", "tray-s-schedule", "tray-s-description"].forEach(function (id) { $(id).value = ""; });
        traySig = ""; return refreshTray();
      })
      .catch(function (err) { alertMsg(err.message); })
      .then(function () { btn.disabled = false; });
  });

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
        dropPending(); state.pending = false;
        forget();
        say(data.message);
        (kiosk ? $("kiosk-pin") : $("nickname")).focus();
      })
      .catch(function (err) { alertMsg(err.message); })
      .then(function () { btn.disabled = false; });
  });

  // ---- start -------------------------------------------------------------------------------
  if (token && !kiosk) {
    call("GET", "/me").then(function (data) {
      showJoined(true);
      renderMyIdeas(data.ideas);
      refreshMap(); refreshTasks(); refreshForm(); refreshTray();
      return refreshRound(true).then(function () { tick(true); if (Kit.listen) Kit.listen(); });
    }).catch(function (err) {
      if (err.status === 401) forget(); else alertMsg(err.message);
    });
  } else {
    showJoined(false);
  }
  // Every 2.5 s one question, /poll: has anything in the workshop changed since the version this page
  // shows? If not, the answer is one small line; if so, it carries all five parts at once. An idle
  // room of 150 devices costs the server one cheap request per device and tick (benchmarks/polling.py).
  var seenVersion = null, pollOk = true, lastPoll = 0;
  // draw a whole answer of /poll (or one events.js put together from the stream and this device's own part)
  function render(d, asked) {
    pollOk = true;
    if (d.ideas) renderMyIdeas(d.ideas);
    return Promise.all([refreshRound(false, d.current), refreshMap(d.map), refreshTasks(d.tasks),
                        refreshForm(d.form), refreshTray(d.tray, asked === undefined ? trayQuery() : asked)])
      .then(function () { Kit.apply(d); if (pollOk) seenVersion = d.version; });
  }
  Kit.render = render;
  Kit.trayQuery = function () { return trayQuery(); };
  function tick(force) {
    if (!token) return;
    if (state.pending) { refreshRound(false); return; }  // an unsent ballot goes first
    if (state.saving) return;
    // with the event stream open, /poll is asked only for this device's own part (events.js says when),
    // and once every 30 s as a safety net
    if (!force && Kit.streaming && Kit.streaming() && Date.now() - lastPoll < 30000) return;
    lastPoll = Date.now();
    var asked = trayQuery();
    call("GET", "/poll?since=" + (seenVersion === null ? "" : seenVersion) + asked.replace("?", "&")).then(function (d) {
      if (d.unchanged) return;
      if (Kit.polled) Kit.polled(d);
      return render(d, asked);
    }).catch(function (err) {
      if (err.status === 401) forget(); else if (err.offline) alertMsg(err.message);
    });
  }
  Kit.poll = function () { seenVersion = null; tick(true); };
  window.setInterval(tick, 2500);
})();
