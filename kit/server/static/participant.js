/* Participant page: join, send ideas, place dots. Talks only to the kit's own API on this server.
   Everything participants typed is put into the page with textContent, never as HTML. */
(function () {
  "use strict";
  var main = document.getElementById("main");
  var code = main.dataset.code, base = main.dataset.base, lang = main.dataset.lang;
  var ideaMax = parseInt(main.dataset.ideaMax, 10) || 500;
  var S = JSON.parse(document.getElementById("kit-strings").textContent);
  var api = base + "kit/api/workshops/" + encodeURIComponent(code);
  var KEY = "kit-token:" + code;
  var token = null;
  try { token = window.localStorage.getItem(KEY); } catch (e) { token = null; }

  var $ = function (id) { return document.getElementById(id); };
  var state = { round: null, dots: {}, signature: "", saving: false, dirty: false, pending: false, ideasOpen: true };

  function tr(key, params) {
    var s = S[key] || key;
    Object.keys(params || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(params[k])); });
    return s;
  }
  function say(msg) { $("status").textContent = ""; window.setTimeout(function () { $("status").textContent = msg; }, 30); }
  function alertMsg(msg) { var a = $("alert"); a.textContent = msg || ""; a.hidden = !msg; }

  function call(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (token) headers["Authorization"] = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    var url = api + path + (path.indexOf("?") >= 0 ? "&" : "?") + "lang=" + encodeURIComponent(lang);
    return fetch(url, { method: method, headers: headers, cache: "no-store",
                        body: body === undefined ? undefined : JSON.stringify(body) })
      .catch(function () { throw { offline: true, message: tr("js.offline") }; })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) {
          if (!res.ok) throw { status: res.status, code: data.error, message: data.message || tr("error.server_error") };
          return data;
        });
      });
  }

  function showJoined(joined) {
    $("join-section").hidden = joined;
    $("idea-section").hidden = !joined;
    if (!joined) { $("vote-section").hidden = true; $("waiting-section").hidden = true; }
  }

  function renderMyIdeas(ideas) {
    var ul = $("my-ideas");
    ul.textContent = "";
    ideas.forEach(function (idea) { addMyIdea(idea); });
  }
  function addMyIdea(idea) {
    var li = document.createElement("li");
    li.textContent = idea.text;
    if (idea.status === "hidden") {
      var tag = document.createElement("span");
      tag.className = "hidden-tag";
      tag.textContent = " (" + tr("js.idea_hidden") + ")";
      li.appendChild(tag);
    }
    $("my-ideas").appendChild(li);
  }

  // ---- voting ------------------------------------------------------------------------------
  function used() { return Object.keys(state.dots).reduce(function (s, k) { return s + state.dots[k]; }, 0); }

  function renderRound() {
    var r = state.round;
    var joined = !!token;
    $("vote-section").hidden = !(joined && r);
    $("waiting-section").hidden = !(joined && !r);
    if (!r) return;
    $("vote-heading").textContent = r.title;
    $("vote-rules").textContent = r.per_item_cap
      ? tr("js.rules_cap", { dots: r.dots_per_person, cap: r.per_item_cap })
      : tr("js.rules", { dots: r.dots_per_person });
    var ul = $("vote-items");
    ul.textContent = "";
    var closed = r.status !== "open";
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
    $("vote-closed").hidden = !closed;
    var res = $("results"), list = $("results-list");
    list.textContent = "";
    if (r.results) {
      var text = {};
      r.items.forEach(function (i) { text[i.id] = i.text; });
      r.results.forEach(function (row) {
        var li = document.createElement("li");
        li.textContent = tr("js.result_row", { text: text[row.id] || "", score: row.score });
        list.appendChild(li);
      });
    }
    res.hidden = !r.results;
    updateCounts();
  }

  function updateCounts() {
    var r = state.round;
    if (!r) return;
    r.items.forEach(function (item) {
      var n = state.dots[item.id] || 0;
      var el = $("count-" + item.id);
      if (el) el.textContent = tr("js.dots_on", { n: n });
    });
    $("dots-left").textContent = tr("js.dots_left", { left: r.dots_per_person - used(), total: r.dots_per_person });
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

  function save() {
    if (state.saving) { state.dirty = true; return; }
    state.saving = true; state.dirty = false;
    say(tr("js.saving"));
    var r = state.round;
    call("PUT", "/rounds/" + r.id + "/ballot", { dots: state.dots })
      .then(function (data) {
        state.saving = false;
        if (state.pending) { state.pending = false; alertMsg(""); }
        if (state.dirty) { save(); return; }
        say(data.message);
      })
      .catch(function (err) {
        state.saving = false;
        if (err.offline) {
          // the server is out of reach: keep the dots on this device and send them again (see the timer)
          state.pending = true;
          alertMsg(tr("js.not_saved_retrying"));
          say("");
          return;
        }
        state.pending = false;
        alertMsg(err.message);
        say("");
        refreshRound(true);
      });
  }

  function roundSignature(r) {
    if (!r) return "none";
    return [r.id, r.status, r.items.map(function (i) { return i.id; }).join(","),
            r.results ? JSON.stringify(r.results) : ""].join("|");
  }

  function refreshRound(force) {
    if (!token) return Promise.resolve();
    if (state.saving && !force) return Promise.resolve();
    if (state.pending && !force) { save(); return Promise.resolve(); }  // unsent dots first
    return call("GET", "/rounds/current").then(function (data) {
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
        state.dots = {};
        if (r && r.ballot) Object.keys(r.ballot.dots).forEach(function (k) { state.dots[k] = r.ballot.dots[k]; });
        renderRound();
      }
    }).catch(function (err) {
      if (err.status === 401) forget(); else if (err.offline) alertMsg(err.message);
    });
  }

  function forget() {
    token = null;
    try { window.localStorage.removeItem(KEY); } catch (e) { /* private mode */ }
    showJoined(false);
  }

  // ---- joining and ideas -------------------------------------------------------------------
  $("join-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var btn = ev.submitter || $("join-form").querySelector("button");
    btn.disabled = true;
    call("POST", "/participants", { nickname: $("nickname").value, group: $("group").value || null, language: lang })
      .then(function (data) {
        token = data.token;
        try { window.localStorage.setItem(KEY, token); } catch (e) { /* kept for this page only */ }
        alertMsg("");
        showJoined(true);
        renderMyIdeas([]);
        say(tr("js.joined"));
        $("idea-text").focus();
        return refreshRound(true);
      })
      .catch(function (err) { alertMsg(err.message); })
      .then(function () { btn.disabled = false; });
  });

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
        $("idea-text").value = "";
        $("idea-count").textContent = tr("idea.count", { n: 0, max: ideaMax });
        alertMsg("");
        say(data.message);
      })
      .catch(function (err) { alertMsg(err.message); })
      .then(function () { btn.disabled = false; });
  });

  // ---- start -------------------------------------------------------------------------------
  if (token) {
    call("GET", "/me").then(function (data) {
      showJoined(true);
      renderMyIdeas(data.ideas);
      return refreshRound(true);
    }).catch(function (err) {
      if (err.status === 401) forget(); else alertMsg(err.message);
    });
  } else {
    showJoined(false);
  }
  window.setInterval(function () { refreshRound(false); }, 2500);
})();
