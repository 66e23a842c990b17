// Ticket page presence: tells the desk this page is open (and whether a reply is being typed)
// every few seconds, and shows who else has the ticket open. Names are set as text, never HTML.
(function () {
  "use strict";
  var box = document.getElementById("presence");
  if (!box || !window.fetch) return;
  var url = box.dataset.url;
  var every = (parseInt(box.dataset.refreshSeconds, 10) || 10) * 1000;
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
      name.textContent = o.name;
      box.appendChild(name);
      if (o.typing) box.appendChild(document.createTextNode(" (typing a reply…)"));
    });
  }

  function send(extra) {
    var body = new URLSearchParams({ typing: Date.now() < typingUntil ? "1" : "0" });
    if (extra) Object.keys(extra).forEach(function (k) { body.set(k, extra[k]); });
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf },
      keepalive: !!(extra && extra.leaving),
    })
      .then(function (r) { return r.ok ? r.json() : { others: [] }; })
      .then(function (data) { render(data.others || []); })
      .catch(function () {});
  }

  var wasTyping = false;
  document.querySelectorAll('form[action$="/reply/"] textarea, form[action$="/send/"] textarea').forEach(function (area) {
    area.addEventListener("input", function () {
      typingUntil = Date.now() + 8000;
      if (!wasTyping) {
        wasTyping = true;
        send();
      }
    });
  });
  setInterval(function () {
    if (wasTyping && Date.now() >= typingUntil) wasTyping = false;
    send();
  }, every);
  window.addEventListener("pagehide", function () { send({ leaving: "1" }); });
  send();
})();
