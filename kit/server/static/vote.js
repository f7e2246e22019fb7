/* Voting on the phone, by every method: dots, approval, choose one, ranking and participatory budgeting.
   A ballot is saved at each change; when the server is out of reach it waits on this device (even over a
   reload, never on a shared tablet) and goes again with the next tick. The results, once the facilitator
   shows them. Part of the participant page's scripts (window.Kit; see participant.js). */
(function (Kit) {
  "use strict";
  if (!Kit) return;
  var $ = Kit.$, tr = Kit.tr, say = Kit.say, alertMsg = Kit.alertMsg, call = Kit.call, money = Kit.money;
  var state = { round: null, dots: {}, choices: [], ranking: [], signature: "", saving: false, dirty: false,
                pending: false };

  function used() { return Object.keys(state.dots).reduce(function (s, k) { return s + state.dots[k]; }, 0); }

  function itemLabel(item) {
    var r = state.round;
    return r.method === "pb" && item.cost != null ? tr("js.project_cost", { text: item.text, cost: money(item.cost) }) : item.text;
  }
  function renderRound() {
    var r = state.round;
    var joined = !!Kit.token();
    $("vote-section").hidden = !(joined && r);
    $("waiting-section").hidden = !(joined && !r);
    if (!r) return;
    $("vote-heading").textContent = r.title;
    $("vote-rules").textContent = rulesText(r);
    $("vote-period").textContent = periodText(r);
    $("vote-period").hidden = !periodText(r);
    var ul = $("vote-items");
    ul.textContent = "";
    ul.className = "vote-items method-" + r.method;
    // one person, one vote: a vote that needs a voting code asks for it once; the choices wait for it
    var needsCode = !!(r.codes && !r.code_ok && r.status === "open");
    $("vote-code-form").hidden = !needsCode;
    var closed = r.status !== "open" || needsCode;
    if (r.method === "dots") renderDots(ul, r, closed);
    else if (r.method === "ranking") renderRanking(ul, r, closed);
    else renderChoices(ul, r, closed);
    $("vote-closed").hidden = r.status !== "closed";
    var res = $("results"), list = $("results-list");
    list.textContent = "";
    if (r.results) {
      var byId = {};
      r.items.forEach(function (i) { byId[i.id] = i; });
      var funded = r.funded || null;  // by the round's one rule, fixed when it opened
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

  // a vote open for a period, in the reader's language and this device's own time zone
  function when(iso) {
    var locale = { fi: "fi-FI", sv: "sv-FI", en: "en-GB" }[Kit.lang] || "fi-FI";
    return new Date(iso).toLocaleString(locale, { weekday: "short", day: "numeric", month: "numeric",
                                                  year: "numeric", hour: "2-digit", minute: "2-digit" });
  }
  function periodText(r) {
    if (r.status === "scheduled" && r.opens_at) return tr("vote.opens_at").replace("{time}", when(r.opens_at));
    if (r.status === "open" && r.closes_at) return tr("vote.closes_at").replace("{time}", when(r.closes_at));
    return "";
  }

  function rulesText(r) {
    if (r.method === "dots") {
      return r.per_item_cap ? tr("js.rules_cap", { dots: r.dots_per_person, cap: r.per_item_cap })
                            : tr("js.rules", { dots: r.dots_per_person });
    }
    if (r.method === "ranking") return tr("js.rules_ranking", { k: r.max_ranked });
    if (r.method === "choose_one") return tr("js.rules_choose_one");
    if (r.method === "pb") {
      return (r.max_choices ? tr("js.rules_pb_max", { budget: money(r.budget), max: r.max_choices })
                            : tr("js.rules_pb", { budget: money(r.budget) })) + " " + tr("js.pb_rule", { rule: r.rule_name });
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
  var PENDING = "kit-pending:" + document.getElementById("main").dataset.code;
  function keepPending(roundId, body) {
    if (Kit.kiosk) return;
    try { window.localStorage.setItem(PENDING, JSON.stringify({ round: roundId, body: body })); } catch (e) { /* full */ }
  }
  function dropPending() {
    try { window.localStorage.removeItem(PENDING); } catch (e) { /* private mode */ }
  }
  function readPending() {
    if (Kit.kiosk) return null;
    try { return JSON.parse(window.localStorage.getItem(PENDING) || "null"); } catch (e) { return null; }
  }

  // the voting code goes with an empty ballot: nothing is chosen yet, and the code is used for this device
  function useCode(ev) {
    ev.preventDefault();
    var r = state.round, input = $("vote-code");
    if (!r || !input.value.trim()) { input.focus(); return; }
    var body = r.method === "dots" ? { dots: {} } : r.method === "ranking" ? { ranking: [] } : { choices: [] };
    body.code = input.value;
    say(tr("js.saving"));
    call("PUT", "/rounds/" + r.id + "/ballot", body).then(function () {
      input.removeAttribute("aria-invalid");
      input.value = "";
      r.code_ok = true;
      alertMsg("");
      renderRound();
      say(tr("vote.code_ok"));
    }).catch(function (err) {
      say("");
      input.setAttribute("aria-invalid", "true");
      alertMsg(err.message);
      input.focus();
    });
  }
  $("vote-code-form").addEventListener("submit", useCode);

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
    return [r.id, r.status, r.code_ok ? "code" : "", r.items.map(function (i) { return i.id; }).join(","),
            r.results ? JSON.stringify(r.results) + JSON.stringify(r.funded || null) : ""].join("|");
  }

  // each refresh asks its own path, or takes `given`: that part of one /poll answer
  function refreshRound(force, given) {
    if (!Kit.token()) return Promise.resolve();
    if (state.saving && !force) { Kit.stale(); return Promise.resolve(); }
    if (state.pending && !force) { save(); Kit.stale(); return Promise.resolve(); }  // unsent dots first
    return (given ? Promise.resolve(given) : call("GET", "/rounds/current")).then(function (data) {
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
      Kit.stale();
      if (err.status === 401) Kit.forget(); else if (err.offline) alertMsg(err.message);
    });
  }

  Kit.part("current", function (c) { return refreshRound(false, c); });
  Kit.roundId = function () { return state.round ? state.round.id : null; };
  Kit.ballot = function () { return { dots: state.dots, choices: state.choices, ranking: state.ranking }; };
  Kit.unsaved.push(function () { return state.pending || state.saving; });
  Kit.flushes.push(function () { if (state.pending) refreshRound(false); });
  Kit.resets.push(function (withdrawn) {
    if (withdrawn) { dropPending(); state.pending = false; }
    state.round = null; state.signature = ""; state.dots = {}; state.choices = []; state.ranking = [];
    $("vote-items").textContent = "";
    $("vote-section").hidden = true; $("waiting-section").hidden = true;
  });
})(window.Kit);
