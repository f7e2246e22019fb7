/* The service tray on the phone (seed 002): find one's next step by level, day, place, language and
   cost, mark interest or an offer to organise, and suggest an activity. Part of the participant page's
   scripts (window.Kit; see participant.js). */
(function (Kit) {
  "use strict";
  if (!Kit) return;
  var $ = Kit.$, tr = Kit.tr, say = Kit.say, alertMsg = Kit.alertMsg, call = Kit.call;
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
    if (!Kit.token()) return Promise.resolve();
    var q = given ? asked : trayQuery();
    return (given ? Promise.resolve(given) : call("GET", "/tray" + q)).then(function (m) {
      // an answer for filters changed since it was asked is stale: the answer for the new ones follows
      if (q !== trayQuery()) { Kit.stale(); return; }
      var sig = JSON.stringify(m) + trayQuery();
      if (sig === traySig) return;
      traySig = sig;
      $("tray-section").hidden = !m.open;
      if (!m.open) return;
      Kit.fillSelect($("tray-level"), m.levels, "tray.all");
      Kit.fillSelect($("tray-day"), m.days, "tray.all");
      Kit.fillSelect($("tray-place"), m.places.map(function (p) { return { id: p, label: p }; }), "tray.all");
      Kit.fillSelect($("tray-language"), m.languages, "tray.all");
      Kit.fillSelect($("tray-s-level"), m.levels, null);
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
        detail(dl, "tray.field_cost", a.free ? tr("tray.free") : a.cost ? Kit.money(a.cost) : "");
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
    }).catch(function () { Kit.stale(); /* the round poll reports connection problems */ });
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

  Kit.trayQuery = trayQuery;
  Kit.part("tray", function (m, d, asked) { return refreshTray(m, asked); });
  Kit.resets.push(function () { traySig = ""; $("tray-mine").textContent = ""; $("tray-section").hidden = true; });
})(window.Kit);
