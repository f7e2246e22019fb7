/* The presenter remote: a facilitator's phone moves the room (Previous, Next, go to any activity) with
   the key it got for the short code shown on their desk view. No kernel; the key is never a
   participant's token and works only for this workshop. The room's place comes from the event stream
   (or GET agenda every 2 s when the stream is down). */
(function () {
  "use strict";
  var main = document.getElementById("main");
  var code = main.dataset.code, base = main.dataset.base, lang = main.dataset.lang;
  var S = JSON.parse(document.getElementById("kit-strings").textContent);
  var api = base + "kit/api/workshops/" + encodeURIComponent(code);
  var KEY = "kit-remote:" + code;
  var $ = function (id) { return document.getElementById(id); };
  var key = null, agenda = null, streamOpen = false;
  try { key = window.localStorage.getItem(KEY); } catch (e) { key = null; }

  function tr(k, params) {
    var s = S[k] || k;
    if (typeof s === "object") s = s.other;
    Object.keys(params || {}).forEach(function (p) { s = s.split("{" + p + "}").join(String(params[p])); });
    return s;
  }
  function say(msg) { $("status").textContent = ""; window.setTimeout(function () { $("status").textContent = msg; }, 30); }
  function alertMsg(msg) { $("alert").textContent = msg || ""; $("alert").hidden = !msg; }

  function call(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (key && method !== "GET") headers["Authorization"] = "remote " + key;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(api + path + "?lang=" + encodeURIComponent(lang), { method: method, headers: headers, cache: "no-store",
                                                                    body: body === undefined ? undefined : JSON.stringify(body) })
      .catch(function () { throw { offline: true, message: tr("js.offline") }; })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) {
          if (!res.ok) throw { status: res.status, code: data.error, message: data.message || tr("error.server_error") };
          return data;
        });
      });
  }

  function draw(a) {
    agenda = a;
    var cur = a.current;
    $("now-heading").textContent = cur ? cur.title : tr("remote.not_started");
    $("now-position").textContent = cur ? tr("remote.position", { n: cur.position, total: a.activities.length }) : "";
    $("remote-prev").disabled = !cur || cur.position <= 1;
    $("remote-next").disabled = Boolean(cur) && cur.position >= a.activities.length;
    var ol = $("remote-agenda");
    ol.textContent = "";
    a.activities.forEach(function (act) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "secondary";
      b.textContent = act.title;
      if (cur && act.id === cur.id) { li.setAttribute("aria-current", "step"); b.disabled = true; }
      b.addEventListener("click", function () { move({ position: act.position }); });
      li.appendChild(b);
      ol.appendChild(li);
    });
  }

  function move(body) {
    if (agenda && agenda.current && body.move) body.from = agenda.current.id;
    $("remote-prev").disabled = true; $("remote-next").disabled = true;
    call("PUT", "/agenda/current", body)
      .then(function (a) { alertMsg(""); draw(a); say(tr("now.moved", { title: a.current.title })); })
      .catch(function (err) {
        if (err.status === 403) { unpair(); }
        alertMsg(err.message);
        load();
      });
  }

  function load() { return call("GET", "/agenda").then(draw).catch(function (err) { alertMsg(err.message); }); }

  function showPaired(on) {
    $("pair-section").hidden = on;
    $("control-section").hidden = !on;
  }
  function unpair() {
    key = null;
    try { window.localStorage.removeItem(KEY); } catch (e) { /* private mode */ }
    showPaired(false);
  }

  $("pair-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var btn = ev.submitter || ev.target.querySelector("button");
    btn.disabled = true;
    call("POST", "/remote", { pairing: $("pair-code").value })
      .then(function (data) {
        key = data.key;
        try { window.localStorage.setItem(KEY, key); } catch (e) { /* this page only */ }
        alertMsg(""); say(data.message); showPaired(true); $("pair-code").value = "";
        return load();
      })
      .catch(function (err) { alertMsg(err.message); })
      .then(function () { btn.disabled = false; });
  });
  $("remote-next").addEventListener("click", function () { move({ move: "next" }); });
  $("remote-prev").addEventListener("click", function () { move({ move: "previous" }); });
  $("remote-unpair").addEventListener("click", function () { unpair(); say(tr("remote.unpaired")); });

  if (window.EventSource) {
    var es = new EventSource(api + "/events?lang=" + encodeURIComponent(lang));
    es.addEventListener("open", function () { streamOpen = true; });
    es.addEventListener("error", function () { streamOpen = false; });
    es.addEventListener("change", function (ev) {
      try { var msg = JSON.parse(ev.data); if (msg.parts.agenda && key) draw(msg.parts.agenda); } catch (e) { /* next one */ }
    });
  }
  window.setInterval(function () { if (key && !streamOpen) load(); }, 2000);
  showPaired(Boolean(key));
  if (key) load();
})();
