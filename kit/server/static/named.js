/* Name me in the minutes: a participant who agrees to be named types the name on their own device
   (everyone else stands in the minutes by their group only); an empty name, or no consent, takes it
   back. Part of the participant page's scripts (window.Kit; see participant.js). */
(function (Kit) {
  "use strict";
  if (!Kit) return;
  var $ = Kit.$, tr = Kit.tr;

  // drawn from /me when the page starts (the name is this device's own, never in the shared parts)
  Kit.part("named", function (name) {
    $("named-name").value = name || "";
    $("named-consent").checked = Boolean(name);
  });
  $("named-form").addEventListener("submit", function (ev) {
    var name = $("named-name").value.trim();
    if (name && !$("named-consent").checked) {
      ev.preventDefault();
      Kit.alertMsg(tr("named.need_consent"));
      $("named-consent").focus();
      return;
    }
    Kit.send(ev, "PUT", "/me/minutes-name", { name: $("named-consent").checked ? name : "" }, function (data) {
      $("named-name").value = data.minutes_name || "";
      $("named-consent").checked = Boolean(data.minutes_name);
    });
  });
  Kit.resets.push(function () { $("named-name").value = ""; $("named-consent").checked = false; });
})(window.Kit);
