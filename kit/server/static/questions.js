/* Questions from the room on the phone: ask, and upvote the questions others asked (one vote each per
   question; press again to take it back). Part of the participant page's scripts (window.Kit; see
   participant.js). What people typed goes in with textContent only. */
(function (Kit) {
  "use strict";
  if (!Kit) return;
  var $ = Kit.$, tr = Kit.tr;
  var sig = "";

  function vote(q, on, btn) {
    btn.disabled = true;
    Kit.call("PUT", "/questions/" + q.id + "/vote", { up: on })
      .then(function (data) { Kit.alertMsg(""); Kit.say(data.message); sig = ""; Kit.refresh(); })
      .catch(function (err) { Kit.alertMsg(err.message); btn.disabled = false; });
  }

  function render(d) {
    var s = JSON.stringify(d);
    if (s === sig) return;
    sig = s;
    if (!d.activity) return;
    $("question-form").hidden = !d.open;
    $("questions-closed").hidden = d.open;
    var voted = d.voted || [];
    var ul = $("questions-list");
    ul.textContent = "";
    $("questions-none").hidden = d.questions.length > 0;
    d.questions.forEach(function (q) {
      var li = document.createElement("li");
      li.className = "question" + (q.status === "answered" ? " answered" : "");
      var p = document.createElement("p");
      p.className = "question-text";
      p.id = "q-" + q.id;
      p.textContent = q.text;
      li.appendChild(p);
      var on = voted.indexOf(q.id) >= 0;
      var b = document.createElement("button");
      b.type = "button";
      b.className = "toggle";
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.setAttribute("aria-describedby", p.id);
      b.textContent = tr("questions.upvote", { n: q.votes });
      b.disabled = !d.open || q.status === "answered";
      b.addEventListener("click", function () { vote(q, !on, b); });
      li.appendChild(b);
      if (q.status === "answered") {
        var a = document.createElement("p");
        a.className = "help";
        a.textContent = tr("questions.answered");
        li.appendChild(a);
      }
      ul.appendChild(li);
    });
    var mine = (d.mine || []).filter(function (q) { return q.status === "pending" || q.status === "hidden"; });
    $("questions-mine-heading").hidden = !mine.length;
    var m = $("questions-mine");
    m.textContent = "";
    mine.forEach(function (q) {
      var li = document.createElement("li");
      li.textContent = q.text + " – " + tr(q.status === "pending" ? "questions.status_pending" : "questions.status_hidden");
      m.appendChild(li);
    });
  }
  Kit.part("questions", render);

  $("question-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var btn = ev.submitter || ev.target.querySelector("button");
    btn.disabled = true;
    Kit.call("POST", "/questions", { text: $("question-text").value })
      .then(function (data) { Kit.alertMsg(""); Kit.say(data.message); $("question-text").value = ""; sig = ""; Kit.refresh(); })
      .catch(function (err) { Kit.alertMsg(err.message); })
      .then(function () { btn.disabled = false; });
  });
  Kit.resets.push(function () { sig = ""; $("questions-mine").textContent = ""; $("question-text").value = ""; });
})(window.Kit);
