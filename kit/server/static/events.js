/* Push, not poll: the workshop's event stream (GET .../events, EventSource). Each event carries the parts
   of the page that are the same for every device and changed; this script keeps the last copy of every
   part, lays this device's own part over it (its ballot, its ideas and suggestions, its words and
   votes, from its last /poll) and draws the whole as one /poll answer would be drawn. It asks /poll for
   its own part only when that can have changed: after its own writes, and when the facilitator acted
   (`mod`) while something of its own waits for them. When the stream breaks, EventSource reconnects by
   itself (with the last event id) and the page polls every 2.5 s until it is back. Part of the
   participant page's scripts (window.Kit; see participant.js). */
(function (Kit) {
  "use strict";
  if (!Kit || !window.EventSource) return;
  var main = document.getElementById("main");
  var url = main.dataset.base + "kit/api/workshops/" + encodeURIComponent(main.dataset.code) + "/events?lang=" +
    encodeURIComponent(Kit.lang) + (main.dataset.plain === "1" ? "&plain=1" : "");
  var source = null, open = false, shared = null, own = null, version = null, pollSoon = null;

  function clone(x) { return x === undefined ? x : JSON.parse(JSON.stringify(x)); }

  // this device's own part of a /poll answer, kept to lay over the shared parts
  Kit.polled = function (d) {
    own = {
      map: d.map && d.map.mine, tasks: d.tasks && d.tasks.mine,
      form: d.form && d.form.form ? { id: d.form.form.id, mine: d.form.mine, paired: d.form.paired } : null,
      // ?own=1 answers the marks by activity id; a whole /poll has them on the activities
      tray: d.tray ? { mine: d.tray.mine, marks: d.own ? d.tray.marks : (d.tray.activities || []).reduce(function (m, a) {
        m[a.id] = { interested: a.interested, organise: a.organise }; return m; }, {}) } : null,
      words: d.words && d.words.activity ? { activity: d.words.activity, mine: d.words.mine } : null,
      questions: d.questions && d.questions.activity ? { activity: d.questions.activity, voted: d.questions.voted,
                                                          mine: d.questions.mine } : null,
      ideas: d.ideas || []
    };
  };

  function waitingOnFacilitator() {
    if (!own) return true;
    var waits = function (list, field, values) {
      return (list || []).some(function (x) { return values.indexOf(x[field]) >= 0; });
    };
    return waits(own.ideas, "status", ["pending"]) ||
      (own.map && (waits(own.map.actors, "status", ["suggested"]) || waits(own.map.links, "status", ["suggested"]))) ||
      waits(own.tasks, "status", ["pending"]) || (own.tray && waits(own.tray.mine, "status", ["suggested"])) ||
      (own.questions && waits(own.questions.mine, "status", ["pending"]));
  }

  function whole() {
    var d = clone(shared);
    d.version = version;
    if (d.current && d.current.round && d.current.round.id === Kit.roundId()) d.current.round.ballot = Kit.ballot();
    if (own) {
      if (d.map && own.map) d.map.mine = own.map;
      if (d.tasks && own.tasks) d.tasks.mine = own.tasks;
      if (d.form && d.form.form) {
        var same = own.form && own.form.id === d.form.form.id;
        d.form.mine = same ? own.form.mine : null;
        d.form.paired = same ? Boolean(own.form.paired) : false;
      }
      if (d.tray && own.tray) {
        d.tray.mine = own.tray.mine;
        (d.tray.activities || []).forEach(function (a) {
          var m = own.tray.marks[a.id] || {};
          a.interested = Boolean(m.interested); a.organise = Boolean(m.organise);
        });
      }
      if (d.words && d.words.activity) d.words.mine = own.words && own.words.activity === d.words.activity ? own.words.mine : [];
      if (d.questions && d.questions.activity) {
        var q = own.questions && own.questions.activity === d.questions.activity ? own.questions : { voted: [], mine: [] };
        d.questions.voted = q.voted; d.questions.mine = q.mine;
      }
      d.ideas = own.ideas;
    }
    return d;
  }

  // this device's own part only (GET /poll?own=1), laid over the shared parts the stream brought;
  // without the stream, or when the tray is filtered on this device, the whole /poll as before
  function fetchOwn() {
    if (!open || !shared || !shared.current || Kit.trayQuery() !== "") { Kit.poll(); return; }
    Kit.call("GET", "/poll?own=1").then(function (d) {
      Kit.polled(d);
      Kit.render(whole());
    }).catch(function () { Kit.poll(); });  // the whole /poll says what went wrong (or forgets a lost token)
  }
  function soon() {  // one request for this device's own part, even after several writes in a row
    if (pollSoon) return;
    pollSoon = window.setTimeout(function () { pollSoon = null; fetchOwn(); }, 150);
  }
  // after one's own write the own part kept here is out of date until /poll answers: nothing is drawn
  // from it meanwhile (an event in between would put back what was there before the write)
  Kit.wrote = function () { own = null; soon(); };

  function onChange(ev) {
    var msg;
    try { msg = JSON.parse(ev.data); } catch (e) { return; }
    var before = shared && shared.mod;
    if (msg.full || !shared) shared = {};
    Object.keys(msg.parts).forEach(function (k) { shared[k] = msg.parts[k]; });
    version = msg.version;
    if (!Kit.token()) return;
    var trayFiltered = Kit.trayQuery() !== "";
    // what the stream cannot know: this device's own part, and the tray through its own filters
    if (!own || (msg.parts.mod !== undefined && before !== undefined && msg.parts.mod !== before && waitingOnFacilitator()) ||
        (trayFiltered && msg.parts.tray)) {
      soon();
      return;
    }
    if (!shared.current) return;  // only a partial copy so far: the next full one draws
    Kit.render(whole());
  }

  Kit.streaming = function () { return open; };
  Kit.listen = function () {
    if (source) return;
    source = new EventSource(url);
    source.addEventListener("open", function () { open = true; });
    source.addEventListener("change", onChange);
    source.addEventListener("error", function () {
      open = false;  // EventSource tries again by itself; meanwhile the page polls
    });
  };
  Kit.resets.push(function () { own = null; if (source) { source.close(); source = null; open = false; } shared = null; });
})(window.Kit);
