/* The run of show on the phone: the room's current activity comes first. Its section moves to the top
   of the page, carries aria-current="step" and a "Now" line (with the countdown, if any), and the change
   is announced to screen readers. Someone in the middle of typing is not thrown out: the new activity
   waits behind a banner until they send or leave the field. Part of the participant page's scripts
   (one namespace, window.Kit; see participant.js). */
(function (Kit) {
  "use strict";
  if (!Kit) return;
  var $ = Kit.$, tr = Kit.tr;
  var SECTION = { join: "welcome-section", ideas: "idea-section", vote: "vote-section", map: "map-section",
                  tasks: "tasks-section", form: "form-section", tray: "tray-section", words: "words-section",
                  questions: "questions-section", slide: "slide-section", since: "slide-section" };
  var OWN = ["welcome-section", "slide-section", "soon-section", "words-section", "questions-section"];
  var moved = false, shown = null, waiting = null, offset = 0, current = null, tag = null, running = false;

  function sectionFor(cur) {
    var sec = $(SECTION[cur.type]);
    // the vote of this activity, not an earlier round's results: until it opens, "the vote starts soon"
    if (cur.type === "vote" && (sec.hidden || !cur.round_id || Kit.roundId() !== cur.round_id)) return $("waiting-section");
    if (!sec || (sec.hidden && OWN.indexOf(sec.id) < 0)) sec = $("soon-section");  // not open yet
    return sec;
  }

  // typing in a field outside the new activity, with something in it: leave them be for now
  function busy(target) {
    var el = document.activeElement;
    if (!el || (el.tagName !== "INPUT" && el.tagName !== "TEXTAREA")) return false;
    if (target && target.contains(el)) return false;
    return el.value.trim() !== "";
  }

  function clock(left) { return Math.floor(left / 60) + ":" + (left % 60 < 10 ? "0" : "") + (left % 60); }

  function tagText() {
    if (!current) return "";
    var text = tr("now.label");
    if (current.minutes && current.started) {
      var left = Math.max(0, Math.round(current.started + current.minutes * 60 - (Date.now() / 1000 + offset)));
      text += " · " + tr("now.time_left", { time: clock(left) });
    }
    return text;
  }

  var ACTIVITY_SECTIONS = ["idea-section", "map-section", "tray-section", "tasks-section", "form-section", "vote-section",
                           "waiting-section"];
  function place(cur) {
    var sec = sectionFor(cur);
    var list = $("activities");
    // while the facilitator runs the show, the rest waits behind the menu (my ideas, earlier answers)
    ACTIVITY_SECTIONS.forEach(function (id) {
      var el = $(id);
      if (el === sec) return;
      var home = running ? $("later") : list;
      if (el.parentNode !== home) home.appendChild(el);
    });
    document.querySelectorAll("#activities > [aria-current]").forEach(function (el) {
      el.removeAttribute("aria-current"); el.classList.remove("now");
    });
    OWN.forEach(function (id) { if (id !== sec.id) $(id).hidden = true; });
    if (sec.id !== "waiting-section" && cur.type === "vote") $("waiting-section").hidden = true;
    if (sec.id === "soon-section") $("soon-heading").textContent = cur.title;
    sec.hidden = false;
    sec.setAttribute("aria-current", "step");
    sec.classList.add("now");
    if (list.firstElementChild !== sec) list.insertBefore(sec, list.firstElementChild);
    if (!tag) { tag = document.createElement("p"); tag.className = "now-tag"; tag.id = "now-tag"; }
    sec.insertBefore(tag, sec.firstElementChild);
    tag.textContent = tagText();
    var first = shown === null && !moved;
    moved = true;
    shown = cur.id + ":" + sec.id;
    $("now-banner").hidden = true;
    waiting = null;
    if (!first) {
      Kit.say(tr("now.moved", { title: cur.title }));
      window.scrollTo(0, 0);
    }
  }

  function slide(cur) {
    $("slide-heading").textContent = cur.title;
    var box = $("slide-text");
    box.textContent = "";
    (cur.text || "").split("\n").forEach(function (line) {
      if (!line.trim()) return;
      var p = document.createElement("p");
      p.textContent = line;
      box.appendChild(p);
    });
  }

  Kit.part("agenda", function (a, d) {
    if (d && d.now) offset = d.now - Date.now() / 1000;
    current = a.current;
    if (!current || !Kit.token()) return;
    if (running !== Boolean(a.running)) { running = Boolean(a.running); shown = null; }
    if (current.type === "slide" || current.type === "since") slide(current);
    var sec = sectionFor(current);
    if (shown === current.id + ":" + sec.id) { sec.hidden = false; if (tag) tag.textContent = tagText(); return; }
    if (busy(sec)) {  // the new activity waits behind a banner
      waiting = current;
      $("now-banner-text").textContent = tr("now.banner", { title: current.title });
      if ($("now-banner").hidden) { $("now-banner").hidden = false; Kit.say(tr("now.banner", { title: current.title })); }
      return;
    }
    place(current);
  });

  $("now-banner-go").addEventListener("click", function () { if (waiting) place(waiting); });
  // sent or left the field: the waiting activity comes now
  document.addEventListener("focusout", function () {
    window.setTimeout(function () { if (waiting && !busy(sectionFor(waiting))) place(waiting); }, 200);
  });
  document.addEventListener("submit", function () {
    window.setTimeout(function () { if (waiting) place(waiting); }, 600);
  });
  window.setInterval(function () { if (tag && current && current.minutes) tag.textContent = tagText(); }, 1000);
  Kit.resets.push(function () {
    shown = null; waiting = null; current = null; moved = false; running = false;
    ACTIVITY_SECTIONS.forEach(function (id) { $("activities").appendChild($(id)); });
    OWN.forEach(function (id) { $(id).hidden = true; });
    $("now-banner").hidden = true;
    document.querySelectorAll("#activities > [aria-current]").forEach(function (el) { el.removeAttribute("aria-current"); });
  });
})(window.Kit);
