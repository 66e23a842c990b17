// The ticket page's macro picker (`m`, static/keys.js): type to filter, arrows to choose, Enter to
// apply; a macro that needs a link (or the expert asked) asks for it before it is applied; one that
// cannot run here is listed disabled with its reason. Built from the page's own macro <select>, so
// what the picker offers is what the form would post. Applying presses the picker's Apply button, which
// posts the composer's form (the reply box's text with it) to the macro's address: a prefill goes after
// what was typed. Names are set as text, never as HTML.
(() => {
  "use strict";

  const { el, dialog, macroForm } = window.deskKeys;
  let picker = null;

  // The panel's picker: the chosen macro's effects on a line under it (the option text has them too).
  document.addEventListener("change", (event) => {
    const select = event.target;
    if (!select.matches || !select.matches("[data-keys-macro] select[name=macro]")) return;
    const says = select.closest("[data-keys-macro]").querySelector("#macro-says");
    const option = select.selectedOptions[0];
    if (says) says.textContent = option && option.value ? option.dataset.does || "" : "";
  });

  // --- m: the macro picker ----------------------------------------------------------------
  function buildPicker() {
    const { box, open } = dialog("keys-macros", "Apply a macro");
    box.classList.add("keys-picker");
    const filter = el("input", {
      type: "text",
      role: "combobox",
      "aria-label": "Filter macros",
      "aria-controls": "keys-macro-list",
      "aria-expanded": "true",
      "aria-autocomplete": "list",
      autocomplete: "off",
      placeholder: "Type to filter macros",
    });
    const list = el("ul", { role: "listbox", id: "keys-macro-list", "aria-label": "Macros" });
    const empty = el("p", { class: "muted" }, "No macro matches.");
    const hint = el("p", { class: "muted" }, "↑/↓ choose · Enter applies · Esc closes");
    const linkStep = el("div", { class: "keys-link" });
    const linkLabel = el("label", { for: "keys-macro-link" });
    const link = el("input", { type: "url", id: "keys-macro-link", required: "", placeholder: "https://…" });
    // A macro that records an outreach asks whom: the page's own expert list, copied.
    const expertLabel = el("label", { for: "keys-macro-expert" }, "Expert you asked");
    const expert = el("select", { id: "keys-macro-expert", required: "" });
    linkStep.append(linkLabel, link, expertLabel, expert, el("p", { class: "muted" }, "Enter applies · Esc closes"));
    box.append(filter, list, empty, hint, linkStep);
    picker = { box, open, filter, list, empty, hint, linkStep, linkLabel, link, expertLabel, expert, chosen: null, busy: false };

    filter.addEventListener("input", () => renderOptions());
    filter.addEventListener("keydown", (event) => {
      if (event.isComposing || event.keyCode === 229) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        moveOption(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter") {
        event.preventDefault();
        const active = list.querySelector("[aria-selected=true]");
        if (active) choose(active);
      }
    });
    list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) choose(option);
    });
    link.addEventListener("keydown", (event) => {
      if (event.isComposing || event.keyCode === 229 || event.key !== "Enter") return;
      event.preventDefault();
      const invalid = [link, expert].find((f) => !f.hidden && !f.checkValidity());
      if (invalid) {
        invalid.reportValidity();
        return;
      }
      apply(picker.chosen, link.value, expert.hidden ? "" : expert.value);
    });
    expert.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      link.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    });
  }

  function macroOptions() {
    const form = macroForm();
    return form ? Array.from(form.querySelectorAll("select[name=macro] option")).filter((o) => o.value) : [];
  }

  function renderOptions() {
    const words = picker.filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    picker.list.textContent = "";
    for (const option of macroOptions()) {
      const name = option.dataset.name || option.textContent;
      const haystack = name.toLowerCase();
      if (!words.every((w) => haystack.includes(w))) continue;
      const item = el("li", { role: "option", id: `keys-macro-${option.value}`, "aria-selected": "false" });
      item.dataset.value = option.value;
      if (option.hasAttribute("data-asks-link")) item.dataset.asksLink = "1";
      if (option.hasAttribute("data-asks-expert")) item.dataset.asksExpert = "1";
      item.appendChild(el("span", { class: "keys-macro-name" }, name));
      // What it does, or why it cannot run here: said before it is chosen, never found out afterwards.
      if (option.dataset.missing) {
        item.setAttribute("aria-disabled", "true");
        item.appendChild(el("span", { class: "keys-macro-missing" }, `Unavailable: ${option.dataset.missing}`));
      } else if (option.dataset.does) {
        item.appendChild(el("span", { class: "keys-macro-does" }, option.dataset.does));
      }
      if (option.dataset.description) item.appendChild(el("span", { class: "muted" }, option.dataset.description));
      picker.list.appendChild(item);
    }
    picker.empty.hidden = picker.list.children.length > 0;
    moveOption(0);
  }

  function moveOption(delta) {
    const items = Array.from(picker.list.children);
    const at = items.findIndex((i) => i.getAttribute("aria-selected") === "true");
    for (const i of items) i.setAttribute("aria-selected", "false");
    if (!items.length) {
      picker.filter.removeAttribute("aria-activedescendant");
      return;
    }
    const next = delta === 0 ? 0 : Math.min(items.length - 1, Math.max(0, at + delta));
    items[next].setAttribute("aria-selected", "true");
    picker.filter.setAttribute("aria-activedescendant", items[next].id);
    items[next].scrollIntoView({ block: "nearest" });
  }

  function choose(item) {
    if (item.getAttribute("aria-disabled") === "true") return; // its reason is on it
    picker.chosen = item.dataset.value;
    if (!item.dataset.asksLink) {
      apply(picker.chosen, "", "");
      return;
    }
    const experts = macroForm().querySelector("select[name=expert]");
    picker.expert.hidden = picker.expertLabel.hidden = !(item.dataset.asksExpert && experts);
    if (!picker.expert.hidden) picker.expert.replaceChildren(...Array.from(experts.options, (o) => o.cloneNode(true)));
    // This macro needs a link (e.g. the Slack thread): ask for it before submitting.
    picker.linkLabel.textContent = `Link for “${item.querySelector(".keys-macro-name").textContent}”`;
    picker.filter.hidden = picker.list.hidden = picker.empty.hidden = picker.hint.hidden = true;
    picker.linkStep.hidden = false;
    picker.link.value = "";
    picker.link.focus();
  }

  function apply(value, linkValue, expertValue) {
    const form = macroForm();
    if (!form || picker.busy) return;
    picker.busy = true;
    form.querySelector("select[name=macro]").value = value;
    const link = form.querySelector("[name=macro_link]");
    if (link) link.value = linkValue;
    const expert = form.querySelector("select[name=expert]");
    if (expert) expert.value = expertValue;
    if (window.deskShowTab) window.deskShowTab(form); // its result shows beside it, on the reply tab
    // A click, not requestSubmit: htmx learns which button sent the composer's form from the click, and
    // posts to that button's address (formaction) rather than the form's own (the send).
    form.querySelector("button[type=submit]").click();
    // Applied in place (htmx): the picker closes and its result shows beside the macro picker.
    if (picker.box.open) picker.box.close();
  }

  function openPicker() {
    if (!macroForm() || !macroOptions().length) return false;
    if (!picker) buildPicker();
    picker.busy = false;
    picker.chosen = null;
    picker.filter.hidden = picker.list.hidden = picker.hint.hidden = false;
    picker.linkStep.hidden = true;
    picker.filter.value = "";
    renderOptions();
    picker.open();
    picker.filter.focus();
    return true;
  }

  window.deskMacroPicker = { open: openPicker };
  if (window.deskMacroPickerWanted) {
    window.deskMacroPickerWanted = false; // `m` came before this script: open now
    openPicker();
  }
})();
