// Live pages (mentions/live.py). Each polling element carries the ETag of what it shows and
// sends it with its refresh: an unchanged page is answered 304 (no swap, see the htmx-config
// meta in base.html) at the cost of one single-row query. Live responses carry the number of
// waiting tickets, which the tab title shows as "(N) …".
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (e) {
    var etag = e.detail.elt.getAttribute("data-etag");
    if (etag) e.detail.headers["If-None-Match"] = etag;
    // A refresh on its timer is not the person doing something: it does not keep the session from
    // timing out (advocacy/session_limits.py). One triggered by an event (typing) is.
    if (etag && !e.detail.triggeringEvent) e.detail.headers["X-Desk-Background"] = "1";
  });
  // A live list holds still while rows in it are ticked for a bulk action (the refresh would untick
  // them): data-live-hold names what, inside it, holds it. A filter in hx-trigger would do the same
  // but needs eval, which the Content-Security-Policy refuses.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    var hold = elt && elt.getAttribute && elt.getAttribute("data-live-hold");
    if (hold && elt.querySelector(hold)) e.preventDefault();
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var xhr = e.detail.xhr;
    if (!xhr || xhr.status !== 200) return;
    var waiting = xhr.getResponseHeader("X-Desk-Waiting");
    if (waiting === null || !/^\d+$/.test(waiting)) return;
    var bare = document.title.replace(/^\(\d+\) /, "");
    document.title = (waiting !== "0" ? "(" + waiting + ") " : "") + bare;
  });
})();

// An open ticket page was shown the new messages: its forms now claim that version, so a reply
// written after reading them is not refused as stale (other changes never move it).
document.addEventListener("ticketSeen", function (e) {
  var version = e.detail && e.detail.version;
  if (!/^\d+$/.test(String(version))) return;
  document.querySelectorAll('input[name="seen"]').forEach(function (input) {
    input.value = String(version);
  });
});
