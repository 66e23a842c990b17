// Ticket page presence: the page's live refresh (#ticket-live, every few seconds, see
// static/live.js) tells the desk this ticket is open and whether a reply is being typed
// (X-Desk-Typing), and brings back who else has it open (X-Desk-Others), even when it is
// answered 304. Names are set as text, never HTML.
(function () {
  "use strict";
  var box = document.getElementById("presence");
  if (!box) return;
  var url = box.dataset.url;
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var typingUntil = 0;

  function render(others) {
    box.textContent = "";
    if (!others.length) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    box.appendChild(document.createTextNode("Also on this ticket: "));
    others.forEach(function (o, i) {
      if (i) box.appendChild(document.createTextNode(", "));
      var name = document.createElement("strong");
      name.textContent = String(o.name);
      box.appendChild(name);
      if (o.typing) box.appendChild(document.createTextNode(" (typing a reply…)"));
    });
  }

  function isLive(e) {
    return e.detail && e.detail.elt && e.detail.elt.id === "ticket-live";
  }

  document.addEventListener("htmx:configRequest", function (e) {
    if (isLive(e)) e.detail.headers["X-Desk-Typing"] = Date.now() < typingUntil ? "1" : "0";
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    if (!isLive(e) || !e.detail.xhr) return;
    var header = e.detail.xhr.getResponseHeader("X-Desk-Others");
    if (header === null) return;
    try {
      var others = JSON.parse(header);
      if (Array.isArray(others)) render(others);
    } catch (err) {
      /* a malformed header leaves the line as it was */
    }
  });

  // The first answer says who else is here and carries the live refresh's ETag, so the refresh does not fire
  // as the page loads; a page brought back from the back-forward cache is not current, so it asks at once.
  window.addEventListener("pageshow", function (e) {
    var live = document.getElementById("ticket-live");
    if (e.persisted && live && window.htmx) window.htmx.trigger(live, "desk:refresh");
  });

  var wasTyping = false;
  document.addEventListener("input", function (e) {
    var area = e.target;
    if (!area.matches || !area.matches('form[action$="/reply/"] textarea, form[action$="/send/"] textarea')) return;
    typingUntil = Date.now() + 8000;
    if (!wasTyping) {
      wasTyping = true;
      var live = document.getElementById("ticket-live");
      if (live && window.htmx) window.htmx.trigger(live, "desk:typing");  // say so now, not at the next refresh
    }
  });
  setInterval(function () {
    if (wasTyping && Date.now() >= typingUntil) wasTyping = false;
  }, 1000);
  // Leaving is said at once (a closed tab would otherwise linger until its entry expires).
  window.addEventListener("pagehide", function () {
    if (!window.fetch) return;
    fetch(url, {
      method: "POST",
      body: new URLSearchParams({ leaving: "1" }),
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf },
      keepalive: true,
    }).catch(function () {});
  });
})();
