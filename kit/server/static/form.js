/* The feedback form (stage 4): scale, choice and text questions and a licensed instrument with its
   consent, answered (and changed) while the facilitator has the form open. Part of the participant page's
   scripts (window.Kit; see participant.js). */
(function (Kit) {
  "use strict";
  if (!Kit) return;
  var $ = Kit.$, tr = Kit.tr, say = Kit.say, alertMsg = Kit.alertMsg, call = Kit.call;
  var formSig = "", formId = null, pairForm = null;
  // a pairing code (kept only if its holder asks: one code per device, whatever the meeting)
  var PAIR_KEY = "kit-pair-code";
  function keptCode() { try { return window.localStorage.getItem(PAIR_KEY) || ""; } catch (e) { return ""; } }
  function keepCode(code) {
    try { if (code) window.localStorage.setItem(PAIR_KEY, code); else window.localStorage.removeItem(PAIR_KEY); }
    catch (e) { /* private mode: written down only */ }
  }
  function drawPair(f, paired) {
    pairForm = f;
    var show = Boolean(f && f.pairing) && !Kit.kiosk;
    $("pair-box").hidden = !show;
    if (!show) return;
    $("pair-help").textContent = tr(f.followup ? "pair.explain_followup" : "pair.explain");
    $("pair-paired").hidden = !paired;
    $("pair-ask").hidden = paired;
    $("pair-get").hidden = Boolean(f.followup);
    var kept = keptCode();
    $("pair-use-kept").hidden = paired || !kept;
    if (kept) $("pair-use-kept").textContent = tr("pair.use_kept").replace("{code}", kept);
  }
  function pairDone(data) {
    $("pair-code").value = "";
    drawPair(pairForm, data.paired);
  }
  $("pair-get").addEventListener("click", function (ev) {
    Kit.send(ev, "POST", "/me/pair", {}, function (data) {
      $("pair-shown").textContent = data.pair_code;
      $("pair-shown").hidden = false;
      $("pair-keep-row").hidden = false;
      $("pair-keep").checked = true;
      keepCode(data.pair_code);
      pairDone(data);
    });
  });
  $("pair-keep").addEventListener("change", function () {
    keepCode($("pair-keep").checked ? $("pair-shown").textContent : "");
  });
  $("pair-use-kept").addEventListener("click", function (ev) {
    Kit.send(ev, "POST", "/me/pair", { code: keptCode() }, pairDone);
  });
  $("pair-form").addEventListener("submit", function (ev) {
    var code = $("pair-code").value;
    Kit.send(ev, "POST", "/me/pair", { code: code }, pairDone);  // typed: kept on the device only if asked
  });
  $("pair-forget").addEventListener("click", function (ev) {
    Kit.send(ev, "DELETE", "/me/pair", undefined, function (data) {
      $("pair-shown").hidden = true; $("pair-keep-row").hidden = true;
      pairDone(data);
    });
  });
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
    if (!Kit.token()) return Promise.resolve();
    return (given ? Promise.resolve(given) : call("GET", "/form")).then(function (data) {
      drawPair(data.form, Boolean(data.paired));
      var sig = JSON.stringify(data.form);
      if (sig === formSig) return;
      formSig = sig;
      var f = data.form;
      $("form-section").hidden = !f;
      if (!f) return;
      formId = f.id;
      $("form-heading").textContent = f.title;
      // a form open for a period: until when, in this device's own time zone
      var locale = { fi: "fi-FI", sv: "sv-FI", en: "en-GB" }[Kit.lang] || "fi-FI";
      $("form-period").hidden = !f.closes_at;
      $("form-period").textContent = f.closes_at ? tr("form.closes_at").replace("{time}", new Date(f.closes_at)
        .toLocaleString(locale, { weekday: "short", day: "numeric", month: "numeric", year: "numeric",
                                  hour: "2-digit", minute: "2-digit" })) : "";
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
          Kit.watchLength(ta);
          box.appendChild(lab); box.appendChild(ta);
        }
      });
      box.dataset.questions = JSON.stringify(f.questions.map(function (q) {
        return [q.id, q.kind, q.kind === "instrument" ? q.items.map(function (i) { return i.id; }) : null];
      }));
    }).catch(function () { Kit.stale(); /* the round poll reports connection problems */ });
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

  Kit.part("form", function (f) { return refreshForm(f); });
  Kit.resets.push(function () {
    formSig = ""; $("form-questions").textContent = ""; $("form-section").hidden = true;
    $("pair-shown").hidden = true; $("pair-keep-row").hidden = true; $("pair-box").hidden = true;
  });
})(window.Kit);
