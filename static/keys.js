// Keyboard shortcuts of the desk (issue 13): `?` lists them. Single keys never fire while the
// user types in a field, holds Alt/Ctrl/Meta or composes with an IME. Everything listens on
// `document`, because live refresh (htmx) may replace any list's rows at any moment.
// Names and descriptions from the page are set as text, never as HTML.
(() => {
  "use strict";

  const ROWS = "tr[data-view], tr[data-ticket]";
  const SELECTED = "keys-selected";
  const LAST_PLAYED = "desk:last-played-view";
  const selection = { key: null, index: -1 };
  let focusMoved = false; // the ticket page's first Tab goes to the reply box, once
  let helpDialog = null;

  // --- what the page offers ---------------------------------------------------------------
  const replyBox = () => document.querySelector("form[data-keys-reply] textarea");
  const noteBox = () => document.querySelector("form[data-keys-note] textarea");
  const macroForm = () => document.querySelector("[data-keys-macro]"); // the picker's controls (composer's form)
  const searchBox = () => document.getElementById("desk-search");
  const snoozeMenu = () => document.querySelector("details[data-keys-snooze]"); // the ticket page's Snooze
  const playForms = () => document.querySelectorAll("form[data-play-view]");
  const hiddenPlayForm = () => document.getElementById("keys-play");
  const rows = () => Array.from(document.querySelectorAll(ROWS)).filter((r) => r.getClientRects().length);

  const store = {
    get(key) {
      try {
        return window.localStorage.getItem(key);
      } catch (e) {
        return null; // storage disabled: Play falls back to the queue page
      }
    },
    set(key, value) {
      try {
        if (value === null) window.localStorage.removeItem(key);
        else window.localStorage.setItem(key, value);
      } catch (e) {
        /* storage disabled or full: nothing to remember then */
      }
    },
  };

  function typingIn(el) {
    if (!el || el === document.body || el === document.documentElement) return false;
    if (el.isContentEditable) return true;
    return el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT";
  }

  // The form's own submit button (not one that posts it elsewhere with formaction).
  function ownButton(form) {
    return Array.from(form.elements).find((el) => el.type === "submit" && !el.disabled && !el.hasAttribute("formaction"));
  }

  function submit(form, submitter) {
    if (form.requestSubmit) form.requestSubmit(submitter || undefined);
    else form.submit();
  }

  // `r` after a prefill: what the advocate types starts a new paragraph, never "…abuse.Thanks!".
  function focusDraft(field) {
    if (field && field.value && !/\s$/.test(field.value)) field.value += "\n\n";
    return focusField(field);
  }

  function focusField(field) {
    if (!field) return false;
    if (window.deskShowTab) window.deskShowTab(field); // the composer's note tab may be hidden (ticket_actions.js)
    field.focus();
    const end = field.value.length; // keep the draft, type after it
    field.setSelectionRange(end, end);
    return true;
  }

  // --- j / k / Enter on list rows ---------------------------------------------------------
  const rowKey = (row) => (row.dataset.view ? `view:${row.dataset.view}` : `ticket:${row.dataset.ticket}`);

  function select(row, scroll) {
    for (const old of document.querySelectorAll(`.${SELECTED}`)) {
      old.classList.remove(SELECTED);
      old.removeAttribute("aria-current");
    }
    if (!row) return;
    row.classList.add(SELECTED);
    row.setAttribute("aria-current", "true");
    selection.key = rowKey(row);
    selection.index = rows().indexOf(row);
    if (scroll) row.scrollIntoView({ block: "nearest" });
  }

  function selectedRow() {
    const row = document.querySelector(`.${SELECTED}`);
    return row && row.isConnected ? row : null;
  }

  function move(delta) {
    const list = rows();
    if (!list.length) return false;
    const at = list.indexOf(selectedRow());
    const next = at < 0 ? (delta > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + delta));
    select(list[next], true);
    return true;
  }

  // Rows re-rendered by a swap lose their class: select the same row again by its key, or the
  // row now at the same place when that one left the list.
  function reapply() {
    if (selection.key === null) return;
    const list = rows();
    const same = list.find((r) => rowKey(r) === selection.key);
    if (same) select(same, false);
    else if (list.length) select(list[Math.min(selection.index, list.length - 1)], false);
    else selection.key = null;
  }

  function openRow() {
    const row = selectedRow();
    if (!row) return false;
    if (row.dataset.view) {
      const form = row.querySelector("form[data-play-view]");
      if (form) submit(form, form.querySelector("button[type=submit]"));
      return !!form;
    }
    const link = row.querySelector("a[href]");
    if (link) link.click();
    return !!link;
  }

  // --- p: Play ----------------------------------------------------------------------------
  function play() {
    const onQueue = playForms();
    if (onQueue.length) {
      const row = selectedRow();
      const form = (row && row.dataset.view && row.querySelector("form[data-play-view]")) || onQueue[0];
      submit(form, form.querySelector("button[type=submit]"));
      return true;
    }
    const hidden = hiddenPlayForm();
    if (!hidden) return false;
    const slug = store.get(LAST_PLAYED);
    if (!slug) {
      window.location.assign(hidden.dataset.queueUrl);
      return true;
    }
    hidden.action = hidden.dataset.actionTemplate.replace("__view__", encodeURIComponent(slug));
    submit(hidden);
    return true;
  }

  function rememberPlayed() {
    const banner = document.querySelector(".play-banner[data-play-view]");
    if (banner && banner.dataset.playView) store.set(LAST_PLAYED, banner.dataset.playView);
    // The queue lists every active view: forget one that is gone, so `p` never posts to a 404.
    const forms = playForms();
    const slug = store.get(LAST_PLAYED);
    if (forms.length && slug && !Array.from(forms).some((f) => f.dataset.playView === slug)) {
      store.set(LAST_PLAYED, null);
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest && event.target.closest("form[data-play-view]");
    if (form) store.set(LAST_PLAYED, form.dataset.playView);
  });

  // --- dialogs ----------------------------------------------------------------------------
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A modal <dialog>: Esc closes it (the browser's own cancel), focus goes back where it was.
  function dialog(id, title) {
    const box = el("dialog", { class: "keys-dialog", id, "aria-labelledby": `${id}-title` });
    box.appendChild(el("h2", { id: `${id}-title` }, title));
    let returnTo = null;
    box.addEventListener("close", () => {
      if (returnTo && returnTo.isConnected) returnTo.focus();
    });
    document.body.appendChild(box);
    const open = () => {
      returnTo = document.activeElement;
      box.showModal();
    };
    return { box, open };
  }

  function keyCaps(keys) {
    const cell = el("th", { scope: "row" });
    keys.forEach((k, i) => {
      if (i) cell.appendChild(document.createTextNode(k === "Enter" && keys[0] === "Ctrl" ? " + " : " / "));
      cell.appendChild(el("kbd", {}, k));
    });
    return cell;
  }

  function shortcutsHere() {
    const onQueue = playForms().length > 0;
    const list = [
      [["?"], "Show these shortcuts", true],
      [["p"], onQueue ? "Play the selected view (the first one if none is selected)" : "Play the view you played last", !!hiddenPlayForm() || onQueue],
      [["r"], "Focus the reply box", !!replyBox()],
      [["n"], "Focus the internal note", !!noteBox()],
      [["z"], "Snooze this ticket: choose until when", !!snoozeMenu()],
      [["m"], "Apply a macro: type to filter, ↑/↓ to choose, Enter to apply", !!macroForm()],
      [[";"], "In the reply box: insert a saved reply (type to filter, Enter inserts)", !!replyBox()],
      [["j", "k"], "Next / previous row", rows().length > 0],
      [["Enter"], onQueue ? "Open the selected row (Play on a view)" : "Open the selected row", rows().length > 0],
      [["/"], "Search tickets", !!searchBox()],
      [["Ctrl", "Enter"], "Submit the form you are typing in (⌘ Enter on a Mac)", !!document.querySelector("main form")],
      [["Esc"], "Close this dialog", true],
    ];
    return list.filter((s) => s[2]);
  }

  function openHelp() {
    if (!helpDialog) {
      helpDialog = dialog("keys-help", "Keyboard shortcuts");
      const close = el("form", { method: "dialog" });
      close.appendChild(el("button", { class: "btn secondary", type: "submit" }, "Close"));
      helpDialog.box.append(
        el("p", { class: "muted" }, "On this page. They never fire while you type in a field."),
        el("table", { class: "keys-table" }),
        close,
      );
    }
    const table = helpDialog.box.querySelector(".keys-table");
    table.textContent = "";
    const body = el("tbody");
    for (const [keys, what] of shortcutsHere()) {
      const tr = el("tr");
      tr.appendChild(keyCaps(keys));
      tr.appendChild(el("td", {}, what));
      body.appendChild(tr);
    }
    table.appendChild(body);
    helpDialog.open();
    return true;
  }

  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest("[data-keys-help]")) openHelp();
  });

  // --- the key map ------------------------------------------------------------------------
  const KEYS = {
    "?": openHelp,
    p: play,
    r: () => focusDraft(replyBox()),
    n: () => focusField(noteBox()),
    m: () => {
      if (window.deskMacroPicker) return window.deskMacroPicker.open(); // macro_picker.js
      if (!macroForm()) return false;
      window.deskMacroPickerWanted = true; // pressed before macro_picker.js ran: it opens as it starts
      return true;
    },
    z: () => {
      const menu = snoozeMenu();
      if (!menu) return false;
      menu.open = true;
      // Its form comes when the menu opens (mentions.ticket_page.folds): focused as soon as it is there.
      const focusFirst = () => {
        const first = menu.querySelector("select, button");
        if (first) first.focus();
        return !!first;
      };
      if (!focusFirst()) menu.addEventListener("htmx:afterSettle", focusFirst, { once: true });
      return true;
    },
    j: () => move(1),
    k: () => move(-1),
    "/": () => {
      const box = searchBox();
      if (!box) return false;
      box.focus();
      box.select();
      return true;
    },
  };

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing || event.keyCode === 229) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey) {
      const target = event.target;
      const form = target.form || (target.closest && target.closest("form"));
      if (!form || form.method === "dialog") return;
      event.preventDefault();
      // The composer's form has a button per action: a box of the macro picker applies the macro, the
      // reply box sends. Pressed as a click: htmx posts to the address of the button clicked last, so a
      // macro applied before must not make Ctrl+Enter in the reply box apply it again.
      const group = target.closest && target.closest("[data-submit-group]");
      const button = (group && group.querySelector("button[type=submit]")) || ownButton(form);
      if (button) button.click();
      else submit(form);
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || typingIn(event.target)) return;
    if (document.querySelector("dialog[open]")) return; // a dialog has the keyboard; Esc closes it
    if (event.key === "Enter") {
      // A focused link or button answers Enter itself.
      if (event.target.closest && event.target.closest("a[href], button, summary, [tabindex]")) return;
      if (openRow()) event.preventDefault();
      return;
    }
    const run = Object.prototype.hasOwnProperty.call(KEYS, event.key) ? KEYS[event.key] : null;
    if (run && run()) event.preventDefault();
  });

  // The ticket page's focus order starts at the reply box: the first Tab from the page's start
  // (nothing focused or clicked yet) goes there. Not autofocus: a focused box would swallow the
  // single-key shortcuts.
  document.addEventListener("focusin", () => {
    focusMoved = true;
  });
  document.addEventListener("pointerdown", () => {
    focusMoved = true;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Tab" || event.shiftKey || focusMoved) return;
    const active = document.activeElement;
    if (active && active !== document.body) return;
    const box = replyBox();
    if (!box) return;
    event.preventDefault();
    box.focus();
  });

  // What the ticket page's macro picker (static/macro_picker.js) shares with the rest of the keys.
  window.deskKeys = { el, dialog, submit, macroForm };

  document.addEventListener("htmx:afterSwap", reapply);
  document.addEventListener("htmx:afterSettle", reapply);
  rememberPlayed();
})();
