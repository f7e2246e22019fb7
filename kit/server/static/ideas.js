/* Ideas on the phone: send an idea (while the facilitator collects them) and see what became of one's
   own (waiting for approval, shown, hidden, merged). Part of the participant page's scripts (window.Kit;
   see participant.js). What people typed goes in with textContent only. */
(function (Kit) {
  "use strict";
  if (!Kit) return;
  var $ = Kit.$, tr = Kit.tr;
  var ideaMax = parseInt(document.getElementById("main").dataset.ideaMax, 10) || 500;
  var sig = "";

  function addMine(idea) {
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
  // the device's own ideas with what became of them; redrawn only when that changes (each /poll brings them)
  Kit.part("ideas", function (ideas) {
    var s = JSON.stringify(ideas);
    if (s === sig) return;
    sig = s;
    $("my-ideas").textContent = "";
    ideas.forEach(addMine);
  });
  // whether ideas are being collected comes with the vote's part of /poll
  Kit.part("current", function (c) {
    $("idea-form").hidden = !c.ideas_open;
    $("ideas-closed").hidden = c.ideas_open;
  });

  $("idea-text").addEventListener("input", function () {
    $("idea-count").textContent = tr("idea.count", { n: $("idea-text").value.length, max: ideaMax });
  });
  $("idea-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = $("idea-text").value;
    if (!text.trim()) { Kit.alertMsg(tr("error.idea_required")); return; }
    Kit.send(ev, "POST", "/ideas", { text: text }, function (data) {
      addMine(data.idea);
      sig = "";
      $("idea-text").value = "";
      $("idea-count").textContent = tr("idea.count", { n: 0, max: ideaMax });
    });
  });
  Kit.resets.push(function () { sig = ""; $("my-ideas").textContent = ""; $("idea-text").value = ""; });
})(window.Kit);
