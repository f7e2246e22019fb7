/* Who else should be here? (stage 1) Suggest an actor or a link for the stakeholder map while the
   facilitator has the map open, and see what became of one's suggestions. Part of the participant page's
   scripts (window.Kit; see participant.js). What people typed goes in with textContent only. */
(function (Kit) {
  "use strict";
  if (!Kit) return;
  var $ = Kit.$, tr = Kit.tr, say = Kit.say, alertMsg = Kit.alertMsg, call = Kit.call;
  var mapSig = "";
  var SUGGESTION = { suggested: "js.suggestion_suggested", active: "js.suggestion_active", rejected: "js.suggestion_rejected" };
  function refreshMap(given) {
    if (!Kit.token()) return Promise.resolve();
    return (given ? Promise.resolve(given) : call("GET", "/map")).then(function (m) {
      var sig = JSON.stringify(m);
      if (sig === mapSig) return;
      mapSig = sig;
      $("map-section").hidden = !m.open;
      Kit.fillSelect($("actor-sector"), m.sectors, "map.choose");
      Kit.fillSelect($("link-source"), m.actors, "map.choose");
      Kit.fillSelect($("link-target"), m.actors, "map.choose");
      Kit.fillSelect($("link-type"), m.link_types, "map.choose");
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
    }).catch(function () { Kit.stale(); /* the round poll reports connection problems */ });
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

  Kit.part("map", function (m) { return refreshMap(m); });
  Kit.resets.push(function () { mapSig = ""; $("my-suggestions").textContent = ""; $("map-section").hidden = true; });
})(window.Kit);
