// The ticket page's actions in place (mentions/views/in_place.py). A refused action (400, 403, 409)
// carries its error for the slot beside the control that sent it: htmx is told to swap it in
// rather than treat it as a failure (base.html's htmx-config swaps no 4xx elsewhere). A reply or
// note that went through empties its box, which keeps the focus; a sent reply gets a new send key
// (the old one is used up). The composer's tabs are radio buttons: a box that is asked for (the
// "Reply" link, the r and n keys in keys.js) first shows its tab. The phone's floating "Reply" hides
// while the composer is on the screen.
(function () {
  "use strict";
  function inPlace(e) {
    var elt = e.detail && e.detail.requestConfig ? e.detail.requestConfig.elt : e.detail && e.detail.elt;
    return elt && elt.closest ? elt.closest("form[data-in-place]") : null;
  }

  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr ? e.detail.xhr.status : 0;
    // 403: the outward policy's refusal (mentions.services.outward_policy), said beside the control too.
    if ((status === 400 || status === 403 || status === 409) && inPlace(e)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  document.addEventListener("htmx:afterRequest", function (e) {
    var form = inPlace(e);
    var xhr = e.detail.xhr;
    // Only a 2xx empties the box: a refusal (400, 409) is swapped in too, but keeps the text.
    if (!form || !xhr || xhr.status < 200 || xhr.status >= 300 || xhr.getResponseHeader("HX-Redirect")) return;
    // Only the form's own action (a reply sent or recorded, a note): the macro's Apply posts the composer's
    // form elsewhere (formaction), and its answer is the reply box with the prefill after what was typed.
    var path = e.detail.requestConfig ? e.detail.requestConfig.path : "";
    if (path && path !== form.getAttribute("hx-post")) return;
    if (form.hasAttribute("data-clear-on-success")) {
      form.querySelectorAll("textarea").forEach(function (box) { box.value = ""; });
      // The image and its description belong to the form from outside it (form="composer-reply").
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name === "image" || field.name === "image_alt") field.value = "";
        if (field.name === "image_alt") field.required = false;
      });
      var token = form.querySelector("input[name=token]");
      if (token) token.value = newKey();
    }
  });

  // The composer's form has a button per action (mentions/_composer.html): Enter in a box presses its own
  // group's button (the macro link applies the macro, the reply's link records the reply), not the form's first.
  document.addEventListener("keydown", function (e) {
    var box = e.target;
    if (e.key !== "Enter" || e.isComposing || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (!box.matches || !box.matches("input") || !box.form) return;
    var group = box.closest("[data-submit-group]");
    var button = group ? group.querySelector("button[type=submit]") : null;
    if (!button || button.form !== box.form) return;
    e.preventDefault();
    button.click();
  });

  // An image needs its description (alt text): the box is required once a file is chosen, and not before.
  document.addEventListener("change", function (e) {
    var input = e.target;
    var alt = input && input.getAttribute ? document.getElementById(input.getAttribute("data-alt-for") || "") : null;
    if (alt) alt.required = !!(input.files && input.files.length);
  });

  document.addEventListener("sendToken", function (e) {
    var token = e.detail && e.detail.token;
    if (!/^[0-9a-f]{32}$/.test(String(token))) return;
    document.querySelectorAll("#composer-reply input[name=token]").forEach(function (input) { input.value = token; });
  });

  // Show the tab that holds `field` (a hidden box cannot take the focus).
  window.deskShowTab = function (field) {
    var pane = field && field.closest ? field.closest("[data-tab-radio]") : null;
    var radio = pane ? document.getElementById(pane.getAttribute("data-tab-radio")) : null;
    if (radio) radio.checked = true;
  };

  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-focus=composer]");
    if (!link) return;
    var box = document.querySelector("form[data-keys-reply] textarea");
    if (!box) return;
    e.preventDefault();
    window.deskShowTab(box);
    box.scrollIntoView({ block: "center" });
    box.focus();
  });

  // The docked "Reply" (phones: desk.css) is there to bring the composer; once any of the composer is on
  // the screen it would only hide part of it (where the reply goes, why a macro is unavailable, Send as), so it
  // steps aside until the composer scrolls away again.
  var dock = document.querySelector(".reply-dock");
  var composer = document.getElementById("composer");
  if (dock && composer && "IntersectionObserver" in window) {
    new IntersectionObserver(function (entries) {
      dock.classList.toggle("composer-in-view", entries[entries.length - 1].isIntersecting);
    }).observe(composer);
  }

  document.addEventListener("change", function (e) {
    if (!e.target.classList || !e.target.classList.contains("tab-radio")) return;
    var pane = document.querySelector('[data-tab-radio="' + e.target.id + '"] textarea');
    if (pane) pane.focus();
  });
})();
