/* The one-word warm-up on the phone: send a few words, see the room's word cloud grow. Part of the
   participant page's scripts (window.Kit; see participant.js). What people typed goes in with
   textContent only. */
(function (Kit) {
  "use strict";
  if (!Kit) return;
  var $ = Kit.$, tr = Kit.tr;
  var sig = "", info = null;

  function render(w) {
    info = w;
    var s = JSON.stringify(w);
    if (s === sig) return;
    sig = s;
    if (!w.activity) return;
    $("words-prompt").textContent = w.prompt;
    var mine = w.mine || [];
    var left = Math.max(0, w.per_person - mine.length);
    $("words-form").hidden = !w.open || left === 0;
    $("words-closed").hidden = w.open;
    $("words-help").textContent = tr("words.left", { n: left, max: w.per_person });
    $("words-mine-heading").hidden = !mine.length;
    var ul = $("words-mine");
    ul.textContent = "";
    mine.forEach(function (x) { var li = document.createElement("li"); li.textContent = x; ul.appendChild(li); });
    var cloud = $("words-cloud");
    cloud.textContent = "";
    w.cloud.forEach(function (c) {
      var li = document.createElement("li");
      li.className = "w" + c.size;
      li.textContent = c.word;
      var n = document.createElement("span");
      n.className = "sr";
      n.textContent = " (" + c.n + ")";
      li.appendChild(n);
      cloud.appendChild(li);
    });
  }
  Kit.part("words", render);

  $("words-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var btn = ev.submitter || ev.target.querySelector("button");
    btn.disabled = true;
    Kit.call("POST", "/words", { text: $("words-text").value })
      .then(function (data) { Kit.alertMsg(""); Kit.say(data.message); $("words-text").value = ""; sig = ""; Kit.refresh(); })
      .catch(function (err) { Kit.alertMsg(err.message); })
      .then(function () { btn.disabled = false; });
  });
  Kit.resets.push(function () { sig = ""; $("words-mine").textContent = ""; $("words-text").value = ""; });
})(window.Kit);
