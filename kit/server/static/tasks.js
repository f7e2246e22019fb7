/* Tasks to volunteer for (stage 3): say one can do a task or help with it, with one's competences,
   and see whether the offer was taken. Part of the participant page's scripts (window.Kit; see
   participant.js). */
(function (Kit) {
  "use strict";
  if (!Kit) return;
  var $ = Kit.$, tr = Kit.tr, say = Kit.say, alertMsg = Kit.alertMsg, call = Kit.call;
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
    if (!Kit.token()) return Promise.resolve();
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
    }).catch(function () { Kit.stale(); /* the round poll reports connection problems */ });
  }

  Kit.part("tasks", function (m) { return refreshTasks(m); });
  Kit.resets.push(function () { tasksSig = ""; $("my-offers").textContent = ""; $("tasks-section").hidden = true; });
})(window.Kit);
